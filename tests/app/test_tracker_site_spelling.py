# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""One board feeds one backlog, however its site is spelled: a second channel that types the
site of a board another channel syncs otherwise (``/jira/..``, upper case, the default port,
repeated slashes) is refused as taken, since the site is kept in its normal form."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bot.emulator.linear import LinearEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_tracker_connect import connect_linear, linear  # noqa: F401
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_slack import submit
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import answer_to_form, roles
from tests.conftest import PO

OTHER = "C0OTHER"
TAKEN = "connected to another Timebox channel already"


def other_channel(slack: LocalStack) -> None:
    """#other, with the PO in it as its Product Owner."""
    slack.emulator.add_channel(OTHER, "other-team", members=[PO, "UBOT"])


async def stays_unconnected(slack: LocalStack) -> None:
    async with slack.db.transaction() as store:
        other = await store.team("T0TEAM", OTHER)
        assert other is not None and await store.connection(other.id) is None


@pytest.mark.parametrize(
    "spelling",
    [
        "{url}/jira/..",
        "{url}/./",
        "{url}//jira/../",
        "{scheme}://{host_upper}.:{port}/.",
    ],
)
async def test_a_second_channel_spelling_a_jira_site_otherwise_is_refused_as_taken(
    slack, jira, spelling
):
    seed_board(jira)
    await jira_connected(slack, jira)
    other_channel(slack)
    await roles(slack, OTHER)
    parts = urlsplit(jira.url)
    site = spelling.format(
        url=jira.url,
        scheme=parts.scheme.upper(),
        host_upper=(parts.hostname or "").upper(),
        port=parts.port,
    )

    answer = await submit(slack, jira, channel=OTHER, **{"Jira site": site})

    assert TAKEN in answer, answer
    await stays_unconnected(slack)


async def test_a_second_channel_spelling_a_linear_api_otherwise_is_refused_as_taken(
    slack, linear: LinearEmulator
):
    """Linear's site is its API address: ``…/graphql`` and ``…//graphql/`` name one API."""
    await roles(slack)
    answer = await connect_linear(slack, linear)
    assert "This channel is connected to Linear team" in answer, answer
    other_channel(slack)
    await roles(slack, OTHER)

    await slack.driver.command("/timebox", "connect linear", user=PO, channel=OTHER)
    view = slack.emulator.open_view(PO)
    assert view is not None and view.view["title"]["text"] == "Connect Linear"
    parts = urlsplit(linear.api_url)
    entered = {
        "API key": linear.user.api_key,
        "Team key": "ENG",
        "API address": f"{parts.scheme}://{parts.netloc.upper()}/./{parts.path}/",
    }
    await slack.driver.submit(view, entered, user=PO)
    await slack.settle()

    answer = answer_to_form(slack, PO, OTHER)
    assert TAKEN in answer, answer
    await stays_unconnected(slack)
