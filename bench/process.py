"""Real processes for the benchmarks: `timebox run` (or another app) on a free port of
127.0.0.1 against the Slack emulator of the benchmark's process, its CPU time read from /proc.

The bot runs as an operator runs it: `python -m bot.process.cli run` (the `timebox run`
command) with the production settings and the default log level (INFO, the access log
included), its output thrown away. Python keeps its compiled modules in __pycache__ as it
does by default (PYTHONDONTWRITEBYTECODE is left out of the environment).
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
TIMEBOX_RUN = ("-m", "bot.process.cli", "run")
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int, stat: str | None = None) -> float:
    """User + system CPU time of a process so far, all its threads (/proc/<pid>/stat, fields
    14 and 15); `stat`: another stat file of the same shape (one thread's)."""
    fields = Path(stat or f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def load() -> str:
    """The machine's load average over the last minute, to read the figures by."""
    return Path("/proc/loadavg").read_text().split()[0]


def bot_env(
    bot_token: str, signing_secret: str, api_url: str, database_url: str, port: int
) -> dict[str, str]:
    """This process's environment less the developer's SLACK_/TIMEBOX_ settings and
    PYTHONDONTWRITEBYTECODE, with the bot's settings and this checkout on the PYTHONPATH."""
    skipped = ("SLACK_", "TIMEBOX_", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skipped)}
    env.update(
        SLACK_BOT_TOKEN=bot_token,
        SLACK_SIGNING_SECRET=signing_secret,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        PORT=str(port),
        PYTHONPATH=str(ROOT),
    )
    return env


async def spawn(
    args: tuple[str, ...] | list[str], env: dict[str, str], cwd: Path
) -> asyncio.subprocess.Process:
    """`python <args>` started in `cwd` (a folder without a developer's .env), its output
    thrown away."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def start(
    args: tuple[str, ...] | list[str], env: dict[str, str], port: int, cwd: Path
) -> asyncio.subprocess.Process:
    """`python <args>` started in `cwd` (a folder without a developer's .env), once GET
    /healthz on `port` answers (at most 30 s)."""
    process = await spawn(args, env, cwd)
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if process.returncode is not None:
                break
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz"):
                    return process
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
    await stop(process)
    raise RuntimeError(f"{' '.join(args)} did not start (exit code {process.returncode})")


async def stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, as an operator stops it; killed if it has not exited after 30 s."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        process.kill()
        await process.wait()
