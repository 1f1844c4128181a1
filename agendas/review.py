"""What the sprint review's sections do: walk the increment's items with their value
hypotheses, each answered "value confirmed / not confirmed / too early to say" with a note,
offer the failed ones back to the backlog as follow-ups, and answer "did we get the sprint
goal?" at the end; and the minutes that say so.

Plain rules on rows the caller read (bot/usecases/review.py reads and writes them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from agendas import engine
from bot.domain.backlog import TITLE_MAX, ItemFields
from bot.domain.errors import UserError
from bot.domain.text_limits import within
from storage.models import BacklogItem, Meeting, Sprint, SprintItem

VERDICTS = {
    "confirmed": "value confirmed",
    "not_confirmed": "value not confirmed",
    "too_early": "too early to say",
}
GOAL_ANSWERS = {"yes": "yes", "partly": "partly", "no": "no"}
NOTE_MAX = 500


# -- what a section opens ------------------------------------------------------------------------


@dataclass(frozen=True)
class IncrementCard:
    """One done item of the increment, with its hypothesis and what the review said so far."""

    item: BacklogItem
    position: int
    total: int
    verdict: dict[str, Any] | None = None


@dataclass(frozen=True)
class Increment:
    """The increment the review walks: the sprint's done items, one card each."""

    sprint: Sprint
    cards: tuple[IncrementCard, ...]


@dataclass(frozen=True)
class GoalCheck:
    """The sprint goal's "did we get it?", with the verdicts given."""

    sprint: Sprint
    answer: str | None
    confirmed: int
    not_confirmed: tuple[int, ...]
    too_early: int
    unjudged: int = 0
    """Done items of the increment nobody has given a verdict on yet."""


# -- the increment -------------------------------------------------------------------------------


def done_items(sprint_items: Iterable[SprintItem]) -> list[BacklogItem]:
    """The sprint's done items, in the sprint's order."""
    return [si.item for si in sprint_items if si.done_at is not None]


def increment(meeting: Meeting, sprint: Sprint, done: Sequence[BacklogItem]) -> Increment:
    verdicts = meeting.data.get("verdicts", {})
    total = len(done)
    cards = tuple(
        IncrementCard(item, n, total, verdicts.get(str(item.number)))
        for n, item in enumerate(done, start=1)
    )
    return Increment(sprint, cards)


def goal_check(meeting: Meeting, sprint: Sprint, done: Sequence[BacklogItem]) -> GoalCheck:
    """The goal's question with the increment's verdicts so far (`done`: its items)."""
    verdicts = meeting.data.get("verdicts", {})
    said = [v["verdict"] for v in verdicts.values()]
    failed = tuple(sorted(int(n) for n, v in verdicts.items() if v["verdict"] == "not_confirmed"))
    return GoalCheck(
        sprint,
        meeting.data.get("goal_answer"),
        said.count("confirmed"),
        failed,
        said.count("too_early"),
        sum(1 for item in done if str(item.number) not in verdicts),
    )


def check_verdict(verdict: str) -> str:
    if verdict not in VERDICTS:
        raise UserError("Say value confirmed, not confirmed or too early to say.")
    return verdict


def check_in_increment(number: int, done: Sequence[BacklogItem]) -> BacklogItem:
    for item in done:
        if item.number == number:
            return item
    raise UserError(f"#{number} is not a done item of the sprint under review.")


def record_verdict(meeting: Meeting, number: int, verdict: str, note: str, user: str) -> dict:
    """The item's verdict in the meeting (a later one replaces it); a note over NOTE_MAX is
    refused, not cut (the form holds no more)."""
    said = {
        "verdict": check_verdict(verdict),
        "note": within(" ".join(note.split()), NOTE_MAX, "A verdict's note"),
        "by": user,
    }
    verdicts = {**meeting.data.get("verdicts", {}), str(number): said}
    meeting.data = {**meeting.data, "verdicts": verdicts}
    return said


def record_goal(meeting: Meeting, answer: str, user: str) -> str:
    if answer not in GOAL_ANSWERS:
        raise UserError("Did we get the sprint goal: yes, partly or no?")
    meeting.data = {**meeting.data, "goal_answer": answer, "goal_answered_by": user}
    return answer


# -- follow-ups ----------------------------------------------------------------------------------


def check_failed(meeting: Meeting, number: int) -> None:
    verdict = meeting.data.get("verdicts", {}).get(str(number))
    if verdict is None or verdict["verdict"] != "not_confirmed":
        raise UserError(f"Only an item whose value was not confirmed gets a follow-up (#{number}).")
    if str(number) in meeting.data.get("follow_ups", {}):
        raise UserError(
            f"#{number} has its follow-up already: #{meeting.data['follow_ups'][str(number)]}."
        )


def follow_up_fields(item: BacklogItem, note: str) -> ItemFields:
    """A new backlog item following up one whose value hypothesis failed."""
    title = f"Follow up #{item.number}: {item.title}"
    why = f"#{item.number} did not deliver the value expected"
    hypothesis = f"{why} ({note})." if note else f"{why}."
    if item.hypothesis:
        hypothesis += f" Its hypothesis was: {item.hypothesis}"
    return ItemFields(title=title[:TITLE_MAX], hypothesis=hypothesis, type=item.type)


def record_follow_up(meeting: Meeting, number: int, follow_up: int) -> None:
    kept = {**meeting.data.get("follow_ups", {}), str(number): follow_up}
    meeting.data = {**meeting.data, "follow_ups": kept}


# -- minutes -------------------------------------------------------------------------------------


def minutes(meeting: Meeting, sprint: Sprint | None, done: Sequence[BacklogItem]) -> dict:
    """The review's record: each item's verdict and note, the follow-ups, the goal's answer."""
    verdicts = meeting.data.get("verdicts", {})
    follow_ups = meeting.data.get("follow_ups", {})
    return {
        "review": True,
        "review_of": sprint.number if sprint else None,
        "sprint_goal": sprint.goal if sprint else "",
        **engine.timing(meeting),
        "items": [
            {
                "number": item.number,
                "title": item.title,
                "verdict": verdicts.get(str(item.number), {}).get("verdict"),
                "note": verdicts.get(str(item.number), {}).get("note", ""),
                "follow_up": follow_ups.get(str(item.number)),
            }
            for item in done
        ],
        "goal_answer": meeting.data.get("goal_answer"),
    }
