"""Calendar buttons: a reminder's Start now, and Skip on `/timebox calendar`.

Both carry `ceremony id:day`; the ceremony is looked up inside the clicking person's team
(workspace and channel): another team's is refused by the use case and nothing changes.
"""

from __future__ import annotations

from datetime import date

from bot.usecases import calendar as calendar_uc
from handlers import payload
from handlers.asked import Asked, acked
from handlers.blocks import calendar as calendar_blocks
from handlers.flows import calendar as calendar_flow


def _ref(asked: Asked) -> tuple[int, date]:
    """A button's `ceremony id:day`."""
    ceremony, day = payload.parts(asked.body, 2)
    try:
        return payload.as_int(ceremony), date.fromisoformat(day)
    except ValueError:
        raise payload.Stale() from None


@acked
async def start_now(asked: Asked) -> None:
    """Start now: the ceremony's meeting begins as `/refine start` or `/planning start`."""
    await calendar_flow.start_now(asked, *_ref(asked))


@acked
async def skip(asked: Asked) -> None:
    """Skip one occurrence (the PO or a Scrum Master); the calendar is shown as it is then."""
    ceremony_id, day = _ref(asked)
    shown = await calendar_uc.skip_button(
        asked.svc, asked.actor, ceremony_id, day, asked.in_channel
    )
    await asked.answer(calendar_blocks.coming(shown), replace=True)
