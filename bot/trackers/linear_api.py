"""Linear's GraphQL API as the Linear client calls it (``LinearApi``, the base of ``LinearTeam``
in bot/trackers/linear.py): the credentials (a personal API key, or an OAuth token refreshed as
bot/trackers/base.py says), one operation through ``gql`` with the retry rules, the rate-limit
budget, and a refusal in plain words.

Why ``gql``: it is the maintained GraphQL client for Python (asyncio, aiohttp transport), parses
every document with graphql-core when it is built (bot/trackers/linear_queries.py, at import: a
typo fails at once, not at a customer's), and maps GraphQL errors, protocol errors and
connection failures to distinct exceptions. Its aiohttp session is built here with the guarded
resolver of ``bot.trackers.hosts``, so every call goes through the host policy. Retries are
ours, not gql's: the rules of every tracker client (bot/trackers/http.py; injected sleep and
clock, creates never repeated after a lost answer).

Rate limits: Linear meters requests and query complexity (leaky buckets). Every answer's
``X-RateLimit-Requests-Remaining``/``-Reset`` and ``X-RateLimit-Complexity-Remaining``/``-Reset``
(epoch milliseconds) and ``X-Complexity`` (the cost of that query) are kept; a call whose known
cost exceeds what is left, or made with no requests left, waits for the reset first (or, when
it may not wait, fails as RATE_LIMITED with ``retry_after``), so Timebox does not spend its
budget on refusals. A ``RATELIMITED`` error (HTTP 400 or 429) waits for the reset the same way.

Size: gql reads an answer whole (``json()``, then ``text()`` to quote a bad one), so its session
is made with aiohttp's ``response_class`` (through gql's ``client_session_args``):
``CappedResponse`` reads every body with ``read_capped``, the same cap (``MAX_ANSWER``) as the
JSON clients; an answer over it is refused as theirs is (INVALID, not retried), whatever gql
makes of the failed read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar
from urllib.parse import urlsplit

import aiohttp
from gql import Client, GraphQLRequest
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
    CappedResponse,
    NoAnswer,
    Reply,
    TrackerClient,
    retry_after,
    shortened,
)

DEFAULT_API_URL = "https://api.linear.app/graphql"


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


@dataclass
class _Answer:
    """What aiohttp saw of one response (filled by a trace hook): gql keeps no status, and
    turns a body refused as too large into an error of its own (``too_large`` says it)."""

    status: int = 0
    headers: Mapping[str, str] = field(default_factory=dict)
    response: aiohttp.ClientResponse | None = None

    @property
    def too_large(self) -> bool:
        return isinstance(self.response, CappedResponse) and self.response.too_large


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
    return shortened(str(ext.get("userPresentableMessage") or error.get("message") or "").strip())


class LinearApi(TrackerClient):
    """Linear's API reached with one credential: ``_call`` runs one operation with the retry
    rules and the budget."""

    display_name = "Linear"
    refused_holder = "Linear account"
    not_found_where = "in Linear, or the Linear account cannot see it"

    api: str  # the GraphQL endpoint
    credential: LinearCredential
    budget: Budget
    _client: Client | None
    _session: Any  # gql's session, opened at the first call

    def _check_api_url(self, api_url: str) -> str:
        """The API URL as the host policy allows it (``https://api.linear.app/graphql``, or a
        host the operator lists, such as an emulator's); ``/graphql`` when no path is given."""
        site = self.policy.check_url(api_url, LINEAR_CLOUD)
        return site if urlsplit(site).path else f"{site}/graphql"

    @property
    def site(self) -> str:
        """The API address in its normal form (``_check_api_url``): what names the site of a
        connection, however the form spelled it."""
        return self.api

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
                client_session_args={
                    "connector": self._connector(),
                    "trace_configs": [trace],
                    "response_class": CappedResponse,  # bodies read up to MAX_ANSWER
                },
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
        ``errors``); its status and headers are what the trace hook saw, as gql keeps none. A body
        over ``MAX_ANSWER`` is refused (``CappedResponse``), not retried."""
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
            if not answer.too_large:
                raise NoAnswer(cause) from exc
        self._note_budget(operation, answer.headers)
        if answer.too_large:  # whether gql saw a broken read, a bad answer or an HTTP error
            raise self._too_large(self.api)
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
                refused = self._refusal(reply.status, first, action, what)
                if refused.kind is trackers.TrackerErrorKind.NOT_FOUND:
                    raise IssueMissing(refused.message, aliases[path[0]], reply.status)
                raise refused
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
            entity = _missing_entity(message)
            if entity and what and entity != what.split(" ", 1)[0].lower():
                # A record the call refers to (a workflow state, a cycle, a label), not the
                # one it is about: that one is there, so this is no "not found" of it.
                return ReferenceGone(
                    self._refused(status, action, _error_text(error)).message, entity, status
                )
            kind = trackers.TrackerErrorKind.NOT_FOUND
        return self._refusal_as(kind, status, action, what, _error_text(error))

    def _unauthorised(self) -> str:
        if isinstance(self.credential, LinearApiKey):
            return (
                "Linear did not accept the API key: check that it is current (Linear > "
                "Settings > Security & access > Personal API keys), then connect again."
            )
        return "Linear did not accept Timebox's authorisation: connect Linear again."


class ReferenceGone(trackers.TrackerError):
    """Linear's "Entity not found" for a record a call refers to (``entity``: "workflowstate",
    "cycle", "issuelabel"), not the one it is about: refused as INVALID, never NOT_FOUND (which
    would read as the issue deleted)."""

    def __init__(self, message: str, entity: str, status: int | None = None) -> None:
        super().__init__(message, kind=trackers.TrackerErrorKind.INVALID, status=status or None)
        self.entity = entity


class IssueMissing(trackers.TrackerError):
    """NOT_FOUND for one issue (``key``) of a batch of aliased mutations: Linear stops the
    batch there, so the others may be sent again without it."""

    def __init__(self, message: str, key: str, status: int | None = None) -> None:
        super().__init__(message, kind=trackers.TrackerErrorKind.NOT_FOUND, status=status or None)
        self.key = key


def _missing_entity(message: str) -> str:
    """The kind Linear's "Entity not found: WorkflowState" names, lowercased ("" if none)."""
    _, _, named = message.partition(":")
    return named.strip().split(" ", 1)[0].rstrip(".").lower() if named.strip() else ""


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
        answer.response = params.response
