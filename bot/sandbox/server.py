"""The sandbox: the real bot, the tests' Slack emulator and a clock, in one process.

It starts Timebox exactly as the end-to-end tests do (``LocalStack``: HTTP mode, signed
requests, the emulator as Slack's Web API), so what a newcomer sees in the browser is what a
Slack user would see. Each method here is one thing a person can do in Slack; the page's
routes (page.py) only translate HTTP into these calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.emulator.driver import Ack, Container
from bot.emulator.github import GitHubEmulator
from bot.emulator.jira import JiraEmulator
from bot.emulator.linear import LinearEmulator
from bot.emulator.server import SlackEmulator, View
from bot.emulator.stack import LocalStack
from bot.sandbox.clock import SandboxClock
from bot.sandbox.github import start_github
from bot.sandbox.jira import start_jira
from bot.sandbox.linear import start_linear
from bot.sandbox.manifest import Manifest, load_manifest
from bot.sandbox.seed import CHANNEL, USERS, WORKSPACE, seed_backlog, seed_workspace
from bot.sandbox.state import Notice, screen
from bot.usecases.housekeeping import restore_schedules
from storage.db import Database
from storage.models import ScheduledJob

log = logging.getLogger(__name__)

_SQLITE_SIDECARS = ("", "-wal", "-shm", "-journal")
_MENTION = re.compile(r"(?<![\w<@])@([a-z0-9][a-z0-9._-]*)", re.IGNORECASE)
_CHANNEL_REF = re.compile(r"(?<![\w<#&])#([a-z0-9][a-z0-9_-]*)", re.IGNORECASE)
_SPECIAL = {"here": "<!here>", "channel": "<!channel>", "everyone": "<!everyone>"}
MAX_CLOCK_STOPS = 2000
"""Due times a clock move stops at, at most (a job that keeps planning itself a second
later must not hold the page up forever)."""
REPEAT_WITHIN = timedelta(hours=1)
"""Work that keeps planning itself again this soon after it ran (a tracker's sync every 5
minutes, its hourly look at the board) has no stops of its own in a clock move once it has
come back twice: being due by then, it runs at every stop anyway. Its 4,000 due times in two
weeks would otherwise crowd out the one-off ones (a reminder, a poll's deadline, a meeting's
timer), which each keep theirs."""


class SandboxError(Exception):
    """Something the page asked for that cannot be done (unknown user, closed modal…)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Sandbox:
    """Timebox with a local Slack around it. ``start()``, use, ``stop()``."""

    def __init__(
        self,
        db_path: Path,
        *,
        clock: SandboxClock | None = None,
        fresh: bool = False,
        tick: float | None = 1.0,
        manifest: Manifest | None = None,
        jira: bool = False,
        github: bool = False,
        linear: bool = False,
    ) -> None:
        self.db_path = Path(db_path)
        self.clock = clock or SandboxClock()
        self.fresh = fresh
        self.with_jira = jira
        self.jira: JiraEmulator | None = None  # `--jira`: a local board, connected (jira.py)
        self.with_github = github
        self.github: GitHubEmulator | None = None  # `--github`: a project, connected (github.py)
        self.with_linear = linear
        self.linear: LinearEmulator | None = None  # `--linear`: a team, connected (linear.py)
        self.tick = tick
        """Seconds between runs of due work in real time; None: only when the clock moves."""
        self.manifest = manifest or load_manifest()
        self.version = 0
        """Goes up whenever anything anyone could see changes; the page polls it."""
        self.notices: list[Notice] = []
        self.seeded = 0
        self.db: Database
        self.stack: LocalStack
        self._ticker: asyncio.Task[None] | None = None
        self._started = False

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> Sandbox:
        is_new = _prepare_db_file(self.db_path, fresh=self.fresh)
        self.db = Database(f"sqlite:///{self.db_path}")
        self.stack = LocalStack(
            self.db,
            self.clock,
            team_id=WORKSPACE,
            team_domain="timebox-sandbox",
            team_name="Timebox Sandbox",
        )
        seed_workspace(self.emulator)
        self.emulator.listeners.append(self._changed)
        try:
            await self.db.migrate()
            await self.stack.start()
            self._started = True
            if is_new and not self.fresh:
                self.seeded = await seed_backlog(self.db, WORKSPACE, self.clock.now())
            await restore_schedules(self.stack.services)  # as `timebox run` does at start
            if self.with_jira:
                self.jira = await start_jira(self)
            if self.with_github:
                self.github = await start_github(self)
            if self.with_linear:
                self.linear = await start_linear(self)
        except BaseException:
            await self.stop()
            raise
        if self.tick:
            self._ticker = asyncio.create_task(self._run_due_forever(self.tick))
        return self

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._started:
            await self.stack.stop()
        else:
            await self.emulator.stop()
        if self.jira is not None:
            await self.jira.stop()
        if self.github is not None:
            await self.github.stop()
        if self.linear is not None:
            await self.linear.stop()
        await self.db.dispose()

    @property
    def emulator(self) -> SlackEmulator:
        return self.stack.emulator

    def _changed(self, *_: Any) -> None:
        self.version += 1

    def shown_at(self, origin: str) -> None:
        """The page's address (``http://127.0.0.1:8080``): Slack's permalinks (chat.getPermalink,
        "Open the poll") point into it, where the page opens the message, instead of at a
        slack.com workspace that does not exist. It is also the bot's public URL, so the
        calendar feed's address is one the page serves (the bot's own port is a random one)."""
        origin = origin.rstrip("/")
        self.emulator.permalink_base = origin
        settings = self.stack.services.settings
        if settings.public_url != origin:
            self.stack.services.settings = dataclasses.replace(settings, public_url=origin)

    def session(self) -> str:
        """A mark for a page (re)load: a ts after everything sent so far. The page leaves out
        the private (ephemeral) messages from before it, as a Slack client that reloads does."""
        return self.emulator.next_ts()

    # -- who and what ------------------------------------------------------------------------

    def people(self) -> list[dict[str, Any]]:
        """The demo users with their role, for the user switcher."""
        return [
            {
                **self.emulator.user(u.id),
                "title": u.title,
                "role": u.role,
                "handle": u.handle,
                "display_name": self.emulator.users[u.id]["profile"]["display_name"],
            }
            for u in USERS
        ]

    def check_user(self, user: Any) -> str:
        if not isinstance(user, str) or user not in self.emulator.users:
            raise SandboxError(f"there is no user {user!r} in the sandbox")
        if self.emulator.users[user]["is_bot"]:
            raise SandboxError("the page acts for people, not for the bot")
        return user

    def check_channel(self, channel: Any, user: str) -> str:
        try:
            channel_id = self.emulator.channel_id(str(channel))
        except KeyError:
            raise SandboxError(f"there is no conversation {channel!r}") from None
        if user not in self.emulator.channels[channel_id].members:
            raise SandboxError(f"{user} is not in {channel_id}", status=403)
        return channel_id

    def screen(self, user: str) -> dict[str, Any]:
        """What ``user`` sees (see state.py), with the time and version."""
        out = screen(self.emulator, user, [CHANNEL], self.notices)
        out.update(version=self.version, now=self.clock.now().timestamp())
        return out

    # -- what a person does ------------------------------------------------------------------

    def wire_text(self, text: str, *, mentions: bool = True) -> str:
        """What Slack sends for text a person typed: ``&<>`` escaped, and (for commands with
        should_escape, and messages) @name and #channel turned into Slack's references."""
        out = self.stack.driver.escape(text)
        if not mentions:
            return out
        by_name = {u["name"].lower(): uid for uid, u in self.emulator.users.items()}
        channels = {c.name.lower(): c.id for c in self.emulator.channels.values() if not c.is_im}

        def person(match: re.Match[str]) -> str:
            name = match.group(1).lower()
            if name in _SPECIAL:
                return _SPECIAL[name]
            found = by_name.get(name)
            return f"<@{found}|{match.group(1)}>" if found else match.group(0)

        def channel(match: re.Match[str]) -> str:
            found = channels.get(match.group(1).lower())
            return f"<#{found}|{match.group(1)}>" if found else match.group(0)

        return _CHANNEL_REF.sub(channel, _MENTION.sub(person, out))

    async def command(self, user: str, channel: str, text: str) -> Ack | None:
        """``user`` runs a slash command in ``channel``. A command the bot does not answer
        (or cannot be reached for) gets Slack's kind of notice instead of silence."""
        match = re.fullmatch(r"\s*(/[^\s/]+)\s*(.*)", text, re.DOTALL)
        if match is None:
            raise SandboxError("a slash command starts with / and a name, e.g. /backlog")
        name, args = match.group(1).lower(), match.group(2).strip()
        listed = self.manifest.command(name)
        wire = self.wire_text(args, mentions=listed.should_escape if listed else True)
        try:
            ack = await self.stack.driver.command(name, wire, user=user, channel=channel)
        except (aiohttp.ClientError, TimeoutError) as error:
            self.notify(user, channel, f"`{name}` did not reach Timebox ({error!r}).")
            return None
        if ack.status == 404:
            extra = "" if listed else " It is not in manifest.yml either."
            self.notify(
                user,
                channel,
                f"`{name}` is not a command Timebox knows yet.{extra} "
                "(In Slack this shows up as a dispatch_failed error.)",
            )
        elif ack.status != 200:
            self.notify(
                user,
                channel,
                f"`{name}` failed: Timebox answered HTTP {ack.status}. "
                "(In Slack this shows up as a dispatch_failed error.)",
            )
        return ack

    def notify(self, user: str, channel: str, text: str) -> None:
        """A line from Slack itself, only for ``user``."""
        self.notices.append(Notice(self.emulator.next_ts(), channel, user, text))
        self._changed()

    async def post(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> None:
        """``user`` writes a message; the bot hears of it only if its manifest subscribes."""
        if not text.strip():
            raise SandboxError("an empty message is not sent")
        wire = self.wire_text(text)
        if thread_ts and self.emulator.find_message(channel, thread_ts) is None:
            raise SandboxError(f"no message {thread_ts} to reply to", status=404)
        is_im = self.emulator.channels[channel].is_im
        if ("message.im" if is_im else "message.channels") in self.manifest.bot_events:
            await self.stack.driver.post_message(
                wire, user=user, channel=channel, thread_ts=thread_ts
            )
        else:
            self.emulator.add_message(channel, user, wire, thread_ts=thread_ts)

    async def share_file(self, user: str, channel: str, name: str, content: bytes) -> None:
        """``user`` uploads a file into ``channel`` (a CSV there is imported by the bot)."""
        filetype = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        if "file_shared" in self.manifest.bot_events:
            await self.stack.driver.share_file(user, channel, name, content, filetype)
        else:
            self.emulator.share_file(user, channel, name, content, filetype)

    def container(self, user: str, where: dict[str, Any]) -> Container:
        """The message, ephemeral, modal or Home tab an element was used in."""
        kind = where.get("kind")
        if kind in ("message", "ephemeral"):
            channel = self.check_channel(where.get("channel"), user)
            ts = str(where.get("ts"))
            found: Container | None
            if kind == "message":
                found = self.emulator.find_message(channel, ts)
            else:
                found = next(
                    (e for e in self.emulator.ephemerals(channel, user) if e.ts == ts), None
                )
            if found is None or found.deleted:
                raise SandboxError("that message is gone", status=404)
            return found
        if kind == "view":
            return self.open_view(user, where.get("view_id"))
        if kind == "home":
            home = self.emulator.home_view(user)
            if home is None:
                raise SandboxError("there is no Home tab to use yet", status=404)
            return home
        raise SandboxError(f"unknown container kind {kind!r}")

    def open_view(self, user: str, view_id: Any) -> View:
        view = self.emulator.views.get(str(view_id))
        if view is None or view.user != user or not view.open:
            raise SandboxError("that modal is closed", status=404)
        return view

    async def act(
        self,
        user: str,
        where: dict[str, Any],
        block_id: str,
        action_id: str,
        value: Any = None,
        typed: dict[str, Any] | None = None,
    ) -> Ack | None:
        """``user`` uses an element; in a modal, ``typed`` is what they entered so far."""
        container = self.container(user, where)
        if isinstance(container, View) and typed:
            self.stack.driver.enter(container, _blank_to_none(container, typed))
        try:
            return await self.stack.driver.act(
                container, block_id, action_id, _none_if_blank(value), user=user
            )
        except LookupError as error:
            raise SandboxError(str(error), status=404) from None

    async def submit(self, user: str, view_id: Any, typed: dict[str, Any]) -> View:
        """``user`` presses the modal's submit button with what they typed."""
        view = self.open_view(user, view_id)
        if self.emulator.open_view(user) is not view:
            raise SandboxError("only the top-most modal can be submitted", status=409)
        self.stack.driver.enter(view, _blank_to_none(view, typed))
        try:
            await self.stack.driver.submit(view, None, user=user)
        except ValueError as error:  # what the Slack client refuses to send
            raise SandboxError(str(error), status=422) from None
        return view

    async def close(self, user: str, view_id: Any) -> None:
        await self.stack.driver.close(self.open_view(user, view_id), user=user)

    async def open_app(self, user: str, tab: str = "home") -> None:
        """``user`` opens the app's Home or Messages tab: Slack tells the bot if it listens."""
        if "app_home_opened" not in self.manifest.bot_events:
            return
        event = {"type": "app_home_opened", "user": user, "tab": tab}
        event["channel"] = self.emulator.dm_channel(user)
        await self.stack.driver.event(event)

    # -- time ------------------------------------------------------------------------------

    async def move_clock(self, *, by: timedelta | None = None, to: datetime | None = None) -> int:
        """Moves the sandbox's time forward as if that time had passed: the clock stops at
        each due time on the way, so what fell due runs then (a 09:30 reminder at 09:30, not
        a day late and skipped), and what that work plans in turn runs on time too; work that
        comes back every few minutes runs at those stops instead of making its own (`_Repeats`).
        Returns how many jobs ran."""
        start = self.clock.now()
        if to is not None and to.tzinfo is None:
            raise SandboxError("SandboxClock needs an aware datetime")
        target = to if to is not None else start + (by or timedelta(0))
        if target < start:
            raise SandboxError("the sandbox clock only moves forward")
        self._changed()
        repeats = _Repeats()
        ran = await self._stop(repeats)
        for _ in range(MAX_CLOCK_STOPS):
            due = await self._next_due(target, repeats)
            if due is None:
                break
            if due > self.clock.now():  # the base clock runs on meanwhile
                self.clock.set(due)
            ran += await self._stop(repeats)
        else:
            log.warning("more than %s due times on the way: jumping to the end", MAX_CLOCK_STOPS)
        if target > self.clock.now():
            self.clock.set(target)
        self._changed()
        return ran + await self.run_due()

    async def _stop(self, repeats: _Repeats) -> int:
        """Runs what is due now, each job noted in `repeats` first."""
        now = self.clock.now()
        async with self.db.transaction() as store:
            for job in await store.overdue(now):
                repeats.ran(job, now)
        return await self.run_due()

    async def _next_due(self, until: datetime, repeats: _Repeats) -> datetime | None:
        """The earliest time after now, and not after `until`, when scheduled work is due, but
        for work that keeps coming back (`repeats`): that runs at the next stop anyway."""
        now = self.clock.now()
        async with self.db.transaction() as store:
            for job in await store.overdue(until):
                if job.due_at > now and not repeats.collapses(job):
                    return job.due_at
        return None

    async def run_due(self) -> int:
        """The bot's due scheduled work, if this version of the bot has a job runner."""
        jobs = getattr(self.stack.services, "jobs", None)
        run = getattr(jobs, "run_due", None)
        if run is None:
            return 0
        ran = await run()
        await self.stack.settle()
        return int(ran or 0)

    async def _run_due_forever(self, every: float) -> None:
        """Timers fire in real time too, as they would in production."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.run_due()
            except Exception:
                log.exception("due work failed; trying again in %s s", every)


def _prepare_db_file(path: Path, *, fresh: bool) -> bool:
    """Deletes the database (and SQLite's WAL side files) for ``fresh``; True if it is new."""
    if fresh:
        for suffix in _SQLITE_SIDECARS:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return not path.exists()


@dataclasses.dataclass
class _Repeats:
    """What the stops of one clock move ran, by work (a job's kind and payload, whatever its
    key: a tracker's regular sync plans the same work under a new key each time): how often,
    when last, and under which key."""

    seen: dict[str, tuple[int, datetime, str]] = dataclasses.field(default_factory=dict)

    def ran(self, job: ScheduledJob, now: datetime) -> None:
        work = _work(job)
        count = self.seen[work][0] if work in self.seen else 0
        self.seen[work] = (count + 1, now, job.key)

    def collapses(self, job: ScheduledJob) -> bool:
        """Whether `job` is work that ran twice already in this move and comes back within
        REPEAT_WITHIN of its last run. The same job again (a retry after a failure) is no
        repeat: it keeps its time, as does work that follows another of its kind once."""
        if (work := _work(job)) not in self.seen:
            return False
        count, last, key = self.seen[work]
        return count >= 2 and key != job.key and job.due_at - last <= REPEAT_WITHIN


def _work(job: ScheduledJob) -> str:
    """A job's work, the same for every job planned to do it again."""
    return f"{job.kind}:{json.dumps(job.payload, sort_keys=True, default=str)}"


def _none_if_blank(value: Any) -> Any:
    return None if value == "" else value


def _blank_to_none(view: View, typed: dict[str, Any]) -> dict[str, Any]:
    """Slack reports an empty input as null, not as an empty string; unknown blocks dropped."""
    inputs = {b.get("block_id") for b in view.blocks if b.get("type") == "input"}
    return {k: _none_if_blank(v) for k, v in typed.items() if k in inputs}
