"""A local stand-in for Linear's GraphQL API: the part of it Timebox's tracker sync uses.

Like the Jira emulator it is an aiohttp server on 127.0.0.1 (a free port by default) that
records every call (``calls``, ``calls_to(operation)``) and never sleeps unless told to hold
an answer; time comes from an injectable ``now`` clock.

It is a real GraphQL server: ``SCHEMA`` (built from ``linear.graphql``, next to this module)
is a subset of Linear's published schema (the same type, field, argument and input names and
types), and every request is parsed, validated
and executed by graphql-core, so a query asking for a field Linear does not have, or passing
a variable of the wrong type, fails here as it would there. It holds one workspace with
teams (key, cycles, estimate scale, workflow states), users with personal API keys (sent
bare in ``Authorization``) or OAuth tokens (``Bearer``), labels, issues (identifier
``ENG-1``, manual ``sortOrder``, ``updatedAt``), "blocks" relations and cycles.

Answers follow Linear's shapes: ``{"data": …}``, GraphQL errors with ``extensions`` (``code``,
``type``, ``userError``, ``userPresentableMessage``): AUTHENTICATION_ERROR, FORBIDDEN,
"Entity not found", GRAPHQL_VALIDATION_FAILED, RATELIMITED. Every answer carries the
rate-limit headers (``X-RateLimit-Requests-Limit/-Remaining/-Reset``,
``X-RateLimit-Complexity-Limit/-Remaining/-Reset``, resets in epoch milliseconds) and
``X-Complexity``: a query costs what Linear's documentation says (0.1 a property, 1 an object,
a connection's children times its ``first``, 50 by default), over 10,000 it is refused, and
both budgets are leaky buckets refilled over an hour on the emulator's clock.

Faults, per operation name (``BacklogIssues``) or for any: ``fail_next`` (a 5xx),
``rate_limit_next`` (RATELIMITED with the reset headers, HTTP 400 or 429), ``delay_next`` (an
answer held for real seconds so a client's timeout fires; ``applied=True`` does the work
first) and ``fail_rate``. ``add_webhook`` (or ``webhookCreate`` with an admin's key) registers
a webhook: changes are delivered signed (``Linear-Signature``, HMAC-SHA256 hex of the body)
with ``webhookTimestamp``; ``send_webhook`` signs and sends any payload to any URL.
``remove_issue`` trashes (or deletes for good) an issue with an Issue ``remove`` event;
``reorder_touches`` says whether a ``sortOrder`` change alone bumps ``updatedAt``.

Mounting: ``async with LinearEmulator(now=clock.now) as linear:`` and build the client with
``api_url=linear.api_url`` and a host policy that lists ``linear.host_setting``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Unpack

import aiohttp
from aiohttp import web
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_schema,
    execute_sync,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)

from bot.emulator.faults import Fault
from bot.emulator.http import answer
from bot.emulator.tracker import ServerOptions, TrackerServer
from bot.emulator.webhooks import Delivery, hmac_sha256

MAX_COMPLEXITY = 10_000
HOUR = 3600.0
DEFAULT_PAGE = 50

# A subset of Linear's schema (packages/sdk/src/schema.graphql of linear/linear), in
# linear.graphql next to this module (shipped as package data): every name and type there is
# Linear's own; what Timebox does not use is left out.
SDL = resources.files("bot.emulator").joinpath("linear.graphql").read_text(encoding="utf-8")

SCHEMA: GraphQLSchema = build_schema(SDL)

# Linear's default workflow: (name, type, colour).
DEFAULT_STATES = (
    ("Backlog", "backlog", "#bec2c8"),
    ("Todo", "unstarted", "#e2e2e2"),
    ("In Progress", "started", "#f2c94c"),
    ("In Review", "started", "#0f783c"),
    ("Done", "completed", "#5e6ad2"),
    ("Canceled", "canceled", "#95a2b3"),
    ("Duplicate", "duplicate", "#95a2b3"),
)
PRIORITY_LABELS = {0: "No priority", 1: "Urgent", 2: "High", 3: "Medium", 4: "Low"}
UNAUTHENTICATED = "Authentication required, not authenticated"
RATE_LIMITED = "requests"
"""``Fault.limit`` of ``rate_limit_next``: the request budget is spent (RATELIMITED)."""


# -- recorded state ------------------------------------------------------------------------


@dataclass
class LinearCall:
    """One request: ``operation`` is the GraphQL operation's name (``unknown`` if none)."""

    operation: str
    query: str
    variables: dict[str, Any]
    status: int = 0
    at: float = 0.0
    user: str | None = None  # the email of the account whose credential was used
    response: Any = None
    complexity: int = 0
    held: float = 0.0
    dropped: bool = False  # held, and the client hung up before the answer

    @property
    def route(self) -> str:
        return self.operation


@dataclass
class LinearUser:
    id: str
    name: str
    display_name: str
    email: str
    api_key: str
    timezone: str = "UTC"
    admin: bool = False  # only a workspace admin may create webhooks


@dataclass
class LinearState:
    id: str
    team_id: str
    name: str
    type: str
    position: float
    color: str = "#e2e2e2"


@dataclass
class LinearTeam:
    id: str
    key: str
    name: str
    timezone: str = "UTC"
    cycles_enabled: bool = True
    cycle_duration: float = 2.0
    estimation: str = "fibonacci"
    allow_zero: bool = False
    extended: bool = False
    hidden_from: set[str] = field(default_factory=set)  # user ids that cannot see the team
    issue_count: int = 0
    cycle_count: int = 0


@dataclass
class LinearLabel:
    id: str
    name: str
    team_id: str | None = None  # None: a workspace label
    color: str = "#bec2c8"


@dataclass
class LinearIssue:
    id: str
    identifier: str
    number: int
    team_id: str
    title: str
    state_id: str
    description: str | None = None
    estimate: int | None = None
    priority: int = 0
    sort_order: float = 0.0
    priority_sort_order: float = 0.0
    assignee_id: str | None = None
    parent_id: str | None = None
    cycle_id: str | None = None
    label_ids: list[str] = field(default_factory=list)
    created: float = 0.0  # epoch milliseconds
    updated: float = 0.0
    completed: float | None = None
    archived: float | None = None  # set when trashed (deleted): the issue leaves every list
    trashed: bool = False


@dataclass
class LinearRelation:
    id: str
    type: str  # blocks, duplicate, related, similar
    issue_id: str  # the one that blocks
    related_id: str  # the one blocked
    created: float = 0.0


@dataclass
class LinearCycle:
    id: str
    team_id: str
    number: int
    starts: float  # epoch milliseconds
    ends: float
    name: str | None = None
    description: str | None = None
    completed: float | None = None
    created: float = 0.0
    updated: float = 0.0


@dataclass
class LinearWebhook:
    """A webhook as a Linear admin makes it (Settings > API > Webhooks), with its signing
    secret: every delivery carries ``Linear-Signature`` (HMAC-SHA256 of the body, hex)."""

    url: str
    secret: str
    id: str = ""
    resource_types: tuple[str, ...] = ("Issue",)
    team_id: str | None = None  # None: every team's events
    label: str | None = None
    created: float = 0.0
    deliveries: list[int] = field(default_factory=list)  # HTTP status of each delivery


@dataclass
class _Bucket:
    """A leaky bucket: ``limit`` a window of an hour, refilled evenly."""

    limit: float
    level: float
    at: float  # epoch seconds of ``level``

    def refill(self, now: float) -> None:
        self.level = min(self.limit, self.level + (now - self.at) * self.limit / HOUR)
        self.at = now

    def reset(self, now: float) -> float:
        """Epoch milliseconds when the bucket is full again."""
        return (now + (self.limit - self.level) * HOUR / self.limit) * 1000


