"""The empty Home tab says what brings a channel there as README's App Home paragraph does: a
role, being one of the default Developers, or, in a channel with no roles yet, an item or a
task someone owns or a vote asked of them (QA: it named only the first two)."""

from __future__ import annotations

from tests.app.test_home_slack import home
from tests.conftest import DEV3


async def test_the_empty_home_names_everything_that_brings_a_channel(slack):
    nothing = await home(slack, DEV3)
    assert "*Nothing here for you yet.*" in nothing
    assert "where you hold a Scrum role" in nothing
    assert "in a channel with no roles yet, where you own an item or a task" in nothing, nothing
    assert "or are asked to vote" in nothing, nothing
