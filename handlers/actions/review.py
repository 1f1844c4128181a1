"""Sprint review buttons: a verdict's note form, a follow-up for a failed hypothesis, the
sprint goal's answer.

A meeting id (and item number) in a button's value is looked up inside the clicking person's
team (workspace and channel): another team's meeting is refused by the use case and nothing
changes.
"""

from __future__ import annotations

from bot.usecases import review
from handlers import payload
from handlers.asked import Asked, acked
from handlers.blocks import review as review_blocks
from handlers.flows import review as review_flow


@acked
async def verdict_form(asked: Asked) -> None:
    """Value confirmed, not confirmed or too early to say: a form for the note."""
    verdict = payload.action_id(asked.body).removeprefix("review_")
    meeting_id, number = payload.numbers(asked.body, 2)
    form = await review.verdict_form(asked.svc, asked.actor, meeting_id, number, verdict)
    card_ts = str((asked.body.get("container") or {}).get("message_ts") or "")
    await asked.open_form(review_blocks.verdict_modal(form, asked.actor.channel, card_ts))


@acked
async def follow_up(asked: Asked) -> None:
    """A backlog item following up one whose value was not confirmed."""
    meeting_id, number = payload.numbers(asked.body, 2)
    who = asked.svc, asked.actor
    done = await review.add_follow_up(*who, meeting_id, number, asked.in_channel)
    await review_flow.follow_up_added(asked, done)


@acked
async def goal_answer(asked: Asked) -> None:
    """Did we get the sprint goal: yes, partly or no."""
    answer = payload.action_id(asked.body).removeprefix("review_goal_")
    who = asked.svc, asked.actor
    done = await review.answer_goal(*who, payload.number(asked.body), answer, asked.in_channel)
    await review_flow.goal_answered(asked, done)
