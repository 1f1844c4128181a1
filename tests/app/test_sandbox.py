"""`timebox sandbox` in-process: the page's JSON API over the real bot and the Slack emulator.

The sandbox's clock is injected (a fixed base), so moving time is instant and exact.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import icalendar
import pytest
import recurring_ical_events
from aiohttp.test_utils import TestClient, TestServer

from bot.domain.readiness import gaps
from bot.domain.teams import Roles
from bot.runtime.scheduling import Due
from bot.sandbox import add_sandbox_command
from bot.sandbox.page import make_page
from bot.sandbox.seed import CHANNEL, DEVS, PO, SM, USERS, WORKSPACE
from bot.sandbox.server import Sandbox
from tests.app.conftest import START, fixed_clock
from tests.fleet import ROOT, free_port
from tests.process.test_process import until

KENJI, BEA, _ = DEVS


class Page:
    """What the browser does: the sandbox page's JSON API."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    async def get(self, path: str, status: int = 200) -> Any:
        response = await self.client.get(path)
        assert response.status == status, await response.text()
        return await response.json()

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        response = await self.client.post(path, json=body)
        assert response.status == status, await response.text()
        return await response.json()

    async def screen(self, user: str) -> dict[str, Any]:
        return await self.get(f"/api/state?user={user}")

    async def channel(self, user: str) -> list[dict[str, Any]]:
        screen = await self.screen(user)
        [channel] = [c for c in screen["conversations"] if c["id"] == CHANNEL]
        return channel["messages"]

    async def command(self, user: str, text: str) -> dict[str, Any]:
        return await self.post("/api/command", {"user": user, "channel": CHANNEL, "text": text})


def shown(message: dict[str, Any]) -> str:
    return message.get("text", "") + json.dumps(message.get("blocks", []), ensure_ascii=False)


@pytest.fixture
async def page(sandbox: Sandbox) -> AsyncIterator[Page]:
    client = TestClient(TestServer(make_page(sandbox), host="127.0.0.1"))
    await client.start_server()
    yield Page(client)
    await client.close()


async def test_a_new_sandbox_has_the_demo_team_with_ready_and_unready_items(sandbox):
    assert sandbox.seeded == 12
    async with sandbox.db.transaction() as store:
        team = await store.team(WORKSPACE, CHANNEL)
        assert team is not None and team.timezone == PO.tz
        roles = Roles.of(team)
        assert (roles.po, roles.sm, roles.dev) == ((PO.id,), (SM.id,), tuple(d.id for d in DEVS))
        items = await store.all_items(team.id, include_closed=False)
    reasons = {item.title: gaps(item) for item in items}
    assert len(items) == 12
    assert sum(not found for found in reasons.values()) == 6, "half of the demo items are ready"
    assert reasons["Export invoices as PDF"] == ["no acceptance criteria"]
    assert reasons["Show prices in the customer's currency"] == [
        "depends on contract with the exchange-rate provider signed, not resolved"
    ]
    assert reasons["Change the due date of many invoices at once"] == ["not estimated"]
    assert reasons["Sync invoices with accounting software"] == ["21 points: split it"]
    assert reasons["Dark mode for the dashboard"] == ["no value hypothesis or description"]
    channel = sandbox.emulator.channels[CHANNEL]
    assert channel.name == "team-demo"
    assert set(channel.members) == {*(u.id for u in USERS), sandbox.emulator.bot_user_id}
    zones = {sandbox.emulator.users[d.id]["tz"] for d in DEVS}
    assert len(zones) == 3, "the developers live in three time zones"


async def test_meta_lists_the_people_and_the_manifests_commands(page):
    meta = await page.get("/api/meta")
    assert [p["id"] for p in meta["people"]] == [u.id for u in USERS]
    assert [p["title"] for p in meta["people"]][:2] == ["Product Owner", "Scrum Master"]
    backlog = next(c for c in meta["commands"] if c["command"] == "/backlog")
    assert backlog["usage_hint"].startswith("[list | add <title>")
    assert meta["channels"] == [{"id": CHANNEL, "name": "team-demo"}]


