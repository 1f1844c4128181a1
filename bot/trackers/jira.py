"""Jira Cloud as a ``Tracker``: one Scrum board, over Jira's documented REST APIs (aiohttp).

Endpoints (Jira Cloud platform REST v3 and Jira Software Cloud REST agile 1.0):

- ``GET  /rest/api/3/myself``: who the credential is, and its time zone (JQL dates are read in
  it). Invalid credentials are treated as anonymous by some endpoints; this one refuses them.
- ``GET  /rest/agile/1.0/board/{id}/configuration``: the estimation field
  (``estimation.field.fieldId``), the rank field, the board's filter and project; read again
  once kept for an hour (``BOARD_SETTINGS_AGE``) by the hourly look at the board (before its
  keys), and before an estimate is written once a minute old (``ESTIMATE_SETTINGS_AGE``), as
  an admin may switch the estimation field: the sync engine keeps what was read again, so the
  syncs after read estimates from the field the board estimates with now, for one call an
  hour and one a minute of estimates written. Each issue read says which field its
  estimate came from (``estimate_field``): a switch found, the sync reads the linked issues
  again (bot/usecases/tracker_reread.py).
- ``GET  /rest/api/3/field``: which custom field is the Sprint field (its id differs between
  sites: ``customfield_10020`` on most); its value, a list of the sprints the issue is or was
  in (``id``, ``name``, ``state``, ``boardId``, ...), says whether an issue is planned in an
  open sprint, which the board's backlog leaves out.
- ``GET  /rest/agile/1.0/board/{id}/backlog``: the backlog in rank order (``startAt`` paging:
  each page after the first starts on the last issue of the one before, to see whether the
  board shifted between the two reads: ``IssuePage.shifted``).
- ``POST /rest/api/3/search/jql``: changed issues, ``filter = <board filter> AND updated >=
  "<time>"`` with ``nextPageToken`` paging (the enhanced search), so an incremental fetch costs
  calls in proportion to what changed, never to the board's size. The same search with
  ``fields: ["key"]`` and ``ORDER BY Rank`` gives the board's keys in order: Jira pages up to
  5,000 issues when only ``id``/``key`` are asked for (100 otherwise), so a 5,000-issue board's
  order is one call. ``key in (...)`` reads issues by key, 100 a search (``issues_by_key``:
  the hourly look after an import that found the board shifted, a reconnection's kept keys).
- ``GET/POST /rest/api/3/issue/{key}/transitions``: moving an issue to a Done status, back
  to a To Do one, or to Done as won't do (bot/trackers/jira_workflow.py, with how a status or
  resolution says an issue was closed without being delivered).
- ``GET/PUT /rest/api/3/issue/{key}``, ``POST /rest/api/3/issue``: read/write fields, create
  (with the epic as ``parent``, and the item's type as the project has it: the project's types
  from ``GET /rest/api/3/issue/createmeta/{project}/issuetypes``, asked only for a type other
  than Story and Bug).
- ``PUT  /rest/agile/1.0/issue/rank``: rank before/after another issue (204, or 207 per issue).
- ``POST /rest/agile/1.0/sprint``, ``GET/POST /rest/agile/1.0/sprint/{id}`` (partial update:
  ``state`` active/closed), ``POST /rest/agile/1.0/sprint/{id}/issue``,
  ``POST /rest/agile/1.0/backlog/issue``: sprints, in batches of 50 issues.

Failures follow the retry rules of bot/trackers/http.py (those of every tracker client): 5xx,
timeouts and dropped connections retried with backoff, creates (issue, sprint) never repeated
after a lost answer (``maybe_applied``). Jira's rate limit: 429 (or 503 with ``Retry-After``)
waits for ``Retry-After`` seconds, ``X-RateLimit-Reset`` or a backoff when absent.

No library: the maintained Python Jira clients (``jira``, ``atlassian-python-api``) are
synchronous (requests) and would need a thread per call; this module needs a dozen endpoints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Unpack
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import trackers
from bot.trackers.adf import (
    adf_to_text,
    doc,
    join_acceptance,
    list_items,
    list_to_adf,
    replace_acceptance,
    split_acceptance,
    text_to_adf,
)
from bot.trackers.base import ApiToken, Credential
from bot.trackers.checks import BoardCheck, lacking
from bot.trackers.http import (
    JsonClient,
    JsonOptions,
    Reply,
    format_time,
    parse_time,
    retry_after,
    shortened,
    snapshot_fields,
)
from bot.trackers.jira_workflow import JiraWorkflow, not_done, status_category

BATCH = 50  # Jira moves or ranks at most 50 issues per call
BOARD_SETTINGS_AGE = timedelta(hours=1)  # board settings kept longer are read again
ESTIMATE_SETTINGS_AGE = timedelta(minutes=1)  # ... or, for an estimate's write, a minute
KEYS_PAGE = 5000  # the enhanced search's page when only keys are asked for (documented max)
ISSUES_PAGE = 100  # issues a search reads by key (its page when fields are asked for)
# how a refused ``key in (...)`` names a key: "An issue with key 'X' does not exist for field
# 'key'." (deleted, never made, or hidden), "The issue key 'X' for field 'key' is invalid."
_NAMED_KEY = re.compile(r"(?:with key|issue key) '([^']+)'")
TIME_TRACKING_FIELD = "timeoriginalestimate"
_BLOCKS = "blocks"
_IS_BLOCKED_BY = "is blocked by"
SPRINT_FIELD_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"  # the Sprint field's schema.custom
_OPEN_SPRINTS = ("active", "future")
STORY_TYPE = "Story"  # what an issue of a type the project lacks is created as, if it has it
STANDARD_TYPES = frozenset({"story", "bug"})  # every Scrum software project has them
ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]+-\d+$")  # an epic given as text is no parent


def issue_type_in(types: Sequence[Mapping[str, Any]], wanted: str) -> str:
    """The name of the project's issue type (``types``: createmeta's, with ``name``,
    ``subtask``, ``hierarchyLevel``) for a new issue of type ``wanted``: the one of that name
    (any case), else the project's story type: Story, else its first standard type (neither
    an epic nor a sub-task), else Story all the same (Jira then says what it lacks). An
    issue of a type the project lacks is a story, read back as one: its item is made one at
    the create (``tracker_writes.created_as``), not changed later as if edited in Jira."""
    standard = [
        str(kind.get("name") or "")
        for kind in types
        if not kind.get("subtask") and int(kind.get("hierarchyLevel") or 0) == 0
    ]
    named = {name.lower(): name for name in standard if name}
    return (
        named.get(wanted.lower())
        or named.get(STORY_TYPE.lower())
        or next(iter(named.values()), STORY_TYPE)
    )


@dataclass(frozen=True)
class BoardConfig:
    id: int
    name: str
    type: str  # "scrum" or "kanban"
    filter_id: str | None
    project: str | None  # key or id of the board's project (where new issues go)
    estimation_field: str | None  # e.g. customfield_10016; None: the board does not estimate
    estimation_name: str | None
    rank_field_id: int | None
    sprint_field: str | None = None  # the Sprint field's id; None: the site has none
    sprint_field_read: bool = True  # False: restored from a snapshot kept before it was read
    read_at: datetime | None = None  # when the settings were read (None: not known)


@dataclass(frozen=True)
class JiraAccount:
    user: trackers.TrackerUser
    time_zone: str


def jql_time(since: datetime, time_zone: str) -> str:
    """``since`` as a JQL date in the account's time zone, at or before ``since``.

    JQL dates have minute precision and are read in the user's time zone: the minute is
    floored, and a wall-clock time that a DST change makes ambiguous steps an hour back, so no
    change is missed (the client drops the earlier ones it gets).
    """
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = since.astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
    early = local.replace(tzinfo=zone, fold=0)
    late = local.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        local -= timedelta(hours=1)
    return local.strftime("%Y/%m/%d %H:%M")


def _messages(body: Any) -> str:
    """Jira's ErrorCollection (``errorMessages`` and ``errors``) as one short sentence."""
    parts: list[str] = []
    if isinstance(body, Mapping):
        parts += [str(m) for m in body.get("errorMessages") or [] if m]
        errors = body.get("errors")
        if isinstance(errors, Mapping):
            parts += [f"{k}: {v}" for k, v in errors.items()]
        if not parts and body.get("message"):
            parts.append(str(body["message"]))
    elif isinstance(body, str) and body.strip() and not body.lstrip().startswith("<"):
        parts.append(body.strip())
    return shortened("; ".join(parts))


