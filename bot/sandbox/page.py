"""The sandbox's web page and its JSON API, on 127.0.0.1 only.

The page polls ``GET /api/state`` (cheap when nothing changed: it answers with the version
alone) and sends what the person does to the ``POST /api/…`` routes, which hand it to the
``Sandbox``. Polling keeps it simple: no connection to keep alive, and a page that missed
something catches up on its next poll.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.process import calendar_feed
from bot.process.webhooks import tracker_routes
from bot.sandbox.seed import PO
from bot.sandbox.server import Sandbox, SandboxError

STATIC = Path(__file__).with_name("static")
SANDBOX = web.AppKey("sandbox", Sandbox)
MAX_UPLOAD = 5 * 1024 * 1024
MAX_CLOCK_STEP = timedelta(days=14)
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX]


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise SandboxError("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise SandboxError("the body must be a JSON object")
    return body


@web.middleware
async def _errors_and_caching(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Mistakes become ``{"error": …}`` for the page to show; nothing is cached, so a page
    reload always gets the JavaScript that matches the server. Only the sandbox's own page
    may change things: another site open in the same browser must not drive it."""
    try:
        if request.url.host not in LOOPBACK:  # a rebound DNS name pointing here
            raise SandboxError("open the sandbox at 127.0.0.1 or localhost", status=403)
        if request.method != "GET" and not _same_origin(request):
            raise SandboxError("only the sandbox's own page can do that", status=403)
        _sandbox(request).shown_at(f"{request.scheme}://{request.host}")
        response = await handler(request)
    except SandboxError as error:
        response = web.json_response({"error": str(error)}, status=error.status)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # not sent by a browser page (curl, tests); browsers always send it
        return True
    return origin == f"{request.scheme}://{request.host}"


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html")


async def meta(request: web.Request) -> web.Response:
    """What does not change while the page is open: people, channels, commands."""
    sandbox = _sandbox(request)
    em = sandbox.emulator
    return web.json_response(
        {
            "workspace": {"name": em.team_name, "domain": em.team_domain},
            "bot": {"id": em.bot_user_id, "name": "Timebox"},
            "people": sandbox.people(),
            "default_user": PO.id,
            "session": sandbox.session(),
            "commands": sandbox.manifest.to_json(),
            "channels": [{"id": c.id, "name": c.name} for c in em.channels.values() if not c.is_im],
        }
    )


