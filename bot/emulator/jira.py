"""A local stand-in for Jira Cloud: the REST endpoints Timebox's tracker sync uses.

Like the Slack emulator it is an aiohttp server on 127.0.0.1 (a free port by default), records
every call (``calls``, ``calls_to(route)``) and never sleeps unless told to hold an answer: time
comes from an injectable ``now`` clock. It holds projects, issues with a global rank order, a
Scrum board whose configuration names a story points field, sprints and users with API tokens,
and answers with the shapes of Atlassian's documentation:

- ``GET  /rest/api/3/myself``
- ``POST /rest/api/3/search/jql`` (a JQL subset: ``project``, ``filter``, ``key``/``issuekey``,
  ``status``, ``statusCategory``, ``issuetype``, ``updated``/``created`` compared with
  ``"yyyy/MM/dd HH:mm"`` in the user's time zone, joined by AND, ``ORDER BY``), ``nextPageToken``
  paging, ``isLast``
- ``GET/PUT /rest/api/3/issue/{key}``, ``POST /rest/api/3/issue``
- ``GET/POST /rest/api/3/issue/{key}/transitions`` (a workflow of To Do, In Progress and Done,
  every status reachable from every other unless ``workflow`` says otherwise)
- ``GET  /rest/agile/1.0/board/{id}/configuration``, ``GET /rest/agile/1.0/board/{id}/backlog``
- ``PUT  /rest/agile/1.0/issue/rank`` (204, or 207 with per-issue entries)
- ``POST /rest/agile/1.0/sprint``, ``GET/POST /rest/agile/1.0/sprint/{id}``,
  ``POST /rest/agile/1.0/sprint/{id}/issue``, ``POST /rest/agile/1.0/backlog/issue``

Basic auth (``email:api-token``) or a bearer token is checked on every call: anything else gets
Jira Cloud's 401 ("Client must be authenticated to access this resource."). A board can be
hidden from a user (404 "Board does not exist or you do not have permission to see it.", or
403). Faults: ``fail_next`` (429 with ``Retry-After``, or a 5xx) and ``delay_next`` (an answer
held for real seconds, so a client's timeout fires) for the next N calls of a route, and
``fail_rate`` for a share of them. Test helpers edit issues (bumping ``updated``) and ``seed`` a
board of thousands of issues without a single request; ``rerank``, ``delete`` and ``move`` do
what a person does in Jira's backlog (a drag, a deletion, a move to another project).

Ranking (the agile endpoint or ``rerank``) gives the issue a new value of the Rank field
(``customfield_10019``, LexoRank-shaped: ``0|i0001f:``), bumps ``updated`` and sends
``jira:issue_updated`` with a changelog item ``Rank``, as Jira Cloud does. The order itself is
``rank`` (a list of keys); the field's values are tokens that change with each ranking, not
sortable here. The search with ``fields`` limited to ``id``/``key`` pages up to 5,000 issues, as
documented; any other field list up to 100.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import operator
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Unpack
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.emulator.calls import RestCall
from bot.emulator.faults import Fault
from bot.emulator.http import answer
from bot.emulator.tracker import Refusal, RestServer, ServerOptions, route
from bot.emulator.webhooks import Delivery, hmac_sha256

UNAUTHENTICATED = "Client must be authenticated to access this resource."
BOARD_HIDDEN = "Board does not exist or you do not have permission to see it."
ISSUE_HIDDEN = "Issue does not exist or you do not have permission to see it."
NOT_ADF = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
STORY_POINTS = "customfield_10016"
RANK_FIELD_ID = 10019
RANK_FIELD = f"customfield_{RANK_FIELD_ID}"
ROUTES = (
    "myself",
    "search.jql",
    "issue.get",
    "issue.edit",
    "issue.create",
    "board.configuration",
    "board.backlog",
    "issue.rank",
    "sprint.create",
    "sprint.get",
    "sprint.update",
    "sprint.issues",
    "backlog.issues",
    "board.sprints",
    "issue.transitions",
    "issue.transition",
)

# name -> (status id, category key, category id, category name, colour)
STATUSES = {
    "To Do": ("10000", "new", 2, "To Do", "blue-gray"),
    "In Progress": ("3", "indeterminate", 4, "In Progress", "yellow"),
    "Done": ("10001", "done", 3, "Done", "green"),
}
# target status -> (transition id, transition name)
TRANSITIONS = {
    "To Do": ("11", "Back to To Do"),
    "In Progress": ("21", "Start progress"),
    "Done": ("31", "Done"),
}
# name -> (issue type id, hierarchy level)
ISSUE_TYPES = {
    "Story": ("10001", 0),
    "Task": ("10002", 0),
    "Bug": ("10004", 0),
    "Epic": ("10000", 1),
    "Subtask": ("10003", -1),
}
BLOCKS = {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"}
_JQL_FIELDS = {
    "project",
    "filter",
    "key",
    "issuekey",
    "status",
    "statuscategory",
    "issuetype",
    "type",
    "updated",
    "created",
}


# -- recorded state ------------------------------------------------------------------------


JiraCall = RestCall
"""One request: ``route`` is one of ``ROUTES`` (or ``unknown``), ``user`` the email of the
account whose credentials were used."""


@dataclass
class JiraUser:
    email: str
    token: str
    account_id: str
    display_name: str
    time_zone: str = "UTC"

    def to_jira(self, base: str) -> dict[str, Any]:
        return {
            "self": f"{base}/rest/api/3/user?accountId={self.account_id}",
            "accountId": self.account_id,
            "accountType": "atlassian",
            "emailAddress": self.email,
            "displayName": self.display_name,
            "active": True,
            "timeZone": self.time_zone,
            "locale": "en_US",
            "avatarUrls": {"48x48": f"{base}/avatar/{self.account_id}.png"},
        }


@dataclass
class JiraIssue:
    id: int
    key: str
    project: str
    summary: str
    issue_type: str = "Story"
    description: dict[str, Any] | None = None
    status: str = "To Do"
    assignee: str | None = None  # account id
    labels: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)
    parent: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # custom fields
    created: float = 0.0  # epoch milliseconds
    updated: float = 0.0
    sprint: int | None = None
    closed_sprints: list[int] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return STATUSES[self.status][1] == "done"


_ATTRIBUTES: dict[str, Callable[[JiraIssue], set[str]]] = {
    "filter": lambda i: {i.project.lower()},
    "project": lambda i: {i.project.lower()},
    "key": lambda i: {i.key.lower()},
    "issuekey": lambda i: {i.key.lower()},
    "status": lambda i: {i.status.lower()},
    # by category key (new, done) or name (To Do, Done)
    "statuscategory": lambda i: {STATUSES[i.status][1], STATUSES[i.status][3].lower()},
    "issuetype": lambda i: {i.issue_type.lower()},
    "type": lambda i: {i.issue_type.lower()},
}
"""What a JQL field compares, per issue, lower-cased."""


@dataclass
class JiraBoard:
    id: int
    name: str
    project: str
    filter_id: str
    type: str = "scrum"
    estimation_field: str | None = STORY_POINTS
    access: dict[str, int] = field(default_factory=dict)  # email -> 403/404


@dataclass
class JiraSprint:
    id: int
    name: str
    board_id: int
    state: str = "future"
    goal: str = ""
    start: str | None = None
    end: str | None = None
    complete: str | None = None
    created: str = ""

    def to_jira(self, base: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "self": f"{base}/rest/agile/1.0/sprint/{self.id}",
            "state": self.state,
            "name": self.name,
            "createdDate": self.created,
            "originBoardId": self.board_id,
            "goal": self.goal,
        }
        for key, value in (
            ("startDate", self.start),
            ("endDate", self.end),
            ("completeDate", self.complete),
        ):
            if value:
                out[key] = value
        return out


@dataclass
class JiraWebhook:
    """A webhook as a Jira admin registers it (System > WebHooks), with its secret: every
    delivery is signed ``X-Hub-Signature: sha256=<HMAC-SHA256 of the body, hex>``."""

    url: str
    secret: str | None = None
    events: tuple[str, ...] = ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted")
    deliveries: list[int] = field(default_factory=list)  # HTTP status of each delivery


class _Fail(Refusal):
    def __init__(self, status: int, body: Any = None, **errors: str) -> None:
        if body is None:
            body = {"errorMessages": [], "errors": errors}
        super().__init__(status, body)


def _error(status: int, *messages: str, **errors: str) -> _Fail:
    return _Fail(status, {"errorMessages": list(messages), "errors": errors})


def adf_text(text: str) -> dict[str, Any] | None:
    """A test convenience: plain text as ADF paragraphs (no lists)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        return None
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": p}]} for p in paragraphs
        ],
    }