class UnknownKeys(trackers.TrackerError):
    """A search Jira refused (400) for keys of it that name no issue the account sees:
    Jira checks every key of a ``key in (...)`` clause and names each (``keys``, upper case)."""

    def __init__(self, error: trackers.TrackerError, keys: Sequence[str]) -> None:
        super().__init__(error.message, kind=error.kind, status=error.status)
        self.keys = frozenset(key.upper() for key in keys)


class JiraCloud(JiraWorkflow, JsonClient, BoardCheck[JiraAccount, BoardConfig]):
    """A Jira Cloud (or, with a listed host, Data Center) Scrum board."""

    name = "jira"
    display_name = "Jira"
    address_name = "site address"
    refused_holder = "Jira account"
    not_found_where = "in Jira, or the Jira account cannot see it"
    session_headers = {"Accept": "application/json", "User-Agent": "Timebox"}

    def __init__(
        self,
        site_url: str,
        credential: Credential,
        board_id: int,
        *,
        page_size: int = 100,
        acceptance_field: str | None = None,
        jql: str | None = None,
        board_config: BoardConfig | None = None,
        account: JiraAccount | None = None,
        **options: Unpack[JsonOptions],
    ) -> None:
        super().__init__(**options)
        self.site = self.policy.check_url(site_url)
        self.credential = credential
        self.board_id = int(board_id)
        self.page_size = max(1, min(int(page_size), 100))
        self.acceptance_field = acceptance_field
        # The team's own narrowing of the board (``labels = mobile``), ANDed with the board's.
        self.jql = (jql or "").strip() or None
        # Known from an earlier check: the sync engine keeps them, saving a call per run.
        self._board: BoardConfig | None = board_config
        self._account: JiraAccount | None = account
        self._issue_types: tuple[Mapping[str, Any], ...] | None = None  # the project's, once read
        self.api = credential.api_base(self.site)

    # -- HTTP ----------------------------------------------------------------------------

    async def _authorization(self) -> str:
        return await self.credential.authorization()

    _detail = staticmethod(_messages)

    def _refusal(
        self, status: int, body: Any, action: str, what: str | None
    ) -> trackers.TrackerError:
        """A refusal in Jira's words; a 400 naming unknown keys says which (``UnknownKeys``)."""
        error = super()._refusal(status, body, action, what)
        said = body.get("errorMessages") if status == 400 and isinstance(body, Mapping) else None
        named = [m.group(1) for text in said or () if (m := _NAMED_KEY.search(str(text)))]
        return UnknownKeys(error, named) if named else error

    def _wait_asked(self, reply: Reply, attempt: int) -> float | None:
        """429, or 503 with ``Retry-After``: ``Retry-After``, else ``X-RateLimit-Reset``,
        else a backoff."""
        if reply.status != 429 and not (reply.status == 503 and "Retry-After" in reply.headers):
            return None
        wait = retry_after(reply.headers.get("Retry-After"), self._now())
        if wait is None:
            when = parse_time(reply.headers.get("X-RateLimit-Reset"))
            wait = None if when is None else max(0.0, (when - self._now()).total_seconds())
        return self._backoff(attempt) if wait is None else wait

    async def _call(self, method: str, path: str, **options: Any) -> tuple[int, Any]:
        """A call to ``path`` of the API (``JsonClient._request``'s options): the status and
        the decoded JSON (or None)."""
        reply = await self._request(method, f"{self.api}{path}", **options)
        return reply.status, reply.body

    def _unauthorised(self) -> str:
        if isinstance(self.credential, ApiToken):
            return (
                f"Jira did not accept the API token for {self.credential.email}: check the "
                "email address and that the token is current (id.atlassian.com > Security "
                "> API tokens), then connect again."
            )
        return "Jira did not accept Timebox's authorisation: connect Jira again."

    # -- account and board ---------------------------------------------------------------

    async def account(self, *, refresh: bool = False) -> JiraAccount:
        if self._account is None or refresh:
            _, me = await self._call(
                "GET", "/rest/api/3/myself", action="confirm which account this is"
            )
            me = me or {}
            self._account = JiraAccount(
                trackers.TrackerUser(
                    id=str(me.get("accountId") or ""),
                    name=str(me.get("displayName") or ""),
                    email=me.get("emailAddress"),
                ),
                time_zone=str(me.get("timeZone") or "UTC"),
            )
        return self._account

    async def board(self, *, refresh: bool = False) -> BoardConfig:
        """The board's settings, read once (``refresh``: again), with the Sprint field."""
        if self._board is None or refresh:
            board = await self._configuration()
            self._board = replace(board, sprint_field=await self._sprint_field())
        elif not self._board.sprint_field_read:
            self._board = replace(
                self._board, sprint_field=await self._sprint_field(), sprint_field_read=True
            )
        return self._board

    async def _fresh_board(self, max_age: timedelta = BOARD_SETTINGS_AGE) -> BoardConfig:
        """The board's settings, read again when kept for `max_age` (or kept without when
        they were read), the Sprint field kept: a Jira admin may switch the field the board
        estimates with, and an estimate written to the old one never shows on the board, one
        read from it is not the board's. Asked by the hourly look at the board
        (``backlog_keys``), not by every sync: the sync engine keeps what a job read again
        (``snapshot``, its ``read_at``), so the syncs after read the field the board
        estimates with now. Before an estimate is written, read once they are a minute old
        (``ESTIMATE_SETTINGS_AGE``): kept an hour, they would send an estimate given in the
        hour after a switch to the old field, and the look after would take the new field's
        older value as Jira's change; a burst of writes (the estimates copied to the new
        field after a switch) shares one read."""
        board = await self.board()
        if board.read_at is None or self._now() - board.read_at >= max_age:
            fresh = await self._configuration()
            self._board = board = replace(
                fresh,
                sprint_field=board.sprint_field,
                sprint_field_read=board.sprint_field_read,
            )
        return board

    async def _configuration(self) -> BoardConfig:
        """``GET /board/{id}/configuration``, the Sprint field not read yet."""
        _, raw = await self._call(
            "GET",
            f"/rest/agile/1.0/board/{self.board_id}/configuration",
            action=f"read the settings of board {self.board_id}",
            what=f"Board {self.board_id}",
        )
        raw = raw or {}
        estimation = raw.get("estimation") or {}
        field = estimation.get("field") or {}
        location = raw.get("location") or {}
        project = location.get("projectKeyOrId") or location.get("key") or location.get("id")
        rank = (raw.get("ranking") or {}).get("rankCustomFieldId")
        return BoardConfig(
            id=int(raw.get("id") or self.board_id),
            name=str(raw.get("name") or f"board {self.board_id}"),
            type=str(raw.get("type") or "scrum"),
            filter_id=str((raw.get("filter") or {}).get("id") or "") or None,
            project=str(project) if project else None,
            estimation_field=(field.get("fieldId") if estimation.get("type") == "field" else None),
            estimation_name=field.get("displayName"),
            rank_field_id=int(rank) if rank is not None else None,
            read_at=self._now(),
        )

    async def _sprint_field(self) -> str | None:
        """The id of the site's Sprint field (``GET /rest/api/3/field``: the one whose
        ``schema.custom`` is Jira Software's sprint type), or None if it has none."""
        _, raw = await self._call("GET", "/rest/api/3/field", action="read the site's fields")
        for field in raw if isinstance(raw, list) else []:
            if isinstance(field, Mapping) and (
                (field.get("schema") or {}).get("custom") == SPRINT_FIELD_TYPE
            ):
                return str(field.get("id") or "") or None
        return None

    def snapshot(self) -> dict[str, Any]:
        """The board's configuration and the account, as learnt (JSON); ``restore`` reads it."""
        out: dict[str, Any] = {}
        if self._board is not None:
            board = self._board
            out.update(snapshot_fields(board, id=None, sprint_field_read=None, read_at=None))
            if board.read_at is not None:
                out["read_at"] = format_time(board.read_at)
        if self._account is not None:
            user = self._account.user
            out.update(
                account_id=user.id, account_name=user.name, time_zone=self._account.time_zone
            )
        return out

    @staticmethod
    def restore(
        board_id: int, snapshot: Mapping[str, Any]
    ) -> tuple[BoardConfig | None, JiraAccount | None]:
        """A ``snapshot()`` as the ``board_config`` and ``account`` of a new client."""
        board = account = None
        if "filter_id" in snapshot or "project" in snapshot:
            rank = snapshot.get("rank_field_id")
            board = BoardConfig(
                id=int(board_id),
                name=str(snapshot.get("name") or f"board {board_id}"),
                type=str(snapshot.get("type") or "scrum"),
                filter_id=snapshot.get("filter_id"),
                project=snapshot.get("project"),
                estimation_field=snapshot.get("estimation_field"),
                estimation_name=snapshot.get("estimation_name"),
                rank_field_id=int(rank) if rank is not None else None,
                sprint_field=snapshot.get("sprint_field"),
                sprint_field_read="sprint_field" in snapshot,
                read_at=parse_time(snapshot.get("read_at")),
            )
        if "time_zone" in snapshot:
            account = JiraAccount(
                trackers.TrackerUser(
                    id=str(snapshot.get("account_id") or ""),
                    name=str(snapshot.get("account_name") or ""),
                ),
                time_zone=str(snapshot["time_zone"]),
            )
        return board, account

    async def _open(self) -> BoardConfig:
        return await self.board(refresh=True)

    def _no_access(self, account: JiraAccount) -> str:
        who = account.user.email or account.user.name or "the Jira account"
        return (
            f"{who} cannot open board {self.board_id}: check the board number (it "
            "is in the board's address, …/boards/<number>) and ask a Jira admin to "
            "share the board and its filter with that account."
        )

    def _lacks(self, board: BoardConfig) -> list[trackers.TrackerProblem]:
        """What a board Timebox can open lacks for it: sprints, estimates in points, a project."""
        named = f"Board '{board.name}'"
        return lacking(
            (
                board.type != "scrum",
                "not_scrum",
                f"{named} is a {board.type} board: it has no backlog of sprints. Connect a "
                "Scrum board.",
            ),
            (
                board.estimation_field is None,
                "no_estimation_field",
                f"{named} does not estimate with a field, so estimates cannot be synced: in "
                "Jira open the board's settings > Estimation and choose Story points.",
            ),
            (
                board.estimation_field == TIME_TRACKING_FIELD,
                "estimation_in_time",
                f"{named} estimates in time (Original time estimate), and Timebox's estimates "
                "are points: in the board's settings > Estimation choose Story points.",
            ),
            (
                board.project is None,
                "no_project",
                f"{named} is not in a project, so Timebox cannot create issues on it: connect "
                "a project's board.",
            ),
        )

    # -- reading -------------------------------------------------------------------------

    def _fields(self, board: BoardConfig) -> list[str]:
        names = [
            "summary",
            "description",
            "issuetype",
            "status",
            "assignee",
            "labels",
            "issuelinks",
            "updated",
            "created",
            "parent",
            "resolution",
        ]
        extras = (
            board.estimation_field,
            self.acceptance_field,
            _rank_field(board),
            board.sprint_field,
        )
        for extra in extras:
            if extra and extra not in names:
                names.append(extra)
        return names

    def _issue(self, raw: Mapping[str, Any], board: BoardConfig) -> trackers.TrackerIssue:
        fields = raw.get("fields") or {}
        key = str(raw.get("key") or "")
        if self.acceptance_field:
            description = adf_to_text(fields.get("description"))
            criteria = list_items(fields.get(self.acceptance_field))
        else:
            description, criteria = split_acceptance(fields.get("description"))
        estimate = fields.get(board.estimation_field) if board.estimation_field else None
        status = fields.get("status") or {}
        category = status_category(status) or trackers.StatusCategory.TODO
        person = fields.get("assignee")
        assignee = (
            trackers.TrackerUser(
                id=str(person.get("accountId") or ""),
                name=str(person.get("displayName") or ""),
                email=person.get("emailAddress"),
            )
            if isinstance(person, Mapping)
            else None
        )
        epic = None
        parent = fields.get("parent")
        if isinstance(parent, Mapping):
            kind = ((parent.get("fields") or {}).get("issuetype")) or {}
            if kind.get("hierarchyLevel") == 1 or str(kind.get("name", "")).lower() == "epic":
                epic = parent.get("key")
        if epic is None and isinstance(fields.get("epic"), Mapping):
            epic = fields["epic"].get("key")
        blocked_by = []
        for link in fields.get("issuelinks") or []:
            kind = link.get("type") or {}
            inward = link.get("inwardIssue")
            is_blocks = (
                str(kind.get("name", "")).lower() == _BLOCKS
                or str(kind.get("inward", "")).lower() == _IS_BLOCKED_BY
            )
            if is_blocks and isinstance(inward, Mapping) and inward.get("key"):
                blocked_by.append(str(inward["key"]))
        sprint = _open_sprint(fields, board.sprint_field)
        return trackers.TrackerIssue(
            key=key,
            url=f"{self.site}/browse/{key}",
            summary=str(fields.get("summary") or ""),
            description=description,
            acceptance_criteria=criteria,
            estimate=float(estimate) if isinstance(estimate, int | float) else None,
            issue_type=str((fields.get("issuetype") or {}).get("name") or ""),
            status_category=category,
            status=str(status.get("name") or ""),
            assignee=assignee,
            epic=str(epic) if epic else None,
            labels=tuple(str(label) for label in fields.get("labels") or ()),
            blocked_by=tuple(blocked_by),
            updated=parse_time(fields.get("updated")) or datetime.fromtimestamp(0, UTC),
            id=str(raw.get("id") or ""),
            rank=str(fields.get(_rank_field(board) or "") or ""),
            sprint=sprint[0] if sprint else None,
            sprint_id=sprint[1] if sprint else None,
            not_planned=category is trackers.StatusCategory.DONE
            and not_done(fields.get("resolution"), status.get("name")),
            created=parse_time(fields.get("created")),
            estimate_field=board.estimation_field or "",
        )

    async def backlog_page(self, cursor: str | None = None) -> trackers.IssuePage:
        """A page of the backlog in rank order. The backlog is paged by position, so a page
        after the first starts on the last issue of the one before (the cursor names it, and
        its place: ``_edge``): there still, the board did not shift between the two reads and
        that issue is left out; else the page is ``shifted``, all of it given."""
        board = await self.board()
        after, last, edge = _backlog_cursor(cursor)
        start = after - 1 if last else after
        _, raw = await self._call(
            "GET",
            f"/rest/agile/1.0/board/{self.board_id}/backlog",
            action=f"read the backlog of board {self.board_id}",
            what=f"Board {self.board_id}",
            params={
                "startAt": str(start),
                "maxResults": str(self.page_size),
                "fields": ",".join([*self._fields(board), "epic"]),
                **({"jql": self.jql} if self.jql else {}),
            },
        )
        raw = raw or {}
        read = tuple(self._issue(i, board) for i in raw.get("issues") or [])
        total = raw.get("total")
        after = start + len(read)
        new = len(read) - (1 if last else 0)  # a page of the overlap alone ends the walk
        more = new > 0 and (after < int(total) if total is not None else True)
        following = f"{after} {read[-1].key} {_edge(read[-1])}" if more else None
        if not last:
            return trackers.IssuePage(read, following)
        shifted = not read or read[0].key != last or _edge(read[0]) != edge
        return trackers.IssuePage(read if shifted else read[1:], following, shifted=shifted)

    async def changes_page(self, since: datetime, cursor: str | None = None) -> trackers.IssuePage:
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        board = await self.board()
        account = await self.account()
        jql = (
            f'{self._scope(board)} AND updated >= "{jql_time(since, account.time_zone)}" '
            "ORDER BY updated ASC, key ASC"
        )
        request: dict[str, Any] = {
            "jql": jql,
            "maxResults": self.page_size,
            "fields": self._fields(board),
        }
        if cursor:
            request["nextPageToken"] = cursor
        _, raw = await self._call(
            "POST", "/rest/api/3/search/jql", action="search for changed issues", body=request
        )
        raw = raw or {}
        issues = [self._issue(i, board) for i in raw.get("issues") or []]
        token = raw.get("nextPageToken")
        more = bool(token) and not raw.get("isLast", False)
        return trackers.IssuePage.of_changes(issues, since, str(token) if more else None)

    def _scope(self, board: BoardConfig) -> str:
        """The board's issues in JQL: its filter (else its project), and the team's JQL."""
        scope = f"filter = {board.filter_id}" if board.filter_id else f'project = "{board.project}"'
        return f"{scope} AND ({self.jql})" if self.jql else scope

    async def backlog_keys(self) -> list[str]:
        """The keys of the board's issues that are not done (open sprints' too) in rank order:
        one enhanced search asking for keys only, 5,000 a page. The board's settings are read
        again first once an hour old (``_fresh_board``): this is the hourly look's call."""
        board = await self._fresh_board()
        request: dict[str, Any] = {
            "jql": f"{self._scope(board)} AND statusCategory != Done ORDER BY Rank ASC",
            "maxResults": KEYS_PAGE,
            "fields": ["key"],
        }
        found = await self._searched(request, f"read the order of board {self.board_id}")
        return [str(i["key"]) for i in found if i.get("key")]

    async def _searched(self, request: dict[str, Any], action: str) -> list[Mapping[str, Any]]:
        """Every issue an enhanced search finds, page after page (``nextPageToken``)."""
        found: list[Mapping[str, Any]] = []
        while True:
            _, raw = await self._call("POST", "/rest/api/3/search/jql", action=action, body=request)
            raw = raw or {}
            found += raw.get("issues") or []
            token = raw.get("nextPageToken")
            if not token or raw.get("isLast", False):
                return found
            request = {**request, "nextPageToken": token}

    async def issues_by_key(self, keys: Sequence[str]) -> list[trackers.TrackerIssue]:
        """The issues ``keys`` name, in the order asked: ``key in (...)`` in the enhanced
        search, ``ISSUES_PAGE`` keys a search (``_keys_searched``), with the fields of every
        other read; an old key of a moved issue finds it under its new key."""
        board = await self.board()
        wanted = list(dict.fromkeys(keys))
        found: list[trackers.TrackerIssue] = []
        for start in range(0, len(wanted), ISSUES_PAGE):
            found += await self._keys_searched(wanted[start : start + ISSUES_PAGE], board)
        order = {key: n for n, key in enumerate(wanted)}
        return sorted(found, key=lambda issue: order.get(issue.key, len(order)))

    async def _keys_searched(
        self, asked: list[str], board: BoardConfig
    ) -> list[trackers.TrackerIssue]:
        """One search for ``asked``. Jira refuses the whole search (400) when a key names no
        issue the account sees (deleted since it was listed, or hidden), naming each such key
        (``UnknownKeys``): those are left out and the rest searched for again, one call more.
        A refusal naming none of them: each is asked for alone, as before searches did it."""
        while asked:
            listed = ", ".join(f'"{key}"' for key in asked)
            request = {
                "jql": f"key in ({listed})",
                "maxResults": ISSUES_PAGE,
                "fields": self._fields(board),
            }
            try:
                raws = await self._searched(request, f"read {len(asked)} issues")
                return [self._issue(raw, board) for raw in raws]
            except trackers.TrackerError as error:
                if error.kind is not trackers.TrackerErrorKind.INVALID:
                    raise
                unknown = error.keys if isinstance(error, UnknownKeys) else frozenset()
                known = [key for key in asked if key.upper() not in unknown]
                if len(known) == len(asked):
                    break
                asked = known
        return await trackers.issues_one_by_one(self, asked)

    async def issue(self, key: str, *, issue_id: str = "") -> trackers.TrackerIssue:
        """Read by ``key``, whatever ``issue_id``: Jira answers the old key of an issue moved
        to another project with the issue under its new key."""
        board = await self.board()
        return self._issue(await self._read(key, self._fields(board), f"read {key}"), board)

    # -- writing -------------------------------------------------------------------------

    async def update_issue(self, key: str, update: trackers.IssueUpdate) -> None:
        if update.empty:
            return
        fields: dict[str, Any] = {}
        if update.summary is not trackers.KEEP:
            fields["summary"] = update.summary
        if update.estimate is not trackers.KEEP:
            board = await self._fresh_board(ESTIMATE_SETTINGS_AGE)
            if board.estimation_field is None:
                raise trackers.TrackerError(
                    f"Board '{board.name}' has no estimation field, so the estimate of {key} "
                    "cannot be written: choose Story points in the board's settings.",
                    kind=trackers.TrackerErrorKind.CONFIG,
                )
            fields[board.estimation_field] = update.estimate
        if update.changes_text:
            fields.update(await self._text_fields(key, update))
        await self._on_issue("PUT", key, f"update {key}", body={"fields": fields})

    async def _text_fields(self, key: str, update: trackers.IssueUpdate) -> dict[str, Any]:
        description, criteria = update.description, update.acceptance_criteria
        if self.acceptance_field:
            out: dict[str, Any] = {}
            if description is not trackers.KEEP:
                out["description"] = text_to_adf(description)
            if criteria is not trackers.KEEP:
                out[self.acceptance_field] = doc(list_to_adf(list(criteria))) if criteria else None
            return out
        if description is trackers.KEEP or criteria is trackers.KEEP:
            raw = await self._read(key, ["description"], f"read {key}")
            current = (raw.get("fields") or {}).get("description")
            if description is trackers.KEEP and isinstance(criteria, tuple):
                # Only the criteria change: the issue's own document keeps every other node
                # (links, mentions, images, code blocks) and the ticks of unchanged criteria.
                return {"description": replace_acceptance(current, criteria)}
            description, criteria = update.text_over(*split_acceptance(current))
        return {"description": join_acceptance(str(description), list(criteria))}

    async def rank(self, key: str, *, before: str | None = None, after: str | None = None) -> None:
        place = trackers.Placement.of(key, before=before, after=after)
        board = await self.board()
        body: dict[str, Any] = {"issues": [key]}
        body["rankBeforeIssue" if place.before else "rankAfterIssue"] = place.anchor
        if board.rank_field_id is not None:
            body["rankCustomFieldId"] = board.rank_field_id
        status, raw = await self._call(
            "PUT",
            "/rest/agile/1.0/issue/rank",
            action=f"rank {key} {place}",
            body=body,
        )
        if status == 207:
            failed = [
                e for e in (raw or {}).get("entries") or [] if int(e.get("status") or 0) >= 400
            ]
            if failed:
                errors = "; ".join(
                    f"{e.get('issueKey') or e.get('issueId')}: "
                    + ", ".join(e.get("errors") or ["refused"])
                    for e in failed
                )
                raise trackers.TrackerError(
                    f"Jira did not rank {key}: {errors}",
                    kind=trackers.TrackerErrorKind.INVALID,
                    status=207,
                )

    async def create_issue(self, issue: trackers.NewIssue) -> trackers.IssueRef:
        estimated = issue.estimate is not None
        board = await (self._fresh_board(ESTIMATE_SETTINGS_AGE) if estimated else self.board())
        if board.project is None:
            raise trackers.TrackerError(
                f"Board '{board.name}' is not in a project, so Timebox cannot create issues on it.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        project = {"id": board.project} if board.project.isdigit() else {"key": board.project}
        fields: dict[str, Any] = {
            "project": project,
            "summary": issue.summary,
            "issuetype": {"name": await self._issue_type(board.project, issue.issue_type)},
        }
        if issue.epic and ISSUE_KEY.match(issue.epic):
            fields["parent"] = {"key": issue.epic}
        description = (
            text_to_adf(issue.description)
            if self.acceptance_field
            else join_acceptance(issue.description, issue.acceptance_criteria)
        )
        if description is not None:
            fields["description"] = description
        if self.acceptance_field and issue.acceptance_criteria:
            fields[self.acceptance_field] = doc(list_to_adf(list(issue.acceptance_criteria)))
        if issue.labels:
            fields["labels"] = list(issue.labels)
        if issue.estimate is not None and board.estimation_field:
            fields[board.estimation_field] = issue.estimate
        try:
            raw = await self._post_issue(issue.summary, fields)
        except trackers.TrackerError as error:
            # An epic deleted, or not an epic, since the item took it: Jira refuses the whole
            # issue (400, nothing made), which is made without it rather than never.
            if "parent" not in fields or error.kind is not trackers.TrackerErrorKind.INVALID:
                raise
            raw = await self._post_issue(issue.summary, {**fields, "parent": None})
        key = str(raw.get("key") or "")
        return trackers.IssueRef(
            key=key, id=str(raw.get("id") or ""), url=f"{self.site}/browse/{key}"
        )

    async def _post_issue(self, summary: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``POST /rest/api/3/issue`` with ``fields`` (a None left out), never repeated."""
        _, raw = await self._call(
            "POST",
            "/rest/api/3/issue",
            action=f"create the issue '{summary}'",
            body={"fields": {name: value for name, value in fields.items() if value is not None}},
            idempotent=False,
        )
        return raw or {}

    async def _issue_type(self, project: str, wanted: str) -> str:
        """The project's issue type a new issue of type ``wanted`` is created as: ``wanted``
        when the project has it (Story and Bug every Scrum project has: not asked), else
        the project's story type (``issue_type_in``). The project's types are asked once
        (``GET /rest/api/3/issue/createmeta/{project}/issuetypes``)."""
        if wanted.lower() in STANDARD_TYPES:
            return wanted
        if self._issue_types is None:
            _, raw = await self._call(
                "GET",
                f"/rest/api/3/issue/createmeta/{project}/issuetypes",
                action=f"read the issue types of project {project}",
                what=f"Project {project}",
                params={"maxResults": "200"},
            )
            raw = raw or {}
            self._issue_types = tuple(
                kind
                for kind in raw.get("issueTypes") or raw.get("createMetaIssueType") or []
                if isinstance(kind, Mapping)
            )
        return issue_type_in(self._issue_types, wanted)

    # -- sprints -------------------------------------------------------------------------

    @staticmethod
    def _sprint(raw: Mapping[str, Any]) -> trackers.TrackerSprint:
        try:
            state = trackers.SprintState(str(raw.get("state") or "future").lower())
        except ValueError:
            state = trackers.SprintState.FUTURE
        return trackers.TrackerSprint(
            id=str(raw.get("id") or ""),
            name=str(raw.get("name") or ""),
            state=state,
            goal=str(raw.get("goal") or ""),
            start=parse_time(raw.get("startDate")),
            end=parse_time(raw.get("endDate")),
            completed=parse_time(raw.get("completeDate")),
        )

    async def sprint(self, sprint_id: str) -> trackers.TrackerSprint:
        _, raw = await self._call(
            "GET",
            f"/rest/agile/1.0/sprint/{sprint_id}",
            action=f"read sprint {sprint_id}",
            what=f"Sprint {sprint_id}",
        )
        return self._sprint(raw or {})

    async def board_sprints(self) -> list[trackers.TrackerSprint]:
        """The board's future and active sprints (``GET /board/{id}/sprint``, paged)."""
        found: list[trackers.TrackerSprint] = []
        start = 0
        while True:
            _, raw = await self._call(
                "GET",
                f"/rest/agile/1.0/board/{self.board_id}/sprint",
                action=f"list the sprints of board {self.board_id}",
                what=f"Board {self.board_id}",
                params={"state": "future,active", "startAt": str(start), "maxResults": "50"},
            )
            raw = raw or {}
            values = raw.get("values") or []
            found += [self._sprint(v) for v in values]
            start += len(values)
            if not values or raw.get("isLast", True):
                return found

    async def create_sprint(self, spec: trackers.SprintSpec) -> trackers.TrackerSprint:
        body: dict[str, Any] = {"name": spec.name, "originBoardId": self.board_id}
        if spec.goal:
            body["goal"] = spec.goal
        body.update(_sprint_dates(spec.start, spec.end))
        _, raw = await self._call(
            "POST",
            "/rest/agile/1.0/sprint",
            action=f"create the sprint '{spec.name}'",
            what=f"Board {self.board_id}",
            body=body,
            idempotent=False,
        )
        return self._sprint(raw or {})

    async def update_sprint(
        self, sprint: trackers.TrackerSprint, spec: trackers.SprintSpec
    ) -> trackers.TrackerSprint:
        """``POST /sprint/{id}`` without a state: a partial update of its goal and dates."""
        body = {"goal": spec.goal, **_sprint_dates(spec.start, spec.end)}
        _, raw = await self._call(
            "POST",
            f"/rest/agile/1.0/sprint/{sprint.id}",
            action=f"write the goal and dates of sprint {sprint.id}",
            what=f"Sprint {sprint.id}",
            body=body,
        )
        return self._sprint(raw or {})

    async def _set_state(
        self, sprint_id: str, state: trackers.SprintState, body: dict[str, Any], action: str
    ) -> trackers.TrackerSprint:
        try:
            _, raw = await self._call(
                "POST",
                f"/rest/agile/1.0/sprint/{sprint_id}",
                action=action,
                what=f"Sprint {sprint_id}",
                body={**body, "state": state.value},
            )
        except trackers.TrackerError as error:
            # A retry after a lost answer finds the sprint already there: that is success.
            if error.kind is trackers.TrackerErrorKind.INVALID:
                current = await self.sprint(sprint_id)
                if current.state is state:
                    return current
            raise
        sprint = self._sprint(raw or {})
        if sprint.state is not state:
            raise trackers.TrackerError(
                f"Jira did not {action.split(' ')[0]} sprint {sprint_id}: it is "
                f"{sprint.state.value}.",
                kind=trackers.TrackerErrorKind.INVALID,
            )
        return sprint

    async def start_sprint(
        self, sprint_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> trackers.TrackerSprint:
        return await self._set_state(
            sprint_id,
            trackers.SprintState.ACTIVE,
            _sprint_dates(start, end),
            f"start sprint {sprint_id}",
        )

    async def close_sprint(self, sprint_id: str) -> trackers.TrackerSprint:
        return await self._set_state(
            sprint_id, trackers.SprintState.CLOSED, {}, f"close sprint {sprint_id}"
        )

    async def move_to_sprint(self, sprint_id: str, keys: Sequence[str]) -> None:
        await self._move_issues(
            f"/rest/agile/1.0/sprint/{sprint_id}/issue",
            keys,
            action=f"move issues into sprint {sprint_id}",
            what=f"Sprint {sprint_id}",
        )

    async def move_to_backlog(self, keys: Sequence[str]) -> None:
        await self._move_issues(
            "/rest/agile/1.0/backlog/issue", keys, action="move issues to the backlog"
        )

    async def _move_issues(
        self, path: str, keys: Sequence[str], *, action: str, what: str | None = None
    ) -> None:
        """``keys`` posted to ``path`` (a sprint's issues, the backlog), ``BATCH`` a call."""
        for i in range(0, len(keys), BATCH):
            await self._call(
                "POST", path, action=action, what=what, body={"issues": list(keys[i : i + BATCH])}
            )


def _open_sprint(fields: Mapping[str, Any], sprint_field: str | None) -> tuple[str, str] | None:
    """The name and id of the open (active or future) sprint an issue is in, from the Sprint
    field's list of sprints (the platform API), or the Agile API's ``sprint`` (the issue's
    open sprint); None when it is in none."""
    given = fields.get(sprint_field) if sprint_field else None
    sprints = [*(given if isinstance(given, list) else []), fields.get("sprint")]
    for sprint in sprints:
        if isinstance(sprint, Mapping) and str(sprint.get("state") or "").lower() in _OPEN_SPRINTS:
            number = str(sprint.get("id") or "")
            return str(sprint.get("name") or number), number
    return None


def _sprint_dates(start: datetime | None, end: datetime | None) -> dict[str, str]:
    """A sprint's dates that are given, as Jira's sprint calls name them."""
    dates = {"startDate": start, "endDate": end}
    return {name: format_time(value) for name, value in dates.items() if value is not None}


def _backlog_cursor(cursor: str | None) -> tuple[int, str, str]:
    """A backlog cursor: the place after the last issue read, and that issue's key and
    ``_edge`` ("" when not known: a cursor of a bare place, as older versions made)."""
    after, _, rest = (cursor or "0").partition(" ")
    last, _, edge = rest.partition(" ")
    return int(after), last, edge


def _edge(issue: trackers.TrackerIssue) -> str:
    """What shows an issue is where it was read: its Rank value (Jira gives a dragged issue
    a new one), else when it last changed."""
    return issue.rank or issue.updated.isoformat()


def _rank_field(board: BoardConfig) -> str | None:
    """The board's Rank field (``customfield_<id>``), if the board said which."""
    return f"customfield_{board.rank_field_id}" if board.rank_field_id is not None else None
