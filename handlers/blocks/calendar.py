"""Block Kit of the team's calendar: a ceremony's reminder with its Start now button, the
answer to a schedule, what is coming (with a Skip button per occurrence), the feed's address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, DividerBlock, HeaderBlock

from bot.domain.calendar import zone_name
from bot.domain.ceremonies import NAMES, Occurrence
from bot.domain.ceremonies_held import Held
from bot.usecases.calendar import CalendarShown, FeedLink, Reminder, Scheduled
from handlers.blocks.kit import button, context, message, mrkdwn_notice, section
from handlers.render import escape, fit, render

SHOWN = 12  # occurrences listed, each with its Skip button


def _length(minutes: int) -> str:
    """`15 min`, `1 h`, `1 h 30 min`."""
    hours, rest = divmod(minutes, 60)
    return " ".join(filter(None, [f"{hours} h" if hours else "", f"{rest} min" if rest else ""]))


def _ahead(lead: int) -> str:
    """When a reminder comes: `15 min before it`, or `as it starts`."""
    return f"{_length(lead)} before it" if lead else "as it starts"


def _title(said: Reminder) -> str:
    name = said.occurrence.name
    return f"{name} in {_length(said.minutes_left)}" if said.minutes_left else f"{name} starts now"


def reminder(said: Reminder) -> dict[str, Any]:
    """A ceremony's reminder in its channel: what it will cover, and Start now."""
    occurrence = said.occurrence
    intro = render("calendar_reminder.md.j2", said=said)
    items = "calendar_refinement_items.md.j2"
    if occurrence.kind == "planning":
        items = "calendar_planning_items.md.j2"
    start = button("Start now", "calendar_start", occurrence.ref, style="primary")
    blocks: list[Block] = [
        HeaderBlock(text=fit(escape(_title(said)), 150)),
        section(intro),
        section(render(items, said=said)),
        ActionsBlock(block_id=reminder_block_id(occurrence), elements=[start]),
    ]
    return message(blocks, escape(_title(said)))


def reminder_block_id(occurrence: Occurrence) -> str:
    """The block of a reminder's Start now: it names the occurrence, to find its reminder."""
    return f"ceremony-{occurrence.ref}"


def started(
    blocks: Sequence[dict[str, Any]],
    user: str,
    *,
    by_itself: bool = False,
    held: Held | None = None,
) -> dict[str, Any]:
    """A reminder once its meeting began: the button gives way to who started it (or, begun by
    itself, who facilitates; held already, who facilitated it and when it ended)."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    said = render("calendar_started.md.j2", user=user, by_itself=by_itself, held=held)
    return {"blocks": [*kept, context(said).to_dict()], "text": "Held" if held else "Started"}


def held_already(held: Held) -> dict[str, Any]:
    """The private answer to a Start now of a meeting held already that day."""
    return mrkdwn_notice(render("calendar_held.md.j2", held=held))


def scheduled(done: Scheduled) -> dict[str, Any]:
    name = NAMES[done.kind]
    rule = ""
    if done.ceremony is not None and done.kind == "refinement":
        every = done.ceremony.every_weeks
        weeks = "week" if every == 1 else f"{every} weeks"
        day = (done.ceremony.weekday or "").capitalize()
        rule = f"every {weeks} on {day} at {done.ceremony.at}"
    elif done.ceremony is not None:
        rule = f"on each sprint's first working day at {done.ceremony.at}"
    body = render(
        "calendar_scheduled.md.j2",
        done=done,
        name=name,
        rule=rule,
        ahead=_ahead(done.lead),
        zone=zone_name(done.team),
    )
    blocks: list[Block] = [section(body)]
    if done.ceremony is not None:
        blocks.append(context("`/timebox calendar` shows what is coming, to skip or move one."))
    return message(blocks, body)


def coming(shown: CalendarShown) -> dict[str, Any]:
    """`/timebox calendar`: the next four weeks, each occurrence with a Skip button."""
    zone = zone_name(shown.team)
    intro = render("calendar_coming.md.j2", shown=shown, ahead=_ahead(shown.lead), zone=zone)
    blocks: list[Block] = [HeaderBlock(text="Team calendar"), section(intro)]
    for occurrence in shown.coming[:SHOWN]:
        blocks.append(_row(occurrence))
    if shown.ceremonies:
        blocks += [
            DividerBlock(),
            context(
                "`/timebox calendar skip thu` skips the next Thursday's (or `next`, "
                "`dec 10`) · "
                "`/timebox calendar move thu to fri 15:00` (or `move next to 15:00`) moves one · "
                "`/timebox calendar lead 15m` sets when reminders come · "
                "`/timebox calendar feed` subscribes your calendar"
            ),
        ]
    return message(blocks, "Team calendar")


def _row(occurrence: Occurrence) -> Any:
    text = render("calendar_row.md.j2", occurrence=occurrence)
    if occurrence.skipped:
        return section(text)
    return section(text, accessory=button("Skip", "calendar_skip", occurrence.ref))


def feed(link: FeedLink) -> dict[str, Any]:
    body = render("calendar_feed.md.j2", link=link)
    return message([section(body)], "Calendar feed")
