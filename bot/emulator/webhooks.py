"""Webhooks as the tracker emulators send them: signed with an HMAC-SHA256 of the body, each
POSTed with the answer's status recorded on its hook, and sent in the background when the
emulator delivers each event at once (``auto_webhooks``, the sandbox)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp


class Hook(Protocol):
    """A registered webhook: where it is sent and the HTTP status of each delivery."""

    url: str
    deliveries: list[int]


@dataclass
class Delivery:
    """One event's body for one hook, with the headers its vendor sends."""

    hook: Hook
    body: bytes
    headers: dict[str, str]


def hmac_sha256(secret: str, body: bytes) -> str:
    """The HMAC-SHA256 of ``body`` in hex: Linear sends it as it is (``Linear-Signature``),
    Jira and GitHub after ``sha256=`` (``hub_signature``)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hub_signature(secret: str, body: bytes) -> str:
    """``sha256=`` and the HMAC-SHA256 of ``body`` in hex: what Jira sends as
    ``X-Hub-Signature`` and GitHub as ``X-Hub-Signature-256``."""
    return "sha256=" + hmac_sha256(secret, body)


async def post_all(deliveries: Iterable[Delivery]) -> int:
    """POSTs each delivery in order and records on its hook the answer's status (0: the
    receiver could not be reached); how many were sent."""
    pending = list(deliveries)
    if not pending:
        return 0
    async with aiohttp.ClientSession() as http:
        for delivery in pending:
            try:
                async with http.post(
                    delivery.hook.url, data=delivery.body, headers=delivery.headers
                ) as answer:
                    delivery.hook.deliveries.append(answer.status)
            except aiohttp.ClientError:
                delivery.hook.deliveries.append(0)
    return len(pending)


def deliver_soon(
    deliver: Callable[[], Coroutine[Any, Any, Any]], running: set[asyncio.Task[Any]]
) -> None:
    """Runs ``deliver()`` in the background, its task kept in ``running`` until done. Outside
    a running loop nothing starts: the events wait for ``deliver_webhooks()``."""
    with contextlib.suppress(RuntimeError):
        task = asyncio.get_running_loop().create_task(deliver())
        running.add(task)
        task.add_done_callback(running.discard)