async def state(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    user = sandbox.check_user(request.query.get("user"))
    since = request.query.get("since")
    if since is not None and since == str(sandbox.version):
        return web.json_response(
            {"version": sandbox.version, "unchanged": True, "now": sandbox.clock.now().timestamp()}
        )
    return web.json_response(sandbox.screen(user))


async def command(request: web.Request) -> web.Response:
    sandbox, body = _sandbox(request), await _json(request)
    user = sandbox.check_user(body.get("user"))
    channel = sandbox.check_channel(body.get("channel"), user)
    ack = await sandbox.command(user, channel, str(body.get("text") or ""))
    return web.json_response({"status": ack.status if ack else None})


async def message(request: web.Request) -> web.Response:
    sandbox, body = _sandbox(request), await _json(request)
    user = sandbox.check_user(body.get("user"))
    channel = sandbox.check_channel(body.get("channel"), user)
    thread = body.get("thread_ts") or None
    await sandbox.post(user, channel, str(body.get("text") or ""), str(thread) if thread else None)
    return web.json_response({"ok": True})


async def action(request: web.Request) -> web.Response:
    sandbox, body = _sandbox(request), await _json(request)
    user = sandbox.check_user(body.get("user"))
    where = body.get("container")
    if not isinstance(where, dict):
        raise SandboxError("say where the element is: container {kind, …}")
    typed = body.get("typed") if isinstance(body.get("typed"), dict) else None
    ack = await sandbox.act(
        user,
        where,
        str(body.get("block_id")),
        str(body.get("action_id")),
        body.get("value"),
        typed,
    )
    return web.json_response({"status": ack.status if ack else None})


async def submit(request: web.Request) -> web.Response:
    sandbox, body = _sandbox(request), await _json(request)
    user = sandbox.check_user(body.get("user"))
    typed = body.get("typed") if isinstance(body.get("typed"), dict) else {}
    view = await sandbox.submit(user, body.get("view_id"), typed)
    errors = (view.errors or {}) if view.open else {}  # a closed modal's old errors are moot
    return web.json_response({"open": view.open, "errors": errors})


async def close(request: web.Request) -> web.Response:
    sandbox, body = _sandbox(request), await _json(request)
    await sandbox.close(sandbox.check_user(body.get("user")), body.get("view_id"))
    return web.json_response({"ok": True})


async def app_home(request: web.Request) -> web.Response:
    sandbox, body = _sandbox(request), await _json(request)
    tab = "messages" if body.get("tab") == "messages" else "home"
    await sandbox.open_app(sandbox.check_user(body.get("user")), tab)
    return web.json_response({"ok": True})


async def clock(request: web.Request) -> web.Response:
    """``{"minutes": n}`` moves time forward; ``{"tomorrow": true, "user": …}`` jumps to 09:00
    tomorrow in that user's time zone."""
    sandbox, body = _sandbox(request), await _json(request)
    if body.get("tomorrow"):
        user = sandbox.check_user(body.get("user"))
        ran = await sandbox.move_clock(
            to=sandbox.clock.next_morning(sandbox.emulator.users[user]["tz"])
        )
    else:
        try:
            step = timedelta(minutes=float(body.get("minutes")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise SandboxError('give minutes as a number, e.g. {"minutes": 5}') from None
        except OverflowError:  # 1e308 minutes, or infinity: past any clock
            raise SandboxError("move the clock by two weeks at most at a time") from None
        if step > MAX_CLOCK_STEP:
            raise SandboxError("move the clock by two weeks at most at a time")
        ran = await sandbox.move_clock(by=step)
    return web.json_response({"now": sandbox.clock.now().timestamp(), "jobs_ran": ran})


async def upload(request: web.Request) -> web.Response:
    sandbox = _sandbox(request)
    form = await request.post()
    user = sandbox.check_user(form.get("user"))
    channel = sandbox.check_channel(form.get("channel"), user)
    file = form.get("file")
    if not isinstance(file, web.FileField):
        raise SandboxError("choose a file to upload")
    content = file.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise SandboxError("files up to 5 MB only")
    await sandbox.share_file(user, channel, Path(file.filename or "upload").name, content)
    return web.json_response({"ok": True})


async def file(request: web.Request) -> web.Response:
    """A file in a message, shown in the page (Slack's own URL needs the bot's token)."""
    found = _sandbox(request).emulator.files.get(request.match_info["file_id"])
    if found is None or found.content is None:
        raise SandboxError("no such file", status=404)
    kind = found.mimetype or mimetypes.guess_type(found.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/csv",):
        kind = "text/plain; charset=utf-8"  # readable in the browser instead of downloaded
    if kind not in SHOWN_INLINE:
        kind = "application/octet-stream"  # an SVG or HTML someone shared runs no script here
    downloaded = kind not in SHOWN_INLINE or request.query.get("download")
    disposition = "attachment" if downloaded else "inline"
    return web.Response(
        body=found.content,
        headers={
            "Content-Type": kind,
            "Content-Disposition": f"{disposition}; filename={json.dumps(found.name)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
        },
    )


# What the page shows of a shared file in a tab: plain text and pictures that hold no script
# (an SVG may); anything else anyone uploads is downloaded, never run on the page's origin.
SHOWN_INLINE = {"text/plain; charset=utf-8", "image/png", "image/jpeg", "image/gif", "image/webp"}


# What the page posts to /api/{name}: each a person's act in the workspace.
POSTS = {
    "command": command,
    "message": message,
    "action": action,
    "submit": submit,
    "close": close,
    "app-home": app_home,
    "clock": clock,
    "upload": upload,
}


def make_page(sandbox: Sandbox) -> web.Application:
    """The page's aiohttp application for a started ``sandbox``; it also serves the calendar
    feed and the trackers' webhooks, at the addresses the bot gives out (``Sandbox.shown_at``),
    as `timebox run` serves them."""
    app = web.Application(middlewares=[_errors_and_caching], client_max_size=MAX_UPLOAD + 65536)
    app[SANDBOX] = sandbox
    app.add_routes(
        [
            web.get("/", index),
            web.get(r"/archives/{channel}/{message:p\d+}", index),  # a permalink: the page
            web.get("/api/meta", meta),
            web.get("/api/state", state),
            *(web.post(f"/api/{name}", handler) for name, handler in POSTS.items()),
            web.get("/files/{file_id}/{name}", file),
            web.static("/static", STATIC),
            *calendar_feed.routes(sandbox.stack.services),
            *tracker_routes(sandbox.stack.services),
        ]
    )
    return app
