"""The Definition of Ready: which items a team can plan into a sprint, and why the others cannot.

Each failing rule is named in words a Product Owner acts on ("no acceptance criteria"), never as
a score: the point is to know what to fix before sprint planning. Each team keeps its own
Definition of Ready as data on the team row.

A value hypothesis is the item's own field. An item imported from a tracker starts without
one, so the import takes it from the issue's description when the description states one
(``hypothesis_in``): a "Value hypothesis" (or "Hypothesis") section, or a sentence such as
"By doing X we expect Y". Any other description is not a hypothesis, and an item typed in
Slack is judged on its field alone, as before.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.domain.errors import UserError
from storage.models import BacklogItem, Team, loaded_link

RULES = {
    "hypothesis": "A value hypothesis or description is written",
    "acceptance": "At least one acceptance criterion",
    "dependencies": "Every dependency is resolved",
    "estimate": "The item is estimated",
    "split": "The estimate is at most the split threshold (bigger items are split)",
}
DEFAULT_THRESHOLD = 13.0
HYPOTHESIS_MAX = 3000  # bot.domain.backlog.FORM_MAX["hypothesis"]
_HEADING = re.compile(r"^\W*(?:value\s+)?hypothesis\W*?(?::\s*(?P<rest>.*))?$", re.I | re.S)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
_STATED = (
    # "By offering Apple Pay, we expect 10% more completed checkouts."
    re.compile(r"\bby\s+\S.*?\bwe\s+(?:expect|predict|anticipate)\b\s*\S", re.I | re.S),
    # "If we offer Apple Pay, (then) we expect ..."
    re.compile(r"\bif\s+we\s+\S.*?\bwe\s+(?:expect|predict|anticipate)\b\s*\S", re.I | re.S),
    # "We believe that offering Apple Pay will result in ..." (Lean UX)
    re.compile(
        r"\bwe\s+believe\b.+?\bwill\s+(?:result\s+in|lead\s+to|achieve|increase|reduce|"
        r"improve|raise|lower|cut)\b\s*\S",
        re.I | re.S,
    ),
)
_PLACEHOLDERS = {"tbd", "todo", "to do", "n/a", "na", "none", "-", "?", "..."}
DEFAULT_HORIZON_ITEMS = 10
QUESTIONS_MAX = 10
QUESTION_MAX = 150
SPRINTS_AHEAD = 2


@dataclass(frozen=True)
class Question:
    """A team's own yes/no checklist question, ticked per item."""

    id: str
    text: str

    @classmethod
    def new(cls, text: str) -> Question:
        text = " ".join(text.split())
        return cls(hashlib.sha1(text.lower().encode()).hexdigest()[:8], text)


@dataclass(frozen=True)
class DefinitionOfReady:
    rules: frozenset[str] = frozenset(RULES)
    split_threshold: float = DEFAULT_THRESHOLD
    questions: tuple[Question, ...] = ()
    horizon_items: int = DEFAULT_HORIZON_ITEMS

    @classmethod
    def of(cls, team: Team | None) -> DefinitionOfReady:
        data: dict[str, Any] = (team.dor if team is not None else None) or {}
        return cls(
            rules=frozenset(data.get("rules", RULES)) & frozenset(RULES),
            split_threshold=float(data.get("split_threshold", DEFAULT_THRESHOLD)),
            questions=tuple(Question(q["id"], q["text"]) for q in data.get("questions", [])),
            horizon_items=int(data.get("horizon_items", DEFAULT_HORIZON_ITEMS)),
        )

    def to_data(self) -> dict[str, Any]:
        return {
            "rules": sorted(self.rules),
            "split_threshold": self.split_threshold,
            "questions": [{"id": q.id, "text": q.text} for q in self.questions],
            "horizon_items": self.horizon_items,
        }

    def changed(
        self,
        *,
        rules: Sequence[str] | None = None,
        split_threshold: float | None = None,
        questions: Sequence[str] | None = None,
        horizon_items: int | None = None,
    ) -> DefinitionOfReady:
        """A copy with the given parts replaced, checked the way a user would type them."""
        updated = self
        if rules is not None:
            unknown = set(rules) - set(RULES)
            if unknown:
                raise UserError(f"Unknown rule(s): {', '.join(sorted(unknown))}.")
            updated = replace(updated, rules=frozenset(rules))
        if split_threshold is not None:
            if not 1 <= split_threshold <= 100:
                raise UserError("The split threshold is between 1 and 100 points.")
            updated = replace(updated, split_threshold=float(split_threshold))
        if questions is not None:
            updated = replace(updated, questions=checklist(questions))
        if horizon_items is not None:
            if not 1 <= horizon_items <= 50:
                raise UserError("Look at between 1 and 50 items when there is no velocity yet.")
            updated = replace(updated, horizon_items=horizon_items)
        return updated


