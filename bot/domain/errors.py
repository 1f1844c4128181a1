"""Errors a user caused and can fix: the app's error handler shows them as guidance, not apology."""

from bot.domain.typed import as_typed


class UserError(Exception):
    """Something the user asked cannot be done; the message says what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(UserError):
    """A command was typed wrong; the message names the problem and the right usage. What the
    problem quotes of the command's text is shown as typed (bot/domain/typed.py)."""

    def __init__(self, problem: str, usage: str) -> None:
        problem = as_typed(problem)
        super().__init__(f"{problem}\nUsage: `{usage}`")
        self.problem = problem
        self.usage = usage


class NotAllowed(UserError):
    """The user's Scrum role does not include this action; `holders` are who may do it."""

    def __init__(self, message: str, holders: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.holders = holders
