"""Text a person types over its limit is refused, naming the limit and the length typed, and
nothing changes; text at its limit is kept whole (bot/domain/text_limits.py). Each rule that
keeps typed text is held to it: a backlog item's title, a refinement's action item, a
session's goal, a sprint's goal and its one thing, a task's title, a review verdict's note, a
vote's reason. (QA 7: all but the title were cut short silently, and the answer said saved.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from agendas import engine, refinement, review
from bot.domain import backlog, poker, sprints, tasks
from bot.domain.errors import UserError
from bot.domain.text_limits import TooLong, within
from storage.models import Meeting, PokerPoll, PokerRound, Sprint, SprintItem, SprintTask

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def words(length: int) -> str:
    """Text of exactly `length` characters, words with one space between them."""
    text = " ".join(f"word{n}" for n in range(length // 5 + 1))
    return text[:length].rstrip() + "x" * (length - len(text[:length].rstrip()))


def test_the_words_helper_makes_text_of_the_length_asked():
    assert [len(words(n)) for n in (1, 250, 301, 4000)] == [1, 250, 301, 4000]
    assert "  " not in words(4000) and not words(4000).endswith(" ")


def test_text_at_its_limit_is_kept_and_one_character_more_is_refused_with_both_counts():
    assert within("x" * 1000, 1000, "A goal") == "x" * 1000
    with pytest.raises(TooLong) as refused:
        within("x" * 1734, 1000, "A sprint goal")
    assert refused.value.message == (
        "A sprint goal can be 1,000 characters at most; this one has 1,734."
    )
    assert (refused.value.limit, refused.value.length) == (1000, 1734)
    assert isinstance(refused.value, UserError), "the person is told, not apologised to"


def test_a_backlog_title_says_the_same_as_every_other_limit():
    with pytest.raises(UserError, match=r"^Titles can be 250 characters at most; this one has"):
        backlog.clean_title(words(4000))
    with pytest.raises(UserError, match="this one has 4,000"):
        backlog.clean_title(words(4000))
    assert backlog.clean_title(words(250)) == words(250)


# -- each rule: kept whole at its limit, refused over it, nothing changed -------------------------


def action_item(text: str) -> str:
    meeting = Meeting(id=3, data={})
    return refinement.new_action(meeting, text, None, "U1", NOW).text


def session_goal(text: str) -> str:
    meeting = Meeting(id=3, goal="get checkout ready")
    try:
        return engine.set_goal(meeting, text)
    finally:
        assert meeting.goal in ("get checkout ready", " ".join(text.split()))


def sprint_goal(text: str) -> str:
    sprint = Sprint(number=1, goal="the old goal", one_thing="the old thing")
    try:
        sprints.set_goal(sprint, text, "ship the export")
    except UserError:
        assert (sprint.goal, sprint.one_thing) == ("the old goal", "the old thing")
        raise
    return sprint.goal


def one_thing(text: str) -> str:
    sprint = Sprint(number=1, goal="the old goal", one_thing="the old thing")
    try:
        sprints.set_goal(sprint, "a new goal", text)
    except UserError:
        assert (sprint.goal, sprint.one_thing) == ("the old goal", "the old thing")
        raise
    return sprint.one_thing


def task_title(text: str) -> str:
    sprint_item = SprintItem(tasks=[])
    try:
        return tasks.add_task(sprint_item, f"{text} 2h").title
    finally:
        assert len(sprint_item.tasks) <= 1


def verdict_note(text: str) -> str:
    meeting = Meeting(id=3, data={})
    try:
        return review.record_verdict(meeting, 4, "confirmed", text, "U1")["note"]
    finally:
        kept = meeting.data.get("verdicts", {}).get("4", {}).get("note")
        assert kept in (None, " ".join(text.split()))


def vote_reason(text: str) -> str:
    poll = PokerPoll(id=1, team_id=1, voters=["A", "B"], deck={}, facilitator="F")
    round_ = PokerRound(id=1, poll_id=1, item_number=4, number=1, status="voting")
    counted = poker.count_picks(round_, poll, None, {}, [poker.Pick("A", "5", text)])
    [outcome] = counted.outcomes
    if isinstance(outcome, UserError):
        assert counted.votes == {}, "a refused pick is no vote"
        raise outcome
    return outcome.reason


RULES: list[tuple[Callable[[str], str], int, str]] = [
    (action_item, refinement.ACTION_MAX, "An action item"),
    (session_goal, engine.GOAL_MAX, "A session's goal"),
    (sprint_goal, sprints.GOAL_MAX, "A sprint goal"),
    (one_thing, sprints.ONE_THING_MAX, "The one thing"),
    (task_title, tasks.TITLE_MAX, "A task's title"),
    (verdict_note, review.NOTE_MAX, "A verdict's note"),
    (vote_reason, poker.REASON_MAX, "A vote's reason"),
]
IDS = [rule.__name__ for rule, _, _ in RULES]


@pytest.mark.parametrize(("rule", "limit", "what"), RULES, ids=IDS)
def test_typed_text_at_its_limit_is_kept_whole(rule, limit, what):
    assert rule(words(limit)) == words(limit)


@pytest.mark.parametrize(("rule", "limit", "what"), RULES, ids=IDS)
def test_typed_text_over_its_limit_is_refused_naming_the_limit_and_its_length(rule, limit, what):
    typed = words(limit * 4)
    with pytest.raises(UserError) as refused:
        rule(typed)
    assert refused.value.message == (
        f"{what} can be {limit:,} characters at most; this one has {len(typed):,}."
    )


@pytest.mark.parametrize(
    ("rule", "limit", "what"),
    [rule for rule in RULES if rule[0] is not task_title],
    ids=[name for name in IDS if name != "task_title"],
)
def test_spaces_run_together_are_not_counted(rule, limit, what):
    """What is kept is the text with its runs of spaces made one: that is what is counted
    (a task's title keeps its spaces as typed, and they count)."""
    typed = words(limit).replace(" ", "   ")
    assert len(typed) > limit
    assert rule(typed) == words(limit)


def test_the_limits_are_what_slack_forms_and_the_database_hold():
    """Each limit is its form input's (Slack refuses more there) or its column's."""
    assert (refinement.ACTION_MAX, engine.GOAL_MAX, tasks.TITLE_MAX) == (500, 300, 200)
    assert (sprints.GOAL_MAX, sprints.ONE_THING_MAX) == (1000, 500)


def test_a_task_line_too_long_in_the_tasks_form_is_named_by_its_line():
    typed = f"Design the query 2h\n\n{words(250)} 3h"
    with pytest.raises(UserError) as refused:
        tasks.parse_task_lines(typed)
    assert refused.value.message == (
        "Line 3: A task's title can be 200 characters at most; this one has 250."
    )
    sprint_item = SprintItem(tasks=[SprintTask(title="Keep me", hours=1.0, owner=None)])
    with pytest.raises(UserError):
        tasks.set_tasks(sprint_item, typed)
    assert [t.title for t in sprint_item.tasks] == ["Keep me"], "nothing changed"