DEFAULT_DOR = DefinitionOfReady()


def checklist(lines: Sequence[str]) -> tuple[Question, ...]:
    """A team's checklist from the lines typed, one question a line (blank lines skipped).

    A question asked again in other case, spacing or punctuation folds into the first (its
    id, which ticks are kept under, is the first's): pasting a list twice costs nothing. One
    longer than QUESTION_MAX characters as typed (spaces run together), which no one reads
    at a glance, is refused, naming its line."""
    unique: dict[str, Question] = {}
    for line, typed in enumerate(lines, 1):
        if not typed.strip():
            continue
        question = Question.new(typed)
        if len(question.text) > QUESTION_MAX:
            raise UserError(
                f"Line {line} is {len(question.text)} characters long: keep each question to "
                f"{QUESTION_MAX} at most, a yes/no question a glance answers."
            )
        words = " ".join(re.findall(r"\w+", question.text.lower())) or question.text.lower()
        unique.setdefault(words, question)
    if len(unique) > QUESTIONS_MAX:
        raise UserError(f"Keep the team checklist to {QUESTIONS_MAX} questions at most.")
    return tuple(unique.values())


def hypothesis_in(description: str) -> str:
    """The value hypothesis a tracker issue's description states, or "" when it states none:
    the text under a heading "Value hypothesis" (or "Hypothesis", also "Hypothesis: ..." on one
    line), else the first sentence of the form "By doing X we expect Y", "If we do X we expect
    Y" or "We believe X will result in Y". A placeholder (TBD, n/a) is none."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", description or "") if b.strip()]
    for at, block in enumerate(blocks):
        first, _, below = block.partition("\n")
        heading = _HEADING.match(first.strip().strip("#*_ ").strip())
        if heading is None:
            continue
        body = (heading["rest"] or "").strip() or below.strip()
        if not body and at + 1 < len(blocks):
            body = blocks[at + 1]
        if _says_something(body):
            return _clip(body)
    for sentence in _SENTENCES.split(description or ""):
        if any(pattern.search(sentence) for pattern in _STATED):
            return _clip(sentence)
    return ""


def _says_something(text: str) -> bool:
    words = " ".join(text.split())
    return len(words.split()) >= 3 and words.lower().strip(". ") not in _PLACEHOLDERS


def _clip(text: str) -> str:
    return " ".join(text.split())[:HYPOTHESIS_MAX]


def points(value: float) -> str:
    """Story points as people write them: 5, 0.5, 1.5."""
    return f"{value:g}"


def points_unit(value: float) -> str:
    """Story points with their unit: 1 pt, 0.5 pts, 5 pts."""
    return f"{points(value)} pt{'' if value == 1 else 's'}"


def _no_hypothesis(item: BacklogItem) -> str:
    """Why the item has no value hypothesis. An issue's description in the tracker (shown on
    its card) counts only where it states one (`hypothesis_in`): said so, not "no description"."""
    link = loaded_link(item)
    if link is not None and str((link.remote or {}).get("description") or "").strip():
        return 'no value hypothesis: its description states none ("By doing X we expect Y")'
    return "no value hypothesis or description"


def _blocked_by(link: dict[str, Any]) -> str:
    """Why a link to another item is not resolved: that item is not done, or it is archived
    (it never will be, unless restored)."""
    number = link["item"]
    if link.get("archived"):
        return (
            f"blocked by #{number}, which is archived: `/backlog restore {number}` brings it "
            f"back, or take #{number} out of the dependencies"
        )
    return f"blocked by #{number}"


def field_gaps(item: BacklogItem, dor: DefinitionOfReady = DEFAULT_DOR) -> list[tuple[str, str]]:
    """Every rule of `dor` the item fails, as (the field that fixes it, what is wrong)."""
    found: list[tuple[str, str]] = []
    if "hypothesis" in dor.rules and not item.hypothesis.strip():
        found.append(("hypothesis", _no_hypothesis(item)))
    if "acceptance" in dor.rules and not item.acceptance_criteria:
        found.append(("acceptance", "no acceptance criteria"))
    if "dependencies" in dor.rules:
        found += [
            ("dependencies", _blocked_by(d))
            if d.get("item") is not None
            else ("dependencies", f"depends on {d['text']}, not resolved")
            for d in item.dependencies
            if not d.get("resolved")
        ]
    if item.estimate is None:
        if "estimate" in dor.rules:
            found.append(("estimate", "not estimated"))
    elif "split" in dor.rules and item.estimate > dor.split_threshold:
        found.append(("estimate", f"{points(item.estimate)} points: split it"))
    ticked = item.checklist or {}
    found += [
        ("checklist", f'not checked: "{q.text}"') for q in dor.questions if not ticked.get(q.id)
    ]
    return found


def blocked_by(item: BacklogItem) -> list[int]:
    """The items this one waits for: its links to items not done yet (free text aside)."""
    return [d["item"] for d in item.dependencies if d.get("item") is not None and not d["resolved"]]


def gaps(item: BacklogItem, dor: DefinitionOfReady = DEFAULT_DOR) -> list[str]:
    """Every rule of `dor` the item fails, in words; empty when it is ready."""
    return [words for _, words in field_gaps(item, dor)]


def is_ready(item: BacklogItem, dor: DefinitionOfReady = DEFAULT_DOR) -> bool:
    return not gaps(item, dor)


def readiness_change(was_ready: bool, item: BacklogItem, dor: DefinitionOfReady) -> str | None:
    """ "became ready" or "no longer ready" when a change of `item` (ready before it if
    `was_ready`) changed that under `dor`, else None: the history line every change of an
    item's fields adds, whoever made it (a person's edit, or the tracker's through the sync)."""
    if is_ready(item, dor) == was_ready:
        return None
    return "no longer ready" if was_ready else "became ready"


