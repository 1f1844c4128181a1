"""Block Kit of the sprint review: the increment's cards with their verdict buttons, a
verdict's note form, the verdict in the thread (a failed one with its follow-up button), the
sprint goal's question, and the minutes.

Every button names the meeting (and the item): the use case looks both up inside the clicking
person's team."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block

from agendas import review
from bot.usecases.review import FollowUp, GoalAnswered, Verdict, VerdictForm
from handlers.blocks import kit
from handlers.blocks.kit import button, message, mrkdwn_notice, section
from handlers.render import render
from storage.models import BacklogItem, Meeting

VERDICT_BUTTONS = (
    ("Value confirmed", "confirmed", "primary"),
    ("Not confirmed", "not_confirmed", "danger"),
    ("Too early to say", "too_early", None),
)
ANSWERS = {"yes": "Yes", "partly": "Partly", "no": "No"}


def opened(meeting: Meeting, content: Any) -> list[dict[str, Any]]:
    """The posts for what a review section opens."""
    match content:
        case review.Increment():
            intro = mrkdwn_notice(render("review_increment.md.j2", increment=content))
            return [intro, *(item_card(meeting, card) for card in content.cards)]
        case review.GoalCheck():
            return [goal_card(meeting, content)]
    return []


def item_card(meeting: Meeting, card: review.IncrementCard) -> dict[str, Any]:
    text = render("review_item.md.j2", card=card, verdicts=review.VERDICTS)
    ref = f"{meeting.id}:{card.item.number}"
    buttons = [
        button(label, f"review_{key}", ref, style=style) for label, key, style in VERDICT_BUTTONS
    ]
    return message([section(text), ActionsBlock(elements=buttons)], f"#{card.item.number}")


def verdict_modal(form: VerdictForm, channel_id: str, card_ts: str = "") -> dict[str, Any]:
    """The note form; `card_ts`: the item card clicked, redrawn with the verdict."""
    label = review.VERDICTS[form.verdict]
    field = kit.text_input(
        "note",
        f"#{form.item.number}: {label}. Why?",
        max_length=review.NOTE_MAX,
        multiline=True,
        optional=True,
        placeholder="What the numbers or the users said",
    )
    where = {
        "channel": channel_id,
        "meeting": form.meeting.id,
        "item": form.item.number,
        "verdict": form.verdict,
        "card": card_ts,
    }
    return kit.modal("review_verdict", "Value verdict", [field], submit="Record", **where)


def verdict_block(meeting: Meeting, number: int, verdict: str = "not_confirmed") -> str:
    """The block id of an item's verdict post in the thread: a later verdict on the item finds
    the post of the verdict it replaced by it, to redraw it. A failed verdict's keeps its own
    prefix, which the posts in Slack already carry."""
    kind = "failed" if verdict == "not_confirmed" else "verdict"
    return f"review_{kind}:{meeting.id}:{number}"


def _verdict_text(
    item: BacklogItem, said: Mapping[str, Any], follow_up: int | None, later: Verdict | None = None
) -> str:
    """An item's verdict as its post in the thread says it: `said` as the meeting records it
    (verdict, note, by); `later`: the verdict that replaced it."""
    return render(
        "review_verdict.md.j2",
        item=item,
        verdict=said.get("verdict", "not_confirmed"),
        note=said.get("note", ""),
        user=said.get("by", ""),
        verdicts=review.VERDICTS,
        follow_up=follow_up,
        later=later,
    )


def verdict_note(done: Verdict) -> dict[str, Any]:
    """The verdict in the meeting thread; a failed hypothesis offers its follow-up, unless it
    has one already (made while an earlier verdict said so)."""
    said = {"verdict": done.verdict, "note": done.note, "by": done.user}
    text = _verdict_text(done.item, said, done.follow_up)
    block = verdict_block(done.meeting, done.item.number, done.verdict)
    blocks: list[Block] = [section(text, block_id=block)]
    if done.verdict != "not_confirmed":
        return message(blocks, text)
    ref = f"{done.meeting.id}:{done.item.number}"
    if done.follow_up is None:
        follow = button("Add a follow-up to the backlog", "review_follow_up", ref)
        blocks.append(ActionsBlock(elements=[follow]))
    return message(blocks, f"#{done.item.number}: value not confirmed")


def replaced_block(done: Verdict) -> str | None:
    """The block id of the post of the verdict `done` replaced (None: the item had none)."""
    if done.replaced is None:
        return None
    verdict = done.replaced.get("verdict", "not_confirmed")
    return verdict_block(done.meeting, done.item.number, verdict)


def verdict_replaced(done: Verdict) -> dict[str, Any] | None:
    """An earlier verdict's post once a later verdict replaced it, whatever it said: what it
    said, the later verdict, the follow-up made meanwhile; no button (None: no verdict
    before)."""
    earlier, block = done.replaced, replaced_block(done)
    if earlier is None or block is None:
        return None
    text = _verdict_text(done.item, earlier, done.follow_up, later=done)
    return message([section(text, block_id=block)], f"#{done.item.number}: verdict replaced")


def followed_up(done: FollowUp) -> dict[str, Any]:
    """The failed verdict's post once its follow-up exists: the verdict, the follow-up made,
    and no button to make another."""
    said = done.meeting.data.get("verdicts", {}).get(str(done.item.number), {})
    text = _verdict_text(done.item, said, done.follow_up.number)
    block = verdict_block(done.meeting, done.item.number)
    return message([section(text, block_id=block)], f"#{done.item.number}: followed up")


def follow_up_added(done: FollowUp) -> dict[str, Any]:
    return mrkdwn_notice(render("review_follow_up.md.j2", item=done.item, follow_up=done.follow_up))


def goal_card(meeting: Meeting, check: review.GoalCheck, user: str = "") -> dict[str, Any]:
    text = render("review_goal.md.j2", check=check, answers=ANSWERS, user=user)
    blocks: list[Block] = [section(text)]
    if meeting.status != "ended":  # an answer may be changed while the review runs
        blocks.append(
            ActionsBlock(
                elements=[
                    button(label, f"review_goal_{key}", str(meeting.id))
                    for key, label in ANSWERS.items()
                ]
            )
        )
    return message(blocks, "Did we get the sprint goal?")


def goal_answered(done: GoalAnswered) -> dict[str, Any]:
    return goal_card(done.meeting, done.check, done.user)


def minutes_text(name: str, minutes: dict[str, Any]) -> str:
    return render(
        "review_minutes.md.j2", name=name, m=minutes, verdicts=review.VERDICTS, answers=ANSWERS
    )
