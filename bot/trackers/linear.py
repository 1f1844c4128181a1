"""Linear as a ``Tracker``: one team, over Linear's GraphQL API (``gql`` on aiohttp).

A Linear team plays the part of a Jira board: its issues in a backlog or unstarted state and
in no cycle are the backlog, in Linear's manual order (``sort: [{manual: {order: Ascending}}]``,
the ``sortOrder`` a team drags in its backlog view); a sprint is a cycle (created with its
dates, its ``description`` holding the goal); ``estimate`` is the team's estimate on its own
scale; "blocks" relations are the dependencies. Keys are Linear identifiers (``ENG-123``).
An issue's ``sortOrder`` is its ``rank`` token (a reorder changes it); what an Issue
webhook's removal or reorder hints at is read by bot.domain.tracker_webhooks.

Operations (each a named GraphQL document; the emulator and the tests know them by name):

- ``Viewer``, ``TeamSettings`` (``teams(filter: {key: {eq}})``: id, cycles, estimation settings,
  workflow states): what ``check()`` learns, kept by ``snapshot()``.
- ``BacklogIssues``: the backlog (backlog or unstarted, in no cycle), paged with
  ``pageInfo { hasNextPage endCursor }``. ``BacklogKeys`` (identifiers only) and
  ``BacklogOrder`` (with ``sortOrder``): every issue of the team not done, cycles included, in
  the same manual order (what ``backlog_keys()`` and ``rank()`` need).
- ``ChangedIssues``: ``filter: {updatedAt: {gte}}`` sorted by ``updatedAt`` ascending and paged,
  so an incremental fetch costs calls in proportion to what changed.
- ``Issue`` (with ``trashed``: an issue in Linear's trash is NOT_FOUND, as a deleted one),
  ``IssueState``, ``IssueDescription``, ``LabelsNamed``.
- ``UpdateIssue`` (``issueUpdate``: title, description, estimate, stateId, sortOrder),
  ``CreateIssue`` (``issueCreate``), ``MoveIssues`` (up to 50 aliased ``issueUpdate(cycleId)``
  in one request), ``CreateCycle``, ``UpdateCycle`` (dates, ``completedAt``), ``Cycle``,
  ``TeamCycles``, ``CycleUnfinished``, ``CreateWebhook`` (``webhookCreate`` with Timebox's
  secret, for an admin's key).

Why ``gql``: it is the maintained GraphQL client for Python (asyncio, aiohttp transport),
parses every document with graphql-core when this module is imported (a typo fails at once,
not at a customer's), and maps GraphQL errors, protocol errors and connection failures to
distinct exceptions. Its aiohttp session is built here with the guarded resolver of
``bot.trackers.hosts``, so every call goes through the host policy. Retries are ours, not
gql's: the rules of every tracker client (bot/trackers/http.py; injected sleep and clock,
creates never repeated after a lost answer).

Rate limits: Linear meters requests and query complexity (leaky buckets). Every answer's
``X-RateLimit-Requests-Remaining``/``-Reset`` and ``X-RateLimit-Complexity-Remaining``/``-Reset``
(epoch milliseconds) and ``X-Complexity`` (the cost of that query) are kept; a call whose known
cost exceeds what is left, or made with no requests left, waits for the reset first (or, when
it may not wait, fails as RATE_LIMITED with ``retry_after``), so Timebox does not spend its
budget on refusals. A ``RATELIMITED`` error (HTTP 400 or 429) waits for the reset the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, ClassVar, Unpack
from urllib.parse import urlsplit

import aiohttp
from gql import Client, GraphQLRequest, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportProtocolError,
    TransportQueryError,
    TransportServerError,
)

from bot.domain import trackers
from bot.runtime.secrets import Secret
from bot.trackers.base import CredentialKind, RefreshingToken
from bot.trackers.hosts import LINEAR_CLOUD
from bot.trackers.http import (
    ClientOptions,
    NoAnswer,
    Reply,
    TrackerClient,
    access_problem,
    account_problem,
    format_time,
    parse_time,
    retry_after,
    snapshot_fields,
)
from bot.trackers.markdown import join_body
from bot.trackers.markdown import split_body as split_criteria

DEFAULT_API_URL = "https://api.linear.app/graphql"
BATCH = 50  # issues moved in or out of a cycle per request (aliased mutations)
KEYS_PAGE = 250  # identifiers per page when only the order is wanted
NESTED = 20  # labels and relations read per issue (each multiplies the query's complexity)
BACKLOG_STATES = ("backlog", "unstarted")
DONE_STATES = ("completed", "canceled", "duplicate")
_CATEGORIES = {
    "triage": trackers.StatusCategory.TODO,
    "backlog": trackers.StatusCategory.TODO,
    "unstarted": trackers.StatusCategory.TODO,
    "started": trackers.StatusCategory.IN_PROGRESS,
    "completed": trackers.StatusCategory.DONE,
    "canceled": trackers.StatusCategory.DONE,
    "duplicate": trackers.StatusCategory.DONE,
}
# Linear has no issue types: a label with one of these names is the type, else "Issue".
_TYPE_LABELS = {
    "bug",
    "defect",
    "spike",
    "enabler",
    "tech debt",
    "technical debt",
    "story",
    "user story",
}
# Linear's estimate scales (team settings > Estimates): the values each allows; "extended"
# adds the larger ones, "allow zero" adds 0. T-shirt sizes are stored as these numbers too.
SCALES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "exponential": ((1, 2, 4, 8, 16), (32, 64)),
    "fibonacci": ((1, 2, 3, 5, 8), (13, 21)),
    "linear": ((1, 2, 3, 4, 5), (6, 7)),
    "tShirt": ((1, 2, 3, 5, 8), (13, 21)),
}
TSHIRT = {0: "0", 1: "XS", 2: "S", 3: "M", 5: "L", 8: "XL", 13: "XXL", 21: "XXXL"}
SCALE_NAMES = {
    "exponential": "exponential",
    "fibonacci": "Fibonacci",
    "linear": "linear",
    "tShirt": "T-shirt",
}


# -- GraphQL documents ---------------------------------------------------------------------

_ISSUE_FIELDS = f"""
fragment IssueFields on Issue {{
  id identifier url title description estimate priority sortOrder updatedAt
  state {{ id name type }}
  assignee {{ id name displayName email }}
  parent {{ identifier }}
  labels(first: {NESTED}) {{ nodes {{ name }} }}
  inverseRelations(first: {NESTED}) {{ nodes {{ type issue {{ identifier }} }} }}
}}
"""
_CYCLE_FIELDS = """
fragment CycleFields on Cycle {
  id number name description startsAt endsAt completedAt isActive isFuture isPast
}
"""
_BACKLOG_FILTER = (
    "{team: {id: {eq: $teamId}}, state: {type: {in: "
    + json.dumps(list(BACKLOG_STATES))
    + "}}, cycle: {null: true}}"
)
_OPEN_FILTER = (
    "{team: {id: {eq: $teamId}}, state: {type: {nin: " + json.dumps(list(DONE_STATES)) + "}}}"
)


def _open_issues(name: str, fields: str) -> GraphQLRequest:
    """A query of every issue of the team that is not done, in a cycle or not, in the manual
    order (what ``backlog_keys()`` and ``rank()`` read): ``fields`` of each."""
    return gql(
        f"""
