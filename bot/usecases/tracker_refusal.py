"""A write the tracker refused for good, told once in the team's channel.

The refused write is not retried (bot.usecases.tracker ``_refused``): its items keep the
tracker's words and their two sides stay apart until someone acts. Told nowhere, that lasts
unseen: the person was promised "its issue will be closed too". So, in the transaction that
records the refusal, the channel's news of it goes to the durable outbox (``tell_channel``):
the items, their issues, what was refused and why in the tracker's words, and what to do.

Not flooding the channel: one message per refused write, never one per retry (a refused
write is not tried again); a sprint's write, counted on many items, is one message listing
them; and the same refusal of the same item (the same change refused in the same words, done
again after a restore, say) is told once only: its key is the item, the change and a digest
of the words. Separate refusals of separate items are separate messages on purpose: each
answers one person's change of one item, and names what to do about that issue.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from bot.domain import tracker_sync as rules
from bot.domain.teams import Roles
from bot.usecases.news import tell_channel
from storage.models import TrackerConnection
from storage.repositories import Store


@dataclass(frozen=True)
class RefusedItem:
    """An item whose change the tracker refused: its number and title here, its issue's key
    and address there (None: no issue yet)."""

    number: int
    title: str
    key: str | None
    url: str | None


@dataclass(frozen=True)
class WriteRefused:
    """A write the tracker (`kind`) refused for good, as its channel is told once.

    ``effect``: what Timebox tried ("done", "reopen", "archive", "fields", "rank", "sprint");
    ``items``: the items it was for (a sprint's write: the sprint's, `sprint` its number);
    ``said``: the tracker's own words (the clients never put a credential in them);
    ``fixers``: the Product Owner and the Scrum Masters."""

    kind: str
    effect: str
    said: str
    items: tuple[RefusedItem, ...]
    fixers: tuple[str, ...]
    sprint: int | None = None

    @property
    def tracker(self) -> str:
        return rules.tracker_name(self.kind)


async def tell_refused(
    store: Store,
    connection: TrackerConnection,
    payload: dict[str, object],
    link_ids: list[int],
    said: str,
    now: datetime,
    prefix: str,
) -> bool:
    """The channel told, in the caller's transaction, that the write of `payload` (an item's
    or a sprint's, counted on `link_ids`) was refused in the words `said`; `prefix` names the
    connection in the outbox key. False when there is nobody to tell (no team, no item)."""
    team = await store.team_by_id(connection.team_id)
    if team is None:
        return False
    effect, subject = str(payload["effect"]), str(payload["subject"])
    sprint = None
    if subject.startswith("s"):  # a sprint's write: its items
        if (sprint := await store.sprint_by_id(int(subject[1:]))) is None:
            return False
        entries = await store.sprint_items(sprint, include_removed=True)
        item_ids = [entry.item_id for entry in entries]
    else:
        item_ids = [int(subject[1:])]
    items = await store.items_by_ids(team.id, item_ids)
    refused = []
    for item_id in item_ids:
        link = await store.link_of_item(item_id)
        if item_id in items and link is not None and link.id in link_ids:
            item = items[item_id]
            refused.append(RefusedItem(item.number, item.title, link.key, link.url))
    if not refused:
        return False  # its items gone meanwhile: nothing here to set right
    roles = Roles.of(team)
    news = WriteRefused(
        connection.kind,
        effect,
        said,
        tuple(sorted(refused, key=lambda r: r.number)),
        tuple(dict.fromkeys(roles.po + roles.sm)),
        sprint.number if sprint is not None else None,
    )
    words = hashlib.sha256(said.encode()).hexdigest()[:12]
    return await tell_channel(
        store, team, f"tracker_refused:{prefix}:{subject}:{effect}:{words}", now, news
    )
