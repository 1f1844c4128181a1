"""What a client's ``check()`` finds, in plain words, alike for every tracker: the credential
refused, the board (team, repository) out of reach, or what the board lacks for Timebox.

``BoardCheck`` is the ``check()`` of a client that signs in and then opens its board (Jira,
Linear): each says only how it opens the board, what to advise when the account cannot, and
what a board must have (``lacking``: a table of rows, one a problem). GitHub signs in and opens
the repository with one call, so it words the failure itself (``account_problem``,
``access_problem``).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from bot.domain.trackers import TrackerError, TrackerErrorKind, TrackerProblem

Account = TypeVar("Account")
Board = TypeVar("Board")


def account_problem(error: TrackerError) -> list[TrackerProblem]:
    """What ``check()`` says when signing in failed: the credential refused (``bad_token``),
    the host refused (``refused_host``), else the tracker unreachable."""
    code = {
        TrackerErrorKind.AUTH: "bad_token",
        TrackerErrorKind.REFUSED_HOST: "refused_host",
    }.get(error.kind, "unreachable")
    return [TrackerProblem(code, error.message)]


def access_problem(
    error: TrackerError, advice: str, code: str = "no_board_access"
) -> list[TrackerProblem]:
    """What ``check()`` says when opening the board (team, repository; a GitHub project:
    `code`) failed: no access, with ``advice`` on how to get it, else the tracker
    unreachable."""
    if error.kind in (TrackerErrorKind.NOT_FOUND, TrackerErrorKind.FORBIDDEN):
        return [TrackerProblem(code, advice)]
    return [TrackerProblem("unreachable", error.message)]


def lacking(*rows: tuple[bool, str, str]) -> list[TrackerProblem]:
    """What a board lacks for Timebox, from a table of rows (it lacks this, the problem's
    code, what to do about it): a problem for each row that holds, in the table's order."""
    return [TrackerProblem(code, advice) for lacks, code, advice in rows if lacks]


class BoardCheck(Generic[Account, Board]):
    """``check()`` of a client that signs in (``account``), then opens its board (``_open``):
    a failure of either in plain words (``_no_access``: the advice for the account signed
    in), else what the board lacks for Timebox (``_lacks``)."""

    async def account(self, *, refresh: bool = False) -> Account:
        """Who the credential signs in as (asked again when ``refresh``)."""
        raise NotImplementedError

    async def _open(self) -> Board:
        """The board (team) as the tracker has it now."""
        raise NotImplementedError

    def _no_access(self, account: Account) -> str:
        """What to do when `account` cannot open the board."""
        raise NotImplementedError

    def _lacks(self, board: Board) -> list[TrackerProblem]:
        """What the board lacks for Timebox (``lacking``); nothing: ready to sync."""
        raise NotImplementedError

    async def check(self) -> list[TrackerProblem]:
        """The credential, access to the board and what the board lacks, in plain words; an
        empty list means ready to sync."""
        try:
            signed_in = await self.account(refresh=True)
        except TrackerError as error:
            return account_problem(error)
        try:
            opened = await self._open()
        except TrackerError as error:
            return access_problem(error, self._no_access(signed_in))
        return self._lacks(opened)