# -- the planning horizon ----------------------------------------------------------------------


@dataclass(frozen=True)
class Horizon:
    """The top of the backlog that the next sprints will draw from, and how ready it is.

    With a velocity, the horizon is the top items whose estimates add up to SPRINTS_AHEAD
    sprints of it; an unestimated item counts as the team's median estimate (`assumed`), and
    `guessed` lists the items counted so. Without a velocity (or without a single estimate to
    take a median of), it is the top `dor.horizon_items` items.
    """

    items: list[BacklogItem]
    unready: list[tuple[BacklogItem, list[str]]]
    velocity: float | None
    ready_points: float
    ready_count: int
    snoozed: list[BacklogItem] = field(default_factory=list)
    assumed: float | None = None
    guessed: list[BacklogItem] = field(default_factory=list)
    by_velocity: bool = False

    @property
    def coverage(self) -> float | None:
        """Sprints of work that are ready, counted from the top, when velocity is known."""
        return self.ready_points / self.velocity if self.velocity else None

    @property
    def budget(self) -> float | None:
        """The points the horizon holds: SPRINTS_AHEAD sprints of velocity."""
        return SPRINTS_AHEAD * self.velocity if self.velocity else None

    @property
    def ready_in_horizon(self) -> int:
        return len(self.items) - len(self.unready) - len(self.snoozed)


def median_estimate(items: Sequence[BacklogItem]) -> float | None:
    """The median of the estimates the items have; None when none is estimated."""
    estimates = [item.estimate for item in items if item.estimate is not None]
    return float(statistics.median(estimates)) if estimates else None


def horizon(
    ordered: Sequence[BacklogItem],
    dor: DefinitionOfReady,
    velocity: float | None,
    today: date | None = None,
    *,
    median: float | None = None,
) -> Horizon:
    """The items whose estimates fill the next two sprints (the top N without velocity).

    An unestimated item counts as `median` (by default the median estimate of `ordered`)."""
    assumed = median if median is not None else median_estimate(ordered)
    by_velocity = bool(velocity) and assumed is not None
    guessed: list[BacklogItem] = []
    if by_velocity:
        assert velocity is not None and assumed is not None
        chosen, total = [], 0.0
        for item in ordered:
            if total >= SPRINTS_AHEAD * velocity:
                break
            chosen.append(item)
            if item.estimate is None:
                guessed.append(item)
            total += item.estimate if item.estimate is not None else assumed
    else:
        chosen = list(ordered[: dor.horizon_items])
    unready, snoozed = [], []
    for item in chosen:
        item_gaps = gaps(item, dor)
        if not item_gaps:
            continue
        if today is not None and item.snoozed_until is not None and item.snoozed_until > today:
            snoozed.append(item)
        else:
            unready.append((item, item_gaps))
    # Planning takes ready items in backlog order, skipping unready ones: all ready work counts.
    ready = [item for item in ordered if is_ready(item, dor)]
    ready_points = sum(
        item.estimate if item.estimate is not None else (assumed or 0.0) for item in ready
    )
    return Horizon(
        chosen,
        unready,
        velocity,
        ready_points,
        len(ready),
        snoozed,
        assumed if guessed or any(i.estimate is None for i in ready) else None,
        guessed,
        by_velocity,
    )
