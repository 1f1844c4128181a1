"""What Timebox needs from an issue tracker (Jira, GitHub, Linear), as plain data.

No Slack, no SQL and no HTTP here: a tracker is a ``Tracker`` (a ``typing.Protocol``) that reads
a board's backlog in rank order and what changed since a point, and writes fields, ranks,
issues and sprints back. Everything it returns is a frozen dataclass; every failure is a
``TrackerError`` whose message is a sentence a Product Owner can act on.

Paging is explicit (``backlog_page``/``changes_page`` take and return an opaque cursor) so the
sync engine can checkpoint between pages; ``iter_backlog``/``iter_changes`` walk all pages.
A client that reads many issues by key in one call says so by being a ``ReadsIssues`` too
(Jira); ``issues_by_key`` asks any other for each issue alone, and ``issues_asked`` says of
each key asked which issue it names now, if any.

The clients (``bot.trackers.jira``, ``github``, ``linear``) and their credentials
(``bot.trackers.base``) live outside the layers; the sync engine's use cases
(``bot.usecases.tracker``, ``tracker_pull``, ``tracker_push``) and rules
(``bot.domain.tracker_sync``) know trackers through this module only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

# -- errors --------------------------------------------------------------------------------


class TrackerErrorKind(StrEnum):
    AUTH = "auth"  # the credentials were refused
    FORBIDDEN = "forbidden"  # signed in, but not allowed to do this
    NOT_FOUND = "not_found"  # no such board/issue/sprint, or not visible to the account
    INVALID = "invalid"  # the tracker refused the request as it was (400, 207)
    RATE_LIMITED = "rate_limited"  # still rate limited after waiting as told
    UNAVAILABLE = "unavailable"  # 5xx or no connection, after retries
    TIMEOUT = "timeout"  # no answer in time, after retries
    REFUSED_HOST = "refused_host"  # the site URL is not one Timebox may call
    CONFIG = "config"  # the board is not set up as Timebox needs


_RETRYABLE = {TrackerErrorKind.RATE_LIMITED, TrackerErrorKind.UNAVAILABLE, TrackerErrorKind.TIMEOUT}


class TrackerError(Exception):
    """A tracker call failed; ``str(error)`` is plain words for the channel.

    ``retryable``: worth trying again later (the outbox should reschedule, not give up).
    ``maybe_applied``: a write that may have happened although no answer came back (a create
    that timed out): look before doing it again.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: TrackerErrorKind,
        status: int | None = None,
        retry_after: float | None = None,
        maybe_applied: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.maybe_applied = maybe_applied

    @property
    def retryable(self) -> bool:
        return self.kind in _RETRYABLE

    def __repr__(self) -> str:
        return f"TrackerError({self.kind.value}, status={self.status}, {self.message!r})"


# -- records -------------------------------------------------------------------------------


class StatusCategory(StrEnum):
    """Jira's three status categories (``statusCategory.key``), which every tracker maps to."""

    TODO = "new"
    IN_PROGRESS = "indeterminate"
    DONE = "done"


@dataclass(frozen=True)
class TrackerUser:
    id: str  # Jira accountId
    name: str
    email: str | None = None


@dataclass(frozen=True)
class TrackerIssue:
    """One issue as Timebox keeps it; text fields are plain text (Jira's ADF converted)."""

    key: str
    url: str
    summary: str
    description: str
    acceptance_criteria: tuple[str, ...]
    estimate: float | None
    issue_type: str
    status_category: StatusCategory
    status: str
    assignee: TrackerUser | None
    epic: str | None  # the key of the parent epic
    labels: tuple[str, ...]
    blocked_by: tuple[str, ...]  # keys of the issues that block this one
    updated: datetime  # aware, UTC
    id: str = ""  # the tracker's own id (stable across key changes when moved)
    # The tracker's ordering token (Jira: the Rank field's LexoRank), compared for change only:
    # a new value means the issue was reordered. "" when the tracker has none.
    rank: str = ""
    # The sprint the issue is planned in, by name: an open sprint in Jira, an iteration not
    # yet completed in a GitHub project (a plain repository: an open milestone), a cycle in
    # Linear. None when it is in none. A planned issue is the team's sprint work: the board's
    # backlog (what ``backlog_page`` reads) leaves it out.
    sprint: str | None = None
    # That sprint's id in the tracker (``TrackerSprint.id``): whether it is the one Timebox
    # made for its running sprint (the sprint link's ``remote_id``).
    sprint_id: str | None = None
    # Closed without being done (DONE category all the same): GitHub's "not planned" (or
    # duplicate), a canceled (or duplicate) state in Linear, a Jira resolution such as "Won't
    # Do". Nothing was delivered: no velocity, no "done" on the backlog.
    not_planned: bool = False
    # Filed but not accepted yet (Linear's Triage): no backlog item until the team accepts it,
    # as the import, which reads the backlog's states only, leaves it out.
    triage: bool = False
    # When the issue was made (aware, UTC): whether a create whose answer was lost made it
    # (bot.usecases.tracker_push). None when the read does not say: GitHub's, and Linear's
    # backlog lists (its changes walk and its read of one issue ask for it).
    created: datetime | None = None
    # The field the estimate was read from, where a board may switch it (Jira's estimation
    # field, which an admin can change): a link whose agreed estimate came from another field
    # merges the issue again (tracker_sync.estimate_moved). "" where the tracker keeps it in
    # one place.
    estimate_field: str = ""


