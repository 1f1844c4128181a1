"""When Timebox ends a meeting nobody ends (agendas.engine.forgotten_at) and what its record
then says: plain rules on a meeting row, the timers it sets only recorded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from agendas import engine
from tests.domain.test_meeting_progress import START, at, in_triage


class Timers:
    """What the engine asks of the store, recorded: the pending timers by key."""

    def __init__(self) -> None:
        self.pending: dict[str, datetime] = {}

    async def cancel_prefix(self, prefix: str, keep: str | None = None) -> None:
        self.pending = {k: v for k, v in self.pending.items() if not k.startswith(prefix)}

    async def schedule(self, kind: str, key: str, due: datetime, payload: dict[str, Any]) -> None:
        assert kind == engine.TIMER
        self.pending[key] = due

    def forgotten(self) -> list[datetime]:
        return [due for key, due in self.pending.items() if f":{engine.FORGOTTEN}:" in key]


def test_the_grace_is_the_meetings_own_length_an_hour_at_most():
    meeting = in_triage()  # 30 minutes planned, started at START, in triage since START
    assert engine.forgotten_at(meeting) == at(60)
    meeting.agenda["sections"][3]["minutes"] = 95.0  # 120 minutes planned
    assert engine.forgotten_at(meeting) == at(120 + 60)
    assert not engine.overdue(meeting, at(179.9)) and engine.overdue(meeting, at(180))


async def test_an_extension_after_an_overrun_gives_the_grace_again_from_its_end():
    meeting, timers = in_triage(), Timers()
    await engine.extend(timers, meeting, 5, "U1", at(59))  # type: ignore[arg-type]
    assert engine.forgotten_at(meeting) == at(64 + 30)
    assert timers.forgotten() == [at(94)], "the old one cancelled, the new one set"


async def test_a_pause_puts_it_off_a_day_and_earlier_pauses_do_not_count():
    meeting, timers = in_triage(), Timers()
    await engine.pause(timers, meeting, at(5))  # type: ignore[arg-type]
    assert engine.forgotten_at(meeting) == at(5) + timedelta(days=1)
    assert timers.forgotten() == [at(5) + timedelta(days=1)], "only that, while paused"
    await engine.resume(timers, meeting, at(15))  # type: ignore[arg-type]
    assert engine.forgotten_at(meeting) == at(70)


async def test_ended_after_it_was_due_to_end_it_ends_then_and_says_so():
    meeting = in_triage()
    await engine.end(Timers(), meeting, START + timedelta(hours=20))  # type: ignore[arg-type]
    assert meeting.ended_at == at(60) and engine.ran(meeting) == 60
    assert [s["actual"] for s in meeting.log] == [60]
    assert engine.timing(meeting)["auto_ended"] == {"paused": False, "grace": 30}
    assert engine.forgotten_at(meeting) is None


async def test_ended_in_time_it_ends_when_it_is_ended():
    meeting = in_triage()
    await engine.end(Timers(), meeting, at(59))  # type: ignore[arg-type]
    assert meeting.ended_at == at(59) and engine.timing(meeting)["auto_ended"] is None


async def test_a_paused_meeting_ended_a_day_on_counts_only_its_running_time():
    meeting = in_triage()
    await engine.pause(Timers(), meeting, at(2))  # type: ignore[arg-type]
    await engine.end(Timers(), meeting, at(2) + timedelta(days=3))  # type: ignore[arg-type]
    assert meeting.ended_at == at(2) + timedelta(days=1) and engine.ran(meeting) == 2
    assert engine.timing(meeting)["auto_ended"] == {"paused": True, "grace": 30}
