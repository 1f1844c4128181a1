"""The product backlog: items, their stable numbers, their order and their history.

Plain rules over items: what a new item looks like, what an edit, a move, archiving, restoring
and finishing change (and refuse). The repository (storage/repositories/backlog.py) applies
them and logs every change as an item event, so "who changed what, when" can be answered.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.domain import priority
from bot.domain.errors import UserError
from bot.domain.estimate_scales import EstimateScale
from bot.domain.readiness import (
    DefinitionOfReady,
    is_ready,
    points,
    points_unit,
    readiness_change,
)
from bot.domain.text_limits import within
from storage.models import BacklogItem, Sprint

ITEM_TYPES = {
    "story": "Story",
    "bug": "Bug",
    "tech_debt": "Tech debt",
    "enabler": "Enabler",
    "spike": "Spike",
}
TYPE_WORDS = {
    **{key: key for key in ITEM_TYPES},
    **{label.lower(): key for key, label in ITEM_TYPES.items()},
    "techdebt": "tech_debt",
    "tech-debt": "tech_debt",
    "debt": "tech_debt",
}
STATUS_NAMES = {
    "new": "New",
    "open": "Open",
    "sprint": "In the sprint",
    "done": "Done",
    "archived": "Archived",
}
PAGE_SIZE = 20
TITLE_MAX = 250
ESTIMATE_MAX = 1000
EPIC_MAX = 120  # storage.models.BacklogItem.epic
PRIORITY_MAX = 32  # storage.models.BacklogItem.priority
# What the item form's inputs hold: Slack's plain_text_input takes 3,000 characters at most,
# and views.open fails when a field's text is longer than its input's max_length.
FORM_MAX = {"hypothesis": 3000, "acceptance_criteria": 3000, "dependencies": 3000, "labels": 500}
FORM_LABELS = {
    "hypothesis": "value hypothesis (Description)",
    "acceptance_criteria": "acceptance criteria",
    "dependencies": "dependencies",
    "labels": "labels",
}


@dataclass(frozen=True)
class Move:
    """Where `/backlog move` puts an item: top, bottom, up, down, a position, or before #n."""

    kind: str
    value: int | None = None


@dataclass
class ItemFields:
    """What a user can edit on an item (the edit modal, an import row)."""

    title: str
    hypothesis: str = ""
    type: str = "story"
    acceptance_criteria: list[str] = field(default_factory=list)
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    estimate: float | None = None
    owner: str | None = None
    epic: str | None = None
    labels: list[str] = field(default_factory=list)
    priority: str | None = None


