"""Issue 15, start fast: `timebox run` answers its first request before it loads what answering
does not need (the tracker clients, the scheduler, templates, the sandbox), and finishes
starting right after: the tracker clients installed, the ticker started and watched by
/healthz."""

from __future__ import annotations

import subprocess
import sys

import aiohttp

from bot.emulator import SlackDriver
from tests.fleet import SECRET, process_env, sigterm, single_run, until

LATER = (
    "bot.trackers",  # Jira, GitHub, Linear (GraphQL): after the first answer
    "gql",
    "graphql",
    "cryptography",  # tracker tokens' encryption: with the first key
    "apscheduler.schedulers",  # the ticker: after the first answer
    "jinja2",  # Slack text: with the first text rendered, after the ack
    "alembic",  # only when the schema is behind
    "bot.sandbox",
    "bot.emulator",
    "pyinstrument",
)


def test_run_loads_nothing_before_its_first_answer_that_answering_does_not_need():
    code = "import sys, bot.process.cli, bot.process.server; print(*sorted(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = result.stdout.split()
    assert "slack_bolt" in loaded and "storage.repositories" in loaded, "what answering needs"
    early = [m for m in loaded if any(m == p or m.startswith(f"{p}.") for p in LATER)]
    assert early == []


async def test_run_answers_then_finishes_starting_and_healthz_watches_its_ticker(
    emulator, tmp_path
):
    async with single_run(emulator, tmp_path) as (process, url):
        async with aiohttp.ClientSession() as http:

            async def health() -> dict | None:
                try:
                    async with http.get(f"{url}/healthz") as response:
                        return await response.json() if response.status == 200 else None
                except aiohttp.ClientConnectionError:
                    return None

            await until(health, "/healthz")
            async with SlackDriver(
                emulator, app_url=f"{url}/slack/events", signing_secret=SECRET
            ) as driver:
                ack = await driver.command("/backlog", "add First answer", user="U1", channel="C1")
            assert ack.status == 200

            async def ticking() -> bool:
                shown = await health()
                return shown is not None and shown["scheduler"].get("ticker") == "running"

            await until(ticking, "the ticker, watched by /healthz")
            assert (await health())["scheduler"]["status"] == "ok"
        await until(
            lambda: any("First answer" in e.text for e in emulator.ephemerals()), "the answer"
        )
        output = await sigterm(process)
    assert output.index("Timebox is listening") < output.index("shutting down")
