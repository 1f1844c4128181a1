# ruff: noqa: F811  (the tracker fixtures are imported from their own tests)
"""A tracker that answers a redirect (3xx): Timebox does not follow it, and says so without
telling where it pointed.

Jira, or whatever stands in front of it (a login proxy, a load balancer), may answer with a
redirect to an address on the inside network: host, port, path, and a query that can carry a
token. The host policy keeps inside addresses out of every message; the redirect's error is
stored with the connection and told in the channel, so it names the target's host only when
that host would itself pass the host check (a public tracker host, or one the operator
lists), and the full target goes to the log alone, at WARNING. (Moved from QA pass 10.)"""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.trackers.hosts import HostPolicy
from storage.models import Base
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import later
from tests.conftest import CHANNEL

INSIDE = "http://10.1.2.3:8080/login.jsp?os_destination=%2Fsecure%2Fadmin&token=abc123"


def redirecting(jira, monkeypatch: pytest.MonkeyPatch, location: str) -> None:
    """Every sync's search is answered with a 302 to ``location``, from now on."""
    fault_answer = jira._fault_answer

    def redirect(call, fault):
        if fault.status == 302:
            call.status = 302
            return web.Response(status=302, headers={"Location": location})
        return fault_answer(call, fault)

    monkeypatch.setattr(jira, "_fault_answer", redirect)
    jira.fail_next(302, route="search.jql", times=1000)


def posts(slack) -> str:
    return "\n".join(m.text for m in slack.emulator.messages(CHANNEL))


async def stored(slack) -> str:
    """Every row of every table, as text: what the database keeps."""
    rows: list[str] = []
    async with slack.db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows += [repr(dict(row)) for row in (await conn.execute(select(table))).mappings()]
    return "\n".join(rows)


async def test_a_redirect_to_an_inside_address_is_not_posted_in_the_channel(
    slack, jira, monkeypatch, caplog
):
    """A 302 to an inside address: the channel hears that Jira answered with a redirect,
    which Timebox does not follow, and to check the site address; neither the channel nor
    the database gets the inside host, its port or the query's token. The log has it all."""
    caplog.set_level(logging.WARNING, logger="bot.trackers.http")
    seed_board(jira)
    await connected(slack, jira)
    redirecting(jira, monkeypatch, INSIDE)
    await later(slack, 301)
    said = posts(slack)
    assert "no longer reach Jira" in said and "redirect (HTTP 302)" in said, said
    assert "does not follow" in said and "check the site address" in said, said
    kept = await stored(slack)
    assert "redirect (HTTP 302)" in kept
    for secret in ("10.1.2.3", "login.jsp", "os_destination", "abc123"):
        assert secret not in said, (secret, said)
        assert secret not in kept, secret
    logged = [r for r in caplog.records if r.name == "bot.trackers.http"]
    assert logged and all(r.levelno == logging.WARNING for r in logged)
    assert INSIDE in logged[0].getMessage()


async def test_a_redirect_within_the_site_names_its_host_only(slack, jira, monkeypatch):
    """A relative Location (another page of the same site, allowed by the operator) names
    the site's host, which passes the host check; its path and query stay out."""
    seed_board(jira)
    await connected(slack, jira)
    redirecting(jira, monkeypatch, "/login.jsp?token=abc123")
    await later(slack, 301)
    said = posts(slack)
    host = jira.url.split("://", 1)[1]
    assert f"redirect (HTTP 302) to {host}, which Timebox does not follow" in said, said
    assert "login.jsp" not in said and "abc123" not in said, said


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("https://acme.atlassian.net/login?next=/x", "acme.atlassian.net"),
        ("https://api.github.com/repos/o/r", "api.github.com"),
        ("https://api.linear.app:443/graphql", "api.linear.app"),
        ("http://127.0.0.1:8081/jira/login", "127.0.0.1:8081"),  # listed by the operator
        ("http://127.0.0.1:8082/", None),  # the listed host on another port
        (INSIDE, None),
        ("https://169.254.169.254/latest/meta-data", None),
        ("https://acme.atlassian.net:8443/", None),  # no port on a cloud site
        ("https://evil.example/", None),
        ("https://acme.atlassian.net@10.1.2.3/", None),
        ("javascript:alert(1)", None),
        ("http://[::1", None),
        ("", None),
    ],
)
def test_a_redirect_target_is_named_only_if_the_host_check_passes_it(
    target: str, shown: str | None
) -> None:
    assert HostPolicy.allowing("127.0.0.1:8081").shown_host(target) == shown
