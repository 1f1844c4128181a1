"""Scrum roles decide who may act; settings parse what people type."""

from __future__ import annotations

import pytest

from bot.domain import calendar, teams
from bot.domain.errors import NotAllowed, UsageError, UserError
from bot.domain.teams import Roles
from bot.usecases import team as team_uc


async def test_nobody_becomes_po_by_acting_first_and_others_are_refused(store, team):
    # Issue 13, point 5: a channel with no PO is offered its setup, nobody claims the role.
    with pytest.raises(teams.SetupNeeded):
        teams.role_verdict(Roles.of(team), "U1", ("po",), "order the product backlog")
    assert Roles.of(team).po == ()
    await team_uc.assign_role(store, team, "po", ["U1"])
    assert Roles.of(team).po == ("U1",)
    assert teams.role_verdict(Roles.of(team), "U1", ("po",), "order") == teams.ALLOWED
    with pytest.raises(NotAllowed) as refused:
        teams.role_verdict(Roles.of(team), "U2", ("po",), "order the product backlog")
    assert (
        refused.value.message
        == "Only the Product Owner can order the product backlog in this channel."
    )
    assert refused.value.holders == ("U1",)


async def test_roles_are_set_per_role_and_developers_default_to_everyone_else(store, team):
    await team_uc.assign_role(store, team, "po", ["U1"])
    await team_uc.assign_role(store, team, "scrum-master", ["U2", "U2"])
    roles = Roles.of(team)
    assert (roles.po, roles.sm, roles.dev) == (("U1",), ("U2",), ())
    assert roles.developers(["U1", "U2", "U3", "U4"]) == ["U3", "U4"]
    await team_uc.assign_role(store, team, "dev", ["U4"])
    assert Roles.of(team).developers(["U3", "U4"]) == ["U4"]
    with pytest.raises(UsageError, match="not a role"):
        await team_uc.assign_role(store, team, "boss", ["U1"])
    with pytest.raises(UsageError, match="at least one Product Owner"):
        await team_uc.assign_role(store, team, "po", [])


def test_settings_parse_what_people_type():
    assert teams.parse_timezone("europe/berlin") == "Europe/Berlin"
    with pytest.raises(UserError, match="IANA"):
        teams.parse_timezone("Mars/Olympus")
    assert teams.parse_sprint_weeks("2w") == 2 and teams.parse_sprint_weeks("3 weeks") == 3
    with pytest.raises(UserError, match="1 to 4 weeks"):
        teams.parse_sprint_weeks("6")
    assert calendar.parse_working_days("mon-fri") == ["mon", "tue", "wed", "thu", "fri"]
    assert calendar.parse_working_days("sun-thu") == ["mon", "tue", "wed", "thu", "sun"]
    assert calendar.parse_working_days("Monday, wed") == ["mon", "wed"]
    with pytest.raises(UserError, match="not a weekday"):
        calendar.parse_working_days("mon-funday")
