"""The Slack side of the sprint review's steps: verdicts and follow-ups go to the meeting's
thread, the sprint goal's card shows its answer.

A verdict's or a follow-up's post is recorded in the durable outbox by its use case, with the
decision, and sent here at once: one Slack refuses comes with the outbox's next try, and the
person who decided hears of no error. Redraws of what is in Slack already (the item's card, an
earlier verdict's post) are direct: one Slack does not take is a log line."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.usecases.review import FollowUp, GoalAnswered, Verdict
from handlers import outbox as slack_outbox
from handlers.asked import Asked
from handlers.blocks import review as review_blocks
from handlers.flows import meetings as meeting_flow

log = logging.getLogger(__name__)


async def verdict_given(asked: Asked, done: Verdict, card_ts: str = "") -> None:
    """The verdict in the thread, and the item's card redrawn to say it (buttons kept: a later
    verdict replaces it); the post of the verdict it replaced, whatever that said, follows
    it, without its button."""
    await slack_outbox.send_all(asked.svc, asked.client, done.posts)
    if card_ts:
        card = review_blocks.item_card(done.meeting, done.card)
        await _update(asked, done, card_ts, card, "the item's card was not redrawn")
    if (replaced := review_blocks.verdict_replaced(done)) is not None:
        await _redraw_replaced(asked, done, replaced, skip={post.key for post in done.posts})


async def _redraw_replaced(
    asked: Asked, done: Verdict, payload: dict[str, Any], skip: Collection[str]
) -> None:
    """The post of the verdict this one replaced (`done.replaced`), redrawn with `payload`: the
    latest of the item's posts of that verdict in the thread (found by their block id, which
    says the verdict: a post of another one is never redrawn to say what it did not), but
    this verdict's own (`skip`: its outbox keys, which its post carries whether it went at
    once or comes later from the outbox). Older ones were redrawn when their own verdict was
    replaced, and keep what they said. One Slack does not take keeps its button, if any (its
    click is refused: the item's value no longer reads not confirmed); a log line."""
    block = review_blocks.replaced_block(done)
    posts = await meeting_flow.thread(asked.client, done.team, done.meeting)
    earlier = [
        post
        for post in posts
        if _key(post) not in skip and block in {b.get("block_id") for b in post.get("blocks") or []}
    ]
    if earlier:
        await _update(asked, done, earlier[-1]["ts"], payload, "a verdict post was not redrawn")


def _key(post: dict[str, Any]) -> str | None:
    """The outbox key a post of ours carries in its metadata, if any."""
    return ((post.get("metadata") or {}).get("event_payload") or {}).get("key")


async def _update(
    asked: Asked, done: Verdict | FollowUp, ts: str, payload: dict[str, Any], failed: str
) -> None:
    """A post in the meeting's thread redrawn; one Slack does not take stays as it was (said
    in a log line: the change it shows is made already)."""
    try:
        await asked.client.chat_update(channel=done.team.channel_id, ts=ts, **payload)
    except SlackApiError as error:
        log.warning("review %s: %s (%s)", done.meeting.id, failed, error)


async def follow_up_added(asked: Asked, done: FollowUp) -> None:
    """The follow-up in the thread, and the failed verdict's post redrawn without its button."""
    await slack_outbox.send_all(asked.svc, asked.client, done.posts)
    if failed_ts := (asked.body.get("container") or {}).get("message_ts"):
        redrawn = review_blocks.followed_up(done)
        await _update(asked, done, failed_ts, redrawn, "the verdict post kept its button")


async def goal_answered(asked: Asked, done: GoalAnswered) -> None:
    """The goal's card redrawn with its answer, for everyone to see (a failed redraw leaves
    it as it was: the answer stands, and the next click redraws it)."""
    container = asked.body.get("container") or {}
    payload = review_blocks.goal_answered(done)
    try:
        await asked.client.chat_update(
            channel=done.team.channel_id, ts=container["message_ts"], **payload
        )
    except Exception as error:  # refused, or no answer: the choice stands all the same
        log.warning("sprint goal's card not redrawn (%s)", error)
