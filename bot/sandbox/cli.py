"""`timebox sandbox`: try Timebox in a browser, with no Slack workspace, tokens or public URL."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.runtime.config import configure_logging

HELP = "try Timebox in a browser: the bot, a local Slack and a page, on 127.0.0.1"
BLURB = """\
Timebox sandbox: open {url} in your browser.
  #team-demo has {items}; switch people at the top right,
  move time with the clock buttons. Ctrl-C stops; the data stays in {db}."""


def add_sandbox_command(subparsers: Any) -> argparse.ArgumentParser:
    """Adds ``sandbox`` to the ``timebox`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser("sandbox", help=HELP, description=HELP)
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=8080, help="port of the page on 127.0.0.1 (default 8080)"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="delete the sandbox database first and start with an empty backlog and no roles",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=Path("sandbox.db"),
        help="the sandbox's SQLite file (default sandbox.db in the working directory)",
    )
    trackers = parser.add_mutually_exclusive_group()
    trackers.add_argument(
        "--jira",
        action="store_true",
        help="also start a local Jira board (an emulator) and connect #team-demo to it",
    )
    trackers.add_argument(
        "--github",
        action="store_true",
        help="also start a local GitHub project (an emulator) and connect #team-demo to it",
    )
    trackers.add_argument(
        "--linear",
        action="store_true",
        help="also start a local Linear team (an emulator) and connect #team-demo to it",
    )


def run_sandbox(args: argparse.Namespace) -> int:
    """Runs until SIGINT or SIGTERM; 0 on a clean stop."""
    configure_logging("WARNING")
    # The page explains a command the bot does not handle; Bolt's advice on it is noise here.
    logging.getLogger("slack_bolt").setLevel(logging.ERROR)
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        return 0


def backlog_said(sandbox: Any, fresh: bool) -> str:
    """What the blurb says #team-demo's backlog is: a connected emulated tracker's imports
    its board, --fresh or not; a new database without --fresh has the demo backlog too, below
    the tracker's issues."""
    trackers = (
        ("Jira board", sandbox.jira),
        ("GitHub project", sandbox.github),
        ("Linear team", sandbox.linear),
    )
    tracker = next((name for name, emulator in trackers if emulator is not None), None)
    if tracker is not None:
        imported = f"the backlog of its {tracker}, imported as it starts"
        if sandbox.seeded and not fresh:
            return f"{imported}, above a demo backlog of {sandbox.seeded} items of its own"
        return imported
    if fresh:
        return "an empty backlog (--fresh)"
    if sandbox.seeded:
        return f"a demo backlog of {sandbox.seeded} items"
    return "the backlog you left there last time"


def tracker_said(sandbox: Any) -> list[str]:
    """What the blurb says of a connected emulated tracker: where it is, and a command that
    changes an issue there (its address answers API calls only, with the sandbox's demo
    credentials), so a newcomer sees the change reach `/backlog` by its webhook; and that
    what changes in Timebox shows up there."""
    json_type = "-H 'Content-Type: application/json'"
    if sandbox.jira is not None:
        from bot.sandbox.jira import EMAIL, TOKEN

        url = sandbox.jira.url
        return [
            f"  Jira board DEMO at {url}, connected to #team-demo (its REST API, as {EMAIL}).",
            "  Rename an issue there and see it in /backlog:",
            f"    curl -u {EMAIL}:{TOKEN} -X PUT {json_type} {url}/rest/api/3/issue/DEMO-3 "
            """-d '{"fields": {"summary": "Pay by card or wallet"}}'""",
            "  What you change in Timebox (/backlog add, move, done, remove) reaches the board.",
        ]
    if sandbox.github is not None:
        from bot.sandbox.github import OWNER, REPO, TOKEN

        url = sandbox.github.url
        return [
            f"  GitHub project {OWNER}/{REPO} at {url}, connected to #team-demo "
            "(its REST and GraphQL API).",
            "  Rename an issue there and see it in /backlog:",
            f"    curl -X PATCH -H 'Authorization: Bearer {TOKEN}' {json_type} "
            f"""{url}/repos/{OWNER}/{REPO}/issues/2 -d '{{"title": "Pay by card or wallet"}}'""",
            "  What you change in Timebox (/backlog add, move, done, remove) reaches the project.",
        ]
    if sandbox.linear is not None:
        from bot.sandbox.linear import API_KEY, TEAM

        url = sandbox.linear.api_url
        mutation = (
            'mutation { issueUpdate(id: \\"DEMO-3\\", '
            'input: {title: \\"Pay by card or wallet\\"}) { success } }'
        )
        return [
            f"  Linear team {TEAM} at {url}, connected to #team-demo (its GraphQL API).",
            "  Rename an issue there and see it in /backlog:",
            f"    curl -H 'Authorization: {API_KEY}' {json_type} {url} "
            f"""-d '{{"query": "{mutation}"}}'""",
            "  What you change in Timebox (/backlog add, move, done, remove) reaches the team.",
        ]
    return []


async def _serve(args: argparse.Namespace) -> int:
    """The sandbox `add_arguments` describes, on 127.0.0.1:`args.port`, until `run_sandbox`'s
    signals stop it."""
    from bot.sandbox.page import make_page
    from bot.sandbox.server import Sandbox

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    port, db, fresh = args.port, args.db, args.fresh
    sandbox = await Sandbox(
        db, fresh=fresh, jira=args.jira, github=args.github, linear=args.linear
    ).start()
    runner = web.AppRunner(make_page(sandbox), access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
        except OSError as error:
            print(
                f"timebox sandbox: cannot listen on 127.0.0.1:{port} ({error.strerror}); "
                "try another --port",
                file=sys.stderr,
            )
            return 1
        url = f"http://127.0.0.1:{port}/"
        sandbox.shown_at(url)
        print(BLURB.format(url=url, items=backlog_said(sandbox, fresh), db=db), flush=True)
        for line in tracker_said(sandbox):
            print(line, flush=True)
        await stop.wait()
        print("timebox sandbox: stopping", flush=True)
    finally:
        with contextlib.suppress(Exception):
            await runner.cleanup()
        await sandbox.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=HELP)
    add_arguments(parser)
    return run_sandbox(parser.parse_args(argv))
