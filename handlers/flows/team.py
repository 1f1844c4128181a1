"""What the poker listeners (handlers/commands/poker.py) import from here; the rest of the
handlers take both from handlers/asked.py, where they live now."""

from __future__ import annotations

from collections.abc import Sequence

from handlers.asked import Asked

__all__ = ["Asked", "tell_new_po"]


async def tell_new_po(asked: Asked, notices: Sequence[str]) -> bool:
    """The same as `asked.tell(notices)`."""
    return await asked.tell(notices)