async def test_the_state_endpoint_answers_per_person_and_cheaply_when_nothing_changed(page):
    screen = await page.screen(PO.id)
    assert [c["id"] for c in screen["conversations"]] == [CHANNEL, screen["dm"]]
    assert screen["conversations"][1]["is_im"] is True
    assert screen["modal"] is None and screen["home"] is None
    assert screen["now"] == START.timestamp()
    same = await page.get(f"/api/state?user={PO.id}&since={screen['version']}")
    assert same == {"version": screen["version"], "unchanged": True, "now": START.timestamp()}
    refused = await page.get("/api/state?user=UNOBODY", status=400)
    assert "no user 'UNOBODY'" in refused["error"]
    bot = await page.get("/api/state?user=UBOT", status=400)
    assert "people, not for the bot" in bot["error"]


async def test_a_slash_command_from_the_page_answers_only_the_person_who_ran_it(page, sandbox):
    before = (await page.screen(KENJI.id))["version"]
    assert await page.command(KENJI.id, "/backlog") == {"status": 200}
    [answer] = await page.channel(KENJI.id)
    assert answer["kind"] == "ephemeral" and answer["user"] == sandbox.emulator.bot_user_id
    assert answer["blocks"][0]["text"]["text"] == "Product backlog"
    assert "12 items · page 1 of 1" in shown(answer)
    assert "Customers pay an invoice by card" in shown(answer)
    assert await page.channel(PO.id) == [], "nobody else sees it"
    assert (await page.screen(KENJI.id))["version"] > before
    assert sandbox.emulator.problems == []


async def test_the_demo_teams_sprint_0_is_named_when_no_sprint_runs(page, sandbox):
    """The demo team has sprint 0 behind it: `/sprint` says it is closed, not that the
    channel has no sprint yet (while `/sprint velocity` counts it)."""
    await page.command(SM.id, "/sprint")
    [answer] = await page.channel(SM.id)
    assert "sprint 0, the last, is closed. `/planning start` plans the next one" in shown(answer)


async def test_mentions_typed_in_a_command_reach_the_bot_as_slack_sends_them(page, sandbox):
    await page.command(PO.id, "/timebox roles sm @bea")
    command = sandbox.emulator.calls_to("response_url")
    assert command, "the bot answered through the response_url"
    async with sandbox.db.transaction() as store:
        team = await store.team(WORKSPACE, CHANNEL)
        assert Roles.of(team).sm == (BEA.id,)
    assert sandbox.wire_text("a <b> & @kenji in #team-demo @here @nobody") == (
        "a &lt;b&gt; &amp; <@U0KENJI|kenji> in <#C0TEAMDEMO|team-demo> <!here> @nobody"
    )


async def test_a_command_the_bot_does_not_know_gets_a_notice_like_dispatch_failed(page, sandbox):
    assert await page.command(KENJI.id, "/teleport 1") == {"status": 404}
    [notice] = await page.channel(KENJI.id)
    assert notice["kind"] == "notice" and notice["user"] == "USLACKBOT"
    assert notice["text"].startswith("`/teleport` is not a command Timebox knows yet.")
    assert "It is not in manifest.yml either." in notice["text"]
    assert "dispatch_failed" in notice["text"]
    assert await page.channel(BEA.id) == []
    await page.post(
        "/api/command", {"user": KENJI.id, "channel": CHANNEL, "text": "backlog"}, status=400
    )
    sandbox.emulator.problems.clear()  # the driver rightly noted Slack's view of the 404


async def test_buttons_and_modals_from_the_page_edit_an_item(page, sandbox):
    await page.command(PO.id, "/backlog show 4")
    [detail] = await page.channel(PO.id)
    where = {"kind": "ephemeral", "channel": CHANNEL, "ts": detail["ts"]}
    clicked = await page.post(
        "/api/action",
        {"user": PO.id, "container": where, "block_id": "item-actions-4", "action_id": "item_edit"},
    )
    assert clicked == {"status": 200}
    modal = (await page.screen(PO.id))["modal"]
    assert modal["view"]["callback_id"] == "item_edit"
    assert (await page.screen(KENJI.id))["modal"] is None, "a modal is its opener's only"

    refused = await page.post(
        "/api/submit", {"user": PO.id, "view_id": modal["id"], "typed": {"title": "   "}}
    )
    assert refused["open"] is True and "needs a title" in refused["errors"]["title"]
    assert (await page.screen(PO.id))["modal"]["errors"] == refused["errors"]

    saved = await page.post(
        "/api/submit",
        {
            "user": PO.id,
            "view_id": modal["id"],
            "typed": {"title": "Export invoices as PDF", "acceptance": "- PDF has the logo"},
        },
    )
    assert saved == {"open": False, "errors": {}}
    screen = await page.screen(PO.id)
    assert screen["modal"] is None
    assert "It is ready for sprint planning." in shown(screen["conversations"][0]["messages"][-1])
    async with sandbox.db.transaction() as store:
        item = await store.item((await store.team(WORKSPACE, CHANNEL)).id, 4)
        assert item.acceptance_criteria == ["PDF has the logo"]
        assert item.estimate == 3.0, "fields not typed keep their values"
    assert sandbox.emulator.problems == []


