"""Linear's webhook deliveries as they go out: the ``Linear-Signature`` (``sign``: HMAC-SHA256
of the body, hex), the body and headers of a delivery (``signed_delivery``: ``webhookTimestamp``,
``Linear-Delivery``, ``Linear-Event``), and ``send_webhook``, which signs any payload and POSTs
it to any URL (a test's forged or replayed delivery).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.emulator.webhooks import hmac_sha256


def sign(secret: str, body: bytes) -> str:
    """The ``Linear-Signature`` of a delivery."""
    return hmac_sha256(secret, body)


def signed_delivery(
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
    body, headers = signed_delivery(secret, payload, timestamp_ms=timestamp_ms, signature=signature)
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, data=body, headers=headers) as answer,
    ):
        return answer.status
