"""Trackers' webhooks: ``POST /trackers/{kind}/{token}``, the token naming one connection of
that kind (``jira``, ``github``, ``linear``).

The body must be signed with the connection's webhook secret as its tracker signs
(bot/domain/tracker_webhooks.py: Jira ``X-Hub-Signature: sha256=…``, GitHub
``X-Hub-Signature-256: sha256=…``, Linear ``Linear-Signature`` and a fresh
``webhookTimestamp``): anything else gets 401 and changes nothing. A signed call makes the
board's sync due at once (the change itself is read from the tracker, so a forged or replayed
body could never put data in). GitHub's ``ping`` (sent when a webhook is added) is answered
204 once its signature checks. A signature header that is no printable ASCII (bytes that are
no UTF-8 come as surrogate escapes) is refused as a wrong one, before anything is looked up.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.domain.tracker_webhooks import WEBHOOKS
from bot.runtime.services import Services
from bot.usecases import tracker_connect as connect_uc

log = logging.getLogger(__name__)
MAX_WEBHOOK_BODY = 1 << 20  # bytes: an issue event is a few kilobytes


def tracker_routes(services: Services) -> list[web.RouteDef]:
    async def tracker_webhook(request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        if kind not in WEBHOOKS:
            return web.Response(status=404, text="Not Found")
        if (request.content_length or 0) > MAX_WEBHOOK_BODY:
            return web.Response(status=413, text="Request Entity Too Large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="Request Entity Too Large")
        token = request.match_info["token"]
        signature = request.headers.get(WEBHOOKS[kind].header)
        if signature is not None and not _text(signature):
            accepted = False  # bytes that are no text sign nothing (and would not compare)
        else:
            with services.inflight:
                accepted = await connect_uc.webhook(services, token, body, signature, kind=kind)
        if not accepted:
            log.warning(
                "refused a %s webhook from %s: wrong token or signature", kind, request.remote
            )
            return web.Response(status=401, text="Unauthorized")
        return web.Response(status=204)

    return [web.post("/trackers/{kind}/{token}", tracker_webhook)]


def _text(header: str) -> bool:
    """Whether a header's value is printable ASCII, as every signature is: aiohttp passes
    other bytes on as surrogate escapes, which the comparison cannot encode."""
    return header.isascii() and header.isprintable()
