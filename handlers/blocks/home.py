"""The App Home tab: per channel, the sprint, the user's open tasks, their unready items, the
poker votes waiting for them and the next meetings.

Slack allows 100 blocks in a Home tab. A channel takes at most six (a divider and up to five
sections); channels that no longer fit are named in one closing line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock
from slack_sdk.models.views import View

from bot.domain.sprints import last_day, started
from bot.domain.tasks import hours_left
from bot.domain.teams import ROLE_NAMES
from bot.usecases.home import TeamHome, WaitingVote
from handlers.blocks.kit import context, section
from handlers.render import Mrkdwn, channel, render, slack_date
from storage.models import Team

__all__ = ["POLLS", "ROWS", "TeamHome", "WaitingVote", "day", "home_view", "team_blocks"]

HOME_MAX_BLOCKS = 100
ROWS = 8  # tasks or items listed per section
POLLS = 5


def day(when: date, today: date) -> str:
    if when == today:
        return "today"
    text = f"{when:%a} {when.day} {when:%b}"
    return text if when.year == today.year else f"{text} {when.year}"


def team_blocks(home: TeamHome) -> list[Block]:
    ctx: dict[str, Any] = {
        "home": home,
        "roles": [ROLE_NAMES[r] for r in home.roles],
        "ends": day(last_day(home.team, home.sprint), home.today) if home.sprint else "",
        "ended": bool(home.sprint and last_day(home.team, home.sprint) < home.today),
        "starts": (
            day(home.sprint.starts_on, home.today)
            if home.sprint and not started(home.sprint, home.today)
            else ""
        ),
        "rows": ROWS,
        "polls": POLLS,
        "hours": hours_left(task for _, task in home.tasks),
        "planning_day": day(home.next_planning, home.today) if home.next_planning else "",
        "refinement_day": day(home.next_refinement, home.today) if home.next_refinement else "",
    }
    blocks: list[Block] = [
        DividerBlock(),
        section(render("home_team.md.j2", part="team", **ctx), block_id=f"home-{home.team.id}"),
    ]
    for part, shown in (("tasks", home.tasks), ("unready", home.unready), ("votes", home.votes)):
        if shown:
            blocks.append(section(render("home_team.md.j2", part=part, **ctx)))
    meetings = render("home_team.md.j2", part="meetings", **ctx)
    if meetings:
        blocks.append(context(meetings))
    return blocks


def home_view(homes: Sequence[TeamHome], now: datetime) -> dict[str, Any]:
    """The whole tab; an empty one says how to get started."""
    blocks: list[Block] = [
        HeaderBlock(text="Timebox"),
        context(render("home_team.md.j2", part="updated", now=slack_date(now))),
    ]
    if not homes:
        blocks.append(section(render("home_team.md.j2", part="empty")))
        return View(type="home", blocks=blocks).to_dict()
    left_out: list[Team] = []
    for home in homes:
        more = team_blocks(home)
        # Keep one block free for the line naming the channels that did not fit.
        if left_out or len(blocks) + len(more) > HOME_MAX_BLOCKS - 1:
            left_out.append(home.team)
            continue
        blocks += more
    if left_out:
        blocks.append(
            context(
                render(
                    "home_team.md.j2",
                    part="more",
                    channels=Mrkdwn(", ".join(channel(t.channel_id) for t in left_out)),
                )
            )
        )
    return View(type="home", blocks=blocks).to_dict()