def linear_error(
    message: str,
    code: str,
    kind: str,
    *,
    user_message: str | None = None,
    user_error: bool = True,
) -> dict[str, Any]:
    """A GraphQL error as Linear words it (``extensions.code`` and ``extensions.type``)."""
    extensions: dict[str, Any] = {"code": code, "type": kind, "userError": user_error}
    if user_message:
        extensions["userPresentableMessage"] = user_message
    return {"message": message, "extensions": extensions}


def _not_found(kind: str) -> GraphQLError:
    return GraphQLError(
        f"Entity not found: {kind}",
        extensions={
            "code": "INVALID_INPUT",
            "type": "invalid input",
            "userError": True,
            "userPresentableMessage": f"Could not find referenced {kind}.",
        },
    )


def _invalid(message: str) -> GraphQLError:
    return GraphQLError(
        message,
        extensions={
            "code": "INVALID_INPUT",
            "type": "invalid input",
            "userError": True,
            "userPresentableMessage": message,
        },
    )


def sign(secret: str, body: bytes) -> str:
    """The ``Linear-Signature`` of a delivery."""
    return hmac_sha256(secret, body)


def _signed(
    secret: str,
    payload: Mapping[str, Any],
    *,
    timestamp_ms: float | None = None,
    signature: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a delivery of ``payload``, as ``send_webhook`` says."""
    data = dict(payload)
    data.setdefault("webhookTimestamp", int(timestamp_ms if timestamp_ms else time.time() * 1000))
    body = json.dumps(data).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Linear-Delivery": str(uuid.uuid4()),
        "Linear-Event": str(data.get("type") or ""),
        "Linear-Signature": signature if signature is not None else sign(secret, body),
        "User-Agent": "Linear-Webhook",
    }
    return body, headers


async def send_webhook(
    url: str,
    secret: str,
    payload: Mapping[str, Any],
    *,
    timestamp_ms: float | None = None,
    signature: str | None = None,
) -> int:
    """Signs ``payload`` as Linear does (``webhookTimestamp`` set to ``timestamp_ms``, else
    now, if absent) and POSTs it to ``url``; the HTTP status of the answer. ``signature``
    overrides the computed one (a forged delivery)."""
    body, headers = _signed(secret, payload, timestamp_ms=timestamp_ms, signature=signature)
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers=headers) as answer,
    ):
        return answer.status


# -- filters and order ---------------------------------------------------------------------


def _iso(ms: float | None) -> str | None:
    if ms is None:
        return None
    when = datetime.fromtimestamp(ms / 1000, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _parse_when(value: Any) -> float:
    """A ``DateTimeOrDuration`` as epoch milliseconds (ISO 8601 times only)."""
    if not isinstance(value, str):
        raise _invalid(f"Invalid date: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _invalid(f"Invalid date: {value}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp() * 1000


def _compare(spec: Mapping[str, Any], value: Any, *, dates: bool = False) -> bool:
    """One comparator (``{eq: …}``, ``{in: […]}``, ``{gte: …}``, ``{null: true}``)."""
    for op, wanted in spec.items():
        if op == "null":
            if (value is None) != bool(wanted):
                return False
            continue
        if wanted is None:
            continue
        if dates:
            wanted = (
                [_parse_when(w) for w in wanted]
                if isinstance(wanted, list)
                else (_parse_when(wanted))
            )
        if op in ("eqIgnoreCase", "neqIgnoreCase", "containsIgnoreCase"):
            text, other = str(value or "").lower(), str(wanted).lower()
            ok = {
                "eqIgnoreCase": text == other,
                "neqIgnoreCase": text != other,
                "containsIgnoreCase": other in text,
            }[op]
        elif op == "eq":
            ok = value == wanted
        elif op == "neq":
            ok = value != wanted
        elif op == "in":
            ok = value in wanted
        elif op == "nin":
            ok = value not in wanted
        elif value is None:
            ok = False
        else:
            ok = {
                "gt": value > wanted,
                "gte": value >= wanted,
                "lt": value < wanted,
                "lte": value <= wanted,
            }[op]
        if not ok:
            return False
    return True


# -- the emulator --------------------------------------------------------------------------


class LinearEmulator(TrackerServer[LinearCall]):
    """Linear's GraphQL API for one workspace, served on 127.0.0.1.

    Start it, build the client with ``api_url=emulator.api_url`` (its host listed in the host
    policy) and ``LinearApiKey(Secret(emulator.user.api_key))``, and inspect ``calls``,
    ``issues`` and ``cycles`` afterwards.
    """

    def __init__(
        self,
        *,
        email: str = "po@example.com",
        api_key: str = "lin_api_emulator",
        display_name: str = "Paula Owner",
        timezone: str = "Europe/Berlin",
        team_key: str = "ENG",
        team_name: str = "Engineering",
        organization: str = "timebox",
        estimation: str = "fibonacci",
        requests_limit: float = 5000,
        complexity_limit: float = 3_000_000,
        admin: bool = True,
        **server: Unpack[ServerOptions],
    ) -> None:
        super().__init__(**server)
        self.organization = {
            "id": self._uuid("org", 1),
            "name": organization,
            "urlKey": organization,
        }
        self.users: dict[str, LinearUser] = {}
        self.bearer: dict[str, str] = {}  # OAuth access token -> user id
        self.teams: dict[str, LinearTeam] = {}
        self.states: dict[str, LinearState] = {}
        self.labels: dict[str, LinearLabel] = {}
        self.issues: dict[str, LinearIssue] = {}  # by identifier, in creation order
        self.relations: list[LinearRelation] = []
        self.cycles: dict[str, LinearCycle] = {}
        self.webhooks: list[LinearWebhook] = []
        # Whether a change of ``sortOrder`` alone (a drag in a list) bumps ``updatedAt``.
        # Linear's schema says updatedAt follows every change of a synced property except its
        # unpublished ``skipUpdatedAtKeys``, so True; False shows a sync that only a webhook's
        # ``updatedFrom.sortOrder`` (or the reconcile) tells of a reorder.
        self.reorder_touches = True
        self.requests_limit = requests_limit
        self.complexity_limit = complexity_limit
        self._buckets: dict[str, tuple[_Bucket, _Bucket]] = {}  # per user id
        self._last_ms = 0.0
        self._sync_id = 1000.0
        self.user = self.add_user(
            email, api_key, display_name=display_name, timezone=timezone, admin=admin
        )
        self.team = self.add_team(team_key, team_name, estimation=estimation)

    # -- lifecycle -----------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/graphql", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        return app

    async def _stopping(self) -> None:
        for task in list(self._delivering):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    @property
    def api_url(self) -> str:
        return f"{self.url}/graphql"

    # -- time and ids --------------------------------------------------------------------

    def _stamp(self) -> float:
        """``now()`` in epoch milliseconds, strictly increasing even if time stands."""
        ms = max(float(round(self.epoch() * 1000)), self._last_ms + 1)
        self._last_ms = ms
        return ms

    def _uuid(self, kind: str, n: int | None = None) -> str:
        if n is None:
            self._ids += 1
            n = self._ids
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"linear-emulator/{kind}/{n}"))

    def _next_sync(self) -> float:
        self._sync_id += 1
        return self._sync_id

    # -- set-up and test helpers ---------------------------------------------------------

    def add_user(
        self,
        email: str,
        api_key: str,
        *,
        display_name: str | None = None,
        timezone: str = "UTC",
        admin: bool = False,
    ) -> LinearUser:
        name = display_name or email.split("@")[0]
        user = LinearUser(
            self._uuid("user"), name, name.split(" ")[0].lower(), email, api_key, timezone, admin
        )
        self.users[user.id] = user
        return user

    def add_oauth_token(self, access_token: str, email: str) -> None:
        self.bearer[access_token] = self._user_by_email(email).id

    def _user_by_email(self, email: str) -> LinearUser:
        return next(u for u in self.users.values() if u.email == email)

    def add_team(
        self,
        key: str,
        name: str,
        *,
        estimation: str = "fibonacci",
        allow_zero: bool = False,
        extended: bool = False,
        cycles_enabled: bool = True,
        cycle_duration: float = 2.0,
        timezone: str = "Europe/Berlin",
        states: Iterable[tuple[str, str, str]] = DEFAULT_STATES,
    ) -> LinearTeam:
        team = LinearTeam(
            self._uuid("team"),
            key.upper(),
            name,
            timezone=timezone,
            cycles_enabled=cycles_enabled,
            cycle_duration=cycle_duration,
            estimation=estimation,
            allow_zero=allow_zero,
            extended=extended,
        )
        self.teams[team.id] = team
        for position, (state_name, kind, color) in enumerate(states):
            state = LinearState(
                self._uuid("state"), team.id, state_name, kind, float(position), color
            )
            self.states[state.id] = state
        return team

    def team_by_key(self, key: str) -> LinearTeam:
        return next(t for t in self.teams.values() if t.key == key.upper())

    def hide_team(self, key: str, email: str | None = None) -> None:
        """The team is invisible to that user (default: the main one), as a private team the
        user is not a member of."""
        user = self._user_by_email(email) if email else self.user
        self.team_by_key(key).hidden_from.add(user.id)

    def set_estimation(
        self,
        kind: str,
        *,
        extended: bool = False,
        allow_zero: bool = False,
        team: str | None = None,
    ) -> None:
        """The team's estimate scale: notUsed, exponential, fibonacci, linear or tShirt."""
        target = self.team_by_key(team) if team else self.team
        target.estimation, target.extended, target.allow_zero = kind, extended, allow_zero

    def state_named(self, name: str, team: LinearTeam | None = None) -> LinearState:
        team = team or self.team
        return next(
            s
            for s in self.states.values()
            if s.team_id == team.id and s.name.lower() == name.lower()
        )

    def add_label(self, name: str, *, team: str | None = None) -> LinearLabel:
        """A label of a team (its key), or of the whole workspace (``team=None``)."""
        owner = self.team_by_key(team).id if team else None
        label = LinearLabel(self._uuid("label"), name, owner)
        self.labels[label.id] = label
        return label

    def _label_named(self, name: str, team: LinearTeam) -> LinearLabel:
        for label in self.labels.values():
            if label.name.lower() == name.lower() and label.team_id in (team.id, None):
                return label
        return self.add_label(name, team=team.key)

    def _sort_last(self, team: LinearTeam) -> float:
        orders = [i.sort_order for i in self.issues.values() if i.team_id == team.id]
        return (max(orders) if orders else 0.0) + 1000.0

    def _new_issue(
        self,
        team: LinearTeam,
        title: str,
        state_id: str,
        *,
        stamp: float | None = None,
        sort_order: float | None = None,
        **fields: Any,
    ) -> LinearIssue:
        """An issue numbered next in ``team``, created at ``stamp`` (now) and ordered at
        ``sort_order`` (last); not stored yet."""
        team.issue_count += 1
        stamp = self._stamp() if stamp is None else stamp
        return LinearIssue(
            id=self._uuid("issue"),
            identifier=f"{team.key}-{team.issue_count}",
            number=team.issue_count,
            team_id=team.id,
            title=title,
            state_id=state_id,
            sort_order=self._sort_last(team) if sort_order is None else sort_order,
            priority_sort_order=float(team.issue_count),
            created=stamp,
            updated=stamp,
            **fields,
        )

    def add_issue(
        self,
        title: str,
        *,
        team: str | None = None,
        description: str | None = None,
        estimate: int | None = None,
        state: str = "Todo",
        labels: Iterable[str] = (),
        blocked_by: Iterable[str] = (),
        parent: str | None = None,
        assignee: str | None = None,
        priority: int = 0,
        cycle: str | None = None,
    ) -> LinearIssue:
        """A new issue ordered last in its team; ``state`` is a workflow state's name,
        ``assignee`` a user's email, ``parent`` and ``blocked_by`` identifiers."""
        target = self.team_by_key(team) if team else self.team
        issue = self._new_issue(
            target,
            title,
            self.state_named(state, target).id,
            description=description,
            estimate=estimate,
            priority=priority,
            assignee_id=self._user_by_email(assignee).id if assignee else None,
            parent_id=self.issues[parent].id if parent else None,
            cycle_id=cycle,
        )
        issue.label_ids = [self._label_named(n, target).id for n in labels]
        self._completed(issue)
        self.issues[issue.identifier] = issue
        for blocker in blocked_by:
            self.block(blocker, issue.identifier)
        self._event("create", issue)
        return issue

    def seed(
        self,
        count: int,
        *,
        team: str | None = None,
        estimate: Callable[[int], int | None] | None = None,
    ) -> list[str]:
        """``count`` issues in Todo ordered last, with one ``updatedAt``: fast (no requests)."""
        target = self.team_by_key(team) if team else self.team
        stamp = self._stamp()
        todo = self.state_named("Todo", target).id
        base = self._sort_last(target)
        keys = []
        for n in range(1, count + 1):
            issue = self._new_issue(
                target,
                f"Backlog item {n}",
                todo,
                stamp=stamp,
                sort_order=base + (n - 1) * 1000.0,
                estimate=estimate(n) if estimate else None,
            )
            self.issues[issue.identifier] = issue
            keys.append(issue.identifier)
        return keys

    def block(self, blocker: str, blocked: str) -> LinearRelation:
        """``blocker`` blocks ``blocked`` (a relation of type "blocks")."""
        relation = LinearRelation(
            self._uuid("relation"),
            "blocks",
            self.issues[blocker].id,
            self.issues[blocked].id,
            self._stamp(),
        )
        self.relations.append(relation)
        return relation

    def edit(self, key: str, **changes: Any) -> LinearIssue:
        """Changes an issue as a person in Linear would, and bumps ``updatedAt``.

        Keys: title, description, estimate, state (a name), priority, sort_order, labels
        (names), assignee (email or None), parent (identifier or None), cycle (id or None).
        """
        issue = self.issues[key]
        team = self.teams[issue.team_id]
        before = self._webhook_data(issue)
        for name, value in changes.items():
            if name == "state":
                issue.state_id = self.state_named(value, team).id
            elif name == "labels":
                issue.label_ids = [self._label_named(n, team).id for n in value]
            elif name == "assignee":
                issue.assignee_id = self._user_by_email(value).id if value else None
            elif name == "parent":
                issue.parent_id = self.issues[value].id if value else None
            elif name == "cycle":
                issue.cycle_id = value
            elif name in ("title", "description", "estimate", "priority", "sort_order"):
                setattr(issue, name, value)
            else:
                raise TypeError(f"edit() has no field {name!r}")
        self._completed(issue)
        self._touch(issue, set(changes) <= {"sort_order"} and bool(changes))
        self._event("update", issue, before)
        return issue

    def _touch(self, issue: LinearIssue, reorder_only: bool) -> None:
        """Bumps ``updatedAt``, unless the change is only a reorder and ``reorder_touches``
        is off."""
        if self.reorder_touches or not reorder_only:
            issue.updated = self._stamp()

    def remove_issue(self, key: str, *, permanently: bool = False) -> None:
        """Deletes an issue as a person in Linear does: to the trash (``trashed``, archived:
        gone from every list, ``issue(id)`` still answers), or ``permanently`` (then
        ``issue(id)`` is "Entity not found"); either way an Issue ``remove`` webhook."""
        issue = self.issues[key]
        issue.trashed = True
        issue.archived = issue.updated = self._stamp()
        self._event("remove", issue)
        if permanently:
            del self.issues[key]
            self.relations = [
                r for r in self.relations if issue.id not in (r.issue_id, r.related_id)
            ]

    def touch(self, key: str) -> LinearIssue:
        return self.edit(key)

    def estimate_of(self, key: str) -> int | None:
        return self.issues[key].estimate

    def state_of(self, key: str) -> LinearState:
        return self.states[self.issues[key].state_id]

    def blocked_by(self, key: str) -> list[str]:
        issue = self.issues[key]
        by_id = {i.id: i.identifier for i in self.issues.values()}
        return [by_id[r.issue_id] for r in self.relations if r.related_id == issue.id]

    def backlog_keys(self, team: str | None = None) -> list[str]:
        """The team's backlog as Linear's backlog view shows it: backlog and unstarted issues
        in no cycle, in manual order."""
        target = self.team_by_key(team) if team else self.team
        found = [
            i
            for i in self.issues.values()
            if i.team_id == target.id
            and not i.trashed
            and self.states[i.state_id].type in ("backlog", "unstarted")
            and i.cycle_id is None
        ]
        return [i.identifier for i in sorted(found, key=lambda i: (i.sort_order, i.created, i.id))]

    def open_keys(self, team: str | None = None) -> list[str]:
        """Every issue of the team not done (completed, canceled or duplicate state types), in
        a cycle or not, in manual order (ties by id, as the API sorts)."""
        target = self.team_by_key(team) if team else self.team
        found = [
            i
            for i in self.issues.values()
            if i.team_id == target.id
            and not i.trashed
            and self.states[i.state_id].type not in ("completed", "canceled", "duplicate")
        ]
        return [i.identifier for i in sorted(found, key=lambda i: (i.sort_order, i.id))]

    def cycle_keys(self, cycle_id: str) -> list[str]:
        found = [i for i in self.issues.values() if i.cycle_id == cycle_id]
        return [i.identifier for i in sorted(found, key=lambda i: (i.sort_order, i.created))]

    def add_cycle(
        self,
        starts: datetime,
        ends: datetime,
        *,
        name: str | None = None,
        description: str | None = None,
        team: str | None = None,
    ) -> LinearCycle:
        target = self.team_by_key(team) if team else self.team
        return self._make_cycle(
            target, starts.timestamp() * 1000, ends.timestamp() * 1000, name, description
        )

    def _bucket(self, user_id: str) -> tuple[_Bucket, _Bucket]:
        if user_id not in self._buckets:
            now = self.epoch()
            self._buckets[user_id] = (
                _Bucket(self.requests_limit, self.requests_limit, now),
                _Bucket(self.complexity_limit, self.complexity_limit, now),
            )
        return self._buckets[user_id]

    # -- faults --------------------------------------------------------------------------

    def fail_next(
        self, status: int = 503, *, route: str | None = None, times: int = 1, after: int = 0
    ) -> None:
        """Answer the next ``times`` calls (of the operation ``route``, or any) with HTTP ``status``
        (500: Linear's JSON INTERNAL_SERVER_ERROR; 502, 503, 504: a gateway's text page).
        ``after``: let that many calls through first."""
        self.faults.add(Fault(route, status, remaining=times, skip=after))

    def rate_limit_next(
        self,
        *,
        route: str | None = None,
        times: int = 1,
        reset_in: float = 1.0,
        status: int = 400,
    ) -> None:
        """Answer the next ``times`` calls with a RATELIMITED error (HTTP ``status``: 400 as
        Linear's GraphQL errors are, or 429) whose request budget resets in ``reset_in``
        seconds."""
        self.faults.add(
            Fault(route, status, retry_after=reset_in, limit=RATE_LIMITED, remaining=times)
        )

    def fail_rate(
        self, ratio: float, status: int = 503, *, route: str | None = None, seed: int = 0
    ) -> None:
        """Fail a share of calls (deterministically from ``seed``) with ``status``."""
        self.faults.add(Fault(route, status, ratio=ratio, rng=random.Random(seed)))

    # -- HTTP ----------------------------------------------------------------------------

    def _authenticate(self, request: web.Request) -> LinearUser | None:
        header = request.headers.get("Authorization", "").strip()
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            user_id = self.bearer.get(value.strip())
            return self.users.get(user_id) if user_id else None
        return next((u for u in self.users.values() if u.api_key == header), None)

    async def _unknown(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=404, text="Cannot " + request.method + " " + request.path)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        call = LinearCall("unknown", "", {}, at=self.epoch())
        self.calls.append(call)
        try:
            payload = json.loads(await request.text() or "null")
        except ValueError:
            return answer(
                call,
                400,
                {"errors": [linear_error("Invalid JSON", "BAD_REQUEST", "graphql error")]},
            )
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            error = linear_error("Must provide query string.", "BAD_REQUEST", "graphql error")
            return answer(call, 400, {"errors": [error]})
        call.query = payload["query"]
        call.variables = dict(payload.get("variables") or {})
        try:
            document = parse(call.query)
        except GraphQLError as error:
            body = {
                "errors": [linear_error(error.message, "GRAPHQL_PARSE_FAILED", "graphql error")]
            }
            return answer(call, 400, body)
        operation = _operation(document, payload.get("operationName"))
        call.operation = operation.name.value if operation and operation.name else "unknown"

        fault = self.faults.take(call.operation)
        gone = await self.faults.hold_request(fault, call, request)
        if gone is not None:
            return gone
        if fault is not None and fault.status and fault.limit is None:
            return self._server_error(call, fault.status)

        user = self._authenticate(request)
        if user is None:
            error = linear_error(
                UNAUTHENTICATED,
                "AUTHENTICATION_ERROR",
                "authentication error",
                user_message="You need to authenticate to access this operation.",
            )
            return answer(call, 400, {"errors": [error]})
        call.user = user.email
        now = self.epoch()
        requests, complexity = self._bucket(user.id)
        requests.refill(now)
        complexity.refill(now)

        if fault is not None and fault.limit == RATE_LIMITED:
            reset = (now + (fault.retry_after or 0)) * 1000
            headers = self._limit_headers(requests, complexity, now, 0)
            headers["X-RateLimit-Requests-Remaining"] = "0"
            headers["X-RateLimit-Requests-Reset"] = str(int(reset))
            return answer(call, fault.status or 400, {"errors": [_ratelimited()]}, headers)

        errors = validate(SCHEMA, document)
        if errors:
            error = linear_error(errors[0].message, "GRAPHQL_VALIDATION_FAILED", "graphql error")
            return answer(call, 400, {"errors": [error]})
        assert operation is not None
        cost = math.ceil(_complexity(document, operation, call.variables) - 1e-9)
        call.complexity = cost
        if cost > MAX_COMPLEXITY:
            error = linear_error(
                f"Query too complex: {cost} points (at most {MAX_COMPLEXITY}).",
                "INVALID_INPUT",
                "invalid input",
                user_message="The query is too complex: ask for fewer items at once.",
            )
            return answer(
                call, 400, {"errors": [error]}, self._limit_headers(requests, complexity, now, cost)
            )
        if requests.level < 1 or complexity.level < cost:
            headers = self._limit_headers(requests, complexity, now, cost)
            return answer(call, 400, {"errors": [_ratelimited()]}, headers)
        requests.level -= 1
        complexity.level -= cost
        headers = self._limit_headers(requests, complexity, now, cost)

        result = execute_sync(
            SCHEMA,
            document,
            root_value=self,
            context_value={"user": user},
            variable_values=call.variables,
            operation_name=operation.name.value if operation.name else None,
        )
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [_format(e) for e in result.errors]
        status = 200
        if result.data is None and result.errors and not any(e.path for e in result.errors):
            status = 400  # the variables were refused before anything ran
        else:
            body["data"] = result.data
        gone = await self.faults.hold_answer(fault, call, request, status)
        if gone is not None:
            return gone
        return answer(call, status, body, headers)

    def _limit_headers(
        self, requests: _Bucket, complexity: _Bucket, now: float, cost: int
    ) -> dict[str, str]:
        return {
            "X-Complexity": str(cost),
            "X-RateLimit-Requests-Limit": f"{requests.limit:g}",
            "X-RateLimit-Requests-Remaining": str(max(0, math.floor(requests.level))),
            "X-RateLimit-Requests-Reset": str(int(requests.reset(now))),
            "X-RateLimit-Complexity-Limit": f"{complexity.limit:g}",
            "X-RateLimit-Complexity-Remaining": str(max(0, math.floor(complexity.level))),
            "X-RateLimit-Complexity-Reset": str(int(complexity.reset(now))),
        }

    def _server_error(self, call: LinearCall, status: int) -> web.Response:
        call.status = status
        if status == 500:
            error = linear_error(
                "Internal server error", "INTERNAL_SERVER_ERROR", "internal error", user_error=False
            )
            call.response = {"errors": [error]}
            return web.json_response(call.response, status=status)
        call.response = f"{status} gateway error"
        return web.Response(status=status, text=call.response, content_type="text/plain")

    # -- views: what the resolvers return ------------------------------------------------

    def _visible(self, team_id: str, user: LinearUser) -> bool:
        return user.id not in self.teams[team_id].hidden_from

    def _connection(
        self,
        items: list[Any],
        args: Mapping[str, Any],
        view: Callable[[Any], dict[str, Any]],
    ) -> dict[str, Any]:
        """Cursor paging over ``items`` (already filtered and ordered); a cursor is an id."""
        ids = [item.id for item in items]
        start, end = 0, len(items)
        after, before = args.get("after"), args.get("before")
        if after:
            if after not in ids:
                raise _invalid(f"Cursor not found: {after}")
            start = ids.index(after) + 1
        if before:
            if before not in ids:
                raise _invalid(f"Cursor not found: {before}")
            end = ids.index(before)
        first, last = args.get("first"), args.get("last")
        window = items[start:end]
        if first is not None:
            window = window[: max(0, first)]
        elif last is not None:
            window = window[max(0, len(window) - last) :]
        else:
            window = window[:DEFAULT_PAGE]
        shown = [view(item) for item in window]
        first_index = start + (items[start:end].index(window[0]) if window else 0)
        last_index = first_index + len(window)
        return {
            "nodes": shown,
            "pageInfo": {
                "startCursor": window[0].id if window else None,
                "endCursor": window[-1].id if window else None,
                "hasPreviousPage": first_index > 0,
                "hasNextPage": last_index < len(items),
            },
        }

    def _user_view(self, user: LinearUser | None) -> dict[str, Any] | None:
        if user is None:
            return None
        return {
            "id": user.id,
            "name": user.name,
            "displayName": user.display_name,
            "email": user.email,
            "active": True,
            "timezone": user.timezone,
        }

    def _state_view(self, state: LinearState) -> dict[str, Any]:
        return {
            "id": state.id,
            "name": state.name,
            "type": state.type,
            "position": state.position,
            "color": state.color,
            "team": lambda info: self._team_view(self.teams[state.team_id]),
        }

    def _label_view(self, label: LinearLabel) -> dict[str, Any]:
        return {
            "id": label.id,
            "name": label.name,
            "color": label.color,
            "team": lambda info: (
                self._team_view(self.teams[label.team_id]) if label.team_id else None
            ),
        }

    def _team_states(self, team: LinearTeam) -> list[LinearState]:
        return sorted(
            (s for s in self.states.values() if s.team_id == team.id), key=lambda s: s.position
        )

    def _team_view(self, team: LinearTeam) -> dict[str, Any]:
        def states(info: Any, **args: Any) -> dict[str, Any]:
            return self._listed("state", self._team_states(team), args, info, self._state_view)

        return {
            "id": team.id,
            "key": team.key,
            "name": team.name,
            "timezone": team.timezone,
            "cyclesEnabled": team.cycles_enabled,
            "cycleDuration": team.cycle_duration,
            "issueEstimationType": team.estimation,
            "issueEstimationAllowZero": team.allow_zero,
            "issueEstimationExtended": team.extended,
            "states": states,
        }

    def _cycle_flags(self, cycle: LinearCycle, now_ms: float) -> dict[str, bool]:
        done = cycle.completed is not None
        return {
            "isActive": not done and cycle.starts <= now_ms < cycle.ends,
            "isFuture": not done and cycle.starts > now_ms,
            "isPast": done or cycle.ends <= now_ms,
        }

    def _cycle_view(self, cycle: LinearCycle) -> dict[str, Any]:
        now = self.epoch() * 1000
        flags = self._cycle_flags(cycle, now)

        def issues(info: Any, **args: Any) -> dict[str, Any]:
            scope = {"and": [args.get("filter") or {}, {"cycle": {"id": {"eq": cycle.id}}}]}
            return self._issues(info, {**args, "filter": scope})

        inside = [i for i in self.issues.values() if i.cycle_id == cycle.id]
        done = [i for i in inside if self.states[i.state_id].type == "completed"]
        return {
            "id": cycle.id,
            "number": float(cycle.number),
            "name": cycle.name,
            "description": cycle.description,
            "startsAt": _iso(cycle.starts),
            "endsAt": _iso(cycle.ends),
            "completedAt": _iso(cycle.completed),
            "createdAt": _iso(cycle.created),
            "updatedAt": _iso(cycle.updated),
            "progress": len(done) / len(inside) if inside else 0.0,
            "team": lambda info: self._team_view(self.teams[cycle.team_id]),
            "issues": issues,
            **flags,
        }

    def _relation_view(self, relation: LinearRelation) -> dict[str, Any]:
        by_id = {i.id: i for i in self.issues.values()}
        return {
            "id": relation.id,
            "type": relation.type,
            "createdAt": _iso(relation.created),
            "updatedAt": _iso(relation.created),
            "issue": lambda info: self._issue_view(by_id[relation.issue_id]),
            "relatedIssue": lambda info: self._issue_view(by_id[relation.related_id]),
        }

    def issue_url(self, issue: LinearIssue) -> str:
        return f"{self.url}/{self.organization['urlKey']}/issue/{issue.identifier}"

    def _issue_view(self, issue: LinearIssue) -> dict[str, Any]:
        by_id = {i.id: i for i in self.issues.values()} if issue.parent_id else {}

        def labels(info: Any, **args: Any) -> dict[str, Any]:
            given = [self.labels[label_id] for label_id in issue.label_ids]
            return self._listed("label", given, args, info, self._label_view)

        def relations(info: Any, **args: Any) -> dict[str, Any]:
            found = [r for r in self.relations if r.issue_id == issue.id]
            return self._connection(found, args, self._relation_view)

        def inverse(info: Any, **args: Any) -> dict[str, Any]:
            found = [r for r in self.relations if r.related_id == issue.id]
            return self._connection(found, args, self._relation_view)

        return {
            **self._issue_fields(issue),
            "number": float(issue.number),
            "estimate": float(issue.estimate) if issue.estimate is not None else None,
            "priority": float(issue.priority),
            "state": lambda info: self._state_view(self.states[issue.state_id]),
            "team": lambda info: self._team_view(self.teams[issue.team_id]),
            "assignee": lambda info: self._user_view(self.users.get(issue.assignee_id or "")),
            "parent": lambda info: (
                self._issue_view(by_id[issue.parent_id]) if issue.parent_id else None
            ),
            "cycle": lambda info: (
                self._cycle_view(self.cycles[issue.cycle_id]) if issue.cycle_id else None
            ),
            "labels": labels,
            "relations": relations,
            "inverseRelations": inverse,
        }

    # -- filters -------------------------------------------------------------------------

    def _matches(self, kind: str, item: Any, spec: Mapping[str, Any], info: Any) -> bool:
        """Whether ``item`` (an entity of ``kind``) passes a filter, as Linear reads one:
        every field given must match; ``and``/``or`` combine filters."""
        if item is None:
            return bool(spec.get("null")) if "null" in spec else False
        for name, value in spec.items():
            if value is None:
                continue
            if name == "and":
                if not all(self._matches(kind, item, part, info) for part in value):
                    return False
            elif name == "or":
                if not any(self._matches(kind, item, part, info) for part in value):
                    return False
            elif name == "null":
                if value:  # {null: true} matches only a missing entity
                    return False
            elif not self._field_matches(kind, item, name, value, info):
                return False
        return True

    def _field_matches(
        self, kind: str, item: Any, name: str, spec: Mapping[str, Any], info: Any
    ) -> bool:
        now = self.epoch() * 1000
        if kind == "issue":
            nested = {
                "team": ("team", lambda i: self.teams[i.team_id]),
                "state": ("state", lambda i: self.states[i.state_id]),
                "cycle": ("cycle", lambda i: self.cycles.get(i.cycle_id or "")),
            }
            if name in nested:
                inner_kind, get = nested[name]
                return self._matches(inner_kind, get(item), spec, info)
            scalars = {
                "id": lambda i: i.id,
                "number": lambda i: float(i.number),
                "title": lambda i: i.title,
                "priority": lambda i: float(i.priority),
            }
            if name in scalars:
                value = scalars[name](item)
                if name == "id" and isinstance(spec.get("eq"), str) and "-" in spec["eq"]:
                    value = item.id if spec["eq"] == item.id else item.identifier
                return _compare(spec, value)
            dates = {
                "createdAt": item.created,
                "updatedAt": item.updated,
                "completedAt": item.completed,
            }
            return _compare(spec, dates[name], dates=True)
        if kind == "team":
            if name == "id":
                return _compare(spec, item.id)
            return _compare(spec, {"key": item.key, "name": item.name}[name])
        if kind == "state":
            if name == "team":
                return self._matches("team", self.teams[item.team_id], spec, info)
            value = {"id": item.id, "name": item.name, "type": item.type, "position": item.position}
            return _compare(spec, value[name])
        if kind == "label":
            if name == "team":
                owner = self.teams.get(item.team_id or "")
                return self._matches("team", owner, spec, info)
            return _compare(spec, {"id": item.id, "name": item.name}[name])
        if kind == "cycle":
            if name == "team":
                return self._matches("team", self.teams[item.team_id], spec, info)
            flags = self._cycle_flags(item, now)
            if name in flags:
                return _compare(spec, flags[name])
            if name in ("completedAt", "startsAt", "endsAt"):
                value = {
                    "completedAt": item.completed,
                    "startsAt": item.starts,
                    "endsAt": item.ends,
                }
                return _compare(spec, value[name], dates=True)
            return _compare(
                spec, {"id": item.id, "name": item.name, "number": float(item.number)}[name]
            )
        raise _invalid(f"Cannot filter {kind} by {name}")

    # -- queries -------------------------------------------------------------------------

    def _user(self, info: Any) -> LinearUser:
        return info.context["user"]

    def viewer(self, info: Any) -> dict[str, Any] | None:
        return self._user_view(self._user(info))

    def _organization(self, info: Any) -> dict[str, Any]:
        return dict(self.organization)

    def _listed(
        self,
        kind: str,
        items: Iterable[Any],
        args: Mapping[str, Any],
        info: Any,
        view: Callable[[Any], dict[str, Any]],
    ) -> dict[str, Any]:
        """A connection of the ``items`` (entities of ``kind``) that pass the ``filter``."""
        spec = args.get("filter") or {}
        found = [item for item in items if self._matches(kind, item, spec, info)]
        return self._connection(found, args, view)

    def teams_(self, info: Any, **args: Any) -> dict[str, Any]:
        user = self._user(info)
        visible = [t for t in self.teams.values() if self._visible(t.id, user)]
        return self._listed("team", visible, args, info, self._team_view)

    def _team_for(self, team_id: str, info: Any) -> LinearTeam:
        user = self._user(info)
        for team in self.teams.values():
            if team_id in (team.id, team.key) and self._visible(team.id, user):
                return team
        raise _not_found("Team")

    def team_(self, info: Any, id: str) -> dict[str, Any]:
        return self._team_view(self._team_for(id, info))

    def _issue_for(self, key: str, info: Any) -> LinearIssue:
        user = self._user(info)
        issue = self.issues.get(key.upper()) or next(
            (i for i in self.issues.values() if i.id == key), None
        )
        if issue is None or not self._visible(issue.team_id, user):
            raise _not_found("Issue")
        return issue

    def issue_(self, info: Any, id: str) -> dict[str, Any]:
        return self._issue_view(self._issue_for(id, info))

    def _issues(self, info: Any, args: Mapping[str, Any]) -> dict[str, Any]:
        user = self._user(info)
        archived = bool(args.get("includeArchived"))
        visible = [
            i
            for i in self.issues.values()
            if self._visible(i.team_id, user) and (archived or i.archived is None)
        ]
        return self._listed("issue", self._ordered(visible, args), args, info, self._issue_view)

    def _ordered(self, issues: list[LinearIssue], args: Mapping[str, Any]) -> list[LinearIssue]:
        """``sort`` (manual, updatedAt, createdAt, priority), else ``orderBy`` (createdAt by
        default), newest first as Linear lists them; ties by id."""
        keys: list[tuple[Callable[[LinearIssue], Any], bool]] = []
        for entry in args.get("sort") or []:
            for name, options in entry.items():
                if options is None:
                    continue
                descending = (options.get("order") or "Ascending") == "Descending"
                get = {
                    "manual": lambda i: i.sort_order,
                    "updatedAt": lambda i: i.updated,
                    "createdAt": lambda i: i.created,
                    "priority": lambda i: (i.priority or 5, i.priority_sort_order),
                }[name]
                keys.append((get, descending))
        if not keys:
            field_name = args.get("orderBy") or "createdAt"
            get = (lambda i: i.updated) if field_name == "updatedAt" else (lambda i: i.created)
            keys.append((get, True))
        ordered = sorted(issues, key=lambda i: i.id)
        for get, descending in reversed(keys):
            ordered.sort(key=get, reverse=descending)
        return ordered

    def issues_(self, info: Any, **args: Any) -> dict[str, Any]:
        return self._issues(info, args)

    def _cycle_for(self, cycle_id: str, info: Any) -> LinearCycle:
        cycle = self.cycles.get(cycle_id)
        if cycle is None or not self._visible(cycle.team_id, self._user(info)):
            raise _not_found("Cycle")
        return cycle

    def cycle_(self, info: Any, id: str) -> dict[str, Any]:
        return self._cycle_view(self._cycle_for(id, info))

    def cycles_(self, info: Any, **args: Any) -> dict[str, Any]:
        user = self._user(info)
        visible = [c for c in self.cycles.values() if self._visible(c.team_id, user)]
        visible.sort(key=lambda c: (c.starts, c.number))
        return self._listed("cycle", visible, args, info, self._cycle_view)

    def issue_labels(self, info: Any, **args: Any) -> dict[str, Any]:
        user = self._user(info)
        visible = [
            label
            for label in self.labels.values()
            if label.team_id is None or self._visible(label.team_id, user)
        ]
        return self._listed("label", visible, args, info, self._label_view)

    def workflow_states(self, info: Any, **args: Any) -> dict[str, Any]:
        user = self._user(info)
        visible = [s for s in self.states.values() if self._visible(s.team_id, user)]
        return self._listed("state", visible, args, info, self._state_view)

    # -- mutations -----------------------------------------------------------------------

    def _check_team_ref(self, issue_team: LinearTeam, value: Any, kind: str) -> Any:
        if kind == "state":
            state = self.states.get(value or "")
            if state is None or state.team_id != issue_team.id:
                raise _not_found("WorkflowState")
            return state.id
        if kind == "cycle":
            if value is None:
                return None
            cycle = self.cycles.get(value)
            if cycle is None or cycle.team_id != issue_team.id:
                raise _not_found("Cycle")
            if cycle.completed is not None:
                raise _invalid("Cannot add an issue to a completed cycle.")
            return cycle.id
        if kind == "labels":
            for label_id in value or []:
                label = self.labels.get(label_id)
                if label is None or label.team_id not in (None, issue_team.id):
                    raise _not_found("IssueLabel")
            return list(value or [])
        raise AssertionError(kind)

    def _apply(self, issue: LinearIssue, values: Mapping[str, Any]) -> None:
        team = self.teams[issue.team_id]
        if "title" in values:
            title = values["title"]
            if title is None or not str(title).strip():
                raise _invalid("Title can't be empty.")
            issue.title = str(title)
        if "description" in values:
            issue.description = values["description"]
        if "estimate" in values:
            issue.estimate = values["estimate"]
        if "stateId" in values:
            issue.state_id = self._check_team_ref(team, values["stateId"], "state")
        if "cycleId" in values:
            issue.cycle_id = self._check_team_ref(team, values["cycleId"], "cycle")
        if "labelIds" in values:
            issue.label_ids = self._check_team_ref(team, values["labelIds"], "labels")
        if values.get("sortOrder") is not None:
            issue.sort_order = float(values["sortOrder"])
        self._completed(issue)

    def _completed(self, issue: LinearIssue) -> None:
        done = self.states[issue.state_id].type == "completed"
        if done and issue.completed is None:
            issue.completed = self.epoch() * 1000
        elif not done:
            issue.completed = None

    def issue_update(self, info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:
        issue = self._issue_for(id, info)
        before = self._webhook_data(issue)
        trial = copy.deepcopy(issue)
        self._apply(trial, input)  # all or nothing: a refused field changes nothing
        self._apply(issue, input)
        self._touch(issue, set(input) == {"sortOrder"})
        self._event("update", issue, before, actor=self._user(info))
        return {"success": True, "issue": self._issue_view(issue), "lastSyncId": self._next_sync()}

    def issue_create(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        team = self._team_for(str(input.get("teamId") or ""), info)
        if not str(input.get("title") or "").strip():
            raise _invalid("Title can't be empty.")
        default = (
            self.state_named("Todo", team)
            if any(s.name == "Todo" for s in self._team_states(team))
            else self._team_states(team)[0]
        )
        issue = self._new_issue(team, str(input["title"]), default.id)
        self._apply(issue, {k: v for k, v in input.items() if k not in ("teamId", "title")})
        self.issues[issue.identifier] = issue
        self._event("create", issue, actor=self._user(info))
        return {"success": True, "issue": self._issue_view(issue), "lastSyncId": self._next_sync()}

    def _make_cycle(
        self,
        team: LinearTeam,
        starts: float,
        ends: float,
        name: str | None,
        description: str | None,
        completed: float | None = None,
        skip: str | None = None,
    ) -> LinearCycle:
        self._check_dates(team, starts, ends, skip)
        team.cycle_count += 1
        stamp = self._stamp()
        cycle = LinearCycle(
            self._uuid("cycle"),
            team.id,
            team.cycle_count,
            starts,
            ends,
            name,
            description,
            completed,
            stamp,
            stamp,
        )
        self.cycles[cycle.id] = cycle
        return cycle

    def _check_dates(self, team: LinearTeam, starts: float, ends: float, skip: str | None) -> None:
        """A cycle ends after it starts, and a team's cycles do not overlap."""
        if ends <= starts:
            raise _invalid("The cycle must end after it starts.")
        for other in self.cycles.values():
            if other.team_id != team.id or other.id == skip or other.completed is not None:
                continue
            if starts < other.ends and other.starts < ends:
                raise _invalid(
                    f"The cycle's dates overlap Cycle {other.number}: a team's cycles cannot "
                    "overlap."
                )

    def cycle_create(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        team = self._team_for(str(input.get("teamId") or ""), info)
        if not team.cycles_enabled:
            raise _invalid("Cycles are not enabled for this team.")
        cycle = self._make_cycle(
            team,
            _parse_when(input["startsAt"]),
            _parse_when(input["endsAt"]),
            input.get("name"),
            input.get("description"),
            _parse_when(input["completedAt"]) if input.get("completedAt") else None,
        )
        return {"success": True, "cycle": self._cycle_view(cycle), "lastSyncId": self._next_sync()}

    def cycle_update(self, info: Any, id: str, input: dict[str, Any]) -> dict[str, Any]:
        cycle = self._cycle_for(id, info)
        team = self.teams[cycle.team_id]
        starts = _parse_when(input["startsAt"]) if input.get("startsAt") else cycle.starts
        ends = _parse_when(input["endsAt"]) if input.get("endsAt") else cycle.ends
        if cycle.completed is not None and ("startsAt" in input or "endsAt" in input):
            raise _invalid("A completed cycle's dates cannot change.")
        if (starts, ends) != (cycle.starts, cycle.ends):
            self._check_dates(team, starts, ends, cycle.id)
        cycle.starts, cycle.ends = starts, ends
        if "name" in input:
            cycle.name = input["name"]
        if "description" in input:
            cycle.description = input["description"]
        if input.get("completedAt"):
            cycle.completed = _parse_when(input["completedAt"])
        cycle.updated = self._stamp()
        return {"success": True, "cycle": self._cycle_view(cycle), "lastSyncId": self._next_sync()}

    def webhook_create(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        user = self._user(info)
        if not user.admin:
            raise GraphQLError(
                "Forbidden",
                extensions={
                    "code": "FORBIDDEN",
                    "type": "forbidden",
                    "userError": True,
                    "userPresentableMessage": "Only workspace admins can create webhooks.",
                },
            )
        team = self._team_for(str(input["teamId"]), info) if input.get("teamId") else None
        if not str(input.get("url") or "").startswith(("http://", "https://")):
            raise _invalid("The webhook URL must be an http or https address.")
        hook = self.add_webhook(
            str(input["url"]),
            str(input.get("secret") or f"lin_wh_{uuid.uuid4().hex}"),
            resource_types=tuple(input.get("resourceTypes") or ()),
            team=team.key if team else None,
            label=input.get("label"),
        )
        view = {
            "id": hook.id,
            "url": hook.url,
            "label": hook.label,
            "enabled": True,
            "resourceTypes": list(hook.resource_types),
            "secret": hook.secret,
            "team": (lambda info: self._team_view(team)) if team else None,
            "createdAt": _iso(hook.created),
            "updatedAt": _iso(hook.created),
        }
        return {"success": True, "webhook": view, "lastSyncId": self._next_sync()}

    # -- webhooks ------------------------------------------------------------------------

    def add_webhook(
        self,
        url: str,
        secret: str,
        *,
        resource_types: tuple[str, ...] = ("Issue",),
        team: str | None = None,
        label: str | None = None,
    ) -> LinearWebhook:
        """Registers a webhook (what a Linear admin does in Settings > API, or an admin's key
        with ``webhookCreate``), for one team's events or all; events are sent by
        ``deliver_webhooks()``, or at once when ``auto_webhooks`` is set."""
        owner = self.team_by_key(team).id if team else None
        hook = LinearWebhook(
            url, secret, self._uuid("webhook"), resource_types, owner, label, self._stamp()
        )
        self.webhooks.append(hook)
        return hook

    def _issue_fields(self, issue: LinearIssue) -> dict[str, Any]:
        """What the API's Issue and a webhook's issue data give alike (numbers apart: the API
        gives them as Float)."""
        return {
            "id": issue.id,
            "identifier": issue.identifier,
            "url": self.issue_url(issue),
            "title": issue.title,
            "description": issue.description,
            "priorityLabel": PRIORITY_LABELS.get(issue.priority, "No priority"),
            "sortOrder": issue.sort_order,
            "prioritySortOrder": issue.priority_sort_order,
            "createdAt": _iso(issue.created),
            "updatedAt": _iso(issue.updated),
            "completedAt": _iso(issue.completed),
            "archivedAt": _iso(issue.archived),
            "trashed": issue.trashed or None,
            "labelIds": list(issue.label_ids),
        }

    def _webhook_data(self, issue: LinearIssue) -> dict[str, Any]:
        """The ``data`` of an Issue webhook (Linear's IssueWebhookPayload, the usual fields)."""
        team = self.teams[issue.team_id]
        state = self.states[issue.state_id]
        by_id = {i.id: i for i in self.issues.values()}
        return {
            **self._issue_fields(issue),
            "number": issue.number,
            "estimate": issue.estimate,
            "priority": issue.priority,
            "teamId": team.id,
            "team": {"id": team.id, "key": team.key, "name": team.name},
            "stateId": state.id,
            "state": {"id": state.id, "name": state.name, "type": state.type, "color": state.color},
            "assigneeId": issue.assignee_id,
            "cycleId": issue.cycle_id,
            "parentId": issue.parent_id,
            "labels": [
                {
                    "id": self.labels[i].id,
                    "name": self.labels[i].name,
                    "color": self.labels[i].color,
                }
                for i in issue.label_ids
            ],
            "previousIdentifiers": [],
            "subscriberIds": [],
            "reactionData": {},
            "parent": (
                {"id": issue.parent_id, "identifier": by_id[issue.parent_id].identifier}
                if issue.parent_id in by_id
                else None
            ),
        }

    def _event(
        self,
        action: str,
        issue: LinearIssue,
        before: dict[str, Any] | None = None,
        *,
        actor: LinearUser | None = None,
    ) -> None:
        if not self.webhooks:
            return
        data = self._webhook_data(issue)
        event: dict[str, Any] = {
            "action": action,
            "type": "Issue",
            "data": data,
            "url": data["url"],
            "createdAt": data["updatedAt"],
            "organizationId": self.organization["id"],
            "actor": {
                "id": (actor or self.user).id,
                "type": "user",
                "name": (actor or self.user).name,
            },
        }
        if before is not None:
            changed = {k: v for k, v in before.items() if data.get(k) != v}
            changed["updatedAt"] = before.get("updatedAt")
            event["updatedFrom"] = changed
        self._queue_event(event)

    def _deliveries(self, event: dict[str, Any]) -> Iterable[Delivery]:
        """To each webhook that wants the event's type (and team), signed and stamped as
        Linear does."""
        for hook in self.webhooks:
            if event["type"] not in hook.resource_types:
                continue
            if hook.team_id is not None and event["data"].get("teamId") != hook.team_id:
                continue
            payload = {**event, "webhookId": hook.id, "webhookTimestamp": int(self.epoch() * 1000)}
            yield Delivery(hook, *_signed(hook.secret, payload))


# -- the schema's resolvers ------------------------------------------------------------------


def _ratelimited() -> dict[str, Any]:
    return linear_error(
        "Rate limit exceeded",
        "RATELIMITED",
        "ratelimited",
        user_message="Too many requests: wait for the rate limit to reset and try again.",
    )


def _format(error: GraphQLError) -> dict[str, Any]:
    out = error.formatted
    extensions = dict(out.get("extensions") or {})
    if "code" not in extensions:  # a variable refused, or any other GraphQL error
        extensions.update(code="GRAPHQL_VALIDATION_FAILED", type="graphql error", userError=True)
    out["extensions"] = extensions
    return dict(out)


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in operations if o.name and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


def _complexity(
    document: Any, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> float:
    """A query's cost as Linear's rate-limiting documentation counts it: 0.1 a property, 1 an
    object, a connection's children multiplied by its ``first``/``last`` (50 when absent)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = SCHEMA.mutation_type if operation.operation.value == "mutation" else SCHEMA.query_type
    assert root is not None

    def size(node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode):
                    given = variables.get(value.name.value)
                    if isinstance(given, int):
                        return given
        return DEFAULT_PAGE

    def cost(selection_set: SelectionSetNode | None, parent: GraphQLObjectType) -> float:
        total = 0.0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                definition = parent.fields.get(selection.name.value)
                if definition is None:
                    continue
                kind = get_named_type(definition.type)
                if is_leaf_type(kind):
                    total += 0.1
                elif isinstance(kind, GraphQLObjectType):
                    inner = cost(selection.selection_set, kind)
                    if kind.name.endswith("Connection"):
                        total += size(selection) * inner
                    else:
                        total += 1 + inner
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    SCHEMA.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                if isinstance(target, GraphQLObjectType):
                    total += cost(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    target = SCHEMA.get_type(fragment.type_condition.name.value)
                    if isinstance(target, GraphQLObjectType):
                        total += cost(fragment.selection_set, target)
        return total

    return cost(operation.selection_set, root)


def _bind(schema: GraphQLSchema) -> None:
    """Root fields resolve through the emulator (the root value)."""
    query = {
        "viewer": "viewer",
        "organization": "_organization",
        "teams": "teams_",
        "team": "team_",
        "issue": "issue_",
        "issues": "issues_",
        "cycle": "cycle_",
        "cycles": "cycles_",
        "issueLabels": "issue_labels",
        "workflowStates": "workflow_states",
    }
    mutation = {
        "issueUpdate": "issue_update",
        "issueCreate": "issue_create",
        "cycleCreate": "cycle_create",
        "cycleUpdate": "cycle_update",
        "webhookCreate": "webhook_create",
    }
    for kind, names in ((schema.query_type, query), (schema.mutation_type, mutation)):
        assert kind is not None
        for field_name, method in names.items():
            kind.fields[field_name].resolve = _root_resolver(method)


def _root_resolver(method: str) -> Callable[..., Any]:
    def resolve(emulator: LinearEmulator, info: Any, **args: Any) -> Any:
        return getattr(emulator, method)(info, **args)

    return resolve


_bind(SCHEMA)
