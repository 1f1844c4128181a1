"""The sprint review's verdict form: the note of a value verdict on an item.

The meeting and item the form names (its private_metadata) are looked up inside the
submitting person's team: another team's are refused by the use case and nothing changes.
"""

from __future__ import annotations

from typing import Any

from bot.usecases import review
from handlers import payload
from handlers.asked import Asked
from handlers.flows import review as review_flow
from handlers.reply import metadata
from handlers.views import form


def _note(body: dict[str, Any]) -> str:
    return form.text(form.fields(body), "note")


@form.submitted(_note)
async def save_verdict(asked: Asked, note: str) -> None:
    meta = metadata(asked.body)
    meeting_id, number = payload.as_int(meta["meeting"]), payload.as_int(meta["item"])
    verdict = payload.as_text(meta["verdict"])
    who = asked.svc, asked.actor
    done = await review.give_verdict(*who, meeting_id, number, verdict, note, asked.in_channel)
    await review_flow.verdict_given(asked, done, str(meta.get("card") or ""))
