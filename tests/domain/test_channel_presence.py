"""Only people in the team's channel count where its work waits for people: the Developers a
plan counts, the voters a poll waits for. Those named (for a role, in a user group, by the
facilitator) who are not in the channel are told apart, to be said once; when Slack could not
say who is in the channel (None), everyone named counts."""

from __future__ import annotations

import pytest

from agendas.kinds import People
from agendas.planning import developers_present
from bot.domain import poker
from bot.domain.capacity import Capacity
from bot.domain.errors import UserError
from bot.domain.teams import Present, RoleGroup, Roles, present
from storage.models import RoleAssignment, Team

CHANNEL = ("P", "S", "D1", "D2", "BOT")


def test_role_holders_meet_the_channels_members_in_the_order_named():
    assert present(["D2", "GONE", "D1", "D2"], CHANNEL) == Present(("D2", "D1"), ("GONE",))
    assert present(["D2", "GONE"], None) == Present(("D2", "GONE")), "Slack did not say"
    assert present([], CHANNEL) == Present(())


def test_named_developers_count_while_they_are_in_the_channel():
    roles = Roles(po=("P",), sm=("S",), dev=("D1", "GONE"))
    assert roles.developers(CHANNEL) == ["D1"]
    assert roles.developers_present(CHANNEL) == Present(("D1",), ("GONE",))
    assert roles.developers(None) == ["D1", "GONE"], "unknown members keep the named"


def test_a_developer_groups_members_outside_the_channel_do_not_count():
    group = RoleGroup("dev", "S0DEVS", "devs", ("D2", "ZOE"))
    roles = Roles.named_as([("po", "P")], [group])
    assert roles.developers_present(CHANNEL) == Present(("D2",), ("ZOE",))


def test_without_named_developers_everyone_else_in_the_channel_develops():
    roles = Roles(po=("P",), sm=("S",))
    assert roles.developers(CHANNEL) == ["D1", "D2", "BOT"]
    assert roles.developers_present(CHANNEL).outside == ()
    assert roles.developers(None) == [], "nobody is known to be in the channel"


def test_a_poll_waits_only_for_voters_in_the_channel_and_names_those_left_out():
    roles = Roles(po=("PGONE",), sm=("S",), dev=("D1", "GONE"))
    invited = poker.Invited(members=CHANNEL, with_roles=["po"], exclude=["BOT"])
    assert poker.choose_voters(roles, invited)[0] == ["D1"]
    assert poker.invited_present(roles, invited).outside == ("GONE", "PGONE")
    named = poker.Invited(named=["D2", "ZOE"], members=CHANNEL)
    assert poker.invited_present(roles, named) == Present(("D2",), ("ZOE",))


def test_a_poll_keeps_its_named_voters_when_slack_cannot_list_the_channel():
    roles = Roles(po=("P",), dev=("D1", "GONE"))
    assert poker.choose_voters(roles, poker.Invited(members=None))[0] == ["D1", "GONE"]
    everyone_else = Roles(po=("P",))
    with pytest.raises(UserError) as refused:
        poker.choose_voters(everyone_else, poker.Invited(members=None))
    assert refused.value.message == poker.MEMBERS_UNKNOWN
    named = poker.Invited(named=["D2"], members=None)
    assert poker.choose_voters(everyone_else, named)[0] == ["D2"]


def test_planning_counts_the_developers_in_the_channel_and_never_the_bot():
    team = Team(roles=[RoleAssignment(role="po", user_id="P")])
    assert developers_present(team, People(CHANNEL, bot="BOT")) == Present(("S", "D1", "D2"))
    team.roles.append(RoleAssignment(role="dev", user_id="GONE"))
    team.roles.append(RoleAssignment(role="dev", user_id="D1"))
    assert developers_present(team, People(CHANNEL, "BOT")) == Present(("D1",), ("GONE",))
    unknown = People((), "BOT", known=False)
    assert developers_present(team, unknown) == Present(("GONE", "D1"))
    assert developers_present(team, None) == Present(("GONE", "D1"))


def test_capacity_counts_only_its_developers_days_off():
    cap = Capacity(("D1", "D2"), 10, {"D1": 2.0, "GONE": 5.0}, not_in_channel=("GONE",))
    assert cap.developers_days_off == 2.0
    assert cap.available_days == 18.0