def _is_adf(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
    )


# -- JQL (the subset the client uses) ------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op>>=|<=|!=|=|>|<)"""
    r"""|(?P<punct>[(),])|(?P<word>[^\s(),=<>!"']+))"""
)


@dataclass
class _Clause:
    field: str
    op: str  # = != > >= < <= in "not in"
    values: list[str]


@dataclass
class _Query:
    clauses: list[_Clause]
    order: list[tuple[str, bool]]  # (field, descending)


def _tokens(jql: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    jql = jql.rstrip()
    while pos < len(jql):
        m = _TOKEN.match(jql, pos)
        if not m or m.end() == pos:
            raise _error(400, f"Error in the JQL Query: the character at {pos} is unexpected.")
        kind = m.lastgroup or "word"
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        pos = m.end()
    return out


def parse_jql(jql: str) -> _Query:
    tokens = _tokens(jql)
    i, clauses, order = 0, [], []

    def peek(offset: int = 0) -> tuple[str, str] | None:
        return tokens[i + offset] if i + offset < len(tokens) else None

    def word(t: tuple[str, str] | None, *values: str) -> bool:
        return t is not None and t[0] == "word" and t[1].lower() in values

    while i < len(tokens) and not (word(peek(), "order") and word(peek(1), "by")):
        if clauses:
            if word(peek(), "or"):
                raise _error(400, "Error in the JQL Query: OR is not supported by this emulator.")
            if not word(peek(), "and"):
                raise _error(400, f"Error in the JQL Query: expecting AND but got '{peek()[1]}'.")  # type: ignore[index]
            i += 1
        while peek() == ("punct", "("):  # grouping of AND clauses: (a AND b)
            i += 1
        name_token = peek()
        if name_token is None or name_token[0] not in ("word", "str"):
            raise _error(400, "Error in the JQL Query: expecting a field name.")
        name = name_token[1].lower()
        if name not in _JQL_FIELDS:
            raise _error(
                400,
                f"Field '{name_token[1]}' does not exist or you do not have permission to view it.",
            )
        i += 1
        op_token = peek()
        if op_token and op_token[0] == "op":
            op = op_token[1]
            i += 1
        elif word(op_token, "in"):
            op = "in"
            i += 1
        elif word(op_token, "not") and word(peek(1), "in"):
            op = "not in"
            i += 2
        else:
            raise _error(400, f"Error in the JQL Query: expecting an operator after '{name}'.")
        values: list[str] = []
        if op in ("in", "not in"):
            if peek() != ("punct", "("):
                raise _error(400, "Error in the JQL Query: expecting '(' after IN.")
            i += 1
            while peek() is not None and peek() != ("punct", ")"):
                kind, value = peek()  # type: ignore[misc]
                if kind in ("word", "str"):
                    values.append(value)
                elif (kind, value) != ("punct", ","):
                    raise _error(400, f"Error in the JQL Query: unexpected '{value}'.")
                i += 1
            if peek() != ("punct", ")"):
                raise _error(400, "Error in the JQL Query: expecting ')'.")
            i += 1
        else:
            value_token = peek()
            if value_token is None or value_token[0] not in ("word", "str"):
                raise _error(400, f"Error in the JQL Query: expecting a value after '{op}'.")
            values.append(value_token[1])
            i += 1
        clauses.append(_Clause(name, op, values))
        while peek() == ("punct", ")"):
            i += 1
    if i < len(tokens):
        i += 2  # ORDER BY
        while i < len(tokens):
            kind, value = tokens[i]
            if kind == "punct" and value == ",":
                i += 1
                continue
            name = value.lower()
            if name not in ("updated", "created", "key", "rank", "issuekey"):
                raise _error(400, f"Error in the JQL Query: cannot order by '{value}'.")
            descending = False
            if word(peek(1), "asc", "desc"):
                descending = tokens[i + 1][1].lower() == "desc"
                i += 1
            order.append((name, descending))
            i += 1
    return _Query(clauses, order)


# -- the emulator --------------------------------------------------------------------------


class JiraEmulator(RestServer):
    """Jira Cloud's REST API for one site, served on 127.0.0.1.

    Start it, build the client with ``site_url=emulator.url`` (listed in the host policy),
    and inspect ``calls``, ``issues`` and ``sprints`` afterwards.
    """

    def __init__(
        self,
        *,
        email: str = "po@example.com",
        token: str = "jira-api-token",
        display_name: str = "Paula Owner",
        time_zone: str = "Europe/Berlin",
        project: str = "TB",
        board_id: int = 1,
        **server: Unpack[ServerOptions],
    ) -> None:
        super().__init__(first_id=10000, **server)
        self.users: dict[str, JiraUser] = {}
        self.bearer: dict[str, str] = {}  # OAuth access token -> email
        self.projects: dict[str, dict[str, str]] = {}
        self.filters: dict[str, str] = {}  # filter id -> project key
        self.boards: dict[int, JiraBoard] = {}
        self.issues: dict[str, JiraIssue] = {}
        self.rank: list[str] = []  # every issue key, in rank order
        self.moved: dict[str, str] = {}  # old key -> new key (moved to another project)
        # status -> the statuses a transition leads to from it (None: every other status)
        self.workflow: dict[str, list[str]] | None = None
        self.done_needs: set[str] = set()  # fields a transition to Done must set (a screen)
        # Accounts that lost "Browse projects": Jira then finds no issues for them in a
        # search, and answers 404 for each one (the board itself still opens).
        self.browse_denied: set[str] = set()
        self._ranks = 0
        self.sprints: dict[int, JiraSprint] = {}
        self.custom_fields: dict[str, str] = {
            STORY_POINTS: "Story point estimate",
            "customfield_10020": "Sprint",
            f"customfield_{RANK_FIELD_ID}": "Rank",
        }
        self.number_fields: set[str] = {STORY_POINTS}
        self.text_fields: set[str] = set()  # ADF (textarea) custom fields
        self._numbers: dict[str, int] = {}
        self._sprint_ids = 0
        self._last_ms = 0.0
        self.webhooks: list[JiraWebhook] = []
        self.user = self.add_user(email, token, display_name=display_name, time_zone=time_zone)
        self.add_project(project)
        self.board = self.add_board(board_id, f"{project} board", project)

    # -- lifecycle -----------------------------------------------------------------------

    def _mounts(self, path: str) -> list[str]:
        """The site's path, and api.atlassian.com/ex/jira/<id>'s, where OAuth 2.0 (3LO) apps
        reach the same API."""
        return [path, "/ex/jira/{cloud}" + path]

    # -- time and ids --------------------------------------------------------------------

    def _stamp(self) -> float:
        """``now()`` in epoch milliseconds, strictly increasing even if time stands."""
        ms = max(float(round(self.epoch() * 1000)), self._last_ms + 1)
        self._last_ms = ms
        return ms

    @staticmethod
    def format_time(ms: float) -> str:
        when = datetime.fromtimestamp(ms / 1000, UTC)
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"

    @staticmethod
    def _iso(value: datetime) -> str:
        value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"

    def _rank_token(self) -> str:
        """A new value of the Rank field (LexoRank-shaped; unique per ranking)."""
        self._ranks += 1
        return f"0|i{self._ranks:05x}:"

    # -- set-up and test helpers ---------------------------------------------------------

    def add_user(
        self,
        email: str,
        token: str,
        *,
        display_name: str | None = None,
        time_zone: str = "UTC",
        account_id: str | None = None,
    ) -> JiraUser:
        account = account_id or "5b10" + hashlib.sha1(email.encode()).hexdigest()[:20]
        user = JiraUser(email, token, account, display_name or email.split("@")[0], time_zone)
        self.users[email] = user
        return user

    def add_oauth_token(self, access_token: str, email: str) -> None:
        self.bearer[access_token] = email

    def add_project(self, key: str, name: str | None = None) -> dict[str, str]:
        project = {"id": str(self._next_id()), "key": key, "name": name or f"Project {key}"}
        self.projects[key] = project
        self._numbers.setdefault(key, 0)
        return project

    def add_board(
        self,
        board_id: int,
        name: str,
        project: str,
        *,
        type: str = "scrum",
        estimation_field: str | None = STORY_POINTS,
    ) -> JiraBoard:
        filter_id = str(self._next_id())
        self.filters[filter_id] = project
        board = JiraBoard(board_id, name, project, filter_id, type, estimation_field)
        self.boards[board_id] = board
        return board

    def add_field(self, field_id: str, name: str, *, kind: str = "adf") -> None:
        """A custom field that can be set: ``kind`` is ``number`` or ``adf`` (a textarea)."""
        self.custom_fields[field_id] = name
        (self.number_fields if kind == "number" else self.text_fields).add(field_id)

    def hide_board(self, board_id: int, email: str | None = None, status: int = 404) -> None:
        """The board answers ``status`` (404 or 403) to that user (default: the main one)."""
        self.boards[board_id].access[email or self.user.email] = status

    def set_estimation(self, board_id: int, field_id: str | None) -> None:
        """The board's estimation statistic: a field, or None (issue count)."""
        self.boards[board_id].estimation_field = field_id

    def add_issue(
        self,
        summary: str,
        *,
        project: str | None = None,
        issue_type: str = "Story",
        description: str | dict[str, Any] | None = None,
        estimate: float | None = None,
        status: str = "To Do",
        labels: Iterable[str] = (),
        blocked_by: Iterable[str] = (),
        parent: str | None = None,
        assignee: str | None = None,
        fields: dict[str, Any] | None = None,
    ) -> JiraIssue:
        """A new issue ranked last; ``assignee`` is a user's email."""
        issue = self._new_issue(
            project or self.board.project,
            summary,
            issue_type=issue_type,
            description=adf_text(description) if isinstance(description, str) else description,
            status=status,
            assignee=self.users[assignee].account_id if assignee else None,
            labels=list(labels),
            blocked_by=list(blocked_by),
            parent=parent,
            fields=dict(fields or {}),
        )
        if estimate is not None:
            issue.fields[self._estimation_field()] = estimate
        self._rank_last(issue)
        return issue

    def _new_issue(self, project: str, summary: str, **values: Any) -> JiraIssue:
        """An issue with the project's next key, stamped now and holding every board's
        estimation field; not yet ranked."""
        self._numbers[project] = self._numbers.get(project, 0) + 1
        stamp = self._stamp()
        issue = JiraIssue(
            id=self._next_id(),
            key=f"{project}-{self._numbers[project]}",
            project=project,
            summary=summary,
            created=stamp,
            updated=stamp,
            **values,
        )
        for field_id in {b.estimation_field for b in self.boards.values() if b.estimation_field}:
            issue.fields.setdefault(field_id, None)
        return issue

    def _rank_last(self, issue: JiraIssue, user: JiraUser | None = None) -> None:
        """Ranks a new issue last and tells the webhooks it was created (by ``user``)."""
        issue.fields[RANK_FIELD] = self._rank_token()
        self.issues[issue.key] = issue
        self.rank.append(issue.key)
        self._event("jira:issue_created", issue, user)

    def seed(
        self,
        count: int,
        *,
        project: str | None = None,
        estimate: Callable[[int], float | None] | None = None,
    ) -> list[str]:
        """``count`` stories ranked last, with one ``updated`` time: fast (no requests)."""
        project = project or self.board.project
        stamp = self._stamp()
        fields = [b.estimation_field for b in self.boards.values() if b.estimation_field]
        keys = []
        for n in range(1, count + 1):
            self._numbers[project] = self._numbers.get(project, 0) + 1
            key = f"{project}-{self._numbers[project]}"
            values: dict[str, Any] = dict.fromkeys(fields)
            if estimate is not None and fields:
                values[fields[0]] = estimate(n)
            values[RANK_FIELD] = self._rank_token()
            self.issues[key] = JiraIssue(
                id=self._next_id(),
                key=key,
                project=project,
                summary=f"Backlog item {n}",
                fields=values,
                created=stamp,
                updated=stamp,
            )
            keys.append(key)
        self.rank.extend(keys)
        return keys

    def edit(self, key: str, **changes: Any) -> JiraIssue:
        """Changes an issue as a person in Jira would, and bumps ``updated``.

        Keys: summary, description (text or ADF), status, estimate, labels, blocked_by,
        parent, assignee (email or None), issue_type, and any custom field id.
        """
        issue = self.issues[key]
        for name, value in changes.items():
            if name == "description":
                issue.description = adf_text(value) if isinstance(value, str) else value
            elif name == "estimate":
                issue.fields[self._estimation_field()] = value
            elif name == "assignee":
                issue.assignee = self.users[value].account_id if value else None
            elif name in ("labels", "blocked_by"):
                setattr(issue, name, list(value))
            elif name in ("summary", "status", "parent", "issue_type"):
                setattr(issue, name, value)
            else:
                issue.fields[name] = value
        issue.updated = self._stamp()
        self._event("jira:issue_updated", issue)
        return issue

    def touch(self, key: str) -> JiraIssue:
        return self.edit(key)

    def rerank(self, key: str, *, before: str | None = None, after: str | None = None) -> None:
        """A person drags ``key`` just before ``before`` or just after ``after`` in Jira."""
        if (before is None) == (after is None):
            raise ValueError("rerank needs exactly one of before= or after=")
        self._move_in_rank([key], before if before is not None else after, before is not None)

    def delete(self, key: str) -> None:
        """A person deletes the issue in Jira: gone from every search (its links too), 404
        from then on, and ``jira:issue_deleted`` sent."""
        issue = self.issues[key]
        self._event("jira:issue_deleted", issue)
        del self.issues[key]
        self.rank.remove(key)
        for other in self.issues.values():
            if key in other.blocked_by:
                other.blocked_by.remove(key)
        self.moved = {old: new for old, new in self.moved.items() if new != key}

    def move(self, key: str, project: str) -> JiraIssue:
        """A person moves the issue to another project: a new key (the old one still finds
        it, as in Jira), the same id and rank, ``updated`` bumped."""
        issue = self.issues.pop(key)
        if project not in self.projects:
            self.add_project(project)
        self._numbers[project] = self._numbers.get(project, 0) + 1
        issue.key, issue.project = f"{project}-{self._numbers[project]}", project
        issue.updated = self._stamp()
        self.issues[issue.key] = issue
        self.rank[self.rank.index(key)] = issue.key
        self.moved[key] = issue.key
        self._event("jira:issue_updated", issue)
        return issue

    def _move_in_rank(self, keys: list[str], anchor: str, before: bool) -> None:
        """Ranks ``keys`` next to ``anchor``: each gets a new Rank value and ``updated``."""
        for key in keys:
            self.rank.remove(key)
        at = self.rank.index(anchor) + (0 if before else 1)
        self.rank[at:at] = keys
        for key in keys:
            issue = self.issues[key]
            issue.fields[RANK_FIELD] = self._rank_token()
            issue.updated = self._stamp()
            changelog = [
                {
                    "field": "Rank",
                    "fieldtype": "custom",
                    "fieldId": RANK_FIELD,
                    "from": "",
                    "fromString": "",
                    "to": "",
                    "toString": "Ranked higher" if before else "Ranked lower",
                }
            ]
            self._event("jira:issue_updated", issue, changelog=changelog)

    def estimate_of(self, key: str, board_id: int | None = None) -> Any:
        return self.issues[key].fields.get(self._estimation_field(board_id))

    def _estimation_field(self, board_id: int | None = None) -> str:
        board = self.boards[board_id] if board_id is not None else self.board
        return board.estimation_field or STORY_POINTS

    def backlog_keys(self, board_id: int | None = None) -> list[str]:
        board = self.boards[board_id if board_id is not None else self.board.id]
        return [i.key for i in self._backlog_issues_of(board)]

    def sprint_keys(self, sprint_id: int) -> list[str]:
        return [k for k in self.rank if self.issues[k].sprint == sprint_id]

    # -- faults --------------------------------------------------------------------------

    def fail_rate(
        self,
        ratio: float,
        status: int = 503,
        *,
        route: str | None = None,
        retry_after: float | None = None,
        delay: float | None = None,
        seed: int = 0,
    ) -> None:
        """Fail a share of calls (deterministically from ``seed``): ``status``, or held for
        ``delay`` seconds when it is given."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self.faults.add(
            Fault(
                route,
                None if delay else status,
                retry_after,
                delay=delay,
                ratio=ratio,
                rng=random.Random(seed),
            )
        )

    # -- HTTP plumbing -------------------------------------------------------------------

    def _authenticate(self, request: web.Request, route: str) -> JiraUser | None:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                email, _, token = base64.b64decode(value.strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            user = self.users.get(email)
            return user if user is not None and user.token == token else None
        if scheme.lower() == "bearer":
            email = self.bearer.get(value.strip())
            return self.users.get(email) if email else None
        return None

    BAD_JSON = {"errorMessages": ["Invalid JSON"]}

    def _who(self, user: JiraUser) -> str:
        return user.email

    def _fault_answer(self, call: JiraCall, fault: Fault) -> web.Response:
        status = int(fault.status or 500)
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if status == 429:
            reset = datetime.fromtimestamp(self.epoch() + (fault.retry_after or 0), UTC)
            headers["X-RateLimit-Reset"] = reset.strftime("%Y-%m-%dT%H:%MZ")
            headers["RateLimit-Reason"] = "jira-burst-based"
            message = "Rate limit exceeded."
        else:
            message = "Internal server error."
        return answer(call, status, {"errorMessages": [message], "errors": {}}, headers)

    def _unauthenticated(self, call: JiraCall) -> web.Response:
        call.status = 401
        call.response = UNAUTHENTICATED
        return web.Response(
            status=401,
            text=UNAUTHENTICATED,
            headers={
                "WWW-Authenticate": f'OAuth realm="{self.url}"',
                "X-Seraph-LoginReason": "AUTHENTICATED_FAILED",
            },
        )

    def _unknown(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        raise _error(404, f"null for uri: {self.url}{request.path}")

    # -- views ---------------------------------------------------------------------------

    def _status_json(self, name: str) -> dict[str, Any]:
        status_id, key, category_id, category, colour = STATUSES[name]
        return {
            "self": f"{self.url}/rest/api/3/status/{status_id}",
            "id": status_id,
            "name": name,
            "statusCategory": {
                "self": f"{self.url}/rest/api/3/statuscategory/{category_id}",
                "id": category_id,
                "key": key,
                "colorName": colour,
                "name": category,
            },
        }

    def _type_json(self, name: str) -> dict[str, Any]:
        type_id, level = ISSUE_TYPES.get(name, ("10001", 0))
        return {
            "self": f"{self.url}/rest/api/3/issuetype/{type_id}",
            "id": type_id,
            "name": name,
            "subtask": level < 0,
            "hierarchyLevel": level,
        }

    def _user_json(self, account_id: str | None) -> dict[str, Any] | None:
        user = next((u for u in self.users.values() if u.account_id == account_id), None)
        if user is None:
            return None
        return {
            "self": f"{self.url}/rest/api/3/user?accountId={user.account_id}",
            "accountId": user.account_id,
            "emailAddress": user.email,
            "displayName": user.display_name,
            "active": True,
            "timeZone": user.time_zone,
            "accountType": "atlassian",
        }

    def _ref_json(self, issue: JiraIssue) -> dict[str, Any]:
        return {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{self.url}/rest/api/3/issue/{issue.id}",
            "fields": {
                "summary": issue.summary,
                "status": self._status_json(issue.status),
                "issuetype": self._type_json(issue.issue_type),
            },
        }

    def _blocks_index(self) -> dict[str, list[str]]:
        """blocker key -> keys of the issues it blocks."""
        index: dict[str, list[str]] = {}
        for issue in self.issues.values():
            for blocker in issue.blocked_by:
                index.setdefault(blocker, []).append(issue.key)
        return index

    def _issue_json(
        self,
        issue: JiraIssue,
        wanted: set[str] | None,
        *,
        agile: bool = False,
        blocks: dict[str, list[str]] | None = None,
    ) -> dict[str, Any]:
        def want(name: str) -> bool:
            return wanted is None or name in wanted

        fields: dict[str, Any] = {}
        if want("summary"):
            fields["summary"] = issue.summary
        if want("description"):
            fields["description"] = copy.deepcopy(issue.description)
        if want("issuetype"):
            fields["issuetype"] = self._type_json(issue.issue_type)
        if want("status"):
            fields["status"] = self._status_json(issue.status)
        if want("assignee"):
            fields["assignee"] = self._user_json(issue.assignee)
        if want("labels"):
            fields["labels"] = list(issue.labels)
        if want("created"):
            fields["created"] = self.format_time(issue.created)
        if want("updated"):
            fields["updated"] = self.format_time(issue.updated)
        if want("project"):
            fields["project"] = dict(self.projects[issue.project])
        parent = self.issues.get(issue.parent) if issue.parent else None
        if want("parent") and parent is not None:
            fields["parent"] = self._ref_json(parent)
        if want("issuelinks"):
            links = []
            for key in issue.blocked_by:
                if key in self.issues:
                    links.append(
                        {
                            "id": f"{issue.id}{self.issues[key].id}",
                            "type": dict(BLOCKS),
                            "inwardIssue": self._ref_json(self.issues[key]),
                        }
                    )
            index = blocks if blocks is not None else self._blocks_index()
            for key in index.get(issue.key, []):
                links.append(
                    {
                        "id": f"{self.issues[key].id}{issue.id}",
                        "type": dict(BLOCKS),
                        "outwardIssue": self._ref_json(self.issues[key]),
                    }
                )
            fields["issuelinks"] = links
        for field_id in self.custom_fields:
            if want(field_id) and (field_id in issue.fields or wanted is not None):
                fields[field_id] = copy.deepcopy(issue.fields.get(field_id))
        if agile:
            sprint = self.sprints.get(issue.sprint) if issue.sprint else None
            if want("sprint"):
                fields["sprint"] = sprint.to_jira(self.url) if sprint else None
            if want("closedSprints"):
                fields["closedSprints"] = [
                    self.sprints[s].to_jira(self.url) for s in issue.closed_sprints
                ]
            if want("flagged"):
                fields["flagged"] = False
            if want("epic"):
                epic = parent if parent is not None and parent.issue_type == "Epic" else None
                fields["epic"] = (
                    {
                        "id": epic.id,
                        "key": epic.key,
                        "self": f"{self.url}/rest/agile/1.0/epic/{epic.id}",
                        "name": epic.summary,
                        "summary": epic.summary,
                        "done": epic.done,
                    }
                    if epic
                    else None
                )
        return {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": str(issue.id),
            "self": f"{self.url}/rest/api/3/issue/{issue.id}",
            "key": issue.key,
            "fields": fields,
        }

    @staticmethod
    def _wanted(values: Iterable[str] | None) -> set[str] | None:
        """A ``fields`` parameter: None (or ``*all``/``*navigable``) means every field."""
        if values is None:
            return None
        names = {v.strip() for value in values for v in str(value).split(",") if v.strip()}
        if not names or names & {"*all", "*navigable"}:
            return None
        return names

    # -- auth and boards -----------------------------------------------------------------

    @route("GET", "/rest/api/3/myself", "myself")
    def _myself(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        return 200, user.to_jira(self.url)

    def _board_for(self, user: JiraUser, board_id: Any) -> JiraBoard:
        try:
            board = self.boards[int(board_id)]
        except (KeyError, TypeError, ValueError) as exc:
            raise _error(404, BOARD_HIDDEN) from exc
        denied = board.access.get(user.email)
        if denied == 403:
            raise _error(403, "You do not have permission to view this board.")
        if denied:
            raise _error(404, BOARD_HIDDEN)
        return board

    @route("GET", "/rest/agile/1.0/board/{board}/configuration", "board.configuration")
    def _configuration(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        board = self._board_for(user, request.match_info["board"])
        columns = [
            {
                "name": name,
                "statuses": [
                    {
                        "id": STATUSES[name][0],
                        "self": f"{self.url}/rest/api/3/status/{STATUSES[name][0]}",
                    }
                ],
            }
            for name in STATUSES
        ]
        out: dict[str, Any] = {
            "id": board.id,
            "name": board.name,
            "type": board.type,
            "self": f"{self.url}/rest/agile/1.0/board/{board.id}/configuration",
            "location": {"type": "project", "projectKeyOrId": board.project},
            "filter": {
                "id": board.filter_id,
                "self": f"{self.url}/rest/api/3/filter/{board.filter_id}",
            },
            "columnConfig": {"columns": columns, "constraintType": "issueCount"},
            "ranking": {"rankCustomFieldId": RANK_FIELD_ID},
        }
        if board.type == "scrum":
            if board.estimation_field:
                out["estimation"] = {
                    "type": "field",
                    "field": {
                        "fieldId": board.estimation_field,
                        "displayName": self.custom_fields.get(
                            board.estimation_field, board.estimation_field
                        ),
                    },
                }
            else:
                out["estimation"] = {"type": "issueCount"}
        return 200, out

    def _backlog_issues_of(self, board: JiraBoard) -> list[JiraIssue]:
        out = []
        for key in self.rank:
            issue = self.issues[key]
            if issue.project != board.project or issue.done:
                continue
            if ISSUE_TYPES.get(issue.issue_type, ("", 0))[1] != 0:
                continue  # epics and sub-tasks are not backlog rows
            sprint = self.sprints.get(issue.sprint) if issue.sprint else None
            if sprint is not None and sprint.state in ("future", "active"):
                continue
            out.append(issue)
        return out

    @staticmethod
    def _int(value: Any, default: int, name: str) -> int:
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise _error(400, f"The '{name}' parameter must be a number.") from exc

    @route("GET", "/rest/agile/1.0/board/{board}/backlog", "board.backlog")
    def _backlog(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        board = self._board_for(user, request.match_info["board"])
        start = max(0, self._int(request.query.get("startAt"), 0, "startAt"))
        limit = self._int(request.query.get("maxResults"), 50, "maxResults")
        limit = max(1, min(limit, 100))
        issues = self._backlog_issues_of(board)
        if request.query.get("jql"):
            matches = self._predicate(parse_jql(request.query["jql"]), user)
            issues = [i for i in issues if matches(i)]
        wanted = self._wanted(request.query.getall("fields", None) or None)
        page = issues[start : start + limit]
        blocks = self._blocks_index()
        return 200, {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(issues),
            "issues": [self._issue_json(i, wanted, agile=True, blocks=blocks) for i in page],
        }

    # -- search --------------------------------------------------------------------------

    def _jql_time(self, value: str, user: JiraUser) -> float:
        for pattern in ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
            try:
                local = datetime.strptime(value.strip(), pattern)
            except ValueError:
                continue
            return local.replace(tzinfo=ZoneInfo(user.time_zone)).timestamp() * 1000
        raise _error(
            400,
            f"Date value '{value}' for field 'updated' is invalid. Valid formats include: "
            "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
            "format e.g. '-5d', '4w 2d'.",
        )

    def _predicate(self, query: _Query, user: JiraUser) -> Callable[[JiraIssue], bool]:
        """The query's clauses as one test, checked and parsed once (400 on a bad value)."""
        compare = {
            "=": operator.eq,
            "!=": operator.ne,
            ">": operator.gt,
            ">=": operator.ge,
            "<": operator.lt,
            "<=": operator.le,
        }
        tests: list[Callable[[JiraIssue], bool]] = []
        for clause in query.clauses:
            name, op, values = clause.field, clause.op, clause.values
            if name in ("updated", "created"):
                if op not in compare:
                    raise _error(400, f"Error in the JQL Query: '{op}' is not valid for {name}.")
                limit, check = self._jql_time(values[0], user), compare[op]
                if name == "updated":
                    tests.append(lambda i, c=check, t=limit: c(i.updated, t))
                else:
                    tests.append(lambda i, c=check, t=limit: c(i.created, t))
                continue
            if op not in ("=", "in", "!=", "not in"):
                raise _error(400, f"Error in the JQL Query: '{op}' is not valid for {name}.")
            accepted = {v.lower() for v in values}
            if name == "filter":
                for value in values:
                    if value not in self.filters:
                        raise _error(
                            400, f"The value '{value}' does not exist for the field 'filter'."
                        )
                accepted = {self.filters[v].lower() for v in values}
            elif name == "project":
                for value in values:
                    if value.upper() not in self.projects:
                        raise _error(
                            400, f"The value '{value}' does not exist for the field 'project'."
                        )
            actual = _ATTRIBUTES[name]
            wanted = op in ("=", "in")
            tests.append(lambda i, a=actual, w=wanted, ok=accepted: bool(a(i) & ok) == w)
        return lambda issue: all(test(issue) for test in tests)

    def _order(self, issues: list[JiraIssue], query: _Query) -> list[JiraIssue]:
        positions = {key: n for n, key in enumerate(self.rank)}
        for name, descending in reversed(query.order or [("rank", False)]):
            if name == "updated":
                issues.sort(key=lambda i: i.updated, reverse=descending)
            elif name == "created":
                issues.sort(key=lambda i: i.created, reverse=descending)
            elif name in ("key", "issuekey"):
                issues.sort(
                    key=lambda i: (i.project, int(i.key.rsplit("-", 1)[1])), reverse=descending
                )
            else:
                issues.sort(key=lambda i: positions[i.key], reverse=descending)
        return issues

    @route("POST", "/rest/api/3/search/jql", "search.jql")
    def _search(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise _error(400, "Invalid request payload. Refer to the REST API documentation.")
        unknown = set(body) - {
            "jql",
            "nextPageToken",
            "maxResults",
            "fields",
            "expand",
            "properties",
            "fieldsByKeys",
            "failFast",
            "reconcileIssues",
        }
        if unknown or "startAt" in body:
            raise _error(400, "Invalid request payload. Refer to the REST API documentation.")
        jql = str(body.get("jql") or "")
        query = parse_jql(jql)
        if not query.clauses:
            raise _error(
                400,
                "Unbounded JQL queries are not allowed here. Please add a search restriction "
                "to your query.",
            )
        fields = body.get("fields")
        wanted = self._wanted(fields) if fields is not None else {"id"}
        light = wanted is not None and wanted <= {"id", "key"}
        limit = self._int(body.get("maxResults"), 50, "maxResults")
        limit = max(1, min(limit, 5000 if light else 100))
        digest = hashlib.sha1(jql.encode()).hexdigest()[:12]
        offset = 0
        token = body.get("nextPageToken")
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(str(token).encode()))
                offset = int(state["o"])
                if state["q"] != digest:
                    raise ValueError(token)
            except (ValueError, KeyError, TypeError) as exc:
                raise _error(400, "The provided next page token is invalid or expired.") from exc
        matches = self._predicate(query, user)
        visible = [] if user.email in self.browse_denied else self.issues.values()
        matched = self._order([i for i in visible if matches(i)], query)
        page = matched[offset : offset + limit]
        blocks = self._blocks_index()
        out: dict[str, Any] = {
            "issues": [
                {"id": str(i.id)}
                if wanted == {"id"}
                else self._issue_json(i, wanted, blocks=blocks)
                for i in page
            ],
            "isLast": offset + limit >= len(matched),
        }
        if not out["isLast"]:
            state = json.dumps({"q": digest, "o": offset + limit}).encode()
            out["nextPageToken"] = base64.urlsafe_b64encode(state).decode()
        return 200, out

    # -- issues --------------------------------------------------------------------------

    def _issue_for(self, key: str) -> JiraIssue:
        while key in self.moved and key not in self.issues:
            key = self.moved[key]
        issue = self.issues.get(key) or next(
            (i for i in self.issues.values() if str(i.id) == key), None
        )
        if issue is None:
            raise _error(404, ISSUE_HIDDEN)
        return issue

    @route("GET", "/rest/api/3/issue/{key}", "issue.get")
    def _get_issue(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        if user.email in self.browse_denied:
            raise _error(404, ISSUE_HIDDEN)
        issue = self._issue_for(request.match_info["key"])
        wanted = self._wanted(request.query.getall("fields", None) or None)
        return 200, self._issue_json(issue, wanted)

    def _settable(self, fields: dict[str, Any], *, creating: bool) -> dict[str, str]:
        """Per-field errors for values Jira would refuse."""
        errors: dict[str, str] = {}
        system = {"summary", "description", "labels", "assignee", "parent"}
        if creating:
            system |= {"project", "issuetype"}
        board_fields = {b.estimation_field for b in self.boards.values() if b.estimation_field}
        for name, value in fields.items():
            if name == "summary":
                if not isinstance(value, str) or not value.strip():
                    errors[name] = "You must specify a summary of the issue."
                elif len(value) > 255:
                    errors[name] = "Summary must be less than 255 characters."
            elif name == "description" or name in self.text_fields:
                if value is not None and not _is_adf(value):
                    errors[name] = NOT_ADF
            elif name == "labels":
                if not isinstance(value, list) or any(
                    not isinstance(v, str) or " " in v for v in value
                ):
                    errors[name] = "Labels must be a list of words without spaces."
            elif name in board_fields or name in self.number_fields:
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | float)
                ):
                    errors[name] = "Operation value must be a number"
            elif name not in system:
                errors[name] = (
                    f"Field '{name}' cannot be set. It is not on the appropriate screen, or "
                    "unknown."
                )
        return errors

    def _apply(self, issue: JiraIssue, fields: dict[str, Any]) -> None:
        for name, value in fields.items():
            if name == "summary":
                issue.summary = value
            elif name == "description":
                issue.description = copy.deepcopy(value)
            elif name == "labels":
                issue.labels = list(value)
            elif name == "assignee":
                issue.assignee = (value or {}).get("accountId") if value else None
            elif name == "parent":
                issue.parent = (value or {}).get("key") if value else None
            elif name not in ("project", "issuetype"):
                issue.fields[name] = copy.deepcopy(value)

    @route("PUT", "/rest/api/3/issue/{key}", "issue.edit")
    def _edit_issue(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request.match_info["key"])
        if not isinstance(body, dict) or not isinstance(body.get("fields", {}), dict):
            raise _error(400, "Invalid request payload. Refer to the REST API documentation.")
        fields = body.get("fields") or {}
        errors = self._settable(fields, creating=False)
        if errors:
            raise _error(400, **errors)
        self._apply(issue, fields)
        issue.updated = self._stamp()
        self._event("jira:issue_updated", issue, user)
        return 204, None

    @route("POST", "/rest/api/3/issue", "issue.create")
    def _create_issue(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict):
            raise _error(400, "Invalid request payload. Refer to the REST API documentation.")
        errors = self._settable(fields, creating=True)
        project_ref = fields.get("project") or {}
        project = next(
            (
                p["key"]
                for p in self.projects.values()
                if project_ref.get("key") == p["key"] or str(project_ref.get("id")) == p["id"]
            ),
            None,
        )
        if project is None:
            errors["project"] = "Specify a valid project ID or key"
        kind = fields.get("issuetype") or {}
        type_name = kind.get("name") or next(
            (n for n, (i, _) in ISSUE_TYPES.items() if i == str(kind.get("id"))), None
        )
        if type_name not in ISSUE_TYPES:
            errors["issuetype"] = "Specify an issue type"
        if "summary" not in fields:
            errors["summary"] = "You must specify a summary of the issue."
        if errors:
            raise _error(400, **errors)
        assert project is not None and type_name is not None
        issue = self._new_issue(project, fields["summary"], issue_type=type_name)
        self._apply(issue, fields)
        self._rank_last(issue, user)
        return 201, {
            "id": str(issue.id),
            "key": issue.key,
            "self": f"{self.url}/rest/api/3/issue/{issue.id}",
        }

    @route("PUT", "/rest/agile/1.0/issue/rank", "issue.rank")
    def _rank(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise _error(400, "Invalid request payload.")
        keys = body.get("issues") or []
        before, after = body.get("rankBeforeIssue"), body.get("rankAfterIssue")
        if not isinstance(keys, list) or not keys:
            raise _error(400, "Specify at least one issue to rank.")
        if len(keys) > 50:
            raise _error(400, "At most 50 issues can be ranked at once.")
        if (before is None) == (after is None):
            raise _error(400, "Specify exactly one of rankBeforeIssue and rankAfterIssue.")
        field_id = body.get("rankCustomFieldId")
        if field_id is not None and int(field_id) != RANK_FIELD_ID:
            raise _error(400, f"The rank field {field_id} is not a rank field.")
        anchor_key = before if before is not None else after
        try:
            anchor = self._issue_for(str(anchor_key)).key
        except _Fail as exc:
            raise _error(400, f"Issue {anchor_key} does not exist.") from exc
        entries, moving = [], []
        for ref in keys:
            issue = self.issues.get(str(ref)) or next(
                (i for i in self.issues.values() if str(i.id) == str(ref)), None
            )
            if issue is None:
                entries.append({"issueKey": str(ref), "status": 404, "errors": [ISSUE_HIDDEN]})
            elif issue.key == anchor:
                entries.append(
                    {
                        "issueId": issue.id,
                        "issueKey": issue.key,
                        "status": 400,
                        "errors": ["An issue cannot be ranked relative to itself."],
                    }
                )
            else:
                moving.append(issue.key)
                entries.append({"issueId": issue.id, "issueKey": issue.key, "status": 200})
        if moving:
            self._move_in_rank(moving, anchor, before is not None)
        if any(e["status"] >= 400 for e in entries):
            return 207, {"entries": entries}
        return 204, None

    # -- workflow ------------------------------------------------------------------------

    def _targets(self, issue: JiraIssue) -> list[str]:
        """The statuses a transition leads to from the issue's status."""
        if self.workflow is not None and issue.status in self.workflow:
            return [s for s in self.workflow[issue.status] if s != issue.status]
        return [s for s in STATUSES if s != issue.status]

    @route("GET", "/rest/api/3/issue/{key}/transitions", "issue.transitions")
    def _transitions(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request.match_info["key"])
        out = []
        for target in self._targets(issue):
            transition_id, name = TRANSITIONS[target]
            out.append(
                {
                    "id": transition_id,
                    "name": name,
                    "to": self._status_json(target),
                    "hasScreen": target == "Done" and bool(self.done_needs),
                    "isGlobal": self.workflow is None,
                    "isInitial": False,
                    "isAvailable": True,
                    "isConditional": False,
                    "isLooped": False,
                }
            )
        return 200, {"expand": "transitions", "transitions": out}

    @route("POST", "/rest/api/3/issue/{key}/transitions", "issue.transition")
    def _transition(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request.match_info["key"])
        wanted = str(((body or {}).get("transition") or {}).get("id") or "")
        target = next((t for t in self._targets(issue) if TRANSITIONS[t][0] == wanted), None)
        if target is None:
            raise _error(
                400,
                f"Transition id '{wanted}' is not valid for this issue.",
            )
        given = (body or {}).get("fields") or {}
        if target == "Done":
            missing = {
                f: f"{f.capitalize()} is required." for f in self.done_needs if f not in given
            }
            if missing:
                raise _error(400, **missing)
        issue.status = target
        issue.updated = self._stamp()
        self._event("jira:issue_updated", issue, user)
        return 204, None

    # -- sprints -------------------------------------------------------------------------

    def _parse_date(self, value: Any, name: str) -> str | None:
        if value in (None, ""):
            return None
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise _error(400, **{name: f"Invalid date format: {value}"}) from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return self._iso(when)

    def _sprint_for(self, sprint_id: str) -> JiraSprint:
        try:
            return self.sprints[int(sprint_id)]
        except (KeyError, ValueError) as exc:
            raise _error(
                404, f"Sprint with id {sprint_id} does not exist or you do not have permission."
            ) from exc

    @route("POST", "/rest/agile/1.0/sprint", "sprint.create")
    def _create_sprint(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise _error(400, "Invalid request payload.")
        name = str(body.get("name") or "").strip()
        if not name:
            raise _error(400, name="Sprint name is required.")
        if body.get("originBoardId") is None:
            raise _error(400, originBoardId="The board id is required.")
        board = self._board_for(user, body["originBoardId"])
        if board.type != "scrum":
            raise _error(400, "The board does not support sprints.")
        self._sprint_ids += 1
        sprint = JiraSprint(
            id=self._sprint_ids,
            name=name,
            board_id=board.id,
            goal=str(body.get("goal") or ""),
            start=self._parse_date(body.get("startDate"), "startDate"),
            end=self._parse_date(body.get("endDate"), "endDate"),
            created=self._iso(datetime.fromtimestamp(self.epoch(), UTC)),
        )
        self.sprints[sprint.id] = sprint
        return 201, sprint.to_jira(self.url)

    @route("GET", "/rest/agile/1.0/sprint/{sprint}", "sprint.get")
    def _get_sprint(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        return 200, self._sprint_for(request.match_info["sprint"]).to_jira(self.url)

    @route("POST", "/rest/agile/1.0/sprint/{sprint}", "sprint.update")
    def _update_sprint(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        """Partial update. Documented rules: a closed sprint takes only a new name and goal
        (other changes are ignored); ``active`` needs a future sprint with both dates;
        ``closed`` needs an active sprint and sets ``completeDate``; no other state change."""
        sprint = self._sprint_for(request.match_info["sprint"])
        if not isinstance(body, dict):
            raise _error(400, "Invalid request payload.")
        if "name" in body and str(body["name"]).strip():
            name = str(body["name"]).strip()
        else:
            name = sprint.name
        goal = str(body.get("goal") or "") if "goal" in body else sprint.goal
        if sprint.state == "closed":
            sprint.name, sprint.goal = name, goal
            return 200, sprint.to_jira(self.url)
        state = body.get("state")
        start = self._parse_date(body.get("startDate"), "startDate") or sprint.start
        end = self._parse_date(body.get("endDate"), "endDate") or sprint.end
        if state == "active":
            if sprint.state != "future":
                raise _error(400, "A sprint can only be started when it is a future sprint.")
            if not start or not end:
                raise _error(400, "A sprint needs a start date and an end date to start.")
            if any(
                s.state == "active" and s.board_id == sprint.board_id for s in self.sprints.values()
            ):
                raise _error(400, "This board already has an active sprint.")
        elif state == "closed":
            if sprint.state != "active":
                raise _error(400, "Only an active sprint can be completed.")
            sprint.complete = self._iso(datetime.fromtimestamp(self.epoch(), UTC))
            for issue in self.issues.values():
                if issue.sprint == sprint.id:
                    issue.closed_sprints.append(sprint.id)
                    if not issue.done:
                        issue.sprint = None  # back to the backlog, keeping its rank
                        issue.updated = self._stamp()
        elif state not in (None, sprint.state):
            raise _error(400, f"The sprint state cannot be changed to '{state}'.")
        sprint.state = state or sprint.state
        sprint.start, sprint.end, sprint.name, sprint.goal = start, end, name, goal
        return 200, sprint.to_jira(self.url)

    def _issue_list(self, body: Any) -> list[JiraIssue]:
        keys = body.get("issues") if isinstance(body, dict) else None
        if not isinstance(keys, list) or not keys:
            raise _error(400, "Specify the issues to move.")
        if len(keys) > 50:
            raise _error(400, "At most 50 issues can be moved at once.")
        issues = []
        for ref in keys:
            try:
                issues.append(self._issue_for(str(ref)))
            except _Fail as exc:
                raise _error(400, f"Issue {ref} does not exist or you cannot see it.") from exc
        return issues

    @route("GET", "/rest/agile/1.0/board/{board}/sprint", "board.sprints")
    def _board_sprints(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        board = self._board_for(user, request.match_info["board"])
        states = {s.strip() for s in (request.query.get("state") or "").split(",") if s.strip()}
        start = max(0, self._int(request.query.get("startAt"), 0, "startAt"))
        limit = max(1, min(self._int(request.query.get("maxResults"), 50, "maxResults"), 50))
        sprints = [
            s
            for s in sorted(self.sprints.values(), key=lambda s: s.id)
            if s.board_id == board.id and (not states or s.state in states)
        ]
        page = sprints[start : start + limit]
        return 200, {
            "maxResults": limit,
            "startAt": start,
            "isLast": start + limit >= len(sprints),
            "values": [s.to_jira(self.url) for s in page],
        }

    @route("POST", "/rest/agile/1.0/sprint/{sprint}/issue", "sprint.issues")
    def _sprint_issues(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        sprint = self._sprint_for(request.match_info["sprint"])
        if sprint.state == "closed":
            raise _error(400, "Issues cannot be moved into a closed sprint.")
        for issue in self._issue_list(body):
            if issue.sprint != sprint.id:
                issue.sprint = sprint.id
                issue.updated = self._stamp()
        return 204, None

    @route("POST", "/rest/agile/1.0/backlog/issue", "backlog.issues")
    def _backlog_issues(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        for issue in self._issue_list(body):
            if issue.sprint is not None:
                issue.sprint = None
                issue.updated = self._stamp()
        return 204, None

    # -- webhooks ------------------------------------------------------------------------

    def add_webhook(self, url: str, secret: str | None = None) -> JiraWebhook:
        """Registers a webhook (what a Jira admin does); events are sent by
        ``deliver_webhooks()``, or at once when ``auto_webhooks`` is set."""
        hook = JiraWebhook(url, secret)
        self.webhooks.append(hook)
        return hook

    def _event(
        self,
        kind: str,
        issue: JiraIssue,
        user: JiraUser | None = None,
        *,
        changelog: list[dict[str, Any]] | None = None,
    ) -> None:
        if not self.webhooks:
            return
        event: dict[str, Any] = {
            "timestamp": int(self.epoch() * 1000),
            "webhookEvent": kind,
            "issue_event_type_name": "issue_generic",
            "user": (user or self.user).to_jira(self.url or "http://jira.invalid"),
            "issue": self._issue_json(issue, None),
        }
        if changelog:
            event["changelog"] = {"id": str(self._next_id()), "items": changelog}
        self._queue_event(event)

    @staticmethod
    def sign(secret: str, body: bytes) -> str:
        """The ``X-Hub-Signature`` value Jira sends for a webhook with a secret."""
        return "sha256=" + hmac_sha256(secret, body)

    def _deliveries(self, event: dict[str, Any]) -> Iterable[Delivery]:
        body = json.dumps(event).encode()
        for hook in self.webhooks:
            if event["webhookEvent"] in hook.events:
                headers = {"Content-Type": "application/json"}
                if hook.secret:
                    headers["X-Hub-Signature"] = self.sign(hook.secret, body)
                yield Delivery(hook, body, headers)
