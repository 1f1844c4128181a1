"""Slack's chat.* and reactions.* methods, a mixin on the workspace: post a message or an
ephemeral, update and delete the bot's messages, link to one (chat.getPermalink), and add or
remove the bot's reactions; all act on the messages ``SlackWorkspace`` stores.
"""

from __future__ import annotations

from typing import Any

from bot.emulator.slack_records import SlackFailure, fill_ids
from bot.emulator.slack_workspace import SlackWorkspace


class SlackChat(SlackWorkspace):
    """chat.postMessage, chat.postEphemeral, chat.update, chat.delete, chat.getPermalink,
    reactions.add and reactions.remove."""

    # -- chat ----------------------------------------------------------------------------

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        self._check_message("chat.postMessage", args)
        message = self._bot_message(
            channel.id,
            args.get("text") or "",
            args.get("blocks"),
            thread_ts=args.get("thread_ts"),
            attachments=args.get("attachments"),
            metadata=args.get("metadata"),
        )
        return {"channel": channel.id, "ts": message.ts, "message": message.to_slack()}

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        user = args.get("user")
        if not isinstance(user, str) or user not in self.users:
            raise SlackFailure("user_not_found")
        if channel.members and user not in channel.members:
            raise SlackFailure("user_not_in_channel")
        self._check_message("chat.postEphemeral", args)
        ephemeral = self._post_ephemeral(
            channel.id,
            user,
            args.get("text") or "",
            args.get("blocks"),
            "api",
            args.get("thread_ts"),
        )
        return {"message_ts": ephemeral.ts}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._live_message(channel, args.get("ts"))
        if message.user != self.bot_user_id:
            raise SlackFailure("cant_update_message")
        # Slack keeps the previous text/blocks when a field is left out.
        text = args["text"] if args.get("text") is not None else message.text
        blocks = args["blocks"] if args.get("blocks") is not None else message.blocks
        self._check_message(
            "chat.update", {"text": text, "blocks": blocks, "attachments": args.get("attachments")}
        )
        message.text = text or ""
        message.blocks = fill_ids(list(blocks or []), f"{message.ts}:{message.edits + 1}")
        if args.get("attachments") is not None:
            message.attachments = list(args["attachments"])
        message.edits += 1
        message.edited_ts = self.next_ts()
        self._notify("message", message)
        return {
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": message.to_slack(),
        }

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._live_message(channel, args.get("ts"))
        if message.user != self.bot_user_id:
            raise SlackFailure("cant_delete_message")
        message.deleted = True
        self._notify("message", message)
        return {"channel": channel.id, "ts": message.ts}

    def _chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._live_message(channel, args.get("message_ts"))
        base = self.permalink_base or f"https://{self.team_domain}.slack.com"
        link = f"{base}/archives/{channel.id}/p{message.ts.replace('.', '')}"
        if message.is_reply:
            link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    # -- reactions -----------------------------------------------------------------------

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._live_message(self._channel(args.get("channel")), args.get("timestamp"))
        name = str(args.get("name") or "").strip(":")
        if not name:
            raise SlackFailure("invalid_name")
        users = message.reactions.setdefault(name, [])
        if self.bot_user_id in users:
            raise SlackFailure("already_reacted")
        users.append(self.bot_user_id)
        self._notify("message", message)
        return {}

    def _reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._live_message(self._channel(args.get("channel")), args.get("timestamp"))
        name = str(args.get("name") or "").strip(":")
        users = message.reactions.get(name, [])
        if self.bot_user_id not in users:
            raise SlackFailure("no_reaction")
        users.remove(self.bot_user_id)
        if not users:
            del message.reactions[name]
        self._notify("message", message)
        return {}
