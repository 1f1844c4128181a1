"""People's names for what leaves Slack (exports, and forms that name people): looked up with
users.info and kept for a while per workspace, so a file naming the whole team asks Slack once
an hour per person, not once per export.

A name that cannot be looked up (a deleted user, Slack refusing) stays the user's id, and is
asked again next time.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime.clock import Clock
from bot.usecases.sprints import Names

log = logging.getLogger(__name__)

KEEP = timedelta(hours=1)
KEPT_MAX = 10_000  # names kept across workspaces; beyond, the cache starts again


@dataclass(frozen=True)
class _Known:
    name: str
    at: datetime


_known: dict[tuple[str, str], _Known] = {}


def names(client: AsyncWebClient, clock: Clock, workspace: str) -> Names:
    """A lookup of names by user id in `workspace`, through its client."""

    async def lookup(users: Collection[str]) -> dict[str, str]:
        found = {}
        for user in sorted(set(users)):
            found[user] = await name(client, clock, workspace, user)
        return found

    return lookup


async def name(client: AsyncWebClient, clock: Clock, workspace: str, user: str) -> str:
    """The person's full name (else their display name, else their handle)."""
    now, key = clock.now(), (workspace, user)
    known = _known.get(key)
    if known is not None and abs(now - known.at) <= KEEP:
        return known.name
    try:
        profile = (await client.users_info(user=user))["user"]
    except SlackApiError as error:
        log.warning("no name for %s in %s: %s", user, workspace, error.response.get("error"))
        return user
    found = (
        profile.get("real_name")
        or (profile.get("profile") or {}).get("display_name")
        or profile.get("name")
        or user
    )
    if len(_known) >= KEPT_MAX:
        _known.clear()
    _known[key] = _Known(found, now)
    return found
