"""Reading back what the bot put in a button's value, a select's options or a modal's metadata.

Slack returns them as the bot wrote them, but the message may come from an older version of
Timebox, be a replay, or point at something since gone. Whatever cannot be read is the user's
cue to start again, so it raises `Stale` (a UserError: guidance), never a KeyError or
ValueError that would reach them as the apology for a bug of ours.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.domain.errors import UserError

STALE = (
    "That button or form is out of date, so I cannot tell what it was for. "
    "Run the command again to get a fresh one."
)


class Stale(UserError):
    def __init__(self) -> None:
        super().__init__(STALE)


_INT = re.compile(r"-?\d{1,12}")


def as_int(value: Any) -> int:
    """A whole number the bot wrote (as int or text), within what the database can hold."""
    if isinstance(value, bool):
        raise Stale()
    if isinstance(value, int) and abs(value) < 10**12:
        return value
    if isinstance(value, str) and _INT.fullmatch(value.strip()):
        return int(value)
    raise Stale()


def as_text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise Stale()
    return value


def action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    return actions[0] if isinstance(actions[0], dict) else {}


def action_id(body: dict[str, Any]) -> str:
    """Which button or menu was used ("" when the payload names none)."""
    return str(action(body).get("action_id") or "")


def value(body: dict[str, Any]) -> str:
    """The clicked button's value, or the chosen option's."""
    clicked = action(body)
    chosen = clicked.get("selected_option") or {}
    raw = clicked.get("value") or (chosen.get("value") if isinstance(chosen, dict) else None)
    return raw if isinstance(raw, str) else ""


def number(body: dict[str, Any]) -> int:
    """A value that is an item, page or record number."""
    return as_int(value(body))


def numbers(body: dict[str, Any], count: int) -> list[int]:
    """A value like `12:3` (meeting, section) with at least `count` numbers; extra parts ignored."""
    parts = value(body).split(":")
    if len(parts) < count:
        raise Stale()
    return [as_int(part) for part in parts[:count]]


def parts(body: dict[str, Any], count: int) -> list[str]:
    """A value of exactly `count` non-empty parts separated by colons (the last may hold more)."""
    found = value(body).split(":", count - 1)
    if len(found) != count or not all(found):
        raise Stale()
    return found


def decoded(body: dict[str, Any]) -> Metadata:
    """A value holding a JSON object (as poker buttons and readiness fixes do)."""
    try:
        data = json.loads(value(body) or "{}")
    except ValueError:
        raise Stale() from None
    if not isinstance(data, dict):
        raise Stale()
    return Metadata(data)


# Keys the bot writes into values and modal metadata, and what each must be.
_NUMBERS = {"number", "meeting", "sprint", "round", "r", "n"}
_TEXTS = {"channel", "kind", "response_url", "c", "f"}


class Metadata(dict[str, Any]):
    """A decoded value or private_metadata; `meta[key]` checks the key is there and what the bot
    writes for it (`.get` does not check, for the keys that may be absent)."""

    def __getitem__(self, key: str) -> Any:
        if key not in self:
            raise Stale()
        found = super().__getitem__(key)
        if key in _NUMBERS:
            return as_int(found)
        if key in _TEXTS:
            return as_text(found)
        return found
