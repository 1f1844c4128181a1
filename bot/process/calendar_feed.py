"""GET /calendar/<secret>.ics: a team's ceremonies as an iCalendar feed, for Google Calendar,
Outlook or any calendar that subscribes to a URL.

The secret in the address is the only key (calendars send no credentials): an unknown one is
a plain 404, the same as a malformed one, so the answer tells nothing about which exist.
"""

from __future__ import annotations

from aiohttp import web

from bot.runtime.services import Services
from bot.usecases import calendar as calendar_uc

CONTENT_TYPE = "text/calendar"


def routes(services: Services) -> list[web.RouteDef]:
    async def feed(request: web.Request) -> web.Response:
        ics = await calendar_uc.feed(services, request.match_info["token"])
        if ics is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(
            body=ics,
            content_type=CONTENT_TYPE,
            charset="utf-8",
            headers={
                "Cache-Control": "private, max-age=300",
                "Content-Disposition": 'inline; filename="timebox.ics"',
                "X-Robots-Tag": "noindex",
            },
        )

    return [web.get(calendar_uc.FEED_PATH.format(token="{token}"), feed)]
