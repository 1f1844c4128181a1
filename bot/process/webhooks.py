"""Jira's webhooks: ``POST /trackers/jira/{token}``, the token naming one connection.

The body must be signed with the connection's webhook secret (``X-Hub-Signature:
sha256=<HMAC-SHA256 of the body>``, as Jira Cloud signs a webhook that has a secret): anything
else gets 401 and changes nothing. A signed call makes the board's sync due at once (the
change itself is read from Jira, so a forged or replayed body could never put data in).
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.runtime.services import Services
from bot.usecases import tracker_connect as connect_uc

log = logging.getLogger(__name__)
MAX_WEBHOOK_BODY = 1 << 20  # bytes: an issue event is a few kilobytes


def tracker_routes(services: Services) -> list[web.RouteDef]:
    async def jira_webhook(request: web.Request) -> web.Response:
        if (request.content_length or 0) > MAX_WEBHOOK_BODY:
            return web.Response(status=413, text="Request Entity Too Large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="Request Entity Too Large")
        token = request.match_info["token"]
        signature = request.headers.get("X-Hub-Signature")
        with services.inflight:
            accepted = await connect_uc.webhook(services, token, body, signature)
        if not accepted:
            log.warning("refused a Jira webhook from %s: wrong token or signature", request.remote)
            return web.Response(status=401, text="Unauthorized")
        return web.Response(status=204)

    return [web.post("/trackers/jira/{token}", jira_webhook)]
