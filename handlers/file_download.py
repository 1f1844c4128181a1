"""A shared file's bytes, fetched from Slack's own hosts only: the address files.info gives
and every redirect on the way are checked before they are asked, so neither the bot token nor
any request leaves Slack (no reaching into the operator's network), and the size is bounded
while it is read."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin, urlsplit

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import UserError
from bot.usecases import files


class TooBig(UserError):
    """A file over its kind's limit: not read, and the sharer is told the limit."""


MAX_REDIRECTS = 5
"""Redirects a download follows, each within Slack's hosts (see `fetch`): more is a loop."""

REDIRECTS = frozenset({301, 302, 303, 307, 308})
"""The answers whose Location a download follows (as aiohttp would)."""

DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60, sock_read=20)
"""A file of at most 2 MB from Slack's file host: a stalled download ends, not the listener."""


class OffSlack(Exception):
    """A download address off Slack's own hosts, given by files.info or by a redirect on the
    way: never asked, so the bot token (or any request) goes nowhere else."""

    def __init__(self, url: str, redirected_from: str = "") -> None:
        host = repr(urlsplit(url).netloc)
        if not redirected_from:
            super().__init__(f"a file's download address is not Slack's: {host}")
        else:
            origin = repr(urlsplit(redirected_from).netloc)
            super().__init__(
                f"a file's download at {origin} redirected to a host not Slack's: {host}"
            )


def slack_hosted(url: str, api_url: str) -> bool:
    """Whether `url` is on Slack's own host: the Web API's, or one below its domain
    (files.slack.com beside slack.com), over the same scheme. The bot token goes nowhere else."""
    try:
        file, api = urlsplit(url), urlsplit(api_url)
        if file.scheme != api.scheme or not file.hostname or not api.hostname:
            return False
        if file.netloc == api.netloc:
            return True
        ports = file.port, api.port
    except ValueError:  # no address at all ("https://[::1", a port past 65535)
        return False
    return ports == (None, None) and file.hostname.endswith(f".{api.hostname}")


async def fetch(url: str, client: AsyncWebClient, shared: files.SharedFile) -> bytes:
    """The file's bytes (their encoding is the reader's to find). Redirects are followed here,
    not by aiohttp (which follows them to any host): each address is checked to be Slack's
    before it is asked, so no request, with the token or without, leaves Slack's hosts."""
    headers = {"Authorization": f"Bearer {client.token}"}
    came_from = ""
    async with aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session:
        for _ in range(MAX_REDIRECTS + 1):
            if not slack_hosted(url, client.base_url):
                raise OffSlack(url, came_from)
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                location = response.headers.get("Location")
                if response.status < 300:
                    return await _read(response, shared)
                if response.status not in REDIRECTS or not location:  # no file, nothing to follow
                    raise aiohttp.ClientResponseError(
                        response.request_info, (), status=response.status
                    )
            came_from, url = url, urljoin(url, location)
    raise aiohttp.TooManyRedirects(response.request_info, (), status=response.status)


async def _read(response: aiohttp.ClientResponse, shared: files.SharedFile) -> bytes:
    """The answer's body; one longer than the file's kind's limit (whatever files.info said)
    stops the download."""
    data = bytearray()
    async for chunk in response.content.iter_chunked(1 << 16):
        data += chunk
        if len(data) > shared.limit:
            raise TooBig(replace(shared, size=len(data)).too_big() or "")
    return bytes(data)
