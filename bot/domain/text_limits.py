"""How long the text a person types may be, and the one refusal of text over its limit.

Text typed for a title, a goal, an action item or a task is kept whole or refused: never cut
short without a word, which would store something the person did not write and tell them it
was saved. The refusal names the limit and the length typed (both as people write numbers,
`1,000`), so they know how much to take out. Text the bot writes itself, or shortens only to
show it, is cut where it is shown (handlers/render.py `fit`), not here. Each limit is kept
by the rule it belongs to (`backlog.TITLE_MAX`, `sprints.GOAL_MAX`...).
"""

from __future__ import annotations

from bot.domain.errors import UserError


class TooLong(UserError):
    """Text over its limit, refused: `limit` and `length` in characters, as it would be kept
    (spaces run together)."""

    def __init__(self, what: str, limit: int, length: int) -> None:
        super().__init__(f"{what} can be {limit:,} characters at most; this one has {length:,}.")
        self.limit = limit
        self.length = length


def within(text: str, limit: int, what: str) -> str:
    """`text` as it is if it has at most `limit` characters; else refused (TooLong), naming
    `what` it is (`Titles`, `An action item`), the limit and its length."""
    if len(text) > limit:
        raise TooLong(what, limit, len(text))
    return text
