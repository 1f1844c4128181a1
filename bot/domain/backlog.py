"""The product backlog: items, their stable numbers, their order and their history.

Plain Python over a `Store`; every change is logged as an item event so that "who changed what,
when" can always be answered.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady, is_ready
from storage.models import BacklogItem, Team
from storage.repositories import Store

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


@dataclass(frozen=True)
class Page:
    items: list[BacklogItem]
    number: int  # 1-based
    count: int
    total: int

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
    if len(title) > TITLE_MAX:
        raise UserError(f"Titles can be {TITLE_MAX} characters at most; this one has {len(title)}.")
    return title


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


def parse_labels(text: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


# -- operations ----------------------------------------------------------------------------------


async def get_item(store: Store, team: Team, number: int) -> BacklogItem:
    item = await store.item(team.id, number)
    if item is None:
        raise UserError(
            f"There is no item #{number} in this channel's backlog. `/backlog` lists them."
        )
    return item


async def add_item(
    store: Store,
    team: Team,
    fields: ItemFields,
    actor: str,
    now: datetime,
    *,
    action: str = "created",
) -> BacklogItem:
    """Adds an item at the bottom of the backlog with status "new"."""
    fields.title = clean_title(fields.title)
    _, bottom = await store.rank_bounds(team.id)
    item = BacklogItem(
        team_id=team.id,
        number=await store.take_number(team),
        rank=(bottom or 0.0) + 1.0,
        status="new",
        created_by=actor,
        created_at=now,
        updated_at=now,
        **vars(fields),
    )
    await store.add_item(item)
    store.log(item, actor, action, now, title=item.title)
    return item


async def edit_item(
    store: Store, team: Team, number: int, edits: dict[str, Any], actor: str, now: datetime
) -> dict[str, list[Any]]:
    """Applies edited fields (names of `ItemFields`); returns {field: [old, new]} that changed.

    When the edit makes the item ready, or no longer ready, under the team's Definition of
    Ready, that change of readiness is logged too.
    """
    item = await get_item(store, team, number)
    dor = DefinitionOfReady.of(team)
    was_ready = is_ready(item, dor)
    if "title" in edits:
        edits = {**edits, "title": clean_title(edits["title"])}
    changes = {
        name: [old, new] for name, new in edits.items() if (old := getattr(item, name)) != new
    }
    if changes:
        for name, (_, new) in changes.items():
            setattr(item, name, new)
        item.updated_at = now
        store.log(item, actor, "edited", now, **changes)
        if is_ready(item, dor) != was_ready:
            store.log(item, actor, "became ready" if was_ready is False else "no longer ready", now)
    return changes


async def page(store: Store, team: Team, number: int) -> Page:
    total = await store.count_active(team.id)
    count = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(number, 1), count)
    items = await store.active_page(team.id, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    return Page(list(items), number, count, total)


async def position_of(store: Store, team: Team, number: int) -> int | None:
    order = [n for n, _ in await store.active_order(team.id)]
    return order.index(number) + 1 if number in order else None


async def move_item(
    store: Store, team: Team, number: int, move: Move, actor: str, now: datetime
) -> tuple[int, int]:
    """Moves an item within the ordered backlog; returns (old position, new position)."""
    item = await get_item(store, team, number)
    order = await store.active_order(team.id)
    numbers = [n for n, _ in order]
    if number not in numbers:
        raise UserError(f"#{number} is {status_of(item)}, not on the backlog: restore it first.")
    old = numbers.index(number)
    others = [(n, r) for n, r in order if n != number]
    target = _target_index(move, old, others)
    if target == old:
        return old + 1, old + 1
    before = others[target - 1][1] if target > 0 else None
    after = others[target][1] if target < len(others) else None
    rank = _between(before, after)
    if rank is None:  # no room left between two ranks: respace the whole backlog once
        renumbered = [n for n, _ in others]
        renumbered.insert(target, number)
        await store.respace_ranks(team.id, renumbered)
        rank = float(target + 1)
    item.rank = rank
    item.updated_at = now
    store.log(item, actor, "moved", now, position=[old + 1, target + 1])
    return old + 1, target + 1


def _target_index(move: Move, old: int, others: list[tuple[int, float]]) -> int:
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


async def archive_item(
    store: Store, team: Team, number: int, actor: str, now: datetime
) -> BacklogItem:
    item = await get_item(store, team, number)
    if item.archived_at is not None:
        raise UserError(
            f"#{number} is archived already. `/backlog restore {number}` brings it back."
        )
    item.archived_at = now
    item.updated_at = now
    store.log(item, actor, "archived", now)
    return item


async def restore_item(
    store: Store, team: Team, number: int, actor: str, now: datetime
) -> BacklogItem:
    """Brings an archived or done item back, at the bottom of the backlog."""
    item = await get_item(store, team, number)
    if item.archived_at is None and item.status != "done":
        raise UserError(f"#{number} is on the backlog already; there is nothing to restore.")
    changes: dict[str, Any] = {
        "status": [status_of(item), "open" if item.status == "done" else item.status]
    }
    item.archived_at = None
    if item.status == "done":
        item.status = "open"
    _, bottom = await store.rank_bounds(team.id)
    item.rank = (bottom or 0.0) + 1.0
    item.updated_at = now
    store.log(item, actor, "restored", now, **changes)
    return item


async def mark_done(
    store: Store, team: Team, number: int, actor: str, now: datetime
) -> BacklogItem:
    item = await get_item(store, team, number)
    if item.status == "done":
        raise UserError(f"#{number} is done already.")
    if item.archived_at is not None:
        raise UserError(f"#{number} is archived. `/backlog restore {number}` first.")
    store.log(item, actor, "done", now, status=[item.status, "done"])
    item.status = "done"
    item.updated_at = now
    return item
