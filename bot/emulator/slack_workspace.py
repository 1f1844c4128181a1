"""The workspace every Web API method family works on. ``SlackWorkspace`` declares the state
the families share (the team and its bot, members, conversations and their messages,
ephemerals, tokens) and holds what they all use: fresh ts and ids, telling listeners of a
change, resolving a conversation, recording what Slack would refuse, storing messages and
ephemerals. ``SlackEmulator`` (server.py) builds that state; each family (``slack_chat``,
``slack_conversations``, ``slack_views``...) is a mixin on this base.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any, Literal

from bot.emulator.blockcheck import Problem, message_problems, view_problems
from bot.emulator.http import LocalServer
from bot.emulator.slack_records import ApiCall, Channel, Ephemeral, Message, SlackFailure, fill_ids
from bot.emulator.socket_mode import SocketMode

Listener = Callable[[str, Any], None]
"""Told ``(kind, obj)`` whenever the workspace changes (for the sandbox's live page)."""


class SlackWorkspace(LocalServer[ApiCall]):
    """The state the Web API method families share, and the helpers they all use.

    Only declared here: ``SlackEmulator.__init__`` sets every attribute.
    """

    team_id: str
    team_domain: str
    team_name: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    bot_name: str
    app_id: str
    app_token: str
    validate: bool
    permalink_base: str | None
    problems: list[str]
    users: dict[str, dict[str, Any]]
    channels: dict[str, Channel]
    listeners: list[Listener]
    socket_mode: SocketMode
    workspaces: dict[str, dict[str, str]]
    _tokens: dict[str, str]
    _token_teams: dict[str, str]
    _messages: dict[str, list[Message]]
    _ephemerals: list[Ephemeral]
    _ims: dict[frozenset[str], str]
    _counter: int
    _last_micros: int

    # -- time and ids --------------------------------------------------------------------

    def next_ts(self) -> str:
        """A fresh Slack ts from ``now()``: unique and strictly increasing even if time stands."""
        micros = max(round(self.epoch() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_number(self) -> int:
        self._counter += 1
        return self._counter

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-style id such as ``V000000001A`` (deterministic per emulator)."""
        number, digits = self._next_number(), ""
        alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        while number:
            number, rest = divmod(number, 36)
            digits = alphabet[rest] + digits
        return prefix + digits.rjust(10, "0")

    def _new_hash(self) -> str:
        seed = hashlib.sha1(f"hash:{self._next_number()}".encode()).hexdigest()
        return f"{int(self.epoch())}.{seed[:8]}"

    def _notify(self, kind: str, obj: Any) -> None:
        for listener in list(self.listeners):
            listener(kind, obj)

    # -- conversations -------------------------------------------------------------------

    def _im_with(self, users: list[str]) -> Channel:
        others = [u for u in users if u != self.bot_user_id] or [self.bot_user_id]
        key = frozenset(others)
        if key in self._ims:
            return self.channels[self._ims[key]]
        for u in others:
            if u not in self.users:
                raise SlackFailure("user_not_found")
        if len(others) == 1:
            channel = Channel(
                self.new_id("D"),
                others[0],
                [others[0], self.bot_user_id],
                is_im=True,
                user=others[0],
                created=int(self.epoch()),
            )
        else:
            names = "-".join(self.users[u]["name"] for u in sorted(others))
            channel = Channel(
                self.new_id("G"),
                f"mpdm-{names}-1",
                [*sorted(others), self.bot_user_id],
                is_mpim=True,
                created=int(self.epoch()),
            )
        self._ims[key] = channel.id
        self.channels[channel.id] = channel
        self._messages.setdefault(channel.id, [])
        return channel

    def _channel(self, ref: Any) -> Channel:
        """Resolve a channel id, a user id (the bot's DM with them) or a channel name."""
        if not isinstance(ref, str) or not ref:
            raise SlackFailure("channel_not_found")
        if ref in self.channels:
            return self.channels[ref]
        if ref[0] in "UW" and ref in self.users:
            return self._im_with([ref])
        name = ref.lstrip("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        raise SlackFailure("channel_not_found")

    def channel_id(self, ref: str) -> str:
        """The conversation id for a channel id, user id (DM) or name; KeyError if unknown."""
        try:
            return self._channel(ref).id
        except SlackFailure as exc:
            raise KeyError(ref) from exc

    # -- problems ------------------------------------------------------------------------

    def _record(self, where: str, problems: list[Problem]) -> list[Problem]:
        """Add problems to ``self.problems``; return the errors (warnings only recorded)."""
        self.problems.extend(f"{where}: {p}" for p in problems)
        return [p for p in problems if not p.is_warning]

    def report_problem(self, where: str, problem: str) -> None:
        """Record something the bot did that Slack would not accept (used by the driver)."""
        self.problems.append(f"{where}: {problem}")

    def _check_message(self, where: str, payload: Mapping[str, Any], *, status: int = 200) -> None:
        errors = self._record(where, message_problems(payload))
        if not errors or not self.validate:
            return
        texts = [str(p) for p in errors]
        if any(p.pointer.startswith("/blocks") for p in errors):
            raise SlackFailure(
                "invalid_blocks",
                status=status,
                errors=texts,
                response_metadata={"messages": [f"[ERROR] {t}" for t in texts]},
            )
        if any(p.pointer == "/text" for p in errors):
            raise SlackFailure("msg_too_long", status=status)
        raise SlackFailure("no_text", status=status)

    def _check_view(self, where: str, view: Any) -> None:
        errors = self._record(where, view_problems(view))
        if errors and self.validate:
            raise SlackFailure(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] {p}" for p in errors]},
            )

    # -- messages ------------------------------------------------------------------------

    def _store(self, message: Message) -> Message:
        messages = self._messages.setdefault(message.channel, [])
        if message.thread_ts and message.thread_ts != message.ts:
            parent = next((m for m in messages if m.ts == message.thread_ts), None)
            if parent is None:
                self.report_problem(
                    "thread", f"thread_ts {message.thread_ts} is not a message in {message.channel}"
                )
            elif parent.is_reply:
                self.report_problem("thread", f"thread_ts {message.thread_ts} is itself a reply")
            else:
                parent.replies.append(message)
        messages.append(message)
        self._notify("message", message)
        return message

    def _bot_message(
        self,
        channel: str,
        text: str,
        blocks: Any,
        *,
        thread_ts: Any = None,
        files: list[dict[str, Any]] | None = None,
        attachments: Any = None,
        metadata: Any = None,
    ) -> Message:
        ts = self.next_ts()
        return self._store(
            Message(
                ts=ts,
                channel=channel,
                user=self.bot_user_id,
                text=text or "",
                blocks=fill_ids(list(blocks or []), ts),
                thread_ts=str(thread_ts) if thread_ts else None,
                files=files or [],
                attachments=list(attachments or []),
                bot_id=self.bot_id,
                app_id=self.app_id,
                team=self.team_id,
                metadata=metadata if isinstance(metadata, dict) else None,
            )
        )

    def _post_ephemeral(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: Any,
        source: Literal["api", "response_url", "ack"],
        thread_ts: Any = None,
    ) -> Ephemeral:
        ts = self.next_ts()
        ephemeral = Ephemeral(
            ts=ts,
            channel=channel,
            user=user,
            text=text or "",
            blocks=fill_ids(list(blocks or []), ts),
            source=source,
            thread_ts=str(thread_ts) if thread_ts else None,
        )
        self._ephemerals.append(ephemeral)
        self._notify("ephemeral", ephemeral)
        return ephemeral

    def _live_message(self, channel: Channel, ts: Any) -> Message:
        for message in self._messages.get(channel.id, []):
            if message.ts == ts and not message.deleted:
                return message
        raise SlackFailure("message_not_found")
