"""Slack's methods about who and where, a mixin on the workspace: conversations.* (open a DM
or group DM, info, members, list, history, replies), users.info and users.list (each member's
time zone as of ``now()``), usergroups.*, team.info, auth.test (who a token is) and
apps.connections.open (a Socket Mode URL).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.emulator.slack_records import Channel, SlackFailure, cursor_page, slack_bool, ts_key
from bot.emulator.slack_workspace import SlackWorkspace

_TZ_NAMES = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Time",
    "EEST": "Eastern European Summer Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "IST": "India Standard Time",
    "JST": "Japan Standard Time",
}


class SlackConversations(SlackWorkspace):
    """conversations.*, users.*, usergroups.*, team.info, auth.test and
    apps.connections.open."""

    usergroups: dict[str, dict[str, Any]]

    # -- conversations, users, groups ----------------------------------------------------

    def user(self, user_id: str) -> dict[str, Any]:
        """The users.info ``user`` object, with ``tz_label``/``tz_offset`` as of ``now()``."""
        user = copy.deepcopy(self.users[user_id])
        try:
            zone = ZoneInfo(user["tz"])
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        local = datetime.fromtimestamp(self.epoch(), UTC).astimezone(zone)
        offset = local.utcoffset()
        abbreviation = local.tzname() or "UTC"
        user["tz_offset"] = int(offset.total_seconds()) if offset else 0
        user["tz_label"] = _TZ_NAMES.get(abbreviation, abbreviation)
        return user

    def _auth_test(self, args: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        """Who the token is: the bot, in the workspace the token was issued for."""
        team = self.workspaces[self._token_teams.get(token or "", self.team_id)]
        return {
            "url": f"https://{team['domain']}.slack.com/",
            "team": team["name"],
            "user": self.bot_name,
            "team_id": team["id"],
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """A WebSocket URL for Socket Mode (the app-level token was checked in _dispatch)."""
        return {"url": self.socket_mode.open_url(self.app_token)}

    def _team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "domain": self.team_domain,
                "email_domain": "",
                "icon": {"image_default": True},
            }
        }

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            channel = self._channel(args["channel"])
        else:
            users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
            if not users:
                raise SlackFailure("users_list_not_supplied")
            if len(users) > 8:
                raise SlackFailure("too_many_users")
            existed = frozenset(u for u in users if u != self.bot_user_id) in self._ims
            channel = self._im_with(users)
            if not slack_bool(args.get("return_im")):
                out: dict[str, Any] = {"channel": {"id": channel.id}}
                if existed:
                    out.update(no_op=True, already_open=True)
                return out
        return {"channel": channel.to_slack()}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": self._channel(args.get("channel")).to_slack()}

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        page, cursor = cursor_page(channel.members, args)
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        types = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}

        def kind(c: Channel) -> str:
            if c.is_im:
                return "im"
            if c.is_mpim:
                return "mpim"
            return "private_channel" if c.is_private else "public_channel"

        channels = [
            c.to_slack()
            for c in self.channels.values()
            if kind(c) in types and not (slack_bool(args.get("exclude_archived")) and c.is_archived)
        ]
        page, cursor = cursor_page(channels, args)
        return {"channels": page, "response_metadata": {"next_cursor": cursor}}

    def _conversation(self, ref: Any) -> Channel:
        """A conversation by id, as conversations.history and .replies take it: a user id
        names no conversation there (channel_not_found); conversations.open gives its DM's."""
        if isinstance(ref, str) and ref[:1] in ("U", "W") and ref not in self.channels:
            raise SlackFailure("channel_not_found")
        return self._channel(ref)

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args.get("channel"))
        latest, oldest = args.get("latest"), args.get("oldest")
        top = [
            m
            for m in reversed(self._messages.get(channel.id, []))
            if not m.deleted
            and not m.is_reply
            and (not latest or ts_key(m.ts) <= ts_key(str(latest)))
            and (not oldest or ts_key(m.ts) >= ts_key(str(oldest)))
        ]
        page, cursor = cursor_page(top, args)
        return {
            "messages": [m.to_slack() for m in page],
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(args.get("channel"))
        parent = self._live_message(channel, args.get("ts"))
        if parent.is_reply:
            parent = self._live_message(channel, parent.thread_ts)
        thread = [parent, *[r for r in parent.replies if not r.deleted]]
        page, cursor = cursor_page(thread, args, default_limit=1000)
        return {
            "messages": [m.to_slack() for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = args.get("user")
        if not isinstance(user, str) or user not in self.users:
            raise SlackFailure("user_not_found")
        return {"user": self.user(user)}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        page, cursor = cursor_page([self.user(u) for u in self.users], args, default_limit=1000)
        return {
            "members": page,
            "cache_ts": int(self.epoch()),
            "response_metadata": {"next_cursor": cursor},
        }

    def _usergroups_list(self, args: dict[str, Any]) -> dict[str, Any]:
        groups = []
        for group in self.usergroups.values():
            out = copy.deepcopy(group)
            if not slack_bool(args.get("include_users")):
                out.pop("users")
            groups.append(out)
        return {"usergroups": groups}

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self.usergroups.get(str(args.get("usergroup")))
        if group is None:
            raise SlackFailure("no_such_subteam")
        return {"users": list(group["users"])}
