"""A Developer named for the role who has left the channel since an async poll began: their
Home tab no longer asks them to vote there (the vote would be refused, as anyone's outside the
channel is); while they are in the channel, it does."""

from __future__ import annotations

from tests.app.test_former_members_slack import leaves, name_developers
from tests.app.test_home_slack import home
from tests.app.test_poker_slack import poker, setup_team
from tests.conftest import DEV2

WAITING = "Waiting for your vote"


async def test_a_named_developer_who_left_is_not_asked_to_vote_on_the_home_tab(slack):
    await setup_team(slack, "Export invoices")
    await name_developers(slack)
    await poker(slack, "async 1 for 24h")
    assert WAITING in await home(slack, DEV2)
    leaves(slack, DEV2)
    assert WAITING not in await home(slack, DEV2)
