"""QA pass 47: an IPv6 address that carries an IPv4 address inside it is judged by that IPv4
address, when a tracker's name resolves to it at connect time.

``HostPolicy.check_addresses`` (applied by ``GuardedResolver`` to every connection) already
unwraps the IPv4-mapped form (``::ffff:10.0.0.5``), but Python's ``is_global`` calls the other
IPv6 forms that embed an IPv4 address global whatever that address is:

- NAT64's well-known prefix ``64:ff9b::/96`` (RFC 6052): on an IPv6-only host behind DNS64 and
  NAT64 (a common Kubernetes and cloud set-up), ``64:ff9b::a9fe:a9fe`` *is* the metadata
  service 169.254.169.254 and ``64:ff9b::a00:5`` the inside host 10.0.0.5, reached through
  the operator's own NAT64 gateway;
- the local-use NAT64 prefix ``64:ff9b:1::/48`` (RFC 8215), which only the operator's own
  translators serve;
- the IPv4-translated form ``::ffff:0:a.b.c.d`` (SIIT, RFC 2765) and the IPv4-compatible form
  ``::a.b.c.d`` (RFC 4291, deprecated, still routed by some stacks);
- 6to4 ``2002:AABB:CCDD::/48`` (RFC 3056), whose relay delivers to the embedded address;
- site-local ``fec0::/10`` (deprecated by RFC 3879, but still the inside network where used).

No DNS is used: the resolver is a fixed table, as in ``test_tracker_hosts``."""

from __future__ import annotations

import pytest

from bot.trackers.hosts import GuardedResolver, HostPolicy, HostRefused
from tests.domain.test_tracker_hosts import FakeResolver

CLOUD = HostPolicy()
SITE = "acme.atlassian.net"


INWARD = [
    ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254 (cloud metadata)"),
    ("64:ff9b::a00:5", "NAT64 of 10.0.0.5"),
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b::c0a8:101", "NAT64 of 192.168.1.1"),
    ("64:ff9b:1::a00:5", "local-use NAT64 prefix (the operator's translator)"),
    ("64:ff9b:1::6816:8d01", "local-use NAT64 prefix, even of a public address"),
    ("::ffff:0:a9fe:a9fe", "IPv4-translated (SIIT) 169.254.169.254"),
    ("::ffff:0:7f00:1", "IPv4-translated (SIIT) 127.0.0.1"),
    ("::7f00:1", "IPv4-compatible 127.0.0.1"),
    ("::a00:5", "IPv4-compatible 10.0.0.5"),
    ("::a9fe:a9fe", "IPv4-compatible 169.254.169.254"),
    ("2002:a00:5::1", "6to4 of 10.0.0.5"),
    ("2002:7f00:1::1", "6to4 of 127.0.0.1"),
    ("2002:a9fe:a9fe::", "6to4 of 169.254.169.254"),
    ("fec0::1", "site-local"),
    ("fec0:0:0:ffff::1", "site-local"),
]


@pytest.mark.parametrize(("address", "what"), INWARD, ids=[a for a, _ in INWARD])
async def test_an_ipv6_spelling_of_an_inside_address_is_refused_at_connect_time(
    address: str, what: str
) -> None:
    """The resolver of every tracker client refuses the connection, as it does for the plain
    IPv4 address (and for ``::ffff:`` + it)."""
    guard = GuardedResolver(CLOUD, FakeResolver({SITE: [address]}))
    with pytest.raises(HostRefused) as refused:
        await guard.resolve(SITE, 443)
    assert "resolves to a private or local address" in str(refused.value), what


@pytest.mark.parametrize(("address", "what"), INWARD, ids=[a for a, _ in INWARD])
async def test_the_check_when_connecting_refuses_them_too(address: str, what: str) -> None:
    """``HostPolicy.check`` (the look-up the connect form makes) says the same."""

    async def resolve(host: str, port: int) -> list[str]:
        return [address]

    with pytest.raises(HostRefused):
        await CLOUD.check(f"https://{SITE}", resolve)


@pytest.mark.parametrize(
    "address",
    [
        "104.192.141.1",
        "2401:1d80:3000::1",  # a public IPv6 address
        "64:ff9b::68c0:8d01",  # NAT64 of the public 104.192.141.1
        "::ffff:104.192.141.1",
    ],
)
async def test_a_public_address_in_any_of_these_forms_still_passes(address: str) -> None:
    """Judging the embedded address refuses no public tracker: an IPv6-only host reaching
    Jira Cloud through NAT64 keeps working."""
    guard = GuardedResolver(CLOUD, FakeResolver({SITE: [address]}))
    assert [r["host"] for r in await guard.resolve(SITE, 443)] == [address]