async def test_an_element_that_is_gone_or_not_yours_is_refused(page):
    await page.command(PO.id, "/backlog show 4")
    [detail] = await page.channel(PO.id)
    where = {"kind": "ephemeral", "channel": CHANNEL, "ts": detail["ts"]}
    body = {"user": KENJI.id, "container": where, "block_id": "item-actions-4"}
    gone = await page.post("/api/action", {**body, "action_id": "item_edit"}, status=404)
    assert gone["error"] == "that message is gone", "Kenji cannot use Inés's ephemeral"
    body["user"] = PO.id
    missing = await page.post("/api/action", {**body, "action_id": "nope"}, status=404)
    assert "no element item-actions-4/nope" in missing["error"]


async def test_moving_the_clock_runs_the_work_that_became_due(page, sandbox):
    ran: list[Due] = []

    async def handler(due: Due) -> str:
        ran.append(due)
        return "done"

    sandbox.stack.services.jobs.handle("sandbox-test", handler)
    async with sandbox.db.transaction() as store:
        await store.schedule("sandbox-test", "t-1", START + timedelta(minutes=7), {"n": 1})

    moved = await page.post("/api/clock", {"minutes": 5})
    assert moved == {"now": (START + timedelta(minutes=5)).timestamp(), "jobs_ran": 0}
    assert ran == []
    moved = await page.post("/api/clock", {"minutes": 5})
    assert moved["jobs_ran"] == 1 and [d.payload for d in ran] == [{"n": 1}]
    assert sandbox.clock.now() == START + timedelta(minutes=10)
    assert (await page.screen(PO.id))["now"] == moved["now"]

    tokyo_morning = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo (UTC+9)
    jumped = await page.post("/api/clock", {"tomorrow": True, "user": KENJI.id})
    assert jumped["now"] == tokyo_morning.timestamp()
    back = await page.post("/api/clock", {"minutes": -5}, status=400)
    assert "only moves forward" in back["error"]
    await page.post("/api/clock", {"minutes": "soon"}, status=400)


async def test_the_home_tab_and_a_shared_export_are_shown(page, sandbox):
    await page.post("/api/app-home", {"user": KENJI.id})
    home = (await page.screen(KENJI.id))["home"]
    assert home is not None and "Show prices in the customer" in json.dumps(home["view"])
    assert (await page.screen(BEA.id))["home"] is None, "each person has their own Home tab"

    await page.command(PO.id, "/backlog export csv")
    [shared] = [m for m in await page.channel(KENJI.id) if m["files"]]
    [file] = shared["files"]
    response = await page.client.get(file["url"])
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert (await response.read()).decode("utf-8-sig").startswith("Key,Summary")


async def test_a_message_and_a_thread_reply_are_shown_to_everyone(page, sandbox):
    await page.post("/api/message", {"user": BEA.id, "channel": CHANNEL, "text": "hi @kenji"})
    [message] = await page.channel(KENJI.id)
    assert message["text"] == "hi <@U0KENJI|kenji>" and message["user"] == BEA.id
    await page.post(
        "/api/message",
        {"user": KENJI.id, "channel": CHANNEL, "text": "hello", "thread_ts": message["ts"]},
    )
    [parent] = await page.channel(PO.id)
    assert parent["reply_count"] == 1 and [r["text"] for r in parent["replies"]] == ["hello"]
    assert sandbox.emulator.calls_to("chat.postMessage") == []
    assert sandbox.emulator.problems == [], "no event the manifest does not subscribe to"


