"""Which tracker sites Timebox may call: Jira Cloud over https, or hosts the operator lists;
never an address inside the network unless listed. No DNS is used: resolution is faked."""

from __future__ import annotations

import socket

import pytest

from bot.domain.trackers import TrackerErrorKind
from bot.runtime.secrets import Secret
from bot.trackers.base import ApiToken
from bot.trackers.hosts import (
    GuardedResolver,
    HostPolicy,
    HostRefused,
    parse_allowed_hosts,
)
from bot.trackers.jira import JiraCloud

CLOUD = HostPolicy()


def resolver(table: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise socket.gaierror(f"no such host {host}")
        return table[host]

    return resolve


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("https://acme.atlassian.net", "https://acme.atlassian.net"),
        ("  https://ACME.atlassian.net/  ", "https://acme.atlassian.net"),
        ("https://acme.atlassian.net:443", "https://acme.atlassian.net"),
        ("https://my-team-2.atlassian.net", "https://my-team-2.atlassian.net"),
    ],
)
def test_jira_cloud_sites_are_allowed(given: str, normalised: str) -> None:
    assert CLOUD.check_url(given) == normalised


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("http://acme.atlassian.net", "must start with https://"),
        ("https://acme.atlassian.net:8443", "has no port"),
        ("https://evil.example.com", "evil.example.com is not a Jira Cloud site"),
        ("https://acme.atlassian.net.evil.com", "is not a Jira Cloud site"),
        ("https://atlassian.net", "is not a Jira Cloud site"),
        ("https://-x.atlassian.net", "is not a Jira Cloud site"),
        ("https://127.0.0.1", "127.0.0.1 is not a Jira Cloud site"),
        ("https://[::1]", "is not a Jira Cloud site"),
        ("https://169.254.169.254", "is not a Jira Cloud site"),
        ("https://bob:pw@acme.atlassian.net", "must not contain a user name or password"),
        ("https://acme.atlassian.net@evil.com", "must not contain a user name or password"),
        ("https://acme.atlassian.net/?next=x", "must not have a query"),
        ("https://acme.atlassian.net/jira", "without a path"),
        ("ftp://acme.atlassian.net", "is not a site address"),
        ("acme.atlassian.net", "is not a site address"),
        ("", "is not a site address"),
        ("https://acme.atlassian.net:99999", "is not a web address"),
    ],
)
def test_anything_else_is_refused_in_plain_words(given: str, says: str) -> None:
    with pytest.raises(HostRefused) as refused:
        CLOUD.check_url(given)
    assert says in str(refused.value)
    assert refused.value.kind is TrackerErrorKind.REFUSED_HOST


def test_the_operator_can_list_other_hosts() -> None:
    policy = HostPolicy.from_env(
        {"TIMEBOX_TRACKER_HOSTS": "jira.corp.example, 127.0.0.1:8081, [::1]:9000"}
    )
    assert policy.check_url("https://jira.corp.example/") == "https://jira.corp.example"
    assert policy.check_url("http://jira.corp.example:8080/jira") == (
        "http://jira.corp.example:8080/jira"  # Data Center under a context path
    )
    assert policy.check_url("http://127.0.0.1:8081") == "http://127.0.0.1:8081"
    assert policy.check_url("http://[::1]:9000") == "http://[::1]:9000"
    with pytest.raises(HostRefused) as wrong_port:
        policy.check_url("http://127.0.0.1:8082")
    assert str(wrong_port.value) == "the site address must start with https://", (
        "the operator's hosts and their setting are not shown to whoever connects"
    )
    with pytest.raises(HostRefused) as elsewhere:
        policy.check_url("https://jira.elsewhere.example")
    assert "jira.corp.example" not in str(elsewhere.value)
    assert "TIMEBOX_TRACKER_HOSTS" not in str(elsewhere.value)
    assert policy.check_url("https://acme.atlassian.net") == "https://acme.atlassian.net"


def test_the_list_is_parsed_strictly() -> None:
    assert parse_allowed_hosts(None) == frozenset()
    assert {str(h) for h in parse_allowed_hosts(" a.example , b.example:8443,,")} == {
        "a.example",
        "b.example:8443",
    }
    for bad in ("https://a.example", "a.example/jira", "user@a.example", "a.example:http"):
        with pytest.raises(HostRefused):
            parse_allowed_hosts(bad)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "::1",
        "fd00::1",
        "fe80::1%eth0",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
async def test_a_cloud_name_resolving_inward_is_refused(address: str) -> None:
    with pytest.raises(HostRefused) as refused:
        await CLOUD.check("https://acme.atlassian.net", resolver({"acme.atlassian.net": [address]}))
    assert "resolves to a private or local address" in str(refused.value)


async def test_one_inward_address_among_public_ones_is_enough_to_refuse() -> None:
    table = {"acme.atlassian.net": ["104.192.141.1", "10.1.2.3"]}
    with pytest.raises(HostRefused):
        await CLOUD.check("https://acme.atlassian.net", resolver(table))


async def test_public_addresses_and_listed_hosts_pass() -> None:
    site = await CLOUD.check(
        "https://acme.atlassian.net", resolver({"acme.atlassian.net": ["104.192.141.1"]})
    )
    assert site == "https://acme.atlassian.net"
    listed = HostPolicy.allowing("jira.internal:8080")
    assert (
        await listed.check("http://jira.internal:8080", resolver({"jira.internal": ["10.0.0.9"]}))
        == "http://jira.internal:8080"
    )


async def test_an_unknown_name_is_said_plainly() -> None:
    with pytest.raises(HostRefused) as missing:
        await CLOUD.check("https://nosuch.atlassian.net", resolver({}))
    assert (
        str(missing.value) == "nosuch.atlassian.net cannot be found (DNS): check the site address"
    )


class FakeResolver:
    """aiohttp's resolver interface with a fixed table."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.closed = False

    async def resolve(self, host, port=0, family=socket.AF_INET):
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in self.table[host]
        ]

    async def close(self):
        self.closed = True


async def test_the_connection_itself_is_guarded_against_dns_rebinding() -> None:
    """The check runs when aiohttp connects, so an answer that changes after a first look
    (DNS rebinding) is caught at the moment that counts."""
    table = {"acme.atlassian.net": ["104.192.141.1"]}
    guard = GuardedResolver(CLOUD, FakeResolver(table))
    assert [r["host"] for r in await guard.resolve("acme.atlassian.net", 443)] == ["104.192.141.1"]
    table["acme.atlassian.net"] = ["127.0.0.1"]
    with pytest.raises(HostRefused):
        await guard.resolve("acme.atlassian.net", 443)
    await guard.close()


async def test_the_jira_client_never_connects_to_an_inward_address() -> None:
    client = JiraCloud(
        "https://acme.atlassian.net",
        ApiToken("po@example.com", Secret("token")),
        1,
        policy=CLOUD,
        resolver=FakeResolver({"acme.atlassian.net": ["127.0.0.1"]}),
    )
    try:
        problems = await client.check()
    finally:
        await client.aclose()
    assert [p.code for p in problems] == ["refused_host"]
    assert "resolves to a private or local address" in problems[0].message
    assert "127.0.0.1" not in problems[0].message, "the inside's addresses are the operator's"


def test_the_jira_client_refuses_a_bad_site_before_any_request() -> None:
    with pytest.raises(HostRefused):
        JiraCloud("https://intranet.local", ApiToken("a@b.c", Secret("t")), 1, policy=CLOUD)
