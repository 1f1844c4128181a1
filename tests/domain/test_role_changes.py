"""What a change of roles told the channel: only the roles whose holders changed, who came and
who went (`teams.role_changes`)."""

from __future__ import annotations

from bot.domain.teams import RoleGroup, Roles, role_changes

DESIGN = RoleGroup("dev", "S0DESIGN", "design-team", ("U0A", "U0B"))


def test_a_handover_and_a_new_scrum_master_are_the_changes():
    before = Roles.named_as([("po", "U0INES"), ("sm", "U0MARCUS")], [])
    after = Roles.named_as([("po", "U0KENJI"), ("sm", "U0MARCUS"), ("sm", "U0BEA")], [])
    po, sm = role_changes(before, after)
    assert (po.role, po.before, po.after) == ("po", ("U0INES",), ("U0KENJI",))
    assert (sm.added, sm.removed) == (("U0BEA",), ())


def test_the_same_holders_in_another_order_or_a_groups_new_members_are_no_change():
    before = Roles.named_as([("sm", "U0A"), ("sm", "U0B")], [DESIGN])
    grown = RoleGroup("dev", DESIGN.id, DESIGN.handle, (*DESIGN.members, "U0C"))
    after = Roles.named_as([("sm", "U0B"), ("sm", "U0A")], [grown])
    assert role_changes(before, after) == ()


def test_a_user_group_named_or_dropped_is_known_by_its_handle():
    before = Roles.named_as([("po", "U0P")], [DESIGN])
    [dev] = role_changes(before, Roles.named_as([("po", "U0P")], []))
    assert dev.removed == (DESIGN.id,) and dev.group(DESIGN.id) == DESIGN
    assert dev.group("U0P") is None
