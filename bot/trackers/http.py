"""How the tracker clients call their APIs: one set of retry rules, and what a failed call
means in plain words, the tracker named.

Jira and GitHub speak JSON over aiohttp (``JsonClient``), Linear GraphQL through gql; each
passes in what is its own (how one request is sent, which answers ask Timebox to wait and for
how long, how a refusal is worded) and ``TrackerClient`` applies the rules, alike for all:

- 5xx, timeouts and dropped connections are retried with exponential backoff (capped,
  jittered) up to ``RetryPolicy.attempts`` tries; a connection that could not be made sent
  nothing, so it is always retried;
- a call that must not be repeated (a create) is not retried after a timeout, a broken
  connection or a 5xx: it may have been done, and the error says ``maybe_applied``;
- a rate limit waits as long as the tracker asks, unless no try is left or that is longer
  than ``max_retry_after``: then a RATE_LIMITED error with ``retry_after`` goes back to the
  caller, so a due-work row comes back then instead of holding a worker;
- a redirect is not followed (the host policy checked the address, not where it points);
  where it points goes to the log, never into the error (told in the channel, stored);
- an answer larger than ``MAX_ANSWER`` is refused (INVALID, not retried) without being read
  whole, by its Content-Length or as it comes (``read_capped``: ``JsonClient`` reads with it,
  Linear's gql session through ``CappedResponse``).

The three trackers write times alike (ISO 8601), so they are read and written here once; Jira's
and Linear's errors quote the tracker's words cut alike (``shortened``), and GitHub's and
Linear's GraphQL connections are paged alike (``next_cursor``).

Sleeping, randomness and the clock are injected, so tests never wait.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random as _random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, Self, TypedDict, Unpack
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver

from bot.domain.trackers import TrackerError, TrackerErrorKind
from bot.trackers.hosts import HostPolicy, guarded_connector

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
MAX_ANSWER = 32 << 20  # bytes of one answer: a page of 100 issues is a few megabytes


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries per call, the first included
    base_delay: float = 1.0  # seconds before the first retry; doubled each time
    max_delay: float = 30.0  # cap of one backoff wait
    max_retry_after: float = 300.0  # a longer Retry-After is handed to the caller instead
    timeout: float = 30.0  # seconds for one request, answer included


@dataclass(frozen=True)
class Reply:
    """One answer of a tracker: status, headers and body (decoded JSON, text, or None).

    ``internal_error``: the tracker's own trouble in an answer that is no 5xx (a GraphQL
    ``INTERNAL_SERVER_ERROR`` in a 200), retried as a 5xx is."""

    status: int
    headers: Mapping[str, str]
    body: Any = None
    internal_error: bool = False

    @property
    def server_error(self) -> bool:
        return self.status >= 500 or self.internal_error


class AnswerTooLarge(Exception):
    """An answer's body over ``MAX_ANSWER`` bytes, refused without reading the rest."""


async def read_capped(response: aiohttp.ClientResponse) -> bytes:
    """The answer's body, read up to ``MAX_ANSWER`` bytes: a larger one (by its Content-Length,
    or as it comes) raises ``AnswerTooLarge`` without reading the rest."""
    if (response.content_length or 0) > MAX_ANSWER:
        raise AnswerTooLarge(response.content_length)
    raw = bytearray()
    async for chunk in response.content.iter_chunked(1 << 16):
        raw += chunk
        if len(raw) > MAX_ANSWER:
            raise AnswerTooLarge(len(raw))
    return bytes(raw)


class CappedResponse(aiohttp.ClientResponse):
    """aiohttp's response with its body read by ``read_capped``: the ``response_class`` of a
    session whose reading is not ours (gql's transport reads ``json()``/``text()``, which
    read through ``read()``). A refused body stays refused: ``too_large`` is set, the
    connection is closed, and every later read raises again at once."""

    too_large = False

    async def read(self) -> bytes:
        if self.too_large:
            raise AnswerTooLarge()
        if self._body is None:
            try:
                self._body = await read_capped(self)
            except AnswerTooLarge:
                self.too_large = True
                self.close()
                raise
        return await super().read()


