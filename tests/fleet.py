"""Real `timebox run` processes for tests: started, watched, stopped or killed.

They meet the test's Slack emulator through SLACK_API_URL and take their time from a file the
test writes (TIMEBOX_CLOCK_FILE), so a test moves the clock of every process at once.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.emulator import SlackDriver, SlackEmulator
from bot.runtime.clock import FileClock, ManualClock
from storage.db import Database
from tests.app.test_backlog_slack import shown
from tests.conftest import beside_roles

ROOT = Path(__file__).parent.parent
SECRET = "fleet-signing-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def until(
    check: Callable[[], Awaitable[object] | object], what: str, seconds: float = 20
) -> None:
    """Polls a real process's progress, bounded: a process cannot be handed a clock."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            pytest.fail(f"timed out after {seconds:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


def bot_posts(emulator: SlackEmulator, channel: str) -> list[Any]:
    """The bot's messages in the channel itself (not in threads), but the roles told as each
    team was set up (`beside_roles`): the work these tests count comes after."""
    posts = [m for m in emulator.messages(channel) if m.user == "UBOT" and not m.is_reply]
    return beside_roles(posts)


def thread_texts(emulator: SlackEmulator, channel: str, ts: str) -> list[str]:
    """What the replies in a thread say (text and blocks)."""
    return [shown(m) for m in emulator.thread(channel, ts)[1:]]


class SharedClock(ManualClock):
    """The test's clock: the emulator reads it directly, the processes through the file."""

    def __init__(self, path: Path, start: datetime) -> None:
        super().__init__(start)
        self.path = path
        FileClock.write(path, start)

    def set(self, when: datetime) -> None:
        super().set(when)
        FileClock.write(self.path, self.now())


class Instance:
    """One `timebox run` process in HTTP mode."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.workdir = workdir
        self.log = workdir / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Instance:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.process.cli",
                "run",
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        return self

    async def healthy(self) -> bool:
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as answer,
            ):
                return answer.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False

    async def wait_healthy(self, seconds: float = 30) -> None:
        async def ready() -> bool:
            if self.process is not None and self.process.returncode is not None:
                pytest.fail(f"{self.name} exited: {self.tail()}")
            return await self.healthy()

        await until(ready, f"{self.name}'s /healthz", seconds)

    def driver(self, emulator: SlackEmulator) -> SlackDriver:
        return SlackDriver(emulator, app_url=f"{self.url}/slack/events", signing_secret=SECRET)

    async def stop(self) -> int:
        """SIGTERM and wait: the graceful way out."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 20)

    async def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.kill()
        await self.process.wait()

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Relaunches:
    """Starts the same bot again after a kill: run-1, run-2... sharing one environment."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env, self.workdir, self.count = env, workdir, 0

    async def start(self) -> Instance:
        self.count += 1
        instance = await Instance(f"run-{self.count}", self.env, self.workdir).start()
        await instance.wait_healthy()
        return instance


def process_env(**settings: str) -> dict[str, str]:
    """The environment of a real `timebox` process: this one's, without the developer's own
    SLACK_ and TIMEBOX_ settings, with `settings` and this checkout on the PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TIMEBOX_"))}
    return {**env, **settings, "PYTHONPATH": str(ROOT)}


