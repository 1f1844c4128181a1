"""What every form submission needs: its fields, their text, and an error shown under one."""

from __future__ import annotations

from typing import Any

from bot.domain.errors import UserError


def fields(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{block_id: the input's state} for a submitted modal."""
    values = body["view"]["state"]["values"]
    return {block_id: next(iter(actions.values()), {}) for block_id, actions in values.items()}


def text(state: dict[str, dict[str, Any]], block: str) -> str:
    return (state.get(block, {}).get("value") or "").strip()


class FieldError(UserError):
    """A mistake shown under the form field (block) it belongs to."""

    def __init__(self, block: str, message: str) -> None:
        super().__init__(message)
        self.block = block