@dataclass(frozen=True)
class IssuePage:
    """One page of issues; ``cursor`` is None on the last page.

    ``watermark``: the latest ``updated`` seen so far on a changes walk, to keep as the next
    ``since``. Changes are delivered at least once: an issue may come again with the same
    ``updated``, so apply them keyed on (key, updated).
    """

    issues: tuple[TrackerIssue, ...]
    cursor: str | None
    watermark: datetime | None = None
    # A backlog page that checked whether the board moved at its edge since the page before
    # was read (Jira's: it starts on the last issue of the one before): True, an issue may
    # have been read by no page (the import then looks for it). None: not checked.
    shifted: bool | None = None

    @classmethod
    def of_changes(
        cls, issues: Sequence[TrackerIssue], since: datetime, cursor: str | None
    ) -> IssuePage:
        """A page of a changes walk from what the tracker sent: the issues updated at or after
        ``since`` (a search may send earlier ones: Jira's reads minutes), and as ``watermark``
        the latest ``updated`` of them all."""
        watermark = max((i.updated for i in issues), default=None)
        return cls(tuple(i for i in issues if i.updated >= since), cursor, watermark)


@dataclass(frozen=True)
class IssueRef:
    key: str
    id: str
    url: str


class _Keep:
    """``KEEP``: leave this field as it is (``None`` clears an estimate)."""

    _instance: _Keep | None = None

    def __new__(cls) -> _Keep:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP = _Keep()


@dataclass(frozen=True)
class IssueUpdate:
    """Fields to write; each left as ``KEEP`` is not sent."""

    summary: str | _Keep = KEEP
    description: str | _Keep = KEEP
    estimate: float | _Keep | None = KEEP
    acceptance_criteria: tuple[str, ...] | _Keep = KEEP

    @property
    def empty(self) -> bool:
        values = (self.summary, self.description, self.estimate, self.acceptance_criteria)
        return all(v is KEEP for v in values)

    @property
    def changes_text(self) -> bool:
        """The description or the acceptance criteria are written (most trackers keep both in
        one body of text, which is then read and written whole)."""
        return self.description is not KEEP or self.acceptance_criteria is not KEEP

    def text_over(self, description: str, criteria: Sequence[str]) -> tuple[str, tuple[str, ...]]:
        """The description and the acceptance criteria as this update leaves them, over the
        issue's current ``description`` and ``criteria`` (what is left as ``KEEP`` stays)."""
        now = self.acceptance_criteria
        return (
            description if isinstance(self.description, _Keep) else self.description,
            tuple(criteria if isinstance(now, _Keep) else now),
        )


@dataclass(frozen=True)
class Placement:
    """Where ``Tracker.rank`` puts an issue: just before ``anchor``, or just after it."""

    anchor: str
    before: bool

    @classmethod
    def of(cls, key: str, *, before: str | None, after: str | None) -> Placement:
        """``rank``'s arguments checked: exactly one of ``before`` and ``after``, and not the
        issue ``key`` itself (a ValueError: the caller's mistake, not the tracker's)."""
        if (before is None) == (after is None):
            raise ValueError("rank needs exactly one of before= or after=")
        anchor = before if before is not None else str(after)
        if key == anchor:
            raise ValueError("an issue cannot be ranked next to itself")
        return cls(anchor, before is not None)

    def __str__(self) -> str:
        """How an action names the place: "before ENG-2", "after ENG-3"."""
        return f"{'before' if self.before else 'after'} {self.anchor}"


