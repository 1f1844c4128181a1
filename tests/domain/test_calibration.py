"""Calibration as rules (issue 18, point 6): how long done items really took in the team's
working days, from their first task under way (or their sprint's start) to done; the spread per
estimate, with "few data" under three; the reference stories of a size; when work began."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import calibration
from bot.domain.calibration import Record
from bot.domain.decks import Deck
from storage.models import BacklogItem, Sprint, SprintItem, SprintTask, Team
from tests.domain.factories import team

MONDAY = date(2026, 3, 2)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def record(
    number: int,
    estimate: float,
    done: datetime | None,
    started: datetime | None = None,
    *,
    sprint: date = MONDAY,
    added: datetime | None = None,
    title: str = "",
) -> Record:
    return Record(
        number=number,
        title=title or f"Item {number}",
        estimate=estimate,
        sprint_starts_on=sprint,
        added_at=added or at(sprint - timedelta(days=1)),
        started_at=started,
        done_at=done,
    )


def days_of(team: Team, *records: Record) -> dict[int, int]:
    return {i.number: i.days for i in calibration.done_items(team, records)}


# -- durations ---------------------------------------------------------------------------------


def test_a_duration_counts_working_days_from_start_to_done_both_ends_included():
    the_team = team()
    assert calibration.working_days(the_team, MONDAY, MONDAY) == 1, "a day's work is a day"
    assert calibration.working_days(the_team, MONDAY, MONDAY + timedelta(days=2)) == 3
    friday, tuesday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=8)
    assert calibration.working_days(the_team, friday, tuesday) == 3, "the weekend is not counted"
    saturday = MONDAY + timedelta(days=5)
    assert calibration.working_days(the_team, saturday, saturday) == 1, "never less than a day"
    six_days = team(working_days="mon,tue,wed,thu,fri,sat")
    assert calibration.working_days(six_days, friday, tuesday) == 4


def test_public_holidays_of_the_teams_country_are_not_counted():
    thursday, tuesday = date(2026, 4, 2), date(2026, 4, 7)  # Good Friday, Easter Monday
    assert calibration.working_days(team(), thursday, tuesday) == 4
    assert calibration.working_days(team(holiday_country="DE"), thursday, tuesday) == 2
    assert calibration.working_days(team(holiday_country="US"), thursday, tuesday) == 4


def test_the_start_is_the_first_task_under_way_and_days_are_read_in_the_teams_time_zone():
    wednesday = MONDAY + timedelta(days=2)
    started = at(MONDAY, 23, 30)  # Tuesday 00:30 in Berlin, still Monday in New York
    done = at(wednesday, 16)
    assert days_of(team(), record(1, 3, done, started)) == {1: 2}
    assert days_of(team(timezone="America/New_York"), record(1, 3, done, started)) == {1: 3}
    [item] = calibration.done_items(team(), [record(1, 3, done, started)])
    assert (item.started, item.done, item.from_tasks) == (
        MONDAY + timedelta(days=1),
        wednesday,
        True,
    )


def test_without_task_progress_an_item_counts_from_its_sprints_start_or_when_it_joined():
    thursday = MONDAY + timedelta(days=3)
    assert days_of(team(), record(1, 5, at(thursday))) == {1: 4}, "Monday to Thursday"
    joined = record(2, 5, at(thursday), added=at(MONDAY + timedelta(days=2)))
    assert days_of(team(), joined) == {2: 2}, "brought in on Wednesday: from then"
    [item] = calibration.done_items(team(), [joined])
    assert not item.from_tasks


def test_a_carried_over_item_counts_from_its_first_start_to_its_last_done():
    first, second = MONDAY, MONDAY + timedelta(weeks=2)
    rows = [
        record(7, 8, None, at(first + timedelta(days=3)), sprint=first),  # Thursday, not done
        record(7, 8, at(second + timedelta(days=1)), None, sprint=second),  # done Tuesday
    ]
    assert days_of(team(), *rows) == {7: 2 + 5 + 2}
    again = [*rows, record(7, 8, at(second - timedelta(days=10)), sprint=first - timedelta(14))]
    [item] = calibration.done_items(team(), again)
    assert item.done == second + timedelta(days=1), "done again later: the last done counts"


def test_a_start_after_the_done_is_no_start_and_items_never_done_are_left_out():
    done = at(MONDAY + timedelta(days=1))
    late = record(3, 2, done, at(MONDAY + timedelta(days=4)))  # a task reopened after it
    assert days_of(team(), late, record(4, 2, None, at(MONDAY))) == {3: 2}


# -- spreads and reference stories -------------------------------------------------------------


def _five_pointers() -> list[Record]:
    """#31 (3 days, newest), #44 (3 days), #12 (2 days), #50 (4 days), #9 (5 days, oldest)."""
    rows = []
    for n, (number, days) in enumerate(((31, 3), (44, 3), (12, 2), (50, 4), (9, 5))):
        sprint = MONDAY - timedelta(weeks=2 * n)
        rows.append(record(number, 5, at(sprint + timedelta(days=days - 1)), sprint=sprint))
    return rows


