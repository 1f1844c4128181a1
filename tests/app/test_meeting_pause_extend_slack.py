"""The meeting clock: an extension given while the meeting is paused keeps the
section's warning. The warning comes at 20% of the section left; while paused the clock stands
at the pause, so whether the warning is still to come is judged at the pause, not at the
wall clock: a long break must not swallow it."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_refine_slack import refine, setup_team, thread, tick


def warnings(slack, title: str) -> int:
    return sum(f"left in *{title}*" in shown(m) for m in thread(slack))


async def test_an_extension_during_a_long_pause_still_warns_before_time_up(slack):
    """Triage (20 min) paused 5 minutes in for a 30-minute break, extended by 5 during the
    break: 20 minutes are left at the resume, and the warning comes with 5 of them left (20%
    of 25), before the time-up, as it would have without the break."""
    await setup_team(slack)
    await refine(slack, "start 60m")
    await refine(slack, "next")  # Triage new items: 20 min
    await tick(slack, 5)
    await refine(slack, "pause")
    await tick(slack, 30)
    await refine(slack, "extend 5m")
    await refine(slack, "resume")
    await tick(slack, 14)
    assert warnings(slack, "Triage new items") == 0, "6 min left: too early to warn"
    await tick(slack, 2)
    assert warnings(slack, "Triage new items") == 1, [shown(m)[:60] for m in thread(slack)]
    await tick(slack, 4)
    assert "Time is up for *Triage new items*" in shown(thread(slack)[-1])


async def test_an_extension_before_the_pause_warned_keeps_warning_at_its_new_end(slack):
    """Warned before a break, then extended by 10 during it: the section has time again, so
    its warning comes again near its new end, after the resume."""
    await setup_team(slack)
    await refine(slack, "start 60m")
    await refine(slack, "next")  # Triage new items: 20 min
    await tick(slack, 17)  # warned: 3 min left
    assert warnings(slack, "Triage new items") == 1
    await refine(slack, "pause")
    await tick(slack, 60)
    await refine(slack, "extend 10m")
    await refine(slack, "resume")  # 13 min left of 30
    await tick(slack, 6)
    assert warnings(slack, "Triage new items") == 1, "7 min left: not yet (20% of 30 is 6)"
    await tick(slack, 1.5)
    assert warnings(slack, "Triage new items") == 2, [shown(m)[:60] for m in thread(slack)]
