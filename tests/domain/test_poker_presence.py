"""Who an async poll waits for as its channel changes: voters who leave are waited for no
more (their votes so far stay), and who may join it meanwhile."""

from __future__ import annotations

from bot.domain import poker
from bot.domain.teams import Roles
from storage.models import PokerPoll, Team

ROLES = Roles(po=("P",), sm=("S",))
NAMED_DEVS = Roles(po=("P",), sm=("S",), dev=("D1", "D2"))


# how each note's voters were chosen (`poker.roles_asked`): a poll keeps them beside its note
ASKED = {
    "the channel's Developers": [],
    "the channel's Developers and the Product Owner": ["po"],
}


def poll(note: str, voters: list[str], mode: str = "async") -> PokerPoll:
    return PokerPoll(
        id=1,
        mode=mode,
        status="open",
        facilitator="S",
        voters=voters,
        voters_note=note,
        roles_asked=ASKED.get(note),
        nudges=[],
    )


def test_a_voter_who_left_is_waited_for_no_more_and_slack_failing_changes_nothing():
    p = poll("the channel's Developers", ["D1", "D2", "D3"])
    assert poker.departed(p, None) == [], "Slack would not say: nobody is taken for gone"
    assert poker.departed(p, ["D1", "D2", "P"]) == ["D3"]
    assert not poker.all_voted(p, {"D1", "D2"})
    poker.leave(p, ["D3"])
    assert p.voters == ["D1", "D2"] and p.left_voters == ["D3"] and p.nudges == []
    assert poker.all_voted(p, {"D1", "D2", "D3"})
    poker.leave(p, ["D2", "D1"])
    assert p.voters == [] and not poker.all_voted(p, {"D3"}), (
        "a round nobody in the channel voted in waits for its deadline"
    )


def test_a_newcomer_joins_a_poll_of_the_channels_developers_not_of_named_people():
    developers = poll("the channel's Developers", ["D1"])
    named = poll("the people the facilitator named", ["D1"])
    group = poll("the members of @devs", ["D1"])
    members = ["D1", "NEW", "P", "S"]
    assert poker.may_join(developers, ROLES, "NEW", members)
    assert not poker.may_join(developers, ROLES, "NEW", ["D1"]), "not in the channel"
    assert not poker.may_join(developers, ROLES, "NEW", None), "Slack would not say"
    assert not poker.may_join(developers, ROLES, "P", members), "the PO watches"
    assert not poker.may_join(developers, NAMED_DEVS, "NEW", members), "not a named Developer"
    assert not poker.may_join(named, ROLES, "NEW", members)
    assert not poker.may_join(group, ROLES, "NEW", members)
    live = poll("the channel's Developers", ["D1"], mode="live")
    assert not poker.may_join(live, ROLES, "NEW", members), "a live round keeps its voters"
    with_po = poll("the channel's Developers and the Product Owner", ["D1"])
    assert poker.may_join(with_po, ROLES, "P", members)
    assert not poker.may_join(with_po, ROLES, "S", members)


def test_a_named_voter_who_left_and_came_back_is_let_in_again():
    named = poll("the people the facilitator named", ["D1", "D2"])
    poker.leave(named, ["D2"])
    assert not poker.may_join(named, ROLES, "D2", ["D1"])
    assert poker.may_join(named, ROLES, "D2", ["D1", "D2"])
    poker.join(named, "D2")
    assert named.voters == ["D1", "D2"] and named.left_voters == [] and named.nudges == []


def test_a_refusal_says_whether_slack_is_worth_asking():
    team = Team(id=1, workspace_id="T", channel_id="C", roles=[])
    developers = poll("the channel's Developers", ["D1"])
    assert poker.not_a_voter(developers, team, "NEW").joinable
    named = poll("the people the facilitator named", ["D1"])
    assert not poker.not_a_voter(named, team, "NEW").joinable


def test_who_may_join_follows_the_roles_kept_on_the_poll_not_its_wording():
    members = ["D1", "NEW", "P", "S"]
    reworded = poll("whoever the channel's Developers are", ["D1"])
    reworded.roles_asked = ["po"]
    assert poker.may_join(reworded, ROLES, "NEW", members)
    assert poker.may_join(reworded, ROLES, "P", members), "the PO was asked"
    assert not poker.may_join(reworded, ROLES, "S", members)
    named = poll("the channel's Developers", ["D1"])
    named.roles_asked = None
    assert not poker.may_join(named, ROLES, "NEW", members), "voters named take nobody else"


def test_a_poll_keeps_the_roles_its_voters_were_chosen_by():
    asked = poker.roles_asked
    assert asked(poker.Invited(members=["D1"])) == []
    assert asked(poker.Invited(members=["D1"], with_roles=["sm", "po"])) == ["po", "sm"]
    assert asked(poker.Invited(named=["D1"], with_roles=["po"])) is None
    assert asked(poker.Invited(groups=["devs"], group_members=["D1"])) is None