@dataclass(frozen=True)
class NewIssue:
    """An issue to create. ``issue_type``: the item's type as people name it ("Story", "Bug",
    "Spike", "Tech debt", "Enabler"), which each client maps to what its tracker holds (a
    Jira project's issue type, a GitHub or Linear label). ``epic``: the key of the epic it
    belongs to (Jira's ``parent``), or None."""

    summary: str
    description: str = ""
    issue_type: str = "Story"
    estimate: float | None = None
    labels: tuple[str, ...] = ()
    acceptance_criteria: tuple[str, ...] = ()
    epic: str | None = None


@dataclass(frozen=True)
class SprintSpec:
    name: str
    goal: str = ""
    start: datetime | None = None
    end: datetime | None = None


class SprintState(StrEnum):
    FUTURE = "future"
    ACTIVE = "active"
    CLOSED = "closed"


@dataclass(frozen=True)
class TrackerSprint:
    id: str
    name: str
    state: SprintState
    goal: str = ""
    start: datetime | None = None
    end: datetime | None = None
    completed: datetime | None = None


@dataclass(frozen=True)
class TrackerProblem:
    """Something ``check()`` found, with a stable ``code`` and a sentence for people."""

    code: str  # bad_token, no_board_access, no_estimation_field, not_scrum, unreachable, ...
    message: str


# -- the interface -------------------------------------------------------------------------


