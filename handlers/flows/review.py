"""The Slack side of the sprint review's steps: verdicts and follow-ups go to the meeting's
thread, the sprint goal's card shows its answer."""

from __future__ import annotations

from bot.usecases.review import FollowUp, GoalAnswered, Verdict
from handlers.asked import Asked
from handlers.blocks import review as review_blocks
from handlers.flows import meetings as meeting_flow


async def verdict_given(asked: Asked, done: Verdict, card_ts: str = "") -> None:
    """The verdict in the thread, and the item's card redrawn to say it (buttons kept: a later
    verdict replaces it)."""
    await meeting_flow.post(asked.client, done.team, done.meeting, review_blocks.verdict_note(done))
    if card_ts:
        card = review_blocks.item_card(done.meeting, done.card)
        await asked.client.chat_update(channel=done.team.channel_id, ts=card_ts, **card)


async def follow_up_added(asked: Asked, done: FollowUp) -> None:
    payload = review_blocks.follow_up_added(done)
    await meeting_flow.post(asked.client, done.team, done.meeting, payload)


async def goal_answered(asked: Asked, done: GoalAnswered) -> None:
    """The goal's card redrawn with its answer, for everyone to see."""
    container = asked.body.get("container") or {}
    payload = review_blocks.goal_answered(done)
    await asked.client.chat_update(
        channel=done.team.channel_id, ts=container["message_ts"], **payload
    )
