# ruff: noqa: F811  (the tracker fixtures are imported from their own tests)
"""A site address refused for what it carries besides the site (a user name or password, a
query or a fragment) is answered with what to type instead, and that is never an address
Timebox then refuses in turn.

``https://acme.atlassian.net@127.0.0.1`` names the host 127.0.0.1, the rest being a user
name: the refusal used to say "type it as https://127.0.0.1" (and evil.example for
``https://acme.atlassian.net:443@evil.example``), a host Timebox refuses, offered to whoever
typed it. The address without the extra part is offered only when the host policy takes it
for that tracker; otherwise the tracker's example is given. (Moved from QA pass 10.)"""

from __future__ import annotations

import pytest

from bot.trackers.hosts import GITHUB_CLOUD, LINEAR_CLOUD, Cloud, HostPolicy, HostRefused
from tests.app.test_tracker_slack import submit
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import roles


async def test_a_site_with_a_user_name_is_not_answered_with_another_host_to_type(slack, jira):
    """The user name hides the real host: the refusal names no host to type, but the Jira
    Cloud example, and Jira is never called."""
    await roles(slack)
    for typed, offered in (
        ("https://acme.atlassian.net@127.0.0.1", "https://127.0.0.1"),
        ("https://acme.atlassian.net:443@evil.example", "https://evil.example"),
    ):
        answer = await submit(slack, jira, **{"Jira site": typed})
        assert "did not connect this channel" in answer, answer
        assert "must not contain a user name or password" in answer, answer
        assert f"type it as {offered}" not in answer, answer
        assert "a Jira Cloud site address is https://<your-site>.atlassian.net" in answer
    assert jira.calls == []


async def test_a_site_the_operator_allows_is_still_offered_without_its_user_name(slack, jira):
    """The emulator's host is one the operator lists: with a user name in front, the answer
    offers the address without it."""
    await roles(slack)
    site = jira.url
    scheme, host = site.split("://", 1)
    answer = await submit(slack, jira, **{"Jira site": f"{scheme}://paula@{host}"})
    assert "did not connect this channel" in answer, answer
    assert f"type it as {site}" in answer, answer
    assert jira.calls == []


LISTED = HostPolicy.allowing("127.0.0.1:8081")


@pytest.mark.parametrize(
    ("typed", "cloud", "says"),
    [
        ("https://bob:pw@acme.atlassian.net", None, "type it as https://acme.atlassian.net"),
        ("https://acme.atlassian.net/?next=x", None, "type it as https://acme.atlassian.net"),
        ("http://bob@127.0.0.1:8081/jira", None, "type it as http://127.0.0.1:8081/jira"),
        (
            "https://acme.atlassian.net@127.0.0.1",
            None,
            "a Jira Cloud site address is https://<your-site>.atlassian.net. For Jira Data "
            "Center, Timebox's operator allows its host first.",
        ),
        (
            "https://evil.example/#x",
            None,
            "must not have a query (?…) or fragment (#…): a Jira Cloud site address is",
        ),
        ("http://bob@127.0.0.1:8082/jira", None, "a Jira Cloud site address is"),
        ("https://token@api.github.com", GITHUB_CLOUD, "type it as https://api.github.com"),
        (
            "https://api.github.com@10.0.0.1",
            GITHUB_CLOUD,
            "a GitHub site address is https://api.github.com. For GitHub Enterprise Server",
        ),
        (
            "https://api.linear.app@169.254.169.254/graphql",
            LINEAR_CLOUD,
            "a Linear site address is https://api.linear.app/graphql.",
        ),
        (
            "https://k@api.linear.app/graphql",
            LINEAR_CLOUD,
            "type it as https://api.linear.app/graphql",
        ),
    ],
)
def test_what_to_type_instead_is_an_address_the_policy_takes(
    typed: str, cloud: Cloud | None, says: str
) -> None:
    with pytest.raises(HostRefused) as refused:
        LISTED.check_url(typed, cloud)
    message = str(refused.value)
    assert says in message, message
    offered = message.partition("type it as ")[2]
    if offered:
        assert LISTED.check_url(offered, cloud) == offered
    for inside in ("127.0.0.1:8082", "10.0.0.1", "169.254.169.254", "evil.example"):
        assert inside not in message, message
