"""Calibration: how long the team's done items really took against their estimates.

`calibrate` is `/poker calibrate` (the spread of real durations per estimate, for the channel's
own team). `at_reveal` is a step of a poker reveal's transaction: the reference stories of the
round's suggested size, recorded for the thread by the caller. It never fails the reveal:
whatever goes wrong in it is undone alone (a savepoint) and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.domain import calibration, poker
from bot.domain.calibration import Calibration, Reference
from bot.domain.decks import Tally
from bot.runtime import outbox
from bot.runtime.services import Services
from bot.usecases.unit import Actor, team_work
from storage.models import Team
from storage.repositories import Store

log = logging.getLogger(__name__)

RecordReference = Callable[[Store, Reference], Awaitable[outbox.Post]]
"""Records the thread's reference post in the reveal's transaction; what it returns is sent
after the commit."""


async def calibrate(svc: Services, actor: Actor) -> Calibration:
    """Every estimate's spread of real durations, in the actor's channel's team."""
    async with team_work(svc, actor) as work:
        records = await work.store.done_records(work.team.id)
        return calibration.calibrate(work.team, records, poker.team_deck(work.team))


async def at_reveal(
    store: Store, team: Team, tally: Tally, record: RecordReference
) -> outbox.Post | None:
    """The reference stories of a revealed round's suggested size, recorded by `record`;
    None when the votes suggest no size, no done item has it, or anything failed."""
    card = tally.suggestion
    points = tally.deck.points(card) if card is not None else None
    if points is None:
        return None
    try:
        async with store.calibration_attempt():
            records = await store.done_records(team.id, estimate=points)
            found = calibration.reference(team, records, points, tally.deck)
            return await record(store, found) if found is not None else None
    except Exception:
        log.warning("reference stories for %g points left out", points, exc_info=True)
        return None


async def withdraw(svc: Services, key: str) -> None:
    """Withdraws a recorded reference post whose result Slack refused: the poll's sync
    records both again and sends them in order. A failure here is only logged."""
    try:
        async with svc.db.transaction() as store:
            await store.cancel(key)
    except Exception:
        log.warning("reference post %s not withdrawn", key, exc_info=True)
