"""A poll nobody in the channel would vote in, end to end: when everyone it asks to vote (the
people named as voters, a user group's members, the Developers named for the role) is outside
the channel, `/poker` is refused naming them, as Slack mentions, and saying to invite them or
name others; no poll is posted. The refusal that the channel has no Developers besides the PO
and the Scrum Master is kept for a channel where nobody was left out (QA 7: a named voter
outside the channel was told the channel had no Developers, and to name voters)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import poker
from bot.domain.errors import UserError
from bot.emulator.stack import LocalStack
from handlers.render import render
from storage.models import Team
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_slack import board, polls, replies, setup_team
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

OLGA = "U0OUTSIDE"  # in the workspace, not in the team's channel
OSKAR = "U0OSKAR"  # the same
NOT_A_MEMBER = "not a member of this channel"
NO_DEVELOPERS = "no Developers besides"


def outsiders(slack: LocalStack, *users: tuple[str, str]) -> None:
    for user, name in users:
        slack.emulator.add_user(user, name, real_name=name.title(), tz="Europe/Paris")


def leaves(slack: LocalStack, user: str) -> None:
    slack.emulator.channels[CHANNEL].members.remove(user)


async def refusal(slack: LocalStack, text: str) -> str:
    """What `/poker text` answers the Scrum Master, privately; no poll is posted."""
    await slack.driver.command("/poker", text, user=SM, channel=CHANNEL)
    assert polls(slack) == [], "no poll starts"
    return shown(last_ephemeral(slack, SM))


async def test_a_poll_whose_named_voters_are_all_outside_the_channel_says_so(slack):
    """`/poker 1 voters @olga`, Olga not in the channel (which has three Developers): refused
    naming her, not as if the channel had no Developers and nobody had been named."""
    outsiders(slack, (OLGA, "olga"))
    await setup_team(slack, "Export invoices")
    said = await refusal(slack, f"1 voters <@{OLGA}|olga>")
    assert NO_DEVELOPERS not in said, said
    assert f"<@{OLGA}> is {NOT_A_MEMBER}" in said, said
    assert "Invite them" in said and "name others" in said, said
    raw = str(last_ephemeral(slack, SM).blocks)
    assert f"<@{OLGA}>" in raw, "a mention Slack shows as her name, not escaped text"


async def test_every_voter_named_outside_the_channel_is_named_in_the_refusal(slack):
    outsiders(slack, (OLGA, "olga"), (OSKAR, "oskar"))
    await setup_team(slack, "Export invoices")
    said = await refusal(slack, f"1 voters <@{OLGA}|olga> <@{OSKAR}|oskar>")
    assert f"<@{OLGA}>, <@{OSKAR}> are not members of this channel" in said, said


async def test_a_user_group_whose_members_are_all_outside_the_channel_names_them(slack):
    outsiders(slack, (OLGA, "olga"), (OSKAR, "oskar"))
    await setup_team(slack, "Export invoices")
    slack.emulator.add_usergroup("S0AWAY", "away", [OLGA, OSKAR])
    said = await refusal(slack, "1 voters <!subteam^S0AWAY|@away>")
    assert f"<@{OLGA}>, <@{OSKAR}> are not members of this channel" in said, said
    assert NO_DEVELOPERS not in said, said


async def test_developers_named_for_the_role_who_all_left_are_named(slack):
    """The Developers are named (`/timebox roles dev @diana`) and Diana has left the channel
    since: a poll of the channel's Developers names her, to invite back or replace."""
    await setup_team(slack, "Export invoices")
    ack = await slack.driver.command(
        "/timebox", f"roles dev <@{DEV1}|diana>", user=PO, channel=CHANNEL
    )
    assert ack.status == 200
    leaves(slack, DEV1)
    said = await refusal(slack, "1")
    assert f"<@{DEV1}> is {NOT_A_MEMBER}" in said, said


async def test_a_channel_of_only_the_po_and_scrum_master_is_still_told_it_has_no_developers(
    slack,
):
    """Nobody named, nobody left out: the channel's Developers are everyone but the PO and
    the Scrum Master, and there are none (kept as it was)."""
    await setup_team(slack, "Export invoices")
    for user in (DEV1, DEV2, DEV3):
        leaves(slack, user)
    said = await refusal(slack, "1")
    assert NO_DEVELOPERS in said and NOT_A_MEMBER not in said, said


async def test_a_poll_with_one_voter_in_the_channel_starts_and_says_who_was_left_out(slack):
    """One named voter in the channel is enough: the poll starts without Olga, and its thread
    says she is not counted (as before)."""
    outsiders(slack, (OLGA, "olga"))
    await setup_team(slack, "Export invoices")
    await slack.driver.command(
        "/poker", f"1 voters <@{OLGA}|olga> <@{DEV2}|dev>", user=SM, channel=CHANNEL
    )
    assert len(polls(slack)) == 1
    assert f"*Waiting for:* <@{DEV2}>" in shown(board(slack))
    [note] = replies(slack, board(slack))
    assert f"<@{OLGA}> is not in this channel" in shown(note), shown(note)


def test_the_refusal_names_thirty_people_at_most_and_counts_the_others():
    """The rule (bot/domain/poker.py `new_poll`) refuses naming everyone outside; its answer
    (poker_voters_outside.md.j2) mentions a whole user group outside the channel person by
    person only up to thirty."""
    away = [f"U0AWAY{n:02}" for n in range(42)]
    request = poker.PollRequest("live", [1], [], "the members of @away", outside=away)
    with pytest.raises(poker.VotersOutside) as refused:
        poker.new_poll(Team(id=1), request, SM, datetime(2026, 3, 2, tzinfo=UTC))
    assert refused.value.outside == tuple(away)
    said = render("poker_voters_outside.md.j2", outside=refused.value.outside)
    assert "<@U0AWAY29> and 12 more are not members of this channel" in said, said
    assert "U0AWAY30" not in said
    nobody = poker.PollRequest("live", [1], [], "the channel's Developers")
    with pytest.raises(UserError, match="no Developers besides"):
        poker.new_poll(Team(id=1), nobody, SM, datetime(2026, 3, 2, tzinfo=UTC))
