"""What the Linear emulator holds: the records of one workspace (users, teams and their workflow
states, labels, issues, "blocks" relations, cycles, webhooks), each call as recorded, the leaky
bucket of a rate limit, Linear's default workflow and priority labels, and ``iso_from_ms``, which
shows a record's epoch milliseconds as the API's ISO 8601 times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.emulator.calls import TrackerCall
from bot.emulator.tracker import iso_millis

HOUR = 3600.0

# Linear's default workflow: (name, type, colour).
DEFAULT_STATES = (
    ("Backlog", "backlog", "#bec2c8"),
    ("Todo", "unstarted", "#e2e2e2"),
    ("In Progress", "started", "#f2c94c"),
    ("In Review", "started", "#0f783c"),
    ("Done", "completed", "#5e6ad2"),
    ("Canceled", "canceled", "#95a2b3"),
    ("Duplicate", "duplicate", "#95a2b3"),
)
PRIORITY_LABELS = {0: "No priority", 1: "Urgent", 2: "High", 3: "Medium", 4: "Low"}


# -- recorded state ------------------------------------------------------------------------


@dataclass
class LinearCall(TrackerCall):
    """One request: ``operation`` is the GraphQL operation's name (``unknown`` if none);
    ``user`` is the email of the account whose credential was used."""

    operation: str
    query: str
    variables: dict[str, Any]
    complexity: int = 0

    @property
    def route(self) -> str:
        return self.operation


@dataclass
class LinearUser:
    id: str
    name: str
    display_name: str
    email: str
    api_key: str
    timezone: str = "UTC"
    admin: bool = False  # only a workspace admin may create webhooks


@dataclass
class LinearState:
    id: str
    team_id: str
    name: str
    type: str
    position: float
    color: str = "#e2e2e2"


@dataclass
class LinearTeam:
    id: str
    key: str
    name: str
    timezone: str = "UTC"
    cycles_enabled: bool = True
    cycle_duration: float = 2.0
    estimation: str = "fibonacci"
    allow_zero: bool = False
    extended: bool = False
    hidden_from: set[str] = field(default_factory=set)  # user ids that cannot see the team
    issue_count: int = 0
    cycle_count: int = 0


@dataclass
class LinearLabel:
    id: str
    name: str
    team_id: str | None = None  # None: a workspace label
    color: str = "#bec2c8"


@dataclass
class LinearIssue:
    id: str
    identifier: str
    number: int
    team_id: str
    title: str
    state_id: str
    description: str | None = None
    estimate: int | None = None
    priority: int = 0
    sort_order: float = 0.0
    priority_sort_order: float = 0.0
    assignee_id: str | None = None
    parent_id: str | None = None
    cycle_id: str | None = None
    label_ids: list[str] = field(default_factory=list)
    created: float = 0.0  # epoch milliseconds
    updated: float = 0.0
    completed: float | None = None
    archived: float | None = None  # set when trashed (deleted): the issue leaves every list
    trashed: bool = False
    previous_identifiers: list[str] = field(default_factory=list)  # moved from other teams


@dataclass
class LinearRelation:
    id: str
    type: str  # blocks, duplicate, related, similar
    issue_id: str  # the one that blocks
    related_id: str  # the one blocked
    created: float = 0.0


@dataclass
class LinearCycle:
    id: str
    team_id: str
    number: int
    starts: float  # epoch milliseconds
    ends: float
    name: str | None = None
    description: str | None = None
    completed: float | None = None
    created: float = 0.0
    updated: float = 0.0
    uncompleted: list[str] = field(default_factory=list)  # ids of issues open when it closed


@dataclass
class LinearWebhook:
    """A webhook as a Linear admin makes it (Settings > API > Webhooks), with its signing
    secret: every delivery carries ``Linear-Signature`` (HMAC-SHA256 of the body, hex)."""

    url: str
    secret: str
    id: str = ""
    resource_types: tuple[str, ...] = ("Issue",)
    team_id: str | None = None  # None: every team's events
    label: str | None = None
    created: float = 0.0
    deliveries: list[int] = field(default_factory=list)  # HTTP status of each delivery


@dataclass
class LeakyBucket:
    """A leaky bucket: ``limit`` a window of an hour, refilled evenly."""

    limit: float
    level: float
    at: float  # epoch seconds of ``level``

    def refill(self, now: float) -> None:
        self.level = min(self.limit, self.level + (now - self.at) * self.limit / HOUR)
        self.at = now

    def reset(self, now: float) -> float:
        """Epoch milliseconds when the bucket is full again."""
        return (now + (self.limit - self.level) * HOUR / self.limit) * 1000


def iso_from_ms(ms: float | None) -> str | None:
    """Epoch milliseconds as the API's ISO 8601 time (None stays None)."""
    if ms is None:
        return None
    return iso_millis(datetime.fromtimestamp(ms / 1000, UTC))