class FieldRefused(UserError):
    """A change refused for what one field of the item form says (`name`: a field of
    `ItemFields`): the form shows the message under that field and stays open."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Page:
    items: list[BacklogItem]
    number: int  # 1-based
    count: int
    total: int
    asked: int = 0
    """The page number asked for (`/backlog 5`, a paging button of a list the backlog has
    shrunk under since): not `number` when past the last page or before the first."""

    @property
    def first_position(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1


def status_of(item: BacklogItem) -> str:
    return "archived" if item.archived_at is not None else item.status


# -- parsing of field text ---------------------------------------------------------------------


def clean_title(text: str) -> str:
    title = " ".join(text.split())
    if not title:
        raise UserError("An item needs a title, e.g. `/backlog add Export invoices as PDF`.")
    return within(title, TITLE_MAX, "Titles")


def parse_estimate(text: str | float | None) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = float(str(text).strip().replace(",", "."))
    except ValueError:
        raise UserError(f"`{text}` is not a number of story points, e.g. `5` or `0.5`.") from None
    if not math.isfinite(value) or value < 0 or value > ESTIMATE_MAX:
        raise UserError(f"An estimate is between 0 and {ESTIMATE_MAX} story points.")
    return value


def parse_type(text: str) -> str:
    key = TYPE_WORDS.get(text.strip().lower())
    if key is None:
        raise UserError(f"`{text}` is not an item type: use {', '.join(ITEM_TYPES.values())}.")
    return key


def parse_lines(text: str) -> list[str]:
    """One entry per line; list bullets are dropped."""
    lines = (re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


_RESOLVED = re.compile(r"^\s*\[(?P<mark>[ xX✓✔]?)\]\s*(?P<text>.*)$")


def parse_dependencies(text: str) -> list[dict[str, Any]]:
    """Lines like `[x] #14 API contract` (resolved) or `[ ] design from UX` / plain text (open)."""
    found = []
    for line in parse_lines(text):
        match = _RESOLVED.match(line)
        if match:
            body, resolved = match["text"].strip(), match["mark"].strip() != ""
        else:
            body, resolved = line, False
        if body:
            found.append({"text": body, "resolved": resolved})
    return found


def format_dependencies(dependencies: list[dict[str, Any]]) -> str:
    return "\n".join(f"[{'x' if d.get('resolved') else ' '}] {d['text']}" for d in dependencies)


# -- dependencies on other items ----------------------------------------------------------------
# A dependency typed as `#14 ...` names item 14 of the same backlog: saved, it becomes a link
# ({"item": 14}) whose `resolved` follows #14 (done: resolved; restored: open again). A `#n`
# the backlog does not have is refused: it would wait for nothing that can ever be done.
# Anything else stays free text, ticked by hand.

_LINK = re.compile(r"^#(\d+)(?!\w)")


def named_item(dependency: dict[str, Any]) -> int | None:
    """The item number a dependency's text starts with (`#14 API contract`), if any."""
    match = _LINK.match(str(dependency.get("text", "")).strip())
    return int(match.group(1)) if match else None


def link_dependencies(
    number: int,
    dependencies: Sequence[dict[str, Any]],
    done: Mapping[int, bool],
    links: Mapping[int, Sequence[int]],
    kept: Sequence[dict[str, Any]] = (),
    tracker: str | None = None,
    archived: Collection[int] = (),
) -> list[dict[str, Any]]:
    """Item `number`'s dependencies as they are saved: each `#n` naming an item of the backlog
    (`done`: every item number of the team, and whether it is done) becomes a link, resolved
    when #n is done; free text stays as typed. Refused under the form's Dependencies
    (FieldRefused), naming what to change: a `#n` the backlog does not have (but for a note
    the item had already, `kept`: its dependencies now, e.g. one imported from another
    team's export, ticked by hand), the item itself, and a cycle (#1 waits for #2, which waits
    for #1; `links` are the other items' links). `tracker`: the name of the tracker whose
    issue the item is linked to, which owns the dependencies its links gave
    (``tracker_dependencies``)."""
    theirs = tracker_dependencies(dependencies, kept, tracker)
    notes = {d["text"] for d in kept if d.get("item") is None}
    saved: list[dict[str, Any]] = []
    for dependency in dependencies:
        if (given := theirs.pop(dependency["text"], None)) is not None:
            saved.append(dict(given))
            continue
        other = named_item(dependency)
        if other is None or (other not in done and dependency["text"] in notes):
            saved.append({"text": dependency["text"], "resolved": bool(dependency["resolved"])})
            continue
        if other == number:
            raise FieldRefused(
                "dependencies", f"#{number} cannot depend on itself. Take #{number} out of it."
            )
        if other not in done:
            raise FieldRefused(
                "dependencies",
                f"There is no #{other} in this channel's backlog, so #{number} would wait for "
                f"it forever. Name one of its items (/backlog lists them), or write something "
                f"outside it without the #, e.g. [ ] item {other} of team B.",
            )
        if dependency["resolved"] and not done[other]:
            raise FieldRefused(
                "dependencies",
                f"#{other} is not done, so `[x] #{other}` cannot be ticked by hand: it ticks "
                f"itself when #{other} is done. Write `[ ] #{other}`, or the dependency without "
                "the # if it is something else than that item.",
            )
        saved.append(_link(dependency["text"], other, done[other], other in archived))
    graph = {**links, number: [n for d in saved if (n := d.get("item")) is not None]}
    cycle = find_cycle(number, graph)
    if cycle is not None:
        raise FieldRefused("dependencies", _cycle_refused(number, cycle, done, archived))
    return saved