def run_cli(command: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """`timebox <command>` run to its end in `cwd` (no developer's .env there), with
    `settings` (see `process_env`)."""
    return subprocess.run(
        [sys.executable, "-m", "bot.process.cli", command],
        cwd=cwd,
        env=process_env(**settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


@asynccontextmanager
async def single_run(
    emulator: SlackEmulator, workdir: Path
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """`timebox run` in HTTP mode on a free port against the emulator, on a SQLite file in
    `workdir`: the process (its output, stdout and stderr, on its stdout pipe) and its URL.
    Killed after, if the test did not stop it."""
    port = free_port()
    env = process_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=f"sqlite:///{workdir / 'timebox.db'}",
        PORT=str(port),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.process.cli",
        "run",
        cwd=workdir,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def sigterm(process: asyncio.subprocess.Process) -> str:
    """Stops a `single_run` the graceful way: it exits 0 within 15 s. Its whole output, which
    holds no traceback."""
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), 15) == 0
    assert process.stdout is not None
    output = (await process.stdout.read()).decode()
    assert "Traceback" not in output
    return output


def instance_env(emulator: SlackEmulator, database_url: str, clock_file: Path) -> dict[str, str]:
    return process_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=database_url,
        TIMEBOX_CLOCK_FILE=str(clock_file),
        TIMEBOX_LOG_LEVEL="INFO",
    )


async def command(
    driver: SlackDriver,
    name: str,
    text: str,
    *,
    user: str,
    channel: str,
    answers: int = 1,
) -> None:
    """Runs a slash command as a person does: the next one once the answers to this one are
    on screen (2 when the use case has a notice for them: the notice, then the answer;
    a public message counts as an answer too)."""
    em = driver.em

    def shown() -> int:
        return len(em.ephemerals(channel, user)) + len(em.messages(channel))

    seen = shown()
    ack = await driver.command(name, text, user=user, channel=channel)
    assert ack.status == 200, ack.text
    await until(lambda: shown() >= seen + answers, f"the answer to {name} {text}")


# -- a fleet: the same bot three times over, on one database, clock and Slack ---------------------

PO, SM = "U0PO", "U0SM"  # Paula, Berlin; Sam


@asynccontextmanager
async def slack_world(
    workdir: Path,
    start: datetime,
    channels: Mapping[str, Sequence[str]],
    devs: Sequence[str] = (),
    sm_tz: str = "Europe/Berlin",
) -> AsyncIterator[tuple[SlackEmulator, SharedClock]]:
    """The Slack emulator, started (stopped after), on a clock shared with the processes
    through `workdir`/clock: Paula (PO) in Berlin, Sam (SM) in `sm_tz`, the developers `devs`
    in London, and `channels` (each named as its id in lower case) with their members and
    the bot."""
    clock = SharedClock(workdir / "clock", start)
    emulator = SlackEmulator(now=clock.now)
    emulator.add_user(PO, "paula", tz="Europe/Berlin")
    emulator.add_user(SM, "sam", tz=sm_tz)
    for dev in devs:
        emulator.add_user(dev, dev.lower(), tz="Europe/London")
    for channel, members in channels.items():
        emulator.add_channel(channel, channel.lower(), members=[*members, "UBOT"])
    async with emulator:
        yield emulator, clock


class Fleet:
    """Three `timebox run` processes on one database, taking their time from the test's clock,
    each with its driver; commands go to the next process in turn."""

    def __init__(
        self, emulator: SlackEmulator, clock: SharedClock, database_url: str, workdir: Path
    ) -> None:
        self.emulator, self.clock, self.workdir = emulator, clock, workdir
        self.env = instance_env(emulator, database_url, clock.path)
        self.db = Database(database_url)  # for the test to look into
        self.instances: list[Instance] = []
        self.drivers: list[SlackDriver] = []
        self.turns: Iterator[SlackDriver] = iter(())

    async def start(self, prefix: str) -> None:
        """Three new processes `prefix`-0..2, started together (so they migrate together),
        then healthy."""
        self.instances = [Instance(f"{prefix}-{n}", self.env, self.workdir) for n in range(3)]
        await asyncio.gather(*(instance.start() for instance in self.instances))
        await asyncio.gather(*(instance.wait_healthy() for instance in self.instances))
        self.drivers = [instance.driver(self.emulator) for instance in self.instances]
        self.turns = itertools.cycle(self.drivers)

    async def command(
        self, name: str, text: str, user: str, channel: str, answers: int = 1
    ) -> None:
        """`command`, on the next process in turn."""
        driver = next(self.turns)
        await command(driver, name, text, user=user, channel=channel, answers=answers)

    async def at(self, when: datetime, what: str, check: Callable[[], object]) -> None:
        """Moves every process's clock, then waits for `check` and for all due work to be
        done (the next jump would otherwise outrun the leases of jobs still running)."""
        self.clock.set(when)
        await until(check, what)
        await until(lambda: settled(self.db, self.clock), f"due work done after {what}")

    async def close_drivers(self) -> None:
        for driver in self.drivers:
            await driver.aclose()

    async def kill(self) -> None:
        """SIGKILL for all three at once."""
        await self.close_drivers()
        await asyncio.gather(*(instance.kill() for instance in self.instances))


@asynccontextmanager
async def fleet_of_three(
    emulator: SlackEmulator, clock: SharedClock, database_url: str, workdir: Path
) -> AsyncIterator[Fleet]:
    """A `Fleet` (not started yet), stopped after: each process then exits 0, with no
    traceback in its log."""
    fleet = Fleet(emulator, clock, database_url, workdir)
    try:
        yield fleet
    finally:
        await fleet.close_drivers()
        await fleet.db.dispose()
        codes = await asyncio.gather(*(instance.stop() for instance in fleet.instances))
    for instance in fleet.instances:
        assert "Traceback" not in instance.output(), instance.tail()
    assert codes == [0, 0, 0]


async def settled(db: Database, clock: ManualClock) -> bool:
    """No scheduled work is overdue: all that came due has been done."""
    async with db.transaction() as store:
        return not await store.overdue(clock.now())
