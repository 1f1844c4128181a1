"""What one person sees in the sandbox, as JSON for the page.

Slack shows each person a different screen: their own ephemeral messages, their own modal
and Home tab, their own DM with the bot. The page asks for the screen of whoever it is
showing, so switching users is just asking again with another user id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.emulator.server import Ephemeral, Message, SlackEmulator, View
from bot.emulator.slack_records import ts_key


@dataclass
class Notice:
    """A line from Slack itself (not the bot), such as a command that could not be delivered."""

    ts: str
    channel: str
    user: str
    text: str


def _files(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Files with an address on the sandbox page (Slack's own needs the bot token)."""
    return [
        {
            "id": f["id"],
            "name": f.get("name", ""),
            "title": f.get("title", ""),
            "mimetype": f.get("mimetype", ""),
            "filetype": f.get("filetype", ""),
            "size": f.get("size", 0),
            "url": f"/files/{f['id']}/{f.get('name', 'file')}",
        }
        for f in files
    ]


def _message(message: Message) -> dict[str, Any]:
    out = message.to_slack()
    out.update(
        kind="message",
        channel=message.channel,
        files=_files(message.files),
        is_bot=bool(message.bot_id),
    )
    return out


def _ephemeral(ephemeral: Ephemeral, bot_user: str) -> dict[str, Any]:
    out = ephemeral.to_slack()
    out.update(kind="ephemeral", channel=ephemeral.channel, is_bot=True, user=bot_user)
    return out


def _notice(notice: Notice) -> dict[str, Any]:
    return {
        "kind": "notice",
        "ts": notice.ts,
        "channel": notice.channel,
        "text": notice.text,
        "user": "USLACKBOT",
        "is_bot": True,
    }


def conversation(
    em: SlackEmulator, channel_id: str, user: str, notices: list[Notice]
) -> list[dict[str, Any]]:
    """The top-level messages of a conversation as ``user`` sees them, oldest first; each
    carries its thread's ``replies`` (their own ephemerals in the thread included)."""
    shown: list[dict[str, Any]] = []
    threads: dict[str, list[dict[str, Any]]] = {}
    for message in em.messages(channel_id):
        if message.deleted:
            continue
        entry = _message(message)
        if message.is_reply:
            threads.setdefault(str(message.thread_ts), []).append(entry)
        else:
            shown.append(entry)
    private = [
        _ephemeral(e, em.bot_user_id) for e in em.ephemerals(channel_id, user) if not e.deleted
    ]
    private += [_notice(n) for n in notices if n.channel == channel_id and n.user == user]
    for entry in private:
        parent = entry.get("thread_ts")
        if parent and parent != entry["ts"]:
            threads.setdefault(str(parent), []).append(entry)
        else:
            shown.append(entry)
    for entry in shown:
        replies = sorted(threads.get(entry["ts"], []), key=lambda r: ts_key(r["ts"]))
        entry["replies"] = replies
    return sorted(shown, key=lambda m: ts_key(m["ts"]))


def _view(view: View | None) -> dict[str, Any] | None:
    if view is None:
        return None
    return {
        "id": view.id,
        "hash": view.hash,
        "view": view.view,
        "errors": view.errors or {},
        "has_previous": bool(view.previous_view_id),
    }


def screen(
    em: SlackEmulator,
    user: str,
    channels: list[str],
    notices: list[Notice],
) -> dict[str, Any]:
    """Everything ``user`` can see: the channels, their DM with the bot, their top modal and
    their Home tab."""
    dm = em.dm_channel(user)
    conversations = []
    for channel_id in [*channels, dm]:
        channel = em.channels[channel_id]
        conversations.append(
            {
                "id": channel.id,
                "name": channel.name,
                "is_im": channel.is_im,
                "topic": channel.topic,
                "members": len(channel.members),
                "messages": conversation(em, channel.id, user, notices),
            }
        )
    home = em.home_view(user)
    return {
        "user": user,
        "dm": dm,
        "conversations": conversations,
        "modal": _view(em.open_view(user)),
        "modal_depth": len(em.view_stack(user)),
        "home": _view(home),
    }
