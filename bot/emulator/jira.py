"""A local stand-in for Jira Cloud: the REST endpoints Timebox's tracker sync uses.

Like the Slack emulator it is an aiohttp server on 127.0.0.1 (a free port by default), records
every call (``calls``, ``calls_to(route)``) and never sleeps unless told to hold an answer: time
comes from an injectable ``now`` clock. It holds projects, issues with a global rank order, a
Scrum board whose configuration names a story points field, sprints and users with API tokens,
and answers with the shapes of Atlassian's documentation:

- ``GET  /rest/api/3/myself``, ``GET /rest/api/3/field`` (each custom field's ``schema``: the
  Sprint field, ``customfield_10020``, is Jira Software's ``gh-sprint`` type; an issue's value
  is every sprint it is or was in)
- ``POST /rest/api/3/search/jql`` (a JQL subset: ``project``, ``filter``, ``key``/``issuekey``,
  ``status``, ``statusCategory``, ``issuetype``, ``updated``/``created`` compared with
  ``"yyyy/MM/dd HH:mm"`` in the user's time zone, joined by AND, ``ORDER BY``), ``nextPageToken``
  paging, ``isLast``
- ``GET/PUT /rest/api/3/issue/{key}``, ``POST /rest/api/3/issue``
- ``GET/POST /rest/api/3/issue/{key}/transitions`` (a workflow of To Do, In Progress and Done,
  every status reachable from every other unless ``workflow`` says otherwise, which may also
  lead to a Done-category "Cancelled"; with ``expand=transitions.fields`` each step's screen
  fields: the resolutions ``resolution_screens`` offers, Jira's default four on the step to
  Done, and ``done_needs`` required there; a Done issue's ``resolution`` is "Done" unless the
  transition (by name or id, if its screen offers it) or ``edit`` names another: "Won't Do")
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

The emulator is ``JiraEmulator`` here (its set-up and test helpers, faults and the HTTP
plumbing) on ``JiraSite`` (jira_site.py: the state, the JSON views, webhook events), with one
mixin per family of routes: jira_search.py (JQL search, a board's backlog), jira_issues.py
(issues, rank, transitions) and jira_boards.py (board configuration, sprints); the records are
in jira_records.py and the JQL parser in jql.py.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Unpack

from aiohttp import web

from bot.emulator.faults import Fault
from bot.emulator.http import answer
from bot.emulator.jira_boards import JiraBoards
from bot.emulator.jira_issues import JiraIssues
from bot.emulator.jira_records import (
    RANK_FIELD,
    RANK_FIELD_ID,
    RESOLUTIONS,
    SPRINT_FIELD,
    SPRINT_TYPE,
    STORY_POINTS,
    UNAUTHENTICATED,
    JiraBoard,
    JiraCall,
    JiraIssue,
    JiraSprint,
    JiraUser,
    adf_text,
    jira_error,
)
from bot.emulator.jira_search import JiraSearch
from bot.emulator.tracker import ServerOptions, route

__all__ = ["STORY_POINTS", "JiraEmulator", "JiraIssue"]


class JiraEmulator(JiraSearch, JiraIssues, JiraBoards):
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
        self.users = {}
        self.bearer: dict[str, str] = {}  # OAuth access token -> email
        self.projects = {}
        self.filters = {}  # filter id -> project key
        self.boards = {}
        self.issues = {}
        self.rank = []  # every issue key, in rank order
        self.moved = {}  # old key -> new key (moved to another project)
        # status -> the statuses a transition leads to from it (None: every other status)
        self.workflow = None
        self.done_needs = set()  # fields a transition to Done must set (a screen)
        # status -> the resolutions offered on the screen of the step to it (none: no screen
        # with a resolution); the step to Done offers Jira Cloud's default resolutions.
        self.resolution_screens = {"Done": list(RESOLUTIONS)}
        # Accounts that lost "Browse projects": Jira then finds no issues for them in a
        # search, and answers 404 for each one (the board itself still opens).
        self.browse_denied = set()
        self._ranks = 0
        self.sprints = {}
        self.custom_fields = {
            STORY_POINTS: "Story point estimate",
            SPRINT_FIELD: "Sprint",
            f"customfield_{RANK_FIELD_ID}": "Rank",
        }
        self.number_fields = {STORY_POINTS}
        self.text_fields = set()  # ADF (textarea) custom fields
        self._numbers = {}
        self._sprint_ids = 0
        self.webhooks = []
        self.user = self.add_user(email, token, display_name=display_name, time_zone=time_zone)
        self.add_project(project)
        self.board = self.add_board(board_id, f"{project} board", project)

    # -- lifecycle -----------------------------------------------------------------------

    def _mounts(self, path: str) -> list[str]:
        """The site's path, and api.atlassian.com/ex/jira/<id>'s, where OAuth 2.0 (3LO) apps
        reach the same API."""
        return [path, "/ex/jira/{cloud}" + path]

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

    def add_sprint(
        self, name: str, *, state: str = "active", board_id: int | None = None
    ) -> JiraSprint:
        """A sprint of the board (default: the main one), as a person plans or starts one in
        Jira; ``edit(key, sprint=sprint.id)`` puts an issue in it."""
        self._sprint_ids += 1
        stamp = self._now_iso()
        sprint = JiraSprint(
            id=self._sprint_ids,
            name=name,
            board_id=self.board.id if board_id is None else board_id,
            state=state,
            start=stamp if state != "future" else None,
            created=stamp,
        )
        self.sprints[sprint.id] = sprint
        return sprint

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
            issue = self._new_issue(project, f"Backlog item {n}", stamp=stamp)
            if estimate is not None and fields:
                issue.fields[fields[0]] = estimate(n)
            issue.fields[RANK_FIELD] = self._rank_token()
            self.issues[issue.key] = issue
            keys.append(issue.key)
        self.rank.extend(keys)
        return keys

    def edit(self, key: str, **changes: Any) -> JiraIssue:
        """Changes an issue as a person in Jira would, and bumps ``updated``.

        Keys: summary, description (text or ADF), status, resolution (a name: "Won't Do"; a
        Done status gets "Done" unless told), estimate, labels, blocked_by, parent, assignee
        (email or None), issue_type, sprint (a sprint's id, or None: the backlog), and any
        custom field id.
        """
        issue = self.issues[key]
        for name, value in changes.items():
            if name == "resolution":
                continue
            if name == "description":
                issue.description = adf_text(value) if isinstance(value, str) else value
            elif name == "estimate":
                issue.fields[self._estimation_field()] = value
            elif name == "assignee":
                issue.assignee = self.users[value].account_id if value else None
            elif name in ("labels", "blocked_by"):
                setattr(issue, name, list(value))
            elif name in ("summary", "status", "parent", "issue_type", "sprint"):
                setattr(issue, name, value)
            else:
                issue.fields[name] = value
        issue.resolve(changes.get("resolution"))
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
        issue.key, issue.project = self._next_key(project), project
        issue.updated = self._stamp()
        self.issues[issue.key] = issue
        self.rank[self.rank.index(key)] = issue.key
        self.moved[key] = issue.key
        self._event("jira:issue_updated", issue)
        return issue

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
        raise jira_error(404, f"null for uri: {self.url}{request.path}")

    # -- the caller ----------------------------------------------------------------------

    @route("GET", "/rest/api/3/myself", "myself")
    def _myself(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        return 200, user.to_jira(self.url)

    # -- the site's fields ---------------------------------------------------------------

    @route("GET", "/rest/api/3/field", "fields")
    def _field_list(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        """Every field, system and custom, as Jira lists them: a custom one's ``schema``
        names its type (``custom``), which is how a client finds the Sprint field."""
        system = [
            ("summary", "Summary", "string"),
            ("description", "Description", "string"),
            ("issuetype", "Issue Type", "issuetype"),
            ("status", "Status", "status"),
            ("labels", "Labels", "array"),
            ("updated", "Updated", "datetime"),
        ]
        out: list[dict[str, Any]] = [
            {
                "id": field_id,
                "key": field_id,
                "name": name,
                "custom": False,
                "navigable": True,
                "searchable": True,
                "clauseNames": [field_id],
                "schema": {"type": kind, "system": field_id},
            }
            for field_id, name, kind in system
        ]
        for field_id, name in self.custom_fields.items():
            number = int(field_id.removeprefix("customfield_"))
            out.append(
                {
                    "id": field_id,
                    "key": field_id,
                    "name": name,
                    "custom": True,
                    "navigable": True,
                    "searchable": True,
                    "clauseNames": [f"cf[{number}]", name],
                    "schema": {**self._custom_schema(field_id), "customId": number},
                }
            )
        return 200, out

    def _custom_schema(self, field_id: str) -> dict[str, Any]:
        """A custom field's type, as its ``schema`` says it."""
        prefix = "com.atlassian.jira.plugin.system.customfieldtypes"
        if field_id == SPRINT_FIELD:
            return {"type": "array", "items": "json", "custom": SPRINT_TYPE}
        if field_id == RANK_FIELD:
            return {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-lexo-rank"}
        if field_id in self.text_fields:
            return {"type": "string", "custom": f"{prefix}:textarea"}
        return {"type": "number", "custom": f"{prefix}:float"}
