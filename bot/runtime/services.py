"""What every listener needs, built once by the app factory and handed over in Bolt's context."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from bot.runtime.clock import Clock
from bot.runtime.coalesce import Coalescer
from bot.runtime.config import Settings
from bot.runtime.inflight import AckFirst, Inflight
from bot.runtime.scheduling import JobRunner
from storage.batch import GroupCommit
from storage.db import Database
from storage.repositories import Store

# Bolt context key of an asyncio.Event set once the HTTP ack has been written to Slack.
ACK_SENT = "ack_sent"


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    inflight: Inflight = field(default_factory=Inflight)
    acks: AckFirst = field(default_factory=AckFirst)
    jobs: JobRunner = field(init=False)
    # Redraws of busy messages (a poll's voters), at most one per message per second.
    updates: Coalescer = field(init=False)
    # Rows written for many requests at a time, a few commits a burst: work that must be on
    # disk before its ack (votes, as due work), and the record of each delivery.
    inbox: GroupCommit = field(init=False)
    deliveries: GroupCommit = field(init=False)
    # Set once the tracker clients are installed: `timebox run` loads them after its first
    # answer (bot/process/server.py). Work after an ack and tracker webhooks wait for it.
    started: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.started.set()  # `serve` clears it while it starts
        self.jobs = JobRunner(self.db, self.clock)
        self.updates = Coalescer(self.inflight, turn=self.acks.turn, clock=self.clock)
        self.inbox = GroupCommit(self.db, Store.schedule_many, urgent=True)
        self.deliveries = GroupCommit(self.db, Store.first_deliveries)


def services(context: Any) -> Services:
    return context["services"]