class NoAnswer(Exception):
    """A request that got no answer. ``reason`` says why, and the retry rules differ: a
    timeout, a connection that could not be made (nothing sent), or one that broke."""

    def __init__(self, reason: BaseException) -> None:
        super().__init__(str(reason))
        self.reason = reason


def plural(n: float, word: str) -> str:
    n = round(n) if n >= 1 else n
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def in_a_row(attempt: int) -> str:
    """ ", 3 times in a row" after the failure's words; nothing for a first try."""
    return f", {attempt} times in a row" if attempt > 1 else ""


def decode(raw: str) -> Any:
    """A body as JSON; as it is when it is not JSON (an HTML error page); None when empty."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def retry_after(value: str | None, now: datetime) -> float | None:
    """A ``Retry-After`` header (seconds, or an HTTP date) as seconds from ``now``; None when
    there is none or it cannot be read."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None


def parse_time(value: Any) -> datetime | None:
    """Jira's ``2026-03-02T09:00:00.000+0000`` (and ISO 8601 with ``Z``, as GitHub and Linear
    write) as aware UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the agile API writes sprint dates."""
    if value.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{value.astimezone(UTC).microsecond // 1000:03d}Z"
    )


def shortened(text: str, limit: int = 300) -> str:
    """``text`` cut to ``limit`` characters, "..." marking the cut: a tracker's own words as
    they go into an error."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def next_cursor(connection: Mapping[str, Any]) -> str | None:
    """The cursor of a GraphQL connection's next page (``pageInfo { hasNextPage endCursor }``,
    as GitHub and Linear page); None on the last page."""
    info = connection.get("pageInfo") or {}
    cursor = info.get("endCursor") if info.get("hasNextPage") else None
    return str(cursor) if cursor else None


def snapshot_fields(config: Any, **keys: str | None) -> dict[str, Any]:
    """A learnt configuration (a dataclass) as it goes into a client's ``snapshot()``: each
    field under its own name, or under ``keys[name]`` (None: left out)."""
    named = {f.name: keys.get(f.name, f.name) for f in fields(config)}
    return {key: getattr(config, name) for name, key in named.items() if key is not None}


class ClientOptions(TypedDict, total=False):
    """What every tracker client takes beyond its address, credential and scope (the keywords
    of ``TrackerClient``; each has a default)."""

    policy: HostPolicy | None
    retry: RetryPolicy | None
    sleep: Sleep
    random: Callable[[], float]
    now: Callable[[], datetime]
    resolver: AbstractResolver | None


class JsonOptions(ClientOptions, total=False):
    """A JSON client's options: also a session of the caller's (``JsonClient``)."""

    session: aiohttp.ClientSession | None


class TrackerClient:
    """What every tracker client has: the host policy, the retry rules with the injected
    sleep, randomness and clock, and the loop that applies them to one call."""

    display_name: ClassVar[str]  # how every text names the tracker ("Jira")
    address_name: ClassVar[str] = "API address"  # what to check after a redirect
    # How refusals name things: who lacks a right ("The Jira account is not allowed to …"),
    # where a missing thing was looked for ("… was not found in Jira, or …"), and what
    # rights to ask for.
    refused_holder: ClassVar[str]
    not_found_where: ClassVar[str]
    rights_advice: ClassVar[str] = ""

    def __init__(
        self,
        *,
        policy: HostPolicy | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        resolver: AbstractResolver | None = None,
    ) -> None:
        self.policy = policy if policy is not None else HostPolicy.from_env()
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._random = random
        self._now = now
        self._resolver = resolver

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the connections the client opened."""

    def _connector(self) -> aiohttp.TCPConnector:
        return guarded_connector(self.policy, self._resolver)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return delay * (0.5 + self._random() / 2)

    async def _retrying(
        self,
        send: Callable[[], Awaitable[Reply]],
        *,
        action: str,
        idempotent: bool,
        where: str,
        wait_asked: Callable[[Reply, int], float | None],
        wait_before: Callable[[], float | None] = lambda: None,
        after_wait: Callable[[], None] = lambda: None,
    ) -> Reply:
        """``send()`` again until an answer comes that is no rate limit, 5xx or redirect; a
        refusal (4xx) is returned, for the tracker to word it.

        ``wait_asked(reply, attempt)``: the seconds a rate-limited answer asks to wait (None:
        it is no limit); ``wait_before()``: seconds to wait before sending at all (a budget
        known to be spent); ``after_wait()`` runs after each of those waits. ``where``: the
        address named when the tracker cannot be reached."""
        attempt = 0
        while True:
            attempt += 1
            early = wait_before()
            if early is not None:
                await self._wait(early, attempt, action, None)
                after_wait()
                continue
            try:
                reply = await send()
            except NoAnswer as missing:
                failure = self._unanswered(missing.reason, attempt, action, idempotent, where)
                if failure is not None:
                    raise failure from missing.reason
                await self._sleep(self._backoff(attempt))
                continue
            if reply.server_error and not idempotent:  # it may be done: never sent again
                raise self._unavailable(reply.status, action, attempt, maybe_applied=True)
            wait = wait_asked(reply, attempt)
            if wait is not None:
                await self._wait(wait, attempt, action, reply.status)
                after_wait()
                continue
            if reply.server_error:
                if attempt >= self.retry.attempts:
                    raise self._unavailable(reply.status, action, attempt, maybe_applied=False)
                await self._sleep(self._backoff(attempt))
                continue
            if 300 <= reply.status < 400 and reply.status != 304:
                raise self._redirected(reply, where)
            return reply

    def _too_large(self, where: str) -> TrackerError:
        """An answer over ``MAX_ANSWER`` bytes (``read_capped``), from the tracker at ``where``:
        INVALID, so it is not asked again (it would be as large again)."""
        log.warning(
            "%s at %s answered with more than %s bytes", self.display_name, where, MAX_ANSWER
        )
        return TrackerError(
            f"{self.display_name} answered with more than {MAX_ANSWER >> 20} MiB, which is too "
            f"large for Timebox to read: check the {self.address_name}.",
            kind=TrackerErrorKind.INVALID,
        )

    def _redirected(self, reply: Reply, where: str) -> TrackerError:
        """A redirect, which is not followed. Its target goes to the log alone: the error is
        stored and told in the channel, and the target may be an inside address (host,
        port, a query with a token). The error names its host only if the host policy would
        take that host as a tracker's site."""
        location = reply.headers.get("Location") or ""
        try:
            target = urljoin(where, location)
        except ValueError:  # no address at all
            target = location
        log.warning(
            "%s at %s answered with a redirect (HTTP %s) to %s, which Timebox does not follow",
            self.display_name,
            where,
            reply.status,
            repr(target) if location else "nowhere (no Location)",
        )
        host = self.policy.shown_host(target) if location else None
        return TrackerError(
            f"{self.display_name} answered with a redirect (HTTP {reply.status})"
            + (f" to {host}" if host else "")
            + f", which Timebox does not follow: check the {self.address_name}.",
            kind=TrackerErrorKind.INVALID,
            status=reply.status,
        )

    async def _wait(self, seconds: float, attempt: int, action: str, status: int | None) -> None:
        """Sleeps as the tracker asks, or hands the wait to the caller (RATE_LIMITED) when no
        try is left or it is longer than the policy allows."""
        if attempt >= self.retry.attempts or seconds > self.retry.max_retry_after:
            raise TrackerError(
                f"{self.display_name} is limiting how fast Timebox may call it and asks to "
                f"wait {plural(math.ceil(seconds), 'second')} before it will {action}. "
                "Timebox will try again then.",
                kind=TrackerErrorKind.RATE_LIMITED,
                status=status,
                retry_after=seconds,
            )
        await self._sleep(seconds)

    def _unanswered(
        self, reason: BaseException, attempt: int, action: str, idempotent: bool, where: str
    ) -> TrackerError | None:
        """The error for a request that got no answer, or None: back off and try again."""
        name, last = self.display_name, attempt >= self.retry.attempts
        if isinstance(reason, TimeoutError):
            if not idempotent:
                return TrackerError(
                    f"{name} did not answer in time when asked to {action}; it may have done "
                    "it anyway, so Timebox checks before trying again.",
                    kind=TrackerErrorKind.TIMEOUT,
                    maybe_applied=True,
                )
            if not last:
                return None
            return TrackerError(
                f"{name} did not answer within {plural(self.retry.timeout, 'second')}"
                f"{in_a_row(attempt)}, when asked to {action}. Timebox will try again later.",
                kind=TrackerErrorKind.TIMEOUT,
            )
        if isinstance(reason, aiohttp.ClientConnectorError):  # nothing was sent: always safe
            if not last:
                return None
            return TrackerError(
                f"Timebox cannot reach {name} at {where} ({reason.os_error or reason})"
                f"{in_a_row(attempt)}. It will try again later.",
                kind=TrackerErrorKind.UNAVAILABLE,
            )
        if idempotent and not last:  # the connection broke mid-request
            return None
        return TrackerError(
            f"The connection to {name} broke when asked to {action}"
            + (
                "; it may have done it anyway."
                if not idempotent
                else f"{in_a_row(attempt)}. Timebox will try again later."
            ),
            kind=TrackerErrorKind.UNAVAILABLE,
            maybe_applied=not idempotent,
        )

    def _unavailable(
        self, status: int, action: str, attempt: int, *, maybe_applied: bool
    ) -> TrackerError:
        shown = f"HTTP {status}" if status >= 500 else "an internal error"
        if maybe_applied:
            text = (
                f"{self.display_name} had a problem of its own ({shown}) when asked to "
                f"{action}; it may have done it anyway, so Timebox checks before trying again."
            )
        else:
            text = (
                f"{self.display_name} had a problem of its own ({shown}) when asked to "
                f"{action}{in_a_row(attempt)}. Timebox will try again later."
            )
        return TrackerError(
            text,
            kind=TrackerErrorKind.UNAVAILABLE,
            status=status or None,
            maybe_applied=maybe_applied,
        )

    def _unauthorised(self) -> str:
        """What to say when the tracker does not accept the credential (401)."""
        raise NotImplementedError

    def _refusal_as(
        self, kind: TrackerErrorKind | None, status: int, action: str, what: str | None, detail: str
    ) -> TrackerError:
        """A refusal in plain words, the same steps for every tracker: the credential not
        accepted (AUTH), a right missing (FORBIDDEN), nothing there (NOT_FOUND), else the
        tracker's own words (``kind`` None). ``what``: the subject of a NOT_FOUND."""
        if kind is TrackerErrorKind.AUTH:
            return TrackerError(self._unauthorised(), kind=kind, status=status or None)
        if kind is TrackerErrorKind.FORBIDDEN:
            return TrackerError(
                f"The {self.refused_holder} is not allowed to {action}"
                + (f" ({detail})." if detail else ".")
                + self.rights_advice,
                kind=kind,
                status=status or None,
            )
        if kind is TrackerErrorKind.NOT_FOUND:
            return self._not_found(what, status)
        return self._refused(status, action, detail)

    def _not_found(self, what: str | None, status: int | None = None) -> TrackerError:
        return TrackerError(
            f"{what or 'What Timebox asked for'} was not found {self.not_found_where}.",
            kind=TrackerErrorKind.NOT_FOUND,
            status=status or None,
        )

    def _refused(self, status: int, action: str, detail: str) -> TrackerError:
        """A refusal that is no question of rights or existence: the tracker's own words."""
        return TrackerError(
            f"{self.display_name} refused to {action}"
            + (f": {detail}" if detail else f" (HTTP {status})."),
            kind=TrackerErrorKind.INVALID,
            status=status or None,
        )


