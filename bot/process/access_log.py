"""The access log of HTTP mode: a line per request that names its route, never its path.

Paths and queries carry secrets: a calendar feed's token (/calendar/<token>.ics), a tracker
webhook's (/trackers/<kind>/<token>), OAuth's code and state. aiohttp's default line logs
the request line whole, so anyone reading the logs could read every team's calendar."""

from __future__ import annotations

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

NO_ROUTE = "(no route)"


class RouteAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        match = getattr(request, "match_info", None)
        resource = match.route.resource if match is not None else None
        route = resource.canonical if resource is not None else NO_ROUTE
        self.logger.info("%s %s %s %.1f ms", request.method, route, response.status, time * 1000)


def runner(application: web.Application) -> web.AppRunner:
    """The app's runner, logging each request by its route (`RouteAccessLogger`)."""
    return web.AppRunner(application, access_log_class=RouteAccessLogger)