def test_the_spread_per_estimate_is_its_shortest_median_longest_and_count():
    the_team = team()
    rows = [*_five_pointers(), record(2, 3, at(MONDAY + timedelta(days=1)))]
    found = calibration.calibrate(the_team, rows, Deck.named("fibonacci"))
    three, five = found.sizes
    assert (three.name, three.spread.count, three.spread.few) == ("3 points", 1, True)
    assert (five.name, five.spread.count, five.spread.few) == ("5 points", 5, False)
    assert (five.spread.low, five.spread.median, five.spread.high) == (2, 3.0, 5)
    assert [i.number for i in five.examples] == [31, 44, 12], "closest to the median, newest"
    assert (found.items, found.from_tasks) == (6, 0)
    two = calibration.spread(5, calibration.done_items(the_team, _five_pointers()[:2]))
    assert two.few and two.count == 2, "under three items: few data"


def test_reference_stories_are_recent_ones_closest_to_the_median():
    the_team = team()
    ref = calibration.reference(the_team, _five_pointers(), 5, Deck.named("fibonacci"))
    assert ref is not None
    assert ref.name == "5 points" and (ref.spread.low, ref.spread.high) == (2, 5)
    assert [s.number for s in ref.stories] == [31, 44, 12], "#12 and #50 as close: the newer"
    assert calibration.reference(the_team, _five_pointers(), 8, Deck.named("fibonacci")) is None
    rows = []
    for n in range(12):  # #1 newest ... #12 oldest; only the two oldest took 3 days
        sprint = MONDAY - timedelta(weeks=2 * n)
        took = 3 if n >= 10 else (1 if n % 2 else 5)
        rows.append(record(n + 1, 5, at(sprint + timedelta(days=took - 1)), sprint=sprint))
    picked = calibration.references(calibration.done_items(the_team, rows), 3.0)
    assert [i.number for i in picked] == [1, 2, 3], "of the 10 newest only, however close"


def test_a_size_is_named_as_the_team_plays_it():
    tshirt = Deck.named("tshirt")
    assert calibration.size_name(tshirt, 3) == "M (3 points)"
    assert calibration.size_name(tshirt, 4) == "4 points"
    assert calibration.size_name(Deck.named("fibonacci"), 1) == "1 point"
    assert calibration.size_name(Deck.named("fibonacci"), 0.5) == "0.5 points"


def test_a_bigger_estimate_that_took_less_time_is_pointed_out():
    the_team = team()
    quick = [record(60 + n, 8, at(MONDAY), sprint=MONDAY) for n in range(3)]  # 1 day each
    found = calibration.calibrate(the_team, [*_five_pointers(), *quick], Deck.named("fibonacci"))
    [(small, big)] = found.inversions
    assert (small.name, big.name) == ("5 points", "8 points")
    few = calibration.calibrate(the_team, [*_five_pointers(), *quick[:2]], Deck.named("fibonacci"))
    assert few.inversions == (), "not on few data"


def test_no_done_items_no_calibration():
    found = calibration.calibrate(team(), [], Deck.named("fibonacci"))
    assert found.sizes == () and found.items == 0


# -- when work on an item began ------------------------------------------------------------------


def _sprint_item(status: str = "active") -> tuple[Sprint, SprintItem]:
    sprint = Sprint(status=status)
    task = SprintTask(title="Build", hours=6.0, remaining=6.0, done=False, owner=None)
    return sprint, SprintItem(item=BacklogItem(number=1, title="x"), tasks=[task])


def test_work_begins_when_a_task_is_taken_burnt_or_done_in_a_running_sprint_once():
    now = at(MONDAY)
    sprint, si = _sprint_item()
    calibration.note_start(sprint, si, now)
    assert si.started_at is None, "a task not yet moved"
    for move in ({"owner": "U1"}, {"remaining": 4.0}, {"done": True}):
        sprint, si = _sprint_item()
        for name, value in move.items():
            setattr(si.tasks[0], name, value)
        calibration.note_start(sprint, si, now)
        assert si.started_at == now, move
        calibration.note_start(sprint, si, now + timedelta(days=2))
        assert si.started_at == now, "the first time only"
    planning, si = _sprint_item("planning")
    si.tasks[0].owner = "U1"
    calibration.note_start(planning, si, now)
    assert si.started_at is None, "taken while planning: the sprint has not begun"