async def test_a_restart_keeps_the_data_and_fresh_starts_empty(tmp_path):
    path = tmp_path / "sandbox.db"
    first = await Sandbox(path, clock=fixed_clock(), tick=None).start()
    await first.command(PO.id, CHANNEL, "/backlog add Keep me")
    await first.stop()

    again = await Sandbox(path, clock=fixed_clock(), tick=None).start()
    try:
        assert again.seeded == 0, "seeding happens only when the database is new"
        async with again.db.transaction() as store:
            team = await store.team(WORKSPACE, CHANNEL)
            assert await store.count_active(team.id) == 13
    finally:
        await again.stop()

    fresh = await Sandbox(path, clock=fixed_clock(), tick=None, fresh=True).start()
    try:
        assert fresh.seeded == 0
        async with fresh.db.transaction() as store:
            assert await store.team(WORKSPACE, CHANNEL) is None
        assert CHANNEL in fresh.emulator.channels, "Slack's side is there all the same"
    finally:
        await fresh.stop()


def test_the_cli_command_takes_port_fresh_and_db():
    parser = argparse.ArgumentParser(prog="timebox")
    add_sandbox_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sandbox", "--port", "9001", "--fresh", "--db", "x.db"])
    assert (args.command, args.port, args.fresh, args.db) == ("sandbox", 9001, True, Path("x.db"))
    defaults = parser.parse_args(["sandbox"])
    assert (defaults.port, defaults.fresh, defaults.db) == (8080, False, Path("sandbox.db"))


