"""Is due work being swept? What /healthz says about the scheduler.

Reminders, timers and poll deadlines only happen if APScheduler keeps calling
`JobRunner.run_due()`. A ticker that stopped, or sweeps that keep failing (the database is
gone) or hang, leave the HTTP side looking healthy while nothing scheduled fires; a load
balancer or orchestrator should see that and replace the instance.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.runtime.clock import Clock

if TYPE_CHECKING:  # APScheduler is loaded with the ticker (bot/runtime/scheduling.py)
    from apscheduler.events import JobExecutionEvent
    from apscheduler.schedulers.base import BaseScheduler

SWEEP_JOB = "due-work"
MAX_SWEEP_AGE = timedelta(minutes=2)
"""A sweep runs every second; a long one (1,000 reminders under rate limits) takes about a
minute. Twice that without a finished sweep means the scheduler is stuck or failing."""


class SweepWatch:
    """Watches the ticker's sweeps: when the last one finished, and whether it still ticks.

    `starting`: the ticker comes later (`watch`), as `timebox run` makes it after its first
    answer; until then /healthz says the process is starting, and healthy."""

    def __init__(
        self,
        clock: Clock,
        ticker: BaseScheduler | None,
        *,
        starting: bool = False,
    ) -> None:
        self.clock = clock
        self.ticker: BaseScheduler | None = None
        self.starting = starting
        self.watching_since = clock.now()  # the first sweep gets MAX_SWEEP_AGE to happen
        self.last_sweep: datetime | None = None
        self.last_error: str | None = None
        if ticker is not None:
            self.watch(ticker)

    def watch(self, ticker: BaseScheduler) -> None:
        """Watches this ticker's sweeps from now on."""
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

        self.ticker, self.starting = ticker, False
        self.watching_since = self.clock.now()
        ticker.add_listener(self._seen, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _seen(self, event: JobExecutionEvent) -> None:
        if event.job_id != SWEEP_JOB:
            return
        if event.exception is None:
            self.last_sweep = self.clock.now()
            self.last_error = None
        else:
            self.last_error = f"{type(event.exception).__name__}: {event.exception}"[:200]

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, what /healthz shows). Without a ticker the caller sweeps (tests, sandbox)."""
        if self.ticker is None:
            return True, {"status": "starting" if self.starting else "swept by the caller"}
        from apscheduler.schedulers.base import STATE_RUNNING

        ticking = self.ticker.state == STATE_RUNNING
        running = ticking and self.ticker.get_job(SWEEP_JOB) is not None
        age = (self.clock.now() - (self.last_sweep or self.watching_since)).total_seconds()
        fresh = age <= MAX_SWEEP_AGE.total_seconds()
        status = "ok" if running and fresh else "stopped" if not running else "stale"
        shown: dict[str, Any] = {
            "status": status,
            "ticker": "running" if running else "stopped",
            "last_sweep_seconds_ago": round(age, 1) if self.last_sweep else None,
        }
        if self.last_error:
            shown["last_error"] = self.last_error
        return running and fresh, shown