@runtime_checkable
class Tracker(Protocol):
    """One board of one tracker, reached with one credential."""

    name: str  # "jira", "github", "linear"

    async def check(self) -> list[TrackerProblem]:
        """Validates the credential and the board; an empty list means ready to sync."""
        ...

    async def backlog_page(self, cursor: str | None = None) -> IssuePage:
        """The backlog (issues not done and in no open sprint) in rank order, one page."""
        ...

    async def changes_page(self, since: datetime, cursor: str | None = None) -> IssuePage:
        """Issues of the board updated at or after ``since`` (oldest first), one page. The
        number of calls depends on how much changed, not on the size of the board."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """What ``check()`` learnt of the board and account (JSON), to open it again without
        asking (the sync engine keeps it with the connection)."""
        ...

    async def backlog_keys(self) -> list[str]:
        """The keys of every issue of the board that is not done (those in open sprints too)
        in rank order and nothing else, in as few calls as the tracker allows: how a reorder
        made in the tracker, and an issue deleted or moved off the board, reach Timebox without
        a full import. A linked key missing from it is deleted, done or off the board; the
        sync asks ``issue()`` which (NOT_FOUND: deleted)."""
        ...

    async def issue(self, key: str, *, issue_id: str = "") -> TrackerIssue:
        """One issue as it is now. ``issue_id``: the tracker's own id of it, when known (its
        link keeps it). A tracker whose keys change when an issue moves, and that answers by
        that id (Linear: moved to another team, it has a new identifier), reads it by the id,
        so a moved issue comes back under its new key; ``key`` still names it in errors. One
        that answers an old key itself (Jira) or reads by key only (GitHub) reads ``key``."""
        ...

    async def board_sprints(self) -> list[TrackerSprint]:
        """The board's sprints that are not closed (future and active), to look before
        creating one again after a lost answer."""
        ...

    async def update_issue(self, key: str, update: IssueUpdate) -> None: ...

    async def mark_done(self, key: str) -> None:
        """Moves the issue to a status of the DONE category (the first such transition the
        workflow allows); nothing if it is there already."""
        ...

    async def reopen(self, key: str) -> None:
        """The inverse of ``mark_done``: moves a done issue back to a status of the TO DO
        category (the first such transition the workflow allows); nothing if it is not done."""
        ...

    async def close_not_planned(self, key: str) -> None:
        """Closes the issue without delivering it (won't do: an item archived in Timebox), so
        the tracker's reports do not count it as done; nothing if it is closed already (done
        or not). The sync reads it back as ``TrackerIssue.not_planned``."""
        ...

    async def rank(self, key: str, *, before: str | None = None, after: str | None = None) -> None:
        """Puts ``key`` just before ``before`` or just after ``after`` (exactly one:
        ``Placement.of`` checks)."""
        ...

    async def create_issue(self, issue: NewIssue) -> IssueRef: ...

    async def create_sprint(self, spec: SprintSpec) -> TrackerSprint: ...

    async def update_sprint(self, sprint: TrackerSprint, spec: SprintSpec) -> TrackerSprint:
        """A sprint someone made in the tracker before Timebox's write (found by its name)
        given `spec`'s goal and dates, its state left as it is (started later, by
        ``start_sprint``, when Timebox's sprint starts)."""
        ...

    async def start_sprint(
        self, sprint_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> TrackerSprint: ...

    async def move_to_sprint(self, sprint_id: str, keys: Sequence[str]) -> None: ...

    async def move_to_backlog(self, keys: Sequence[str]) -> None: ...

    async def close_sprint(self, sprint_id: str) -> TrackerSprint: ...

    async def aclose(self) -> None: ...


@runtime_checkable
class ReadsIssues(Protocol):
    """A tracker that reads many issues by key in a call (Jira: 100 a search), a capability
    beside ``Tracker`` that a client has or not; ``issues_by_key`` asks one that lacks it for
    each issue one by one (GitHub, Linear)."""

    async def issues_by_key(self, keys: Sequence[str]) -> list[TrackerIssue]:
        """The issues ``keys`` name as they are now, in the order asked, in as few calls as
        the tracker allows. One the tracker does not find (deleted, or hidden from the
        account) is left out, the others still read; one moved under a new key comes under
        it, as ``Tracker.issue`` answers it."""
        ...


async def issues_by_key(tracker: Tracker, keys: Sequence[str]) -> list[TrackerIssue]:
    """The issues ``keys`` name, one the tracker does not find left out (``ReadsIssues``):
    read together by a tracker that can, else asked for one by one."""
    if not keys:
        return []
    if isinstance(tracker, ReadsIssues):
        return await tracker.issues_by_key(keys)
    return await issues_one_by_one(tracker, keys)


async def issues_one_by_one(tracker: Tracker, keys: Sequence[str]) -> list[TrackerIssue]:
    """The issues ``keys`` name, each asked for alone (``Tracker.issue``); NOT_FOUND left out."""
    found: list[TrackerIssue] = []
    for key in keys:
        try:
            found.append(await tracker.issue(key))
        except TrackerError as error:
            if error.kind is not TrackerErrorKind.NOT_FOUND:
                raise
    return found


async def issues_asked(tracker: Tracker, ids: Mapping[str, str]) -> dict[str, TrackerIssue | None]:
    """The issue each key of ``ids`` names now (key -> the tracker's id of its issue, "" when
    not known), None where the tracker finds none (deleted, or hidden from the account).
    Several are read together where the tracker can (``ReadsIssues``: Jira's search, which
    leaves out a key it does not find and gives a moved issue under its new key, matched to
    the key asked by its id); should an issue come back that matches no key asked (moved, its
    id not known), the keys not matched are asked for alone, as every key is elsewhere, by its
    id too (``Tracker.issue``: Linear finds a moved issue by its id only)."""
    answers: dict[str, TrackerIssue | None] = {}
    alone = list(ids)
    if isinstance(tracker, ReadsIssues) and len(alone) > 1:
        by_id = {issue_id: key for key, issue_id in ids.items() if issue_id}
        stray = False
        for issue in await tracker.issues_by_key(alone):
            key = by_id.get(issue.id) or (issue.key if issue.key in ids else None)
            stray |= key is None
            if key is not None:
                answers[key] = issue
        alone = [key for key in ids if key not in answers] if stray else []
    for key in alone:
        try:
            answers[key] = await tracker.issue(key, issue_id=ids[key])
        except TrackerError as error:
            if error.kind is not TrackerErrorKind.NOT_FOUND:
                raise
            answers[key] = None
    return {key: answers.get(key) for key in ids}


async def iter_backlog(tracker: Tracker) -> AsyncIterator[TrackerIssue]:
    """Every backlog issue in rank order, page after page."""
    cursor: str | None = None
    while True:
        page = await tracker.backlog_page(cursor)
        for issue in page.issues:
            yield issue
        if page.cursor is None:
            return
        cursor = page.cursor


async def iter_changes(tracker: Tracker, since: datetime) -> AsyncIterator[TrackerIssue]:
    """Every issue changed since ``since``, oldest change first."""
    cursor: str | None = None
    while True:
        page = await tracker.changes_page(since, cursor)
        for issue in page.issues:
            yield issue
        if page.cursor is None:
            return
        cursor = page.cursor