query {name}($teamId: ID!, $first: Int!, $after: String) {{
  issues(filter: {_OPEN_FILTER}, sort: [{{manual: {{order: Ascending}}}}],
         first: $first, after: $after) {{
    nodes {{ {fields} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
    )


VIEWER = gql("query Viewer { viewer { id name displayName email } }")
TEAM_SETTINGS = gql(
    """
query TeamSettings($key: String!) {
  teams(filter: {key: {eq: $key}}, first: 1) {
    nodes {
      id key name timezone cyclesEnabled cycleDuration
      issueEstimationType issueEstimationAllowZero issueEstimationExtended
      states(first: 50) { nodes { id name type position } }
    }
  }
}
"""
)
BACKLOG_ISSUES = gql(
    _ISSUE_FIELDS
    + f"""
query BacklogIssues($teamId: ID!, $first: Int!, $after: String) {{
  issues(filter: {_BACKLOG_FILTER}, sort: [{{manual: {{order: Ascending}}}}],
         first: $first, after: $after) {{
    nodes {{ ...IssueFields }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
)
BACKLOG_KEYS = _open_issues("BacklogKeys", "identifier")
BACKLOG_ORDER = _open_issues("BacklogOrder", "identifier sortOrder")
CHANGED_ISSUES = gql(
    _ISSUE_FIELDS
    + """
query ChangedIssues($teamId: ID!, $since: DateTimeOrDuration!, $first: Int!, $after: String) {
  issues(filter: {team: {id: {eq: $teamId}}, updatedAt: {gte: $since}},
         sort: [{updatedAt: {order: Ascending}}], first: $first, after: $after) {
    nodes { ...IssueFields }
    pageInfo { hasNextPage endCursor }
  }
}
"""
)
# Lists leave trashed issues out; one asked for by key may be in the trash.
ISSUE = gql(
    _ISSUE_FIELDS + "query Issue($id: String!) { issue(id: $id) { ...IssueFields trashed } }"
)
ISSUE_STATE = gql(
    "query IssueState($id: String!) { issue(id: $id) { id identifier sortOrder "
    "state { id type } } }"
)
ISSUE_DESCRIPTION = gql(
    "query IssueDescription($id: String!) { issue(id: $id) { id description } }"
)
LABELS_NAMED = gql(
    """
query LabelsNamed($names: [String!]!) {
  issueLabels(filter: {name: {in: $names}}, first: 50) { nodes { id name team { id } } }
}
"""
)
UPDATE_ISSUE = gql(
    """
mutation UpdateIssue($id: String!, $input: IssueUpdateInput!) {
  issueUpdate(id: $id, input: $input) { success issue { id identifier updatedAt } }
}
"""
)
CREATE_ISSUE = gql(
    """
mutation CreateIssue($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}
"""
)
CREATE_CYCLE = gql(
    _CYCLE_FIELDS
    + """
mutation CreateCycle($input: CycleCreateInput!) {
  cycleCreate(input: $input) { success cycle { ...CycleFields } }
}
"""
)
UPDATE_CYCLE = gql(
    _CYCLE_FIELDS
    + """
mutation UpdateCycle($id: String!, $input: CycleUpdateInput!) {
  cycleUpdate(id: $id, input: $input) { success cycle { ...CycleFields } }
}
"""
)
CYCLE = gql(_CYCLE_FIELDS + "query Cycle($id: String!) { cycle(id: $id) { ...CycleFields } }")
TEAM_CYCLES = gql(
    _CYCLE_FIELDS
    + """
query TeamCycles($teamId: ID!, $after: String) {
  cycles(filter: {team: {id: {eq: $teamId}}, isPast: {eq: false}}, first: 50, after: $after) {
    nodes { ...CycleFields }
    pageInfo { hasNextPage endCursor }
  }
}
"""
)
CYCLE_UNFINISHED = gql(
    f"""
query CycleUnfinished($id: String!, $after: String) {{
  cycle(id: $id) {{
    id
    issues(filter: {{state: {{type: {{nin: ["completed", "canceled", "duplicate"]}}}}}},
           first: {KEYS_PAGE}, after: $after) {{
      nodes {{ identifier }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""
)

CREATE_WEBHOOK = gql(
    """
mutation CreateWebhook($input: WebhookCreateInput!) {
  webhookCreate(input: $input) { success webhook { id enabled } }
}
"""
)


def move_issues_document(count: int) -> GraphQLRequest:
    """``MoveIssues``: ``count`` aliased ``issueUpdate(id, {cycleId})`` in one request (a null
    ``cycleId`` takes the issues out of their cycle)."""
    names = ", ".join(f"$k{n}: String!" for n in range(count))
    fields = "\n".join(
        f"  i{n}: issueUpdate(id: $k{n}, input: {{cycleId: $cycleId}}) {{ success }}"
        for n in range(count)
    )
    return gql(f"mutation MoveIssues($cycleId: String, {names}) {{\n{fields}\n}}")


# -- credentials ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearApiKey:
    """A personal API key (Linear > Settings > Security & access): sent as it is in the
    ``Authorization`` header, without a scheme."""

    key: Secret
    kind: CredentialKind = field(default=CredentialKind.API_TOKEN, init=False)

    async def authorization(self) -> str:
        return self.key.reveal()

    def api_base(self, site_url: str) -> str:
        return site_url


LinearRefresh = Callable[["LinearOAuthToken"], Awaitable["LinearOAuthToken"]]


@dataclass
class LinearOAuthToken(RefreshingToken):
    """An OAuth 2.0 access token (``Authorization: Bearer <token>``), for a Timebox installed
    as a Linear OAuth app; refreshed as ``RefreshingToken`` says."""

    tracker: ClassVar[str] = "Linear"

    access_token: Secret
    expires_at: datetime | None = None
    refresh_token: Secret | None = None
    refresh: LinearRefresh | None = field(default=None, compare=False, repr=False)
    now: Callable[[], datetime] | None = field(default=None, compare=False, repr=False)
    kind: CredentialKind = field(default=CredentialKind.OAUTH2, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False, compare=False)

    def api_base(self, site_url: str) -> str:
        return site_url


LinearCredential = LinearApiKey | LinearOAuthToken


# -- plain helpers -------------------------------------------------------------------------


def rank_token(sort_order: Any) -> str:
    """``TrackerIssue.rank`` from Linear's ``sortOrder`` (a Float): the float's ``repr``, so
    the same position always gives the same string (``1000`` and ``1000.0`` alike) and a
    reorder a different one; "" when there is none."""
    if isinstance(sort_order, bool) or not isinstance(sort_order, int | float):
        return ""
    value = float(sort_order)
    return repr(value) if math.isfinite(value) else ""


def allowed_estimates(kind: str, *, extended: bool, allow_zero: bool) -> tuple[int, ...]:
    """The values a team's estimate scale allows (empty: the team does not estimate)."""
    base, more = SCALES.get(kind, ((), ()))
    values = (*base, *(more if extended else ()))
    return ((0,) if allow_zero and values else ()) + values


# -- what a team is ------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowState:
    id: str
    name: str
    type: str  # triage, backlog, unstarted, started, completed, canceled, duplicate
    position: float = 0.0


@dataclass(frozen=True)
class TeamConfig:
    """What ``check()`` learns of a team (kept by the sync engine with ``snapshot()``)."""

    id: str
    key: str
    name: str
    timezone: str = "UTC"
    cycles_enabled: bool = True
    cycle_duration: float = 2.0  # weeks
    estimation: str = "notUsed"  # notUsed, exponential, fibonacci, linear, tShirt
    allow_zero: bool = False
    extended: bool = False
    states: tuple[WorkflowState, ...] = ()

    @property
    def estimates(self) -> tuple[int, ...]:
        return allowed_estimates(
            self.estimation, extended=self.extended, allow_zero=self.allow_zero
        )

    def done_state(self) -> WorkflowState | None:
        done = sorted((s for s in self.states if s.type == "completed"), key=lambda s: s.position)
        return done[0] if done else None


@dataclass
class _Answer:
    """What aiohttp saw of one response (filled by a trace hook): gql keeps no status."""

    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Budget:
    """The rate-limit budget as the last answer told it (None: not known)."""

    requests_remaining: float | None = None
    requests_reset: datetime | None = None
    complexity_remaining: float | None = None
    complexity_reset: datetime | None = None
    costs: dict[str, float] = field(default_factory=dict)  # operation -> last X-Complexity


def _number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _epoch_ms(headers: Mapping[str, str], name: str) -> datetime | None:
    value = _number(headers, name)
    if value is None:
        return None
    # Linear sends epoch milliseconds; a value in seconds is read as such.
    seconds = value / 1000 if value > 10**11 else value
    return datetime.fromtimestamp(seconds, UTC)


def _root(error: BaseException) -> BaseException:
    """The first cause that is not gql's wrapper."""
    seen = error
    while isinstance(seen, TransportConnectionFailed) and seen.__cause__ is not None:
        seen = seen.__cause__
    return seen


_INTERNAL_ERRORS = ("INTERNAL_SERVER_ERROR", "INTERNAL_ERROR", "LOCK_TIMEOUT")  # retried as 5xx


def _first_error(errors: Any) -> Mapping[str, Any]:
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return errors[0]
    return {}


def _code(error: Mapping[str, Any]) -> str:
    ext = error.get("extensions") or {}
    return str(ext.get("code") or ext.get("type") or "").strip().upper().replace(" ", "_")


def _error_text(error: Mapping[str, Any]) -> str:
    ext = error.get("extensions") or {}
    text = str(ext.get("userPresentableMessage") or error.get("message") or "").strip()
    return text if len(text) <= 300 else text[:297] + "..."


# -- the client ----------------------------------------------------------------------------


class LinearTeam(TrackerClient):
    """One Linear team, reached with one credential."""

    name = "linear"
    display_name = "Linear"
    refused_holder = "Linear account"
    not_found_where = "in Linear, or the Linear account cannot see it"

    def __init__(
        self,
        api_url: str,
        credential: LinearCredential,
        team_key: str,
        *,
        page_size: int = 50,
        team: TeamConfig | None = None,
        account: trackers.TrackerUser | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(**options)
        self.api = self._check_api_url(api_url or DEFAULT_API_URL)
        self.credential = credential
        self.team_key = (team_key or "").strip().upper()
        self.page_size = max(1, min(int(page_size), 100))
        self.budget = Budget()
        self._client: Client | None = None
        self._session: Any = None
        self._team = team
        self._account = account

    def _check_api_url(self, api_url: str) -> str:
        """The API URL as the host policy allows it (``https://api.linear.app/graphql``, or a
        host the operator lists, such as an emulator's); ``/graphql`` when no path is given."""
        site = self.policy.check_url(api_url, LINEAR_CLOUD)
        return site if urlsplit(site).path else f"{site}/graphql"

    # -- lifecycle -----------------------------------------------------------------------

    async def aclose(self) -> None:
        if self._client is not None and self._session is not None:
            await self._client.close_async()
        self._client = self._session = None

    async def _gql(self) -> Any:
        if self._session is None:
            trace = aiohttp.TraceConfig()
            trace.on_request_end.append(_note_answer)
            transport = AIOHTTPTransport(
                url=self.api,
                headers={"User-Agent": "Timebox", "Accept": "application/json"},
                timeout=self.retry.timeout,  # type: ignore[arg-type]
                ssl_close_timeout=1,
                client_session_args={"connector": self._connector(), "trace_configs": [trace]},
            )
            self._client = Client(
                transport=transport, fetch_schema_from_transport=False, execute_timeout=None
            )
            self._session = await self._client.connect_async()
        return self._session

    # -- one call ------------------------------------------------------------------------

    def _note_budget(self, operation: str, headers: Mapping[str, str]) -> None:
        budget = self.budget
        for name, attr, read in (
            ("X-RateLimit-Requests-Remaining", "requests_remaining", _number),
            ("X-RateLimit-Complexity-Remaining", "complexity_remaining", _number),
            ("X-RateLimit-Requests-Reset", "requests_reset", _epoch_ms),
            ("X-RateLimit-Complexity-Reset", "complexity_reset", _epoch_ms),
        ):
            value = read(headers, name)
            if value is not None:
                setattr(budget, attr, value)
        cost = _number(headers, "X-Complexity")
        if cost is not None:
            budget.costs[operation] = cost

    def _budget_wait(self, operation: str) -> float | None:
        """Seconds to wait before ``operation`` fits the known budget; None: send it."""
        budget, now = self.budget, self._now()
        waits = []
        if (
            budget.requests_remaining is not None
            and budget.requests_remaining < 1
            and budget.requests_reset is not None
            and budget.requests_reset > now
        ):
            waits.append((budget.requests_reset - now).total_seconds())
        cost = budget.costs.get(operation)
        if (
            cost is not None
            and budget.complexity_remaining is not None
            and budget.complexity_remaining < cost
            and budget.complexity_reset is not None
            and budget.complexity_reset > now
        ):
            waits.append((budget.complexity_reset - now).total_seconds())
        return max(waits) if waits else None

    def _limited_wait(self, operation: str, headers: Mapping[str, str]) -> float | None:
        """How long a RATELIMITED answer asks to wait: the reset of the exhausted budget."""
        now = self._now()
        requests = _number(headers, "X-RateLimit-Requests-Remaining")
        complexity = _number(headers, "X-RateLimit-Complexity-Remaining")
        cost = self.budget.costs.get(operation, 1.0)
        resets = {
            "requests": _epoch_ms(headers, "X-RateLimit-Requests-Reset"),
            "complexity": _epoch_ms(headers, "X-RateLimit-Complexity-Reset"),
        }
        chosen = []
        if requests is not None and requests < 1 and resets["requests"]:
            chosen.append(resets["requests"])
        if complexity is not None and complexity < cost and resets["complexity"]:
            chosen.append(resets["complexity"])
        if not chosen:
            chosen = [when for when in resets.values() if when is not None]
        if chosen:
            return max(0.0, (max(chosen) - now).total_seconds())
        return retry_after(headers.get("Retry-After"), now)

    def _wait_asked(self, operation: str, reply: Reply, attempt: int) -> float | None:
        """429 or ``RATELIMITED``: the reset of the exhausted budget, else a backoff."""
        if reply.status != 429 and _code(_first_error(reply.body["errors"])) != "RATELIMITED":
            return None
        wait = self._limited_wait(operation, reply.headers)
        return self._backoff(attempt) if wait is None else wait

    def _forget_remaining(self) -> None:
        """After a wait for a reset, what was left before says nothing any more."""
        self.budget.requests_remaining = self.budget.complexity_remaining = None

    async def _send(self, call: GraphQLRequest, operation: str) -> Reply:
        """One request through gql. The reply's body is the GraphQL answer (``data`` and
        ``errors``); its status and headers are what the trace hook saw, as gql keeps none."""
        answer = _Answer()
        body: dict[str, Any] = {"data": None, "errors": None}
        try:
            session = await self._gql()
            authorization = await self.credential.authorization()
            result = await session.execute(
                call,
                get_execution_result=True,
                extra_args={
                    "headers": {"Authorization": authorization},
                    "trace_request_ctx": answer,
                    "allow_redirects": False,
                },
            )
            body["data"] = result.data
        except TransportQueryError as exc:
            body = {"data": exc.data, "errors": exc.errors}
        except (TransportServerError, TransportProtocolError):
            pass  # the status (and headers) say what happened
        except TransportConnectionFailed as exc:
            cause = _root(exc)
            if isinstance(cause, trackers.TrackerError):  # the host policy refused the address
                raise cause from None
            raise NoAnswer(cause) from exc
        self._note_budget(operation, answer.headers)
        internal = _code(_first_error(body["errors"])) in _INTERNAL_ERRORS
        return Reply(answer.status, answer.headers, body, internal_error=internal)

    async def _call(
        self,
        request: GraphQLRequest,
        variables: Mapping[str, Any] | None = None,
        *,
        action: str,
        what: str | None = None,
        idempotent: bool = True,
        aliases: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One GraphQL operation with the retry rules; returns its ``data``. ``aliases``: the
        issue each aliased field of a batch is about, to name it when Linear refuses it."""
        operation = request.operation_name or _operation_name(request)
        call = GraphQLRequest(request, variable_values=dict(variables or {}))
        reply = await self._retrying(
            partial(self._send, call, operation),
            action=action,
            idempotent=idempotent,
            where=self.api,
            wait_asked=partial(self._wait_asked, operation),
            wait_before=partial(self._budget_wait, operation),
            after_wait=self._forget_remaining,
        )
        errors, data = reply.body["errors"], reply.body["data"]
        if errors:
            first = _first_error(errors)
            path = first.get("path") or [None]
            if aliases and path[0] in aliases:
                what = f"Issue {aliases[path[0]]}"
            raise self._refusal(reply.status, first, action, what)
        if reply.status >= 400 or not isinstance(data, dict):
            raise self._refusal(reply.status, {}, action, what)
        return data

    def _refusal(
        self, status: int, error: Mapping[str, Any], action: str, what: str | None
    ) -> trackers.TrackerError:
        """A refused operation: by its error code (or message), else by the HTTP status."""
        code, message = _code(error), str(error.get("message") or "").lower()
        kind: trackers.TrackerErrorKind | None = None
        if code in ("AUTHENTICATION_ERROR", "UNAUTHENTICATED") or status == 401:
            kind = trackers.TrackerErrorKind.AUTH
        elif code == "FORBIDDEN" or status == 403:
            kind = trackers.TrackerErrorKind.FORBIDDEN
        elif message.startswith("entity not found") or status == 404:
            kind = trackers.TrackerErrorKind.NOT_FOUND
        return self._refusal_as(kind, status, action, what, _error_text(error))

    def _unauthorised(self) -> str:
        if isinstance(self.credential, LinearApiKey):
            return (
                "Linear did not accept the API key: check that it is current (Linear > "
                "Settings > Security & access > Personal API keys), then connect again."
            )
        return "Linear did not accept Timebox's authorisation: connect Linear again."

    # -- account and team ----------------------------------------------------------------

    async def account(self, *, refresh: bool = False) -> trackers.TrackerUser:
        if self._account is None or refresh:
            data = await self._call(VIEWER, action="confirm which account this is")
            me = data.get("viewer") or {}
            self._account = trackers.TrackerUser(
                id=str(me.get("id") or ""),
                name=str(me.get("name") or me.get("displayName") or ""),
                email=me.get("email"),
            )
        return self._account

    async def team(self, *, refresh: bool = False) -> TeamConfig:
        if self._team is None or refresh:
            data = await self._call(
                TEAM_SETTINGS,
                {"key": self.team_key},
                action=f"read the settings of team {self.team_key}",
                what=f"Team {self.team_key}",
            )
            nodes = (data.get("teams") or {}).get("nodes") or []
            if not nodes:
                raise trackers.TrackerError(
                    f"Team {self.team_key} was not found in Linear, or the Linear account is "
                    "not a member of it.",
                    kind=trackers.TrackerErrorKind.NOT_FOUND,
                )
            raw = nodes[0]
            states = tuple(
                WorkflowState(
                    id=str(s.get("id") or ""),
                    name=str(s.get("name") or ""),
                    type=str(s.get("type") or ""),
                    position=float(s.get("position") or 0),
                )
                for s in (raw.get("states") or {}).get("nodes") or []
            )
            self._team = TeamConfig(
                id=str(raw.get("id") or ""),
                key=str(raw.get("key") or self.team_key),
                name=str(raw.get("name") or self.team_key),
                timezone=str(raw.get("timezone") or "UTC"),
                cycles_enabled=bool(raw.get("cyclesEnabled")),
                cycle_duration=float(raw.get("cycleDuration") or 2),
                estimation=str(raw.get("issueEstimationType") or "notUsed"),
                allow_zero=bool(raw.get("issueEstimationAllowZero")),
                extended=bool(raw.get("issueEstimationExtended")),
                states=states,
            )
        return self._team

    def snapshot(self) -> dict[str, Any]:
        """The team's settings and the account, as learnt (JSON); ``restore`` reads it."""
        out: dict[str, Any] = {}
        if self._team is not None:
            team = self._team
            out.update(
                snapshot_fields(team, id="team_id", key="team_key", name="team_name", states=None),
                states=[[s.id, s.name, s.type, s.position] for s in team.states],
            )
        if self._account is not None:
            out.update(
                account_id=self._account.id,
                account_name=self._account.name,
                account_email=self._account.email,
            )
        return out

    @staticmethod
    def restore(
        team_key: str, snapshot: Mapping[str, Any]
    ) -> tuple[TeamConfig | None, trackers.TrackerUser | None]:
        """A ``snapshot()`` as the ``team`` and ``account`` of a new client."""
        team = account = None
        if snapshot.get("team_id"):
            team = TeamConfig(
                id=str(snapshot["team_id"]),
                key=str(snapshot.get("team_key") or team_key),
                name=str(snapshot.get("team_name") or team_key),
                timezone=str(snapshot.get("timezone") or "UTC"),
                cycles_enabled=bool(snapshot.get("cycles_enabled", True)),
                cycle_duration=float(snapshot.get("cycle_duration") or 2),
                estimation=str(snapshot.get("estimation") or "notUsed"),
                allow_zero=bool(snapshot.get("allow_zero")),
                extended=bool(snapshot.get("extended")),
                states=tuple(
                    WorkflowState(str(s[0]), str(s[1]), str(s[2]), float(s[3]))
                    for s in snapshot.get("states") or []
                ),
            )
        if snapshot.get("account_id"):
            account = trackers.TrackerUser(
                id=str(snapshot["account_id"]),
                name=str(snapshot.get("account_name") or ""),
                email=snapshot.get("account_email"),
            )
        return team, account

    async def check(self) -> list[trackers.TrackerProblem]:
        """The credential, access to the team, its cycles and its estimates, in plain words."""
        try:
            account = await self.account(refresh=True)
        except trackers.TrackerError as error:
            return account_problem(error)
        who = account.email or account.name or "the Linear account"
        try:
            team = await self.team(refresh=True)
        except trackers.TrackerError as error:
            return access_problem(
                error,
                f"{who} cannot open team {self.team_key}: check the team's key (it "
                "starts its issues' identifiers, ENG in ENG-123) and that the account "
                "is a member of the team.",
            )
        problems = []
        if not team.cycles_enabled:
            problems.append(
                trackers.TrackerProblem(
                    "no_cycles",
                    f"Team {team.name} does not use cycles, so sprints cannot be synced: in "
                    "Linear open the team's settings > Cycles and turn them on.",
                )
            )
        if not team.estimates:
            problems.append(
                trackers.TrackerProblem(
                    "no_estimation_field",
                    f"Team {team.name} does not estimate issues, so estimates cannot be "
                    "synced: in Linear open the team's settings > Estimates and choose a scale.",
                )
            )
        if team.done_state() is None:
            problems.append(
                trackers.TrackerProblem(
                    "no_done_state",
                    f"Team {team.name} has no completed status, so Timebox cannot mark issues "
                    "done: add one in the team's settings > Workflow.",
                )
            )
        return problems

    # -- reading -------------------------------------------------------------------------

    def _issue(self, raw: Mapping[str, Any]) -> trackers.TrackerIssue:
        key = str(raw.get("identifier") or "")
        description, criteria = split_criteria(raw.get("description"))
        state = raw.get("state") or {}
        person = raw.get("assignee")
        assignee = (
            trackers.TrackerUser(
                id=str(person.get("id") or ""),
                name=str(person.get("name") or person.get("displayName") or ""),
                email=person.get("email"),
            )
            if isinstance(person, Mapping)
            else None
        )
        labels = tuple(
            str(label.get("name") or "")
            for label in (raw.get("labels") or {}).get("nodes") or []
            if label.get("name")
        )
        issue_type = next((name for name in labels if name.lower() in _TYPE_LABELS), "Issue")
        blocked_by = tuple(
            str(rel["issue"]["identifier"])
            for rel in (raw.get("inverseRelations") or {}).get("nodes") or []
            if rel.get("type") == "blocks" and (rel.get("issue") or {}).get("identifier")
        )
        parent = raw.get("parent")
        estimate = raw.get("estimate")
        return trackers.TrackerIssue(
            key=key,
            url=str(raw.get("url") or ""),
            summary=str(raw.get("title") or ""),
            description=description,
            acceptance_criteria=criteria,
            estimate=float(estimate) if isinstance(estimate, int | float) else None,
            issue_type=issue_type,
            status_category=_CATEGORIES.get(
                str(state.get("type") or ""), trackers.StatusCategory.TODO
            ),
            status=str(state.get("name") or ""),
            assignee=assignee,
            epic=str(parent["identifier"]) if isinstance(parent, Mapping) else None,
            labels=labels,
            blocked_by=blocked_by,
            updated=parse_time(raw.get("updatedAt")) or datetime.fromtimestamp(0, UTC),
            id=str(raw.get("id") or ""),
            rank=rank_token(raw.get("sortOrder")),
        )

    async def _page(
        self, request: GraphQLRequest, variables: dict[str, Any], action: str
    ) -> tuple[list[Mapping[str, Any]], str | None]:
        data = await self._call(request, variables, action=action, what=f"Team {self.team_key}")
        connection = data.get("issues") or {}
        info = connection.get("pageInfo") or {}
        cursor = info.get("endCursor") if info.get("hasNextPage") else None
        return list(connection.get("nodes") or []), (str(cursor) if cursor else None)

    async def backlog_page(self, cursor: str | None = None) -> trackers.IssuePage:
        team = await self.team()
        nodes, after = await self._page(
            BACKLOG_ISSUES,
            {"teamId": team.id, "first": self.page_size, "after": cursor},
            f"read the backlog of team {team.key}",
        )
        return trackers.IssuePage(tuple(self._issue(n) for n in nodes), after)

    async def backlog_keys(self) -> list[str]:
        """The identifiers of every issue of the team that is not done (completed or canceled
        state types), those in cycles too, in Linear's manual order: 250 a call (Linear's
        largest page), identifiers only (the cheapest page there is: one object and one
        property an issue). A linked key missing from it is done, deleted or in another team
        (``issue()`` tells which)."""
        return [key for key, _ in await self._backlog_order(BACKLOG_KEYS)]

    async def _backlog_order(self, request: GraphQLRequest) -> list[tuple[str, float]]:
        """(identifier, sortOrder) of the team's open issues in manual order (sortOrder 0
        when ``request`` does not ask for it)."""
        team = await self.team()
        found: list[tuple[str, float]] = []
        cursor: str | None = None
        while True:
            nodes, cursor = await self._page(
                request,
                {"teamId": team.id, "first": KEYS_PAGE, "after": cursor},
                f"read the order of team {team.key}'s backlog",
            )
            found += [(str(n["identifier"]), float(n.get("sortOrder") or 0)) for n in nodes]
            if cursor is None:
                return found

    async def changes_page(self, since: datetime, cursor: str | None = None) -> trackers.IssuePage:
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        team = await self.team()
        nodes, after = await self._page(
            CHANGED_ISSUES,
            {
                "teamId": team.id,
                "since": format_time(since),
                "first": self.page_size,
                "after": cursor,
            },
            "search for changed issues",
        )
        issues = [self._issue(n) for n in nodes]
        watermark = max((i.updated for i in issues), default=None)
        return trackers.IssuePage(tuple(i for i in issues if i.updated >= since), after, watermark)

    async def issue(self, key: str) -> trackers.TrackerIssue:
        """One issue as it is now; one in Linear's trash (deleted, restorable for 30 days, but
        in no list any more) is NOT_FOUND, as one deleted for good is."""
        data = await self._call(ISSUE, {"id": key}, action=f"read {key}", what=f"Issue {key}")
        raw = data.get("issue") or {}
        if raw.get("trashed"):
            raise trackers.TrackerError(
                f"Issue {key} was deleted in Linear (it is in the team's trash).",
                kind=trackers.TrackerErrorKind.NOT_FOUND,
            )
        return self._issue(raw)

    # -- writing -------------------------------------------------------------------------

    def _estimate(self, team: TeamConfig, key: str, value: float | None) -> int | None:
        if value is None:
            return None
        allowed = team.estimates
        if not allowed:
            raise trackers.TrackerError(
                f"Team {team.name} does not estimate issues, so the estimate of {key} cannot be "
                "written: choose a scale in the team's settings > Estimates.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        if float(value).is_integer() and int(value) in allowed:
            return int(value)
        if team.estimation == "tShirt":
            shown = ", ".join(f"{TSHIRT.get(v, v)} = {v}" for v in allowed)
        else:
            shown = ", ".join(str(v) for v in allowed)
        scale = SCALE_NAMES.get(team.estimation, team.estimation)
        hint = "" if team.extended else " (or allow extended estimates in the team's settings)"
        raise trackers.TrackerError(
            f"Team {team.name} estimates on Linear's {scale} scale ({shown}), which has no "
            f"{value:g}: estimate {key} on that scale{hint}.",
            kind=trackers.TrackerErrorKind.INVALID,
        )

    async def _update(self, key: str, values: dict[str, Any], action: str) -> None:
        await self._call(
            UPDATE_ISSUE,
            {"id": key, "input": values},
            action=action,
            what=f"Issue {key}",
        )

    async def update_issue(self, key: str, update: trackers.IssueUpdate) -> None:
        if update.empty:
            return
        values: dict[str, Any] = {}
        if update.summary is not trackers.KEEP:
            values["title"] = update.summary
        if update.estimate is not trackers.KEEP:
            values["estimate"] = self._estimate(await self.team(), key, update.estimate)  # type: ignore[arg-type]
        if (
            update.description is not trackers.KEEP
            or update.acceptance_criteria is not trackers.KEEP
        ):
            description, criteria = update.description, update.acceptance_criteria
            if description is trackers.KEEP or criteria is trackers.KEEP:
                data = await self._call(
                    ISSUE_DESCRIPTION, {"id": key}, action=f"read {key}", what=f"Issue {key}"
                )
                old_text, old_criteria = split_criteria(
                    (data.get("issue") or {}).get("description")
                )
                description = old_text if description is trackers.KEEP else description
                criteria = old_criteria if criteria is trackers.KEEP else criteria
            values["description"] = join_body(str(description), list(criteria))  # type: ignore[arg-type]
        await self._update(key, values, f"update {key}")

    async def mark_done(self, key: str) -> None:
        team = await self.team()
        data = await self._call(ISSUE_STATE, {"id": key}, action=f"read {key}", what=f"Issue {key}")
        current = ((data.get("issue") or {}).get("state") or {}).get("type")
        if current in DONE_STATES:
            return
        done = team.done_state()
        if done is None:
            raise trackers.TrackerError(
                f"Team {team.name} has no completed status, so {key} cannot be marked done: add "
                "one in the team's settings > Workflow.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        await self._update(key, {"stateId": done.id}, f"mark {key} done")

    async def rank(self, key: str, *, before: str | None = None, after: str | None = None) -> None:
        """A ``sortOrder`` halfway between the anchor and its neighbour in the team's manual
        order (its open issues, cycles included, as ``backlog_keys()`` lists them)."""
        if (before is None) == (after is None):
            raise ValueError("rank needs exactly one of before= or after=")
        anchor = before if before is not None else after
        if key == anchor:
            raise ValueError("an issue cannot be ranked next to itself")
        assert anchor is not None
        order = [(k, o) for k, o in await self._backlog_order(BACKLOG_ORDER) if k != key]
        position = next((n for n, (k, _) in enumerate(order) if k == anchor), None)
        if position is None:
            data = await self._call(
                ISSUE_STATE, {"id": anchor}, action=f"read {anchor}", what=f"Issue {anchor}"
            )
            value = float((data.get("issue") or {}).get("sortOrder") or 0)
            target = value - 1 if before is not None else value + 1
        else:
            value = order[position][1]
            if before is not None:
                neighbour = order[position - 1][1] if position > 0 else value - 2
            else:
                neighbour = order[position + 1][1] if position + 1 < len(order) else value + 2
            target = (value + neighbour) / 2
        where = f"before {before}" if before is not None else f"after {after}"
        await self._update(key, {"sortOrder": target}, f"rank {key} {where}")

    async def _label_ids(self, team: TeamConfig, names: Sequence[str]) -> list[str]:
        """The ids of the team's (else the workspace's) labels with these names; names no
        label has are left out (Timebox does not create labels)."""
        wanted = [n for n in dict.fromkeys(names) if n]
        if not wanted:
            return []
        data = await self._call(LABELS_NAMED, {"names": wanted}, action="read the labels")
        found: dict[str, str] = {}
        for label in (data.get("issueLabels") or {}).get("nodes") or []:
            owner = (label.get("team") or {}).get("id")
            name = str(label.get("name") or "")
            if owner == team.id or (owner is None and name not in found):
                found[name] = str(label.get("id"))
        return [found[n] for n in wanted if n in found]

    async def create_issue(self, issue: trackers.NewIssue) -> trackers.IssueRef:
        team = await self.team()
        values: dict[str, Any] = {"teamId": team.id, "title": issue.summary}
        description = join_body(issue.description, issue.acceptance_criteria)
        if description:
            values["description"] = description
        if issue.estimate is not None and team.estimates:
            # An estimate off the scale is left for poker: the issue still lands.
            with contextlib.suppress(trackers.TrackerError):
                values["estimate"] = self._estimate(team, issue.summary, issue.estimate)
        type_label = [issue.issue_type] if issue.issue_type.lower() in _TYPE_LABELS else []
        label_ids = await self._label_ids(team, [*issue.labels, *type_label])
        if label_ids:
            values["labelIds"] = label_ids
        data = await self._call(
            CREATE_ISSUE,
            {"input": values},
            action=f"create the issue '{issue.summary}'",
            idempotent=False,
        )
        made = ((data.get("issueCreate") or {}).get("issue")) or {}
        return trackers.IssueRef(
            key=str(made.get("identifier") or ""),
            id=str(made.get("id") or ""),
            url=str(made.get("url") or ""),
        )

    async def create_webhook(self, url: str, secret: str, *, label: str = "Timebox") -> str:
        """Registers Timebox's webhook for the team's issues, signed with Timebox's own
        secret, so nobody copies a secret by hand; the webhook's id. Linear lets only a
        workspace admin do it: for anyone else this is FORBIDDEN, and an admin adds the URL
        under Settings > API > Webhooks instead."""
        team = await self.team()
        data = await self._call(
            CREATE_WEBHOOK,
            {
                "input": {
                    "url": url,
                    "secret": secret,
                    "teamId": team.id,
                    "resourceTypes": ["Issue"],
                    "label": label,
                }
            },
            action=f"add a webhook for team {team.key}",
            idempotent=False,
        )
        return str((((data.get("webhookCreate") or {}).get("webhook")) or {}).get("id") or "")

    # -- cycles --------------------------------------------------------------------------

    def _sprint(self, raw: Mapping[str, Any]) -> trackers.TrackerSprint:
        if raw.get("completedAt") or raw.get("isPast"):
            state = trackers.SprintState.CLOSED
        elif raw.get("isFuture"):
            state = trackers.SprintState.FUTURE
        else:
            state = trackers.SprintState.ACTIVE
        number = raw.get("number")
        name = raw.get("name") or (f"Cycle {number:g}" if isinstance(number, int | float) else "")
        return trackers.TrackerSprint(
            id=str(raw.get("id") or ""),
            name=str(name),
            state=state,
            goal=str(raw.get("description") or ""),
            start=parse_time(raw.get("startsAt")),
            end=parse_time(raw.get("endsAt")),
            completed=parse_time(raw.get("completedAt")),
        )

    async def sprint(self, sprint_id: str) -> trackers.TrackerSprint:
        data = await self._call(
            CYCLE, {"id": sprint_id}, action=f"read cycle {sprint_id}", what=f"Cycle {sprint_id}"
        )
        return self._sprint(data.get("cycle") or {})

    async def board_sprints(self) -> list[trackers.TrackerSprint]:
        """The team's cycles that are not over (future and active)."""
        team = await self.team()
        found: list[trackers.TrackerSprint] = []
        cursor: str | None = None
        while True:
            data = await self._call(
                TEAM_CYCLES,
                {"teamId": team.id, "after": cursor},
                action=f"list the cycles of team {team.key}",
                what=f"Team {team.key}",
            )
            connection = data.get("cycles") or {}
            found += [self._sprint(c) for c in connection.get("nodes") or []]
            info = connection.get("pageInfo") or {}
            cursor = info.get("endCursor") if info.get("hasNextPage") else None
            if not cursor:
                return [s for s in found if s.state is not trackers.SprintState.CLOSED]

    async def create_sprint(self, spec: trackers.SprintSpec) -> trackers.TrackerSprint:
        """A cycle with the sprint's dates (Linear needs both: without them, from now for the
        team's cycle length) and the goal as its description."""
        team = await self.team()
        start = spec.start or self._now()
        end = spec.end or start + timedelta(weeks=team.cycle_duration or 2)
        values: dict[str, Any] = {
            "teamId": team.id,
            "name": spec.name,
            "startsAt": format_time(start),
            "endsAt": format_time(end),
        }
        if spec.goal:
            values["description"] = spec.goal
        data = await self._call(
            CREATE_CYCLE,
            {"input": values},
            action=f"create the cycle '{spec.name}'",
            what=f"Team {team.key}",
            idempotent=False,
        )
        return self._sprint((data.get("cycleCreate") or {}).get("cycle") or {})

    async def _update_cycle(
        self, sprint_id: str, values: dict[str, Any], action: str
    ) -> trackers.TrackerSprint:
        data = await self._call(
            UPDATE_CYCLE,
            {"id": sprint_id, "input": values},
            action=action,
            what=f"Cycle {sprint_id}",
        )
        return self._sprint((data.get("cycleUpdate") or {}).get("cycle") or {})

    async def start_sprint(
        self, sprint_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> trackers.TrackerSprint:
        """A Linear cycle runs between its dates: starting it moves its start to now (or the
        sprint's start, if earlier) and its end to the sprint's."""
        current = await self.sprint(sprint_id)
        if current.state is trackers.SprintState.CLOSED:
            raise trackers.TrackerError(
                f"Linear did not start cycle {current.name or sprint_id}: it is completed.",
                kind=trackers.TrackerErrorKind.INVALID,
            )
        now = self._now()
        values: dict[str, Any] = {}
        if current.state is trackers.SprintState.FUTURE or (start is not None and start < now):
            values["startsAt"] = format_time(min(start or now, now))
        if end is not None:
            values["endsAt"] = format_time(end)
        if not values:
            return current
        sprint = await self._update_cycle(sprint_id, values, f"start cycle {sprint_id}")
        if sprint.state is not trackers.SprintState.ACTIVE:
            raise trackers.TrackerError(
                f"Linear did not start cycle {sprint.name or sprint_id}: it is "
                f"{sprint.state.value}.",
                kind=trackers.TrackerErrorKind.INVALID,
            )
        return sprint

    async def close_sprint(self, sprint_id: str) -> trackers.TrackerSprint:
        """Its unfinished issues go back to the backlog (as Jira does when a sprint closes),
        then the cycle is completed (``completedAt``). Repeating it changes nothing."""
        current = await self.sprint(sprint_id)
        if current.completed is not None:
            return current
        unfinished: list[str] = []
        cursor: str | None = None
        while True:
            data = await self._call(
                CYCLE_UNFINISHED,
                {"id": sprint_id, "after": cursor},
                action=f"read the open issues of cycle {sprint_id}",
                what=f"Cycle {sprint_id}",
            )
            connection = ((data.get("cycle") or {}).get("issues")) or {}
            unfinished += [str(n["identifier"]) for n in connection.get("nodes") or []]
            info = connection.get("pageInfo") or {}
            cursor = info.get("endCursor") if info.get("hasNextPage") else None
            if not cursor:
                break
        await self.move_to_backlog(unfinished)
        return await self._update_cycle(
            sprint_id, {"completedAt": format_time(self._now())}, f"complete cycle {sprint_id}"
        )

    async def _move(self, cycle_id: str | None, keys: Sequence[str], action: str) -> None:
        for i in range(0, len(keys), BATCH):
            batch = list(keys[i : i + BATCH])
            variables: dict[str, Any] = {"cycleId": cycle_id}
            variables.update({f"k{n}": key for n, key in enumerate(batch)})
            await self._call(
                move_issues_document(len(batch)),
                variables,
                action=action,
                aliases={f"i{n}": key for n, key in enumerate(batch)},
            )

    async def move_to_sprint(self, sprint_id: str, keys: Sequence[str]) -> None:
        await self._move(sprint_id, keys, f"move issues into cycle {sprint_id}")

    async def move_to_backlog(self, keys: Sequence[str]) -> None:
        await self._move(None, keys, "move issues out of their cycle")


def _operation_name(request: GraphQLRequest) -> str:
    for definition in request.document.definitions:
        name = getattr(definition, "name", None)
        if getattr(definition, "operation", None) is not None and name is not None:
            return str(name.value)
    return "anonymous"


async def _note_answer(
    session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
) -> None:
    answer = context.trace_request_ctx
    if isinstance(answer, _Answer):
        answer.status = params.response.status
        answer.headers = params.response.headers