class JsonClient(TrackerClient):
    """A tracker client that speaks JSON over aiohttp (Jira, GitHub). Its session goes through
    the host policy's resolver and is opened at the first call, unless one is given (which
    the caller then closes)."""

    session_headers: ClassVar[Mapping[str, str]]
    site: str  # where the tracker is, as the host policy allowed it

    def __init__(
        self, *, session: aiohttp.ClientSession | None = None, **common: Unpack[ClientOptions]
    ) -> None:
        """``common``: ``TrackerClient``'s arguments."""
        super().__init__(**common)
        self._session = session
        self._own_session = session is None

    async def aclose(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=self._connector(),
                timeout=aiohttp.ClientTimeout(total=self.retry.timeout),
                headers=dict(self.session_headers),
            )
            self._own_session = True
        return self._session

    async def _capped(self, response: aiohttp.ClientResponse) -> str:
        """The answer's body as text, read up to ``MAX_ANSWER`` bytes (``read_capped``): a
        larger one is refused without reading the rest, and not retried (it would be as large
        again)."""
        try:
            raw = await read_capped(response)
        except AnswerTooLarge:
            raise self._too_large(self.site) from None
        try:
            return raw.decode(response.charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return raw.decode("utf-8", errors="replace")

    async def _authorization(self) -> str:
        """The ``Authorization`` header of the next request."""
        raise NotImplementedError

    def _wait_asked(self, reply: Reply, attempt: int) -> float | None:
        """The seconds a rate-limited answer asks to wait; None when it is no rate limit."""
        raise NotImplementedError

    # what each refused status means (``_refusal_as``); any other 4xx is the tracker's words
    refusal_kinds: ClassVar[Mapping[int, TrackerErrorKind]] = {
        401: TrackerErrorKind.AUTH,
        403: TrackerErrorKind.FORBIDDEN,
        404: TrackerErrorKind.NOT_FOUND,
    }

    @staticmethod
    def _detail(body: Any) -> str:
        """The tracker's own words in a refused answer's body ("" when it says nothing)."""
        raise NotImplementedError

    def _refusal(self, status: int, body: Any, action: str, what: str | None) -> TrackerError:
        """A 4xx answer as a ``TrackerError`` in the tracker's words."""
        kind = self.refusal_kinds.get(status)
        return self._refusal_as(kind, status, action, what, self._detail(body))

    async def _request(
        self,
        method: str,
        url: str,
        *,
        action: str,
        what: str | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool = True,
        authorization: str | None = None,
    ) -> Reply:
        """One call with the retry rules. ``action`` completes "when asked to …" in errors;
        ``what``: the subject of a 404; ``authorization``: instead of the credential's."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        data = None if body is None else json.dumps(body)

        async def send() -> Reply:
            try:
                headers["Authorization"] = authorization or await self._authorization()
                async with self._client().request(
                    method,
                    url,
                    params=params,
                    data=data,
                    headers=headers,
                    allow_redirects=False,
                ) as response:
                    raw = await self._capped(response)
                    return Reply(response.status, response.headers, decode(raw))
            except (TimeoutError, aiohttp.ClientError) as exc:
                raise NoAnswer(exc) from exc

        reply = await self._retrying(
            send,
            action=action,
            idempotent=idempotent,
            where=self.site,
            wait_asked=self._wait_asked,
        )
        if reply.status >= 400:
            raise self._refusal(reply.status, reply.body, action, what)
        return reply
