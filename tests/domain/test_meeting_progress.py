"""How far through its agenda a meeting is (agendas.engine.progress), for its progress bar: an
extension adds to the total and takes nothing from what is done, so the bar never goes back.
Plain rules on a meeting row; the timers an extension sets are only recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from agendas import engine
from storage.models import Meeting

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Timers:
    """What engine.extend and engine.advance ask of the store: set and cancel timers."""

    async def cancel_prefix(self, prefix: str) -> None:
        pass

    async def schedule(self, kind: str, key: str, at: datetime, payload: dict[str, Any]) -> None:
        pass


def in_triage() -> Meeting:
    """`/refine start 30m` (3, 10, 12 and 5 minutes) moved on to triage at once."""
    sections = [
        {"title": title, "minutes": float(minutes), "purpose": "", "actions": []}
        for title, minutes in (("Kick-off", 3), ("Triage", 10), ("Deep dive", 12), ("Wrap-up", 5))
    ]
    return Meeting(
        id=1,
        kind="refinement",
        agenda={"name": "Backlog refinement", "minutes": 30, "sections": sections},
        status="running",
        section=1,
        started_at=START,
        section_started_at=START,
        section_ends_at=START + timedelta(minutes=10),
        paused_at=None,
        warned=True,
        timed_out=True,
        log=[],
        data={},
    )


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


async def test_an_extension_at_time_up_adds_to_the_total_and_takes_nothing_done():
    """The bug: 43% of 30 min one minute over, then 27% of 30 min after +5 min."""
    meeting = in_triage()
    before = engine.progress(meeting, at(11))
    assert (before.done, before.total) == (13, 30)  # the kick-off and all of triage
    await engine.extend(Timers(), meeting, 5, "U1", at(11))  # type: ignore[arg-type]
    after = engine.progress(meeting, at(11))
    assert (after.done, after.planned, after.added, after.total) == (13, 30, 5, 35)
    assert engine.progress(meeting, at(16)).done == 18  # the 5 minutes run out


async def test_an_extension_before_time_up_runs_on_from_where_the_section_is():
    meeting = in_triage()
    await engine.extend(Timers(), meeting, 5, "U1", at(4))  # type: ignore[arg-type]
    assert engine.progress(meeting, at(4)).done == 7
    assert engine.progress(meeting, at(15)).done == 18
    assert engine.extended(meeting, 1) == 5 and engine.extended(meeting, 0) == 0


async def test_the_progress_never_goes_back_through_a_whole_meeting():
    """Warned, over time, extended twice, paused, resumed, moved on: what is done only grows,
    and the total only grows by what extensions add."""
    meeting, timers = in_triage(), Timers()
    seen: list[tuple[float, float]] = []

    def look(minute: float) -> None:
        shown = engine.progress(meeting, at(minute))
        seen.append((shown.done, shown.total))

    for minute in (0, 8, 11):
        look(minute)
    await engine.extend(timers, meeting, 5, "U1", at(11))  # type: ignore[arg-type]
    look(11)
    await engine.pause(timers, meeting, at(12))  # type: ignore[arg-type]
    look(20)
    await engine.resume(timers, meeting, at(20))  # type: ignore[arg-type]
    look(20)
    await engine.extend(timers, meeting, 10, "U1", at(30))  # type: ignore[arg-type]
    look(30)
    await engine.advance(timers, meeting, at(31))  # type: ignore[arg-type]
    look(31)
    look(60)
    assert seen == [
        (3, 30),
        (11, 30),
        (13, 30),  # a minute over: the whole of triage is done
        (13, 35),
        (14, 35),  # paused at 12: the clock stands still
        (14, 35),
        (18, 45),  # 6 minutes over, then 10 more
        (28, 45),  # triage done at its 25 minutes
        (40, 45),  # the deep dive over by now
    ]


async def test_an_extension_while_paused_counts_from_the_pause():
    """Triage paused at 5 of its 10 minutes and extended by 5 at minute 15: 10 minutes are left
    when it resumes, and what is done stays where the pause left it."""
    meeting = in_triage()
    await engine.pause(Timers(), meeting, at(5))  # type: ignore[arg-type]
    done = engine.progress(meeting, at(15)).done
    await engine.extend(Timers(), meeting, 5, "U1", at(15))  # type: ignore[arg-type]
    assert engine.progress(meeting, at(15)).done == done == 8
    assert engine.time_left(meeting, at(15)) == timedelta(minutes=10)
    await engine.resume(Timers(), meeting, at(20))  # type: ignore[arg-type]
    assert engine.time_left(meeting, at(20)) == timedelta(minutes=10)