@pytest.mark.parametrize("stop_with", [signal.SIGINT, signal.SIGTERM])
async def test_the_sandbox_process_prints_its_address_and_stops_cleanly(tmp_path, stop_with):
    import aiohttp

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TIMEBOX_"))}
    env["PYTHONPATH"] = str(ROOT)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.sandbox",
        "--port",
        str(port),
        "--db",
        str(tmp_path / "sandbox.db"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        assert f"open http://127.0.0.1:{port}/ in your browser" in first.decode()

        async def answers() -> bool:
            url = f"http://127.0.0.1:{port}/api/meta"
            async with aiohttp.ClientSession() as http, http.get(url) as response:
                return response.status == 200

        await until(answers, "the sandbox page")
        process.send_signal(stop_with)
        code = await asyncio.wait_for(process.wait(), timeout=20)
        errors = (await process.stderr.read()).decode() if process.stderr else ""
        assert code == 0, errors
        assert "Traceback" not in errors
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_only_the_sandboxs_own_page_can_drive_it(page):
    body = {"user": PO.id, "channel": CHANNEL, "text": "/backlog"}
    elsewhere = await page.client.post(
        "/api/command", json=body, headers={"Origin": "https://example.com"}
    )
    assert elsewhere.status == 403
    assert await page.channel(PO.id) == []
    rebound = await page.client.get(
        f"/api/state?user={PO.id}", headers={"Host": "attacker.example:8080"}
    )
    assert rebound.status == 403
    own = page.client.make_url("/").origin()
    assert (
        await page.client.post("/api/command", json=body, headers={"Origin": str(own)})
    ).status == 200


# -- issue 13, point 12: time passes as it would, permalinks stay in the sandbox -----------------


async def test_tomorrow_0900_sends_the_readmes_0930_reminder_on_time(page, sandbox):
    """The README's `/ready remind at 09:30`, then "Tomorrow 09:00": the clock stops at 09:30
    on the way, so the reminder goes out then, not a day late (and skipped as too late)."""
    await page.command(PO.id, "/ready remind at 09:30")  # 09:30 in Madrid: 08:30 UTC
    jumped = await page.post("/api/clock", {"tomorrow": True, "user": PO.id})
    assert jumped["now"] == datetime(2026, 3, 3, 8, 0, tzinfo=UTC).timestamp()
    posts = [m for m in await page.channel(KENJI.id) if m["kind"] == "message"]
    [reminder] = [m for m in posts if "near the top of the backlog" in shown(m)]
    assert float(reminder["ts"]) == pytest.approx(START.timestamp() + 30 * 60, abs=1), "09:30"
    async with sandbox.db.transaction() as store:
        jobs = await store.jobs("readiness_reminder")
    monday = [j for j in jobs if j.due_at == START + timedelta(minutes=30)]
    assert [j.outcome.split(":")[0] for j in monday] == ["sent"], [j.outcome for j in jobs]
    [pending] = [j for j in jobs if j.done_at is None]
    assert pending.due_at == datetime(2026, 3, 3, 8, 30, tzinfo=UTC), "Tuesday's is next"
    assert jumped["jobs_ran"] >= 2, "the reminder and its post, each at its time"


async def test_each_due_time_on_the_way_is_a_stop_of_the_clock(page, sandbox):
    seen: list[tuple[str, datetime, datetime]] = []

    async def handler(due: Due) -> str:
        seen.append((due.key, due.due_at, due.now))
        if due.key == "first":  # work that plans more work, due before the move ends
            async with sandbox.db.transaction() as store:
                await store.schedule("stop-test", "second", due.now + timedelta(minutes=20), {})
        return "done"

    sandbox.stack.services.jobs.handle("stop-test", handler)
    async with sandbox.db.transaction() as store:
        await store.schedule("stop-test", "first", START + timedelta(minutes=10), {})
        await store.schedule("stop-test", "later", START + timedelta(hours=3), {})
    moved = await page.post("/api/clock", {"minutes": 60})
    assert moved["jobs_ran"] == 2
    assert [(key, now - due) for key, due, now in seen] == [
        ("first", timedelta(0)),
        ("second", timedelta(0)),
    ], "each ran at its own time, not at the end of the move"
    assert [due for _, due, _ in seen] == [
        START + timedelta(minutes=10),
        START + timedelta(minutes=30),
    ]
    assert sandbox.clock.now() == START + timedelta(minutes=60)


async def test_a_permalink_points_into_the_sandbox_page(page, sandbox):
    await page.command(SM.id, "/poker async 1 for 24h")
    await page.post("/api/app-home", {"user": KENJI.id})
    home = json.dumps((await page.screen(KENJI.id))["home"]["view"])
    origin = str(page.client.make_url("/").origin())
    [link] = re.findall(r"<([^<>|]+)\|open the poll>", home)
    assert link.startswith(f"{origin}/archives/{CHANNEL}/p"), link
    [poll] = [m for m in await page.channel(KENJI.id) if "Estimation poll" in shown(m)]
    assert link.endswith(f"/p{poll['ts'].replace('.', '')}")
    opened = await page.client.get(link.removeprefix(origin))
    assert opened.status == 200 and "<title>Timebox sandbox</title>" in await opened.text()


async def test_the_calendar_feed_is_at_the_sandboxs_own_address_and_served_there(page, sandbox):
    """`/timebox calendar feed` gives an address on the page's host and port (not the bot's
    unset port), and the page serves the feed there as `timebox run` does."""
    await page.command(SM.id, "/refine schedule wed 14:00 60m")
    assert await page.command(SM.id, "/timebox calendar feed") == {"status": 200}
    [answer] = [m for m in await page.channel(SM.id) if "/calendar/" in shown(m)]
    [url] = set(re.findall(r"https?://[^\s<>|\\\"]+/calendar/[A-Za-z0-9_-]+\.ics", shown(answer)))
    origin = str(page.client.make_url("/").origin())
    assert url.startswith(f"{origin}/calendar/"), url
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert (response.status, response.content_type) == (200, "text/calendar")
        body = await response.read()
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.name == "VCALENDAR"
    events = recurring_ical_events.of(calendar).between(date(2026, 3, 2), date(2026, 3, 23))
    refinements = sorted(e["DTSTART"].dt for e in events if e["SUMMARY"] == "Backlog refinement")
    zone = ZoneInfo(PO.tz)  # the demo team's
    assert [d.astimezone(zone).date() for d in refinements] == [
        date(2026, 3, d) for d in (4, 11, 18)
    ]
    assert {d.astimezone(zone).time() for d in refinements} == {time(14)}
    gone = await page.client.get("/calendar/" + "x" * 43 + ".ics")
    assert gone.status == 404


async def test_a_shared_svg_is_downloaded_never_run_on_the_page(page):
    """Anyone can share a file; an SVG (or HTML) may hold a script that, shown on the page's own
    origin, could call the page's API as anyone. Pictures without scripts are still shown."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/api/command")</script></svg>'
    for name, content in (("evil.svg", svg), ("chart.png", b"\x89PNG\r\n\x1a\n")):
        form = aiohttp.FormData({"user": KENJI.id, "channel": CHANNEL})
        form.add_field("file", content, filename=name)
        response = await page.client.post("/api/upload", data=form)
        assert response.status == 200, await response.text()
    urls = {f["name"]: f["url"] for m in await page.channel(KENJI.id) for f in m["files"]}

    evil = await page.client.get(urls["evil.svg"])
    assert evil.headers["Content-Type"] == "application/octet-stream"
    assert evil.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in evil.headers["Content-Security-Policy"]
    chart = await page.client.get(urls["chart.png"])
    assert chart.headers["Content-Type"] == "image/png"
    assert chart.headers["Content-Disposition"].startswith("inline;")
