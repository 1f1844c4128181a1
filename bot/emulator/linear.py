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
``archive_issue`` archives a closed one (which cannot be edited until ``issueUnarchive``);
``move_issue`` moves one to another team (same id, new identifier);
``reorder_touches`` says whether a ``sortOrder`` change alone bumps ``updatedAt``;
``roll_over_cycles`` has cycles end by themselves at their end as Linear's do, their unfinished
issues rolled over to the next cycle (``roll_over``; a cycle's ``uncompletedIssuesUponClose``
lists them).

Mounting: ``async with LinearEmulator(now=clock.now) as linear:`` and build the client with
``api_url=linear.api_url`` and a host policy that lists ``linear.host_setting``.

The emulator is ``LinearEmulator`` here (its set-up and test helpers, faults, and the HTTP
side: authentication, rate limits, parsing, validating and executing a request) on the
resolvers of linear_resolvers.py, the views of linear_views.py and the state of
linear_workspace.py; the records are in linear_records.py, the schema and complexity in
linear_schema.py, filters, order and paging in linear_filters.py, errors in linear_errors.py
and webhook signing in linear_webhooks.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Unpack

from aiohttp import web
from graphql import GraphQLError, execute_sync, parse, validate

from bot.emulator.faults import Fault
from bot.emulator.http import answer
from bot.emulator.issue_page import add_issue_pages
from bot.emulator.linear_errors import format_error, linear_error, ratelimited_error
from bot.emulator.linear_records import (
    DEFAULT_STATES,
    HOUR,
    LeakyBucket,
    LinearCall,
    LinearCycle,
    LinearIssue,
    LinearLabel,
    LinearRelation,
    LinearState,
    LinearTeam,
    LinearUser,
)
from bot.emulator.linear_resolvers import LinearResolvers
from bot.emulator.linear_schema import SCHEMA, find_operation, query_complexity
from bot.emulator.linear_webhooks import send_webhook, sign
from bot.emulator.tracker import ServerOptions

__all__ = ["HOUR", "MAX_COMPLEXITY", "LinearEmulator", "LinearIssue", "send_webhook", "sign"]

MAX_COMPLEXITY = 10_000
UNAUTHENTICATED = "Authentication required, not authenticated"
RATE_LIMITED = "requests"
"""``Fault.limit`` of ``rate_limit_next``: the request budget is spent (RATELIMITED)."""


