"""Which hosts Timebox may call for a tracker: a guard against a site URL that points inward.

A team types its Jira site URL into Slack, and Timebox then sends requests there with the
team's token. Left open, that is a way to make the bot call anything it can reach (a cloud
metadata service, a database admin page on the internal network). So:

- a site URL must be the tracker's public service (a ``Cloud``: ``https://<name>.atlassian.net``
  for Jira Cloud, ``https://api.github.com`` for GitHub, ``https://api.linear.app`` for Linear),
  on the default port, with no user name, password, query or fragment;
- unless the operator lists other hosts in ``TIMEBOX_TRACKER_HOSTS`` (comma-separated
  ``host[:port]``; for Jira Data Center, GitHub Enterprise Server and for tests), which are
  then allowed over https or http, on the port given (any port when none is given);
- a host that is not listed must not resolve to a private, loopback, link-local or otherwise
  reserved address, nor to an IPv6 address that carries one (NAT64, 6to4, mapped, translated
  or compatible forms: ``64:ff9b::a9fe:a9fe`` is 169.254.169.254). This is checked when the
  connection is made (``GuardedResolver``, the resolver of the tracker clients' connector), so
  a DNS answer that changes between a check and the request (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import posixpath
import re
import socket
import string
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from bot.domain.trackers import TrackerError, TrackerErrorKind

log = logging.getLogger(__name__)

HOSTS_VARIABLE = "TIMEBOX_TRACKER_HOSTS"
CLOUD_SUFFIX = ".atlassian.net"
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")

Resolve = Callable[[str, int], Awaitable[list[str]]]
"""``(host, port) -> [ip, ...]``: injectable so tests need no DNS."""


class HostRefused(TrackerError):
    """The site URL or the address it resolves to is not allowed (plain words)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind=TrackerErrorKind.REFUSED_HOST)


@dataclass(frozen=True)
class Cloud:
    """A tracker's public service: the hosts a URL may name without the operator listing them.

    ``paths``: the paths allowed after the host ("" for none); ``self_hosted``: what an operator
    lists in TIMEBOX_TRACKER_HOSTS instead (None: the tracker is only a cloud service)."""

    name: str
    example: str
    matches: Callable[[str], bool]
    paths: tuple[str, ...] = ("",)
    self_hosted: str | None = None


@dataclass(frozen=True)
class AllowedHost:
    host: str
    port: int | None = None  # None: any port

    def matches(self, host: str, port: int) -> bool:
        return self.host == host and (self.port is None or self.port == port)

    def __str__(self) -> str:
        return _netloc(self.host, self.port)


def parse_allowed_hosts(value: str | None) -> frozenset[AllowedHost]:
    """``TIMEBOX_TRACKER_HOSTS``: ``jira.example.com, 127.0.0.1:8081, [::1]:9000``."""
    hosts = set()
    for raw in (value or "").split(","):
        item = raw.strip().lower()
        if not item:
            continue
        if "://" in item or "/" in item or "@" in item:
            raise HostRefused(
                f"{HOSTS_VARIABLE} lists hosts as host or host:port, without a scheme or "
                f"path: {raw.strip()!r}"
            )
        try:
            parts = urlsplit(f"//{item}")
            host, port = parts.hostname, parts.port
        except ValueError as exc:
            raise HostRefused(f"{HOSTS_VARIABLE} has a malformed entry: {raw.strip()!r}") from exc
        if not host:
            raise HostRefused(f"{HOSTS_VARIABLE} has a malformed entry: {raw.strip()!r}")
        hosts.add(AllowedHost(_normal_host(host), port))
    return frozenset(hosts)


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the low 32 bits
_EMBEDDING = (  # forms whose low 32 bits are the IPv4 address reached
    _NAT64,
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT, RFC 2765)
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (RFC 4291, deprecated)
)
_NEVER = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215): the operator's own
    ipaddress.IPv6Network("fec0::/10"),  # site-local (RFC 3879, deprecated): an inside network
)