def _cycle_refused(
    number: int, cycle: Sequence[int], done: Mapping[int, bool], archived: Collection[int]
) -> str:
    """Why a dependency of `number` that closes `cycle` (#1 → #2 → #1) is refused: neither
    could ever start; or, where an item of the circle is done or archived, neither could once
    it is reopened or restored, so its own dependency is the one to take out first."""
    path = " → ".join(f"#{n}" for n in cycle)
    closed = next((n for n in cycle[1:-1] if done.get(n) or n in archived), None)
    if closed is None:
        return (
            f"#{number} cannot depend on #{cycle[1]}: #{cycle[1]} already waits for #{number} "
            f"({path}), so neither could ever start. Take one of these dependencies out."
        )
    state = "done" if done.get(closed) else "archived"
    return (
        f"#{number} cannot depend on #{cycle[1]} ({path}): #{closed} is {state}, but its own "
        f"dependencies still lead back to #{number}, so reopened or restored, neither could "
        f"start. Take #{closed}'s dependency out first (`/backlog edit {closed}`), then add "
        "this one."
    )


def tracker_dependencies(
    dependencies: Sequence[dict[str, Any]], kept: Sequence[dict[str, Any]], tracker: str | None
) -> dict[str, dict[str, Any]]:
    """The item's dependencies that its tracker's links gave (`kept`: its dependencies now,
    each such one naming its blocker's key), by their text, as the form submits them again
    (`dependencies`): the tracker owns them (its sync adds and removes them as the links
    change), so a line naming one is that link, kept as it is, never a dependency of
    Timebox's. Removing such a line, or ticking it, is refused under the form's Dependencies
    (FieldRefused), naming where to change it: saved here, it would never reach the tracker,
    and the sync would never take it off again. None are the tracker's (`tracker` None) for
    an item no live link backs (one only Timebox has, or unlinked by a disconnect)."""
    if tracker is None:
        return {}
    theirs = {str(d["tracker"]): d for d in kept if d.get("tracker")}
    sent = {d["text"]: d for d in dependencies}
    gone = [key for key in theirs if key not in sent]
    if gone:
        named = gone[0] if len(gone) == 1 else f"{', '.join(gone[:-1])} and {gone[-1]}"
        come, them = ("comes", "the link") if len(gone) == 1 else ("come", "the links")
        raise FieldRefused(
            "dependencies",
            f"{named} {come} from {tracker}'s links: remove {them} there, and the next sync "
            f"takes {'it' if len(gone) == 1 else 'them'} off here. Put "
            f"{'it' if len(gone) == 1 else 'them'} back to save the rest.",
        )
    ticked = [
        key for key, d in theirs.items() if bool(sent[key]["resolved"]) != bool(d.get("resolved"))
    ]
    if ticked:
        key = ticked[0]
        raise FieldRefused(
            "dependencies",
            f"{key} comes from {tracker}'s links: it is resolved when {key} is done there, so "
            f"leave its box as it was ([{'x' if theirs[key].get('resolved') else ' '}]).",
        )
    return theirs


def find_cycle(start: int, graph: Mapping[int, Sequence[int]]) -> list[int] | None:
    """A path of links from `start` back to itself ([1, 2, 3, 1]), or None."""
    stack: list[tuple[int, list[int]]] = [(n, [start, n]) for n in graph.get(start, ())]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node == start:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack += [(n, [*path, n]) for n in graph.get(node, ())]
    return None


def _link(text: str, number: int, done: bool, archived: bool) -> dict[str, Any]:
    """A dependency's link to item `number`: resolved when it is done; marked while it is
    archived, so that readiness says why the item waits (it would wait for ever)."""
    return {
        "text": text,
        "item": number,
        "resolved": done,
        **({"archived": True} if archived else {}),
    }