class LinearEmulator(LinearResolvers):
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
        self.users = {}
        self.bearer: dict[str, str] = {}  # OAuth access token -> user id
        self.teams = {}
        self.states = {}
        self.labels = {}
        self.issues = {}  # by identifier, in creation order
        self.relations = []
        self.cycles = {}
        self.webhooks = []
        # Whether a change of ``sortOrder`` alone (a drag in a list) bumps ``updatedAt``.
        # Linear's schema says updatedAt follows every change of a synced property except its
        # unpublished ``skipUpdatedAtKeys``, so True; False shows a sync that only a webhook's
        # ``updatedFrom.sortOrder`` (or the reconcile) tells of a reorder.
        self.reorder_touches = True
        # Whether cycles end by themselves as Linear's do (``roll_over``: completed at their
        # end, unfinished issues moved to the next cycle) before each request. Off by default:
        # most tests keep a cycle open past its end until Timebox completes it.
        self.roll_over_cycles = False
        self.requests_limit = requests_limit
        self.complexity_limit = complexity_limit
        self._buckets: dict[str, tuple[LeakyBucket, LeakyBucket]] = {}  # per user id
        self._sync_id = 1000.0
        self.user = self.add_user(
            email, api_key, display_name=display_name, timezone=timezone, admin=admin
        )
        self.team = self.add_team(team_key, team_name, estimation=estimation)

    # -- lifecycle -----------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/graphql", self._handle)
        add_issue_pages(app, self, self.VENDOR)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        return app

    async def _stopping(self) -> None:
        for task in list(self._delivering):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    @property
    def api_url(self) -> str:
        return f"{self.url}/graphql"

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

    def _team_or_main(self, key: str | None) -> LinearTeam:
        """The team with that key, or the main one."""
        return self.team_by_key(key) if key else self.team

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
        target = self._team_or_main(team)
        target.estimation, target.extended, target.allow_zero = kind, extended, allow_zero

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
        target = self._team_or_main(team)
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
        target = self._team_or_main(team)
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

    def archive_issue(self, key: str) -> LinearIssue:
        """Archives a closed issue as Linear's auto-archive does once the team's period is up
        (Linear docs, "Archive issues": there is no way to archive an open one by hand):
        ``archivedAt`` set, gone from every list, ``issue(id)`` still answers; it cannot be
        edited until restored (``issueUnarchive``). No webhook: auto-archive notifies
        nobody."""
        issue = self.issues[key]
        if self.states[issue.state_id].type not in ("completed", "canceled", "duplicate"):
            raise ValueError(f"{key} is open: Linear archives closed issues only")
        issue.archived = self._stamp()
        return issue

    def move_issue(self, key: str, team: str, *, state: str | None = None) -> LinearIssue:
        """Moves an issue to another team as a person in Linear does (its ``...`` menu, *Move
        to team*): the same issue (its ``id`` unchanged) numbered next in the new team, a new
        identifier (ENG-1 becomes OPS-1; the old one kept in ``previous_identifiers``, as
        Linear's ``previousIdentifiers``), in the new team's state of the same name (else its
        first of the same type; ``state``: one by name), out of its cycle (a team's own), its
        team's labels left behind; ``updatedAt`` bumped, an Issue ``update`` webhook.
        ``issue(id:)`` answers it by its id; its old identifier, as an unknown one, is
        "Entity not found" here (whether Linear resolves one is not documented: Timebox asks
        by id)."""
        issue = self.issues[key]
        before = self._webhook_data(issue)
        target = self.team_by_key(team)
        old_state = self.states[issue.state_id]
        if state is not None:
            new_state = self.state_named(state, target)
        else:
            same = [s for s in self._team_states(target) if s.name == old_state.name]
            kind = [s for s in self._team_states(target) if s.type == old_state.type]
            new_state = (same or kind or self._team_states(target))[0]
        target.issue_count += 1
        del self.issues[key]
        issue.previous_identifiers.append(issue.identifier)
        issue.team_id, issue.number = target.id, target.issue_count
        issue.identifier = f"{target.key}-{target.issue_count}"
        issue.state_id, issue.cycle_id = new_state.id, None
        issue.sort_order = self._sort_last(target)
        issue.label_ids = [i for i in issue.label_ids if self.labels[i].team_id is None]
        self.issues[issue.identifier] = issue
        self._completed(issue)
        self._touch(issue, False)
        self._event("update", issue, before)
        return issue

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
        """The team's backlog rows: what Linear's backlog view shows (backlog and unstarted
        issues in no cycle, in manual order) but its parent issues, each the epic of its
        sub-issues (as a Jira board's backlog leaves its epics out)."""
        target = self._team_or_main(team)
        parents = {i.parent_id for i in self.issues.values() if i.parent_id and not i.trashed}
        found = [
            i
            for i in self.issues.values()
            if i.team_id == target.id
            and not i.trashed
            and self.states[i.state_id].type in ("backlog", "unstarted")
            and i.cycle_id is None
            and i.id not in parents
        ]
        return [i.identifier for i in sorted(found, key=lambda i: (i.sort_order, i.created, i.id))]

    def open_keys(self, team: str | None = None) -> list[str]:
        """Every issue of the team not done (completed, canceled or duplicate state types), in
        a cycle or not, in manual order (ties by id, as the API sorts)."""
        target = self._team_or_main(team)
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
        target = self._team_or_main(team)
        return self._make_cycle(
            target, starts.timestamp() * 1000, ends.timestamp() * 1000, name, description
        )

    def _bucket(self, user_id: str) -> tuple[LeakyBucket, LeakyBucket]:
        if user_id not in self._buckets:
            now = self.epoch()
            self._buckets[user_id] = (
                LeakyBucket(self.requests_limit, self.requests_limit, now),
                LeakyBucket(self.complexity_limit, self.complexity_limit, now),
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
        operation = find_operation(document, payload.get("operationName"))
        call.operation = operation.name.value if operation and operation.name else "unknown"
        if self.roll_over_cycles:
            self.roll_over()

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
            return answer(call, fault.status or 400, {"errors": [ratelimited_error()]}, headers)

        errors = validate(SCHEMA, document)
        if errors:
            error = linear_error(errors[0].message, "GRAPHQL_VALIDATION_FAILED", "graphql error")
            return answer(call, 400, {"errors": [error]})
        assert operation is not None
        cost = math.ceil(query_complexity(document, operation, call.variables) - 1e-9)
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
            return answer(call, 400, {"errors": [ratelimited_error()]}, headers)
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
            body["errors"] = [format_error(e) for e in result.errors]
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
        self, requests: LeakyBucket, complexity: LeakyBucket, now: float, cost: int
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