def _embedded(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches through (mapped, NAT64, SIIT, compatible,
    6to4), None when it carries none."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDDING):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _is_public(address: str) -> bool:
    """Whether ``address`` is one on the internet at large. An IPv6 address that carries an
    IPv4 one is judged by both (``64:ff9b::a9fe:a9fe`` is 169.254.169.254 behind NAT64)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NEVER):
            return False
        inner = _embedded(ip)
        if inner is not None and not _is_public(str(inner)):
            return False
        if ip.ipv4_mapped is not None:  # Python calls ::ffff:0:0/96 private as a whole
            ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _system_resolve(host: str, port: int) -> list[str]:
    import asyncio

    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return sorted({str(info[4][0]) for info in infos})


@dataclass(frozen=True)
class HostPolicy:
    """The rules above; ``from_env()`` reads the operator's list."""

    allowed: frozenset[AllowedHost] = field(default_factory=frozenset)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HostPolicy:
        env = os.environ if environ is None else environ
        return cls(parse_allowed_hosts(env.get(HOSTS_VARIABLE)))

    @classmethod
    def allowing(cls, *hosts: str) -> HostPolicy:
        """For tests: ``HostPolicy.allowing("127.0.0.1:8081")``."""
        return cls(parse_allowed_hosts(",".join(hosts)))

    def listed(self, host: str, port: int) -> bool:
        return any(allowed.matches(host.lower(), port) for allowed in self.allowed)

    def check_url(self, url: str, cloud: Cloud | None = None) -> str:
        """The site URL in its normal form (``normal_site``), ``scheme://host[:port][/path]``,
        if the policy allows it; ``HostRefused`` otherwise. ``cloud``: whose public hosts are
        allowed (Jira Cloud unless told)."""
        cloud = cloud or JIRA_CLOUD
        scheme, host, port, path = normal_site(url, cloud, self)
        if self.listed(host, port):
            return _site(scheme, host, port, path)
        # Who asks may be anyone of any workspace: the operator's list of internal hosts is
        # theirs alone (the log says it), as is the setting that holds it.
        if scheme != "https" or not cloud.matches(host):
            log.info(
                "tracker site %s://%s:%s refused: not https on a %s host, nor one of %s (%s)",
                scheme,
                host,
                port,
                cloud.name,
                HOSTS_VARIABLE,
                ", ".join(sorted(map(str, self.allowed))) or "none",
            )
        refusal = _cloud_refusal(scheme, host, port, path, cloud)
        if refusal is not None:
            raise HostRefused(refusal)
        return f"https://{host}{path}"

    def allows(self, url: str, cloud: Cloud | None = None) -> bool:
        """Whether ``check_url`` takes ``url`` (for ``cloud``, Jira Cloud unless told),
        without its log line: what may be named to whoever asks, or offered to type."""
        cloud = cloud or JIRA_CLOUD
        try:
            scheme, host, port, path = normal_site(url, cloud, self)
        except HostRefused:
            return False
        return self.listed(host, port) or _cloud_refusal(scheme, host, port, path, cloud) is None

    def shown_host(self, url: str) -> str | None:
        """``url``'s ``host[:port]`` (the port when not the scheme's default) if that host
        would pass ``check_url`` as a tracker's site (a public tracker host, or one the
        operator lists); None for any other, which is named to no one (say, where a tracker
        redirects to on an inside network)."""
        try:
            parts = urlsplit(url)
            scheme, host, port, _ = normal_site(f"{parts.scheme}://{parts.netloc}", None, self)
        except (ValueError, HostRefused):
            return None
        if not any(self.allows(_site(scheme, host, port, ""), cloud) for cloud in CLOUDS):
            return None
        return _netloc(host, None if port == _DEFAULT_PORTS[scheme] else port)

    def check_addresses(self, host: str, port: int, addresses: Iterable[str]) -> list[str]:
        """The addresses a connection may use; ``HostRefused`` if an unlisted host resolves
        to a private, loopback or reserved address."""
        found = list(addresses)
        if self.listed(host, port):
            return found
        if not found:
            raise HostRefused(f"{host} does not resolve to any address")
        inward = [a for a in found if not _is_public(a)]
        if inward:
            log.info("tracker host %s refused: it resolves to %s", host, inward[0])
            raise HostRefused(
                f"{host} resolves to a private or local address, which Timebox does not call "
                "unless its operator allows the host"
            )
        return found

    async def check(
        self, url: str, resolve: Resolve | None = None, cloud: Cloud | None = None
    ) -> str:
        """``check_url`` plus a DNS look-up of the host (``check_addresses``)."""
        site = self.check_url(url, cloud)
        parts = urlsplit(site)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if not self.listed(host, port):
            try:
                addresses = await (resolve or _system_resolve)(host, port)
            except OSError as exc:
                raise HostRefused(f"{host} cannot be found (DNS): check the site address") from exc
            self.check_addresses(host, port, addresses)
        return site


def normal_site(
    url: str, cloud: Cloud | None = None, policy: HostPolicy | None = None
) -> tuple[str, str, int, str]:
    """A site URL as typed, in one normal form whatever its spelling: ``(scheme, host, port,
    path)`` with the scheme and host in lower case (an international name in its ASCII form,
    no trailing dot, an IP address in its short form), the port (the scheme's default when
    none is given), and the path with ``.`` and ``..`` resolved, repeated slashes collapsed,
    escapes of plain characters decoded (``%7E`` is ``~``), the others in upper case, and no
    trailing slash. So ``HTTPS://Jira.Example.com.:443//a/./b/../`` is
    ``https://jira.example.com/a`` (``_site``): one site, one spelling, whatever names it.

    ``HostRefused`` for what is no site address (another scheme, no host) or carries more:
    a user name or password, a query or a fragment; the message says what to type instead,
    the address without it if ``policy`` (the cloud hosts alone unless given) allows that
    for ``cloud``, else ``cloud``'s example (Jira Cloud unless told): never a host it
    refuses (``https://acme.atlassian.net@127.0.0.1`` names the host 127.0.0.1)."""
    cloud = cloud or JIRA_CLOUD
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        scheme, host, port = parts.scheme, parts.hostname, parts.port
    except ValueError as exc:
        raise HostRefused(f"{text!r} is not a web address") from exc
    if scheme not in ("https", "http") or not host:
        raise HostRefused(f"{text!r} is not a site address: give it as {cloud.example}")
    host = _normal_host(host)
    port = port if port is not None else _DEFAULT_PORTS[scheme]
    path = _normal_path(parts.path)
    if parts.username is not None or parts.password is not None:
        raise HostRefused(
            "the site address must not contain a user name or password (the form asks for "
            "the credentials on their own)"
            + _instead(_site(scheme, host, port, path), cloud, policy)
        )
    if parts.query or parts.fragment:
        raise HostRefused(
            "the site address must not have a query (?…) or fragment (#…)"
            + _instead(_site(scheme, host, port, path), cloud, policy)
        )
    return scheme, host, port, path


def _instead(bare: str, cloud: Cloud, policy: HostPolicy | None) -> str:
    """What to type instead of a site address with more in it: ``bare`` (it without the
    more) if the policy takes it; else the tracker's example, as ``check_url`` refuses."""
    if (policy or HostPolicy()).allows(bare, cloud):
        return f": type it as {bare}"
    return f": a {cloud.name} site address is {cloud.example}.{_self_hosted(cloud)}"


def _self_hosted(cloud: Cloud) -> str:
    """How a self-hosted tracker gets in, after a refusal that gives the cloud's example."""
    if cloud.self_hosted is None:
        return ""
    return f" For {cloud.self_hosted}, Timebox's operator allows its host first."


def _cloud_refusal(scheme: str, host: str, port: int, path: str, cloud: Cloud) -> str | None:
    """Why a site the operator does not list is refused for ``cloud`` (None: it is not)."""
    if scheme != "https":
        return "the site address must start with https://"
    if not cloud.matches(host):
        return (
            f"{host} is not a {cloud.name} site: the address must be {cloud.example}."
            f"{_self_hosted(cloud)}"
        )
    if port != 443:
        return f"a {cloud.name} site address has no port: {cloud.example}"
    if path not in cloud.paths:
        shape = "without a path" if cloud.paths == ("",) else "as"
        return f"give the site address {shape}: {cloud.example}"
    return None


_DEFAULT_PORTS = {"https": 443, "http": 80}
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"  # RFC 3986's path characters, kept as they are


def _normal_host(host: str) -> str:
    """``urlsplit``'s host (already in lower case) without a trailing dot, an IP address in
    its short form (``0:0::1`` is ``::1``), a name in its ASCII (IDNA) form."""
    name = host.rstrip(".")
    if not name:
        raise HostRefused(f"{host!r} is not a host name")
    try:
        return ipaddress.ip_address(name).compressed
    except ValueError:
        pass
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise HostRefused(f"{host!r} is not a host name") from exc


def _unescape_plain(escape: re.Match[str]) -> str:
    char = chr(int(escape.group(1), 16))
    return char if char in _UNRESERVED else escape.group(0).upper()


def _normal_path(path: str) -> str:
    """The path escaped alike (``_unescape_plain``), dot segments resolved, repeated slashes
    collapsed, no trailing slash ("" for the root)."""
    escaped = _ESCAPE.sub(_unescape_plain, quote(path, safe=_PATH_SAFE))
    return posixpath.normpath(re.sub("/+", "/", f"/{escaped}")).rstrip("/")


def _site(scheme: str, host: str, port: int, path: str) -> str:
    """The normal form's URL: the default port left out."""
    shown = None if port == _DEFAULT_PORTS[scheme] else port
    return f"{scheme}://{_netloc(host, shown)}{path}"


def _netloc(host: str, port: int | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port is None else f"{shown}:{port}"


def _is_cloud_host(host: str) -> bool:
    if not host.endswith(CLOUD_SUFFIX):
        return False
    labels = host[: -len(CLOUD_SUFFIX)].split(".")
    return all(_LABEL.match(label) for label in labels) and labels != [""]


JIRA_CLOUD = Cloud(
    "Jira Cloud",
    "https://<your-site>.atlassian.net",
    _is_cloud_host,
    self_hosted="Jira Data Center",
)
GITHUB_CLOUD = Cloud(
    "GitHub",
    "https://api.github.com",
    lambda host: host == "api.github.com",
    self_hosted="GitHub Enterprise Server (https://<host>/api/v3)",
)
LINEAR_CLOUD = Cloud(
    "Linear",
    "https://api.linear.app/graphql",
    lambda host: host == "api.linear.app",
    paths=("", "/graphql"),
)
CLOUDS = (JIRA_CLOUD, GITHUB_CLOUD, LINEAR_CLOUD)


class GuardedResolver(AbstractResolver):
    """aiohttp resolver that applies ``HostPolicy.check_addresses`` to every connection."""

    def __init__(self, policy: HostPolicy, inner: AbstractResolver | None = None) -> None:
        self.policy = policy
        self._inner = inner or DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed = set(self.policy.check_addresses(host, port, [r["host"] for r in results]))
        return [r for r in results if r["host"] in allowed]

    async def close(self) -> None:
        await self._inner.close()


def guarded_connector(
    policy: HostPolicy, inner: AbstractResolver | None = None
) -> aiohttp.TCPConnector:
    """The connector of every tracker client: each connection passes ``GuardedResolver``,
    with no DNS cache, so an answer that changes is checked again."""
    return aiohttp.TCPConnector(resolver=GuardedResolver(policy, inner), use_dns_cache=False)