def settle_links(
    dependencies: Sequence[dict[str, Any]],
    number: int,
    done: bool,
    key: str | None = None,
    archived: bool = False,
) -> list[dict[str, Any]] | None:
    """The dependencies with their links to #`number` resolved (`done`) or open again, and
    marked while it is `archived`; None when none of them links to it, or they say so
    already. `key`: the item's issue in the tracker, which a dependency the tracker gave
    ("is blocked by") names instead."""

    def links(d: dict[str, Any]) -> bool:
        return d.get("item") == number or (key is not None and d.get("tracker") == key)

    def follows(d: dict[str, Any]) -> dict[str, Any]:
        kept = {k: v for k, v in d.items() if k != "archived"}
        return {**kept, "resolved": done, **({"archived": True} if archived else {})}

    if all(follows(d) == d for d in dependencies if links(d)):
        return None
    return [follows(d) if links(d) else dict(d) for d in dependencies]


def drop_blockers(
    dependencies: Sequence[dict[str, Any]], keys: Collection[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The dependencies without those the tracker's links to the issues `keys` gave (issues
    gone from the board: deleted, or moved off it), and the keys of those dropped, in their
    order; the dependencies typed in Slack stay, whatever they say."""
    kept, dropped = [], []
    for dependency in dependencies:
        key = dependency.get("tracker") if isinstance(dependency, dict) else None
        if key is not None and key in keys:
            dropped.append(str(key))
        else:
            kept.append(dict(dependency))
    return kept, dropped


def open_links(dependencies: Sequence[dict[str, Any]]) -> list[int]:
    """The items a dependency list links to (`#n`) that are not done yet."""
    return [n for d in dependencies if (n := d.get("item")) is not None and not d.get("resolved")]


@dataclass(frozen=True)
class OutOfOrder:
    """An item moved where the backlog's order contradicts its links: the open items it
    waits for that now stand below it, and those waiting for it that now stand above it."""

    waits_for: tuple[int, ...] = ()
    waited_by: tuple[int, ...] = ()


def out_of_order(order: Sequence[tuple[int, Sequence[int]]], number: int) -> OutOfOrder:
    """What a move of #`number` put out of order; `order`: each item on the backlog, top
    first, with the items its open dependencies link to (`open_links`)."""
    position = {n: at for at, (n, _) in enumerate(order)}
    here = position.get(number)
    if here is None:
        return OutOfOrder()
    links = dict(order)
    below = tuple(n for n in links[number] if position.get(n, -1) > here)
    above = tuple(n for n, waits in order[:here] if number in waits)
    return OutOfOrder(below, above)


def settled_link(changes: Mapping[str, Any]) -> tuple[str, bool] | None:
    """What an "edited" history line says when all it did was follow a linked item (the line
    `settle_links` gives the items waiting for #n, or for the tracker's issue, when it is done
    or restored: no person edited them): (`#n` or the issue's key, whether the link is resolved
    now). None for any other line."""
    pair = changes.get("dependencies")
    if set(changes) != {"dependencies"} or not isinstance(pair, list) or len(pair) != 2:
        return None
    old, new = pair
    if not isinstance(old, list) or not isinstance(new, list) or len(old) != len(new):
        return None
    followed = set()
    for was, now in zip(old, new, strict=True):
        if was == now:
            continue
        if (
            not isinstance(now, dict)
            or (linked := _linked(now)) is None
            or was != {**now, "resolved": was.get("resolved")}
        ):
            return None
        followed.add((linked, bool(now.get("resolved"))))
    return followed.pop() if len(followed) == 1 else None


def _linked(dependency: dict[str, Any]) -> str | None:
    """What a dependency links to, as the backlog names it: `#n`, or the tracker's issue."""
    if (number := dependency.get("item")) is not None:
        return f"#{number}"
    return dependency.get("tracker")


def parse_labels(text: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


# -- the item form ------------------------------------------------------------------------------


def form_texts(item: BacklogItem | ItemFields) -> dict[str, str]:
    """The item's text as the item form shows it, one entry per multi-line or list input."""
    return {
        "hypothesis": item.hypothesis or "",
        "acceptance_criteria": "\n".join(item.acceptance_criteria),
        "dependencies": format_dependencies(item.dependencies),
        "labels": ", ".join(item.labels),
    }


def too_long_for_form(fields: ItemFields) -> str | None:
    """Why the item form could not show these fields (a text over its input's limit), or None.

    An import refuses such a row rather than keep text its item could never be edited with."""
    for name, text in form_texts(fields).items():
        if len(text) > FORM_MAX[name]:
            return (
                f"the {FORM_LABELS[name]} has {len(text):,} characters; an item holds "
                f"{FORM_MAX[name]:,} at most (what Slack's item form can edit). "
                "Shorten it and import this row again."
            )
    return None


# What a submitted item form changes. Slack sends every field of a form, changed or not; a form
# left open while a teammate saved theirs would put back what it showed (a lost update). The
# form carries a short digest of each field as it showed it (Slack's private_metadata holds
# 3,000 characters: a digest is 8 of them), so a submit changes only the fields its submitter
# changed, as Jira's and Linear's forms do.

DIGEST_LENGTH = 8
"""Hex digits of a field's digest: a change goes unseen once in four billion."""
SCORE = "scores."
"""The prefix of a scoring input's entry among the form's fields (`scores.value`)."""


def form_values(
    item: BacklogItem, dor: DefinitionOfReady, scheme: str | None = None
) -> dict[str, Any]:
    """The item's fields as its form gives them back when nobody touches them (what the
    form's inputs show, read as a submission reads them): one entry per input, a scoring
    input of the team's `scheme` as `scores.<name>`."""
    ticked = item.checklist or {}
    values: dict[str, Any] = {
        "title": " ".join(item.title.split()),
        "hypothesis": (item.hypothesis or "").strip(),
        "type": item.type,
        "acceptance_criteria": parse_lines("\n".join(item.acceptance_criteria)),
        "dependencies": parse_dependencies(format_dependencies(item.dependencies)),
        "estimate": None if item.estimate is None else float(points(item.estimate)),
        "owner": item.owner or None,
        "epic": (item.epic or "").strip() or None,
        "labels": parse_labels(", ".join(item.labels)),
        "priority": item.priority or None,
        "checklist": {q.id: True for q in dor.questions if ticked.get(q.id)},
    }
    scale = priority.SCALES.get(scheme or "", ())
    for name in priority.INPUTS.get(scheme or "", {}):
        given = (item.scores or {}).get(name)
        values[SCORE + name] = given if given in scale else None
    return values


def digest(value: Any) -> str:
    """A field's value in a few characters, the same for equal values."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_LENGTH]


def form_digests(
    item: BacklogItem, dor: DefinitionOfReady, scheme: str | None = None
) -> dict[str, str]:
    """The digest of each field the item's form shows, for the form to carry."""
    return {name: digest(value) for name, value in form_values(item, dor, scheme).items()}


@dataclass(frozen=True)
class FormEdits:
    edits: dict[str, Any]
    """The fields the submitter changed (names of `ItemFields`; scoring inputs as "scores")."""
    replaced: dict[str, Any]
    """Of those, the fields someone else changed too while the form was open, with the value
    they had set (names and values as in `form_values`): the later submit wins, and says so."""


def form_edits(
    item: BacklogItem,
    submitted: Mapping[str, Any],
    shown: Mapping[str, str],
    dor: DefinitionOfReady,
    scheme: str | None = None,
) -> FormEdits:
    """What a submitted item form changes: each field whose value differs from what the form
    showed (`shown`: its `form_digests` when it was opened). A field the submitter left alone
    keeps the item's value now, even when someone else changed it meanwhile. A field both
    changed takes the submitter's value: they saw the old one and chose theirs, and the
    confirmation names it, so they know whose they replaced (both are in the history). A
    field the form carries no digest of (a form opened before forms carried them) changes as
    it always did."""
    given = {name: value for name, value in submitted.items() if name != "scores"}
    given |= {SCORE + name: value for name, value in (submitted.get("scores") or {}).items()}
    now = form_values(item, dor, scheme)
    changed: dict[str, Any] = {}
    replaced: dict[str, Any] = {}
    for name, value in given.items():
        was = shown.get(name)
        if was is not None and digest(value) == was:
            continue
        changed[name] = value
        if was is not None and digest(now.get(name)) != was and now.get(name) != value:
            replaced[name] = now.get(name)
    edits = {name: value for name, value in changed.items() if not name.startswith(SCORE)}
    scores = {n.removeprefix(SCORE): v for n, v in changed.items() if n.startswith(SCORE)}
    return FormEdits(edits | ({"scores": scores} if scores else {}), replaced)


# -- the estimates an item's issue can hold (bot/domain/estimate_scales.py) ----------------


def require_estimate(scale: EstimateScale | None, item: BacklogItem, value: float | None) -> None:
    """A new estimate, from the item form or poker's accept, refused under the form's
    Estimate (FieldRefused) when the item cannot take it: a done item's points are what its
    sprint completed (a new one would rewrite the velocity, and its closed issue), an archived
    one is off the backlog, and the item's issue cannot hold a value off its scale. Keeping
    the estimate it has passes (one from before the scale was known, too)."""
    if value == item.estimate:
        return
    if item.status == "done":
        kept = f"{points(item.estimate)} points" if item.estimate is not None else "none"
        raise FieldRefused(
            "estimate",
            f"#{item.number} is done: its estimate stays the one it was done with ({kept}).",
        )
    if item.archived_at is not None:
        raise FieldRefused(
            "estimate",
            f"#{item.number} is archived: `/backlog restore {item.number}` brings it back to "
            "estimate.",
        )
    if scale is not None and value is not None and not scale.holds(value):
        raise FieldRefused("estimate", scale.refusal(value))


# -- rules of each change ----------------------------------------------------------------------


def no_such_item(number: int) -> UserError:
    return UserError(
        f"There is no item #{number} in this channel's backlog. `/backlog` lists them."
    )


def require_item(item: BacklogItem | None, number: int) -> BacklogItem:
    """The item a team's lookup found; a number the team does not have is refused."""
    if item is None:
        raise no_such_item(number)
    return item


def new_item(
    team_id: int, number: int, rank: float, fields: ItemFields, actor: str, now: datetime
) -> BacklogItem:
    """A new item with status "new"; the title is checked and tidied."""
    fields = replace(fields, title=clean_title(fields.title))
    return BacklogItem(
        team_id=team_id,
        number=number,
        rank=rank,
        status="new",
        created_by=actor,
        created_at=now,
        updated_at=now,
        **vars(fields),
    )


def bottom_rank(bottom: float | None, offset: int = 0) -> float:
    """The rank of the `offset`-th item added below the lowest rank `bottom` (None: empty)."""
    return (bottom or 0.0) + 1.0 + offset


@dataclass(frozen=True)
class Edit:
    changes: dict[str, list[Any]]
    """{field: [old, new]} of what changed."""
    readiness: str | None = None
    """"became ready" or "no longer ready" when the edit changed that, else None."""


def apply_edits(
    item: BacklogItem, edits: dict[str, Any], dor: DefinitionOfReady, now: datetime
) -> Edit:
    """Applies edited fields (names of `ItemFields`) to the item; only what differs changes.

    When the edit makes the item ready, or no longer ready, under the team's Definition of
    Ready, the Edit says so, to be logged too.
    """
    was_ready = is_ready(item, dor)
    if "title" in edits:
        edits = {**edits, "title": clean_title(edits["title"])}
    changes = {
        name: [old, new] for name, new in edits.items() if (old := getattr(item, name)) != new
    }
    if not changes:
        return Edit({})
    for name, (_, new) in changes.items():
        setattr(item, name, new)
    item.updated_at = now
    return Edit(changes, readiness_change(was_ready, item, dor))


def page_window(total: int, wanted: int) -> tuple[int, int]:
    """(page number, page count) for page `wanted` of `total` items, kept within the pages."""
    count = max(1, math.ceil(total / PAGE_SIZE))
    return min(max(wanted, 1), count), count


def position_in(order: Sequence[int], number: int) -> int | None:
    """The 1-based position of item `number` in the backlog's order of numbers, if on it."""
    return order.index(number) + 1 if number in order else None


@dataclass(frozen=True)
class MovePlan:
    old: int
    new: int
    """1-based positions before and after."""
    rank: float
    """The item's new rank."""
    respace: list[int] | None = None
    """When no room is left between two ranks: every item's number in the new order, to be
    ranked 1, 2, 3... (the item's rank is then its new position)."""


def plan_move(
    item: BacklogItem, order: Sequence[tuple[int, float]], move: Move, sprint: Sprint | None = None
) -> MovePlan:
    """Where `move` puts the item within the ordered backlog [(number, rank)]; one off it is
    refused, saying where it is (`sprint`: the sprint holding it, if any)."""
    number = item.number
    numbers = [n for n, _ in order]
    if number not in numbers:
        if status_of(item) == "sprint":
            raise running_sprint_refusal(
                item, sprint, "not on the backlog, so it has no place in its order"
            )
        raise UserError(f"#{number} is {status_of(item)}, not on the backlog: restore it first.")
    old = numbers.index(number)
    others = [(n, r) for n, r in order if n != number]
    target = _target_index(move, number, old, others)
    if target == old:
        return MovePlan(old + 1, old + 1, item.rank)
    before = others[target - 1][1] if target > 0 else None
    after = others[target][1] if target < len(others) else None
    rank = _between(before, after)
    if rank is None:  # no room left between two ranks: respace the whole backlog once
        renumbered = [n for n, _ in others]
        renumbered.insert(target, number)
        return MovePlan(old + 1, target + 1, float(target + 1), renumbered)
    return MovePlan(old + 1, target + 1, rank)


def _target_index(move: Move, number: int, old: int, others: list[tuple[int, float]]) -> int:
    last = len(others)
    match move.kind:
        case "top":
            return 0
        case "bottom":
            return last
        case "up":
            return max(old - 1, 0)
        case "down":
            return min(old + 1, last)
        case "position":
            assert move.value is not None
            if move.value < 1:
                raise UserError("Positions start at 1 (the top of the backlog).")
            return min(move.value - 1, last)
        case "before":
            numbers = [n for n, _ in others]
            if move.value == number:
                raise UserError(f"#{number} cannot be moved before itself. Name another item.")
            if move.value not in numbers:
                raise UserError(
                    f"#{move.value} is not on the backlog, so nothing can go before it."
                )
            return numbers.index(move.value)
    raise ValueError(move.kind)


def _between(before: float | None, after: float | None) -> float | None:
    if before is None and after is None:
        return 1.0
    if before is None:
        assert after is not None
        return after - 1.0
    if after is None:
        return before + 1.0
    middle = (before + after) / 2
    return middle if before < middle < after else None


def sprint_refusal(number: int, sprint: Sprint, verb: str) -> UserError:
    """Why `/backlog <verb>` leaves alone item `number`, which `sprint` holds (being planned, or
    running): the sprint's scope changes only by the sprint's own commands, so the change is on
    its record (a running sprint's is renegotiated, with a reason, and the team sees it)."""
    if sprint.status != "active":
        return UserError(
            f"#{number} is in the plan of sprint {sprint.number}. Leave it out first with "
            f"`/planning drop {number}` in sprint planning, then `/backlog {verb} {number}`."
        )
    if verb == "done":
        return UserError(
            f"#{number} is in sprint {sprint.number}: `/sprint done {number}` marks it done there."
        )
    return UserError(
        f"#{number} is in sprint {sprint.number}, which is running, and a running sprint's scope "
        f"changes only with a reason on its record. Take it out first with `/sprint remove "
        f"{number} <reason>`, then `/backlog {verb} {number}`."
    )


def running_sprint_refusal(item: BacklogItem, sprint: Sprint | None, so: str) -> UserError:
    """Why a backlog command leaves alone an item of the running sprint (`sprint`, the one
    holding it), which is `so` (what that means for the command), and what the sprint's own
    commands do with it instead."""
    where = f"sprint {sprint.number}" if sprint is not None else "the running sprint"
    n = item.number
    return UserError(
        f"#{n} is in {where}, {so}. `/sprint done {n}` finishes it there; "
        f"`/sprint remove {n} <reason>` hands it back to the top of the backlog."
    )


def done_in_sprint_refusal(item: BacklogItem, sprint: Sprint, would: str, then: str) -> UserError:
    """Why an item done in the running `sprint` stays there, done: `would` says what the
    refused command would do to it, `then` what takes it out once the Product Owner has
    reopened it (`/backlog restore`, which makes it the sprint's work again)."""
    number = item.number
    counted = f", its {points_unit(item.estimate)} completed" if item.estimate else ""
    return UserError(
        f"#{number} is done in sprint {sprint.number}: it stays in the sprint{counted}. "
        f"{would} If it is not done after all, the Product Owner reopens it first with "
        f"`/backlog restore {number}`, then {then}."
    )


def archive(
    item: BacklogItem, now: datetime, sprint: Sprint | None = None, done_in: Sprint | None = None
) -> None:
    """Takes the item off the backlog (restore brings it back); one that `sprint` (being
    planned or running) still holds is refused (`sprint_refusal`), and so is one done in the
    running sprint (`done_in`): archived, it would be won't do while the sprint counts it
    delivered."""
    if item.archived_at is not None:
        raise UserError(
            f"#{item.number} is archived already. `/backlog restore {item.number}` brings it back."
        )
    if sprint is not None:
        raise sprint_refusal(item.number, sprint, "remove")
    if done_in is not None:
        n = item.number
        raise done_in_sprint_refusal(
            item,
            done_in,
            "Archiving it would close it as won't do while the sprint counts it delivered.",
            f"`/sprint remove {n} <reason>` takes it out and `/backlog remove {n}` archives it",
        )
    item.archived_at = now
    item.updated_at = now


def restore(
    item: BacklogItem, rank: float, now: datetime, sprint: Sprint | None = None
) -> dict[str, Any]:
    """Brings an archived or done item back at `rank` (the bottom); returns the changes. One
    neither archived nor done is refused, saying where it is (`sprint`: the one holding it).

    A restored item is open, whether it was done or archived, new or not: the Product Owner
    chose to bring it back, which is the decision triage would make about a new item, so the
    next refinement does not triage it again. (An item is open too when a sprint hands it
    back or its tracker reopens it.) One archived while in a sprint (before `archive` refused
    that) stays in the sprint."""
    if status_of(item) == "sprint":
        raise running_sprint_refusal(
            item, sprint, "not archived or done, so there is nothing to restore"
        )
    if item.archived_at is None and item.status != "done":
        raise UserError(f"#{item.number} is on the backlog already; there is nothing to restore.")
    status = "sprint" if item.status == "sprint" else "open"
    changes: dict[str, Any] = {"status": [status_of(item), status]}
    item.archived_at = None
    item.status = status
    item.rank = rank
    item.updated_at = now
    return changes


def finish(item: BacklogItem, now: datetime, sprint: Sprint | None = None) -> dict[str, Any]:
    """Marks the item done; returns the changes. One that `sprint` holds is the sprint's to
    finish (`sprint_refusal`): a sprint being planned would commit it again as undone."""
    if item.status == "done":
        raise UserError(f"#{item.number} is done already.")
    if item.archived_at is not None:
        raise UserError(f"#{item.number} is archived. `/backlog restore {item.number}` first.")
    if sprint is not None:
        raise sprint_refusal(item.number, sprint, "done")
    changes: dict[str, Any] = {"status": [item.status, "done"]}
    item.status = "done"
    item.updated_at = now
    return changes
