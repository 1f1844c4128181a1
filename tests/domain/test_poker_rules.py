"""Planning poker's rules the Slack side leaves to the use cases: who votes, and whether a
result message is in the thread yet."""

from __future__ import annotations

from bot.domain import poker
from bot.domain.teams import Roles
from storage.models import PokerRound

ROLES = Roles(po=("P",), sm=("S",))
MEMBERS = ("P", "S", "D1", "D2", "BOT")


def test_the_channels_developers_vote_without_the_bot():
    invited = poker.Invited(members=MEMBERS, exclude=["BOT"])
    assert poker.choose_voters(ROLES, invited) == (["D1", "D2"], "the channel's Developers")


def test_roles_asked_in_vote_too():
    invited = poker.Invited(members=MEMBERS, with_roles=["po", "sm"], exclude=["BOT"])
    voters, note = poker.choose_voters(ROLES, invited)
    assert voters == ["D1", "D2", "P", "S"]
    assert note == "the channel's Developers and the Product Owner and the Scrum Master"


def test_named_people_come_before_a_groups_members_and_the_channel_is_not_asked():
    invited = poker.Invited(
        named=["D2"], groups=["devs", "qa"], group_members=["D1", "D2"], members=MEMBERS
    )
    assert poker.choose_voters(ROLES, invited) == (["D2", "D1"], "the members of devs, qa")


def test_named_people_only():
    invited = poker.Invited(named=["S", "D1"], with_roles=["sm"])
    voters, note = poker.choose_voters(ROLES, invited)
    assert voters == ["S", "D1"], "each voter once"
    assert note == "the people the facilitator named and the Scrum Master"


def test_a_result_on_its_way_has_no_message_to_edit():
    assert poker.posted_ts(PokerRound(result_ts=None)) is None, "never posted"
    assert poker.posted_ts(PokerRound(result_ts=poker.POSTING)) is None, "claimed, not posted"
    assert poker.posted_ts(PokerRound(result_ts="")) is None
    assert poker.posted_ts(PokerRound(result_ts="1700000000.000100")) == "1700000000.000100"
