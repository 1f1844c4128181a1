"""Database tables as SQLAlchemy 2 typed models.

A team is one Slack channel in one workspace: every row hangs off a team so that two workspaces
that happen to reuse a channel id never see each other's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, backref, mapped_column, relationship
from sqlalchemy.orm.base import NO_VALUE

# Stable constraint names, so Alembic migrations behave alike on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always gives them back aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Team(Base):
    """A Scrum team: one Slack channel with its own backlog, roles and settings."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id", name="uq_teams_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    sprint_weeks: Mapped[int] = mapped_column(Integer, default=2)
    working_days: Mapped[str] = mapped_column(String(40), default="mon,tue,wed,thu,fri")
    next_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The first day of a sprint: sprints follow every `sprint_weeks`, each opened by planning.
    sprint_start: Mapped[date | None] = mapped_column(Date)
    # The number of the sprint that starts on `sprint_start` (1, until the calendar is laid
    # again after sprints were committed: bot.domain.sprints.recalendar).
    sprint_start_number: Mapped[int] = mapped_column(Integer, default=1)
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    # The Definition of Ready as data (see bot.domain.readiness.DefinitionOfReady.from_data).
    dor: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remind_at: Mapped[str | None] = mapped_column(String(5))  # "09:30" local; None: off
    # The days named with `/ready remind at 09:30 <days>`; "": the team's working days.
    remind_days: Mapped[str] = mapped_column(String(40), default="")
    graveyard_days: Mapped[int] = mapped_column(Integer, default=90)
    # A team's own agendas by kind ("refinement", "planning"), as agenda data.
    agendas: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Planning poker settings: {"deck": name, "cards": [...] for a custom deck, "tshirt": {...}}.
    poker: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The share of a sprint's capacity given to refinement (None: the default, 10%).
    refinement_share: Mapped[float | None] = mapped_column(Float)
    # How the team scores items to suggest an order: "wsjf", "opportunity" (None: off).
    priority_scheme: Mapped[str | None] = mapped_column(String(16))

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="team", cascade="all, delete-orphan", lazy="selectin"
    )


class RoleAssignment(Base):
    """A member's Scrum role in a team: po, sm or dev (explicit developers).

    A Slack user group can hold a role too: `user_id` is then the group's id (S…), `handle`
    its @handle and `members` its members as Slack last said (None for a person)."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "role", name="uq_role_assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(8))
    handle: Mapped[str | None] = mapped_column(String(100))
    members: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))

    team: Mapped[Team] = relationship(back_populates="roles")


class BacklogItem(Base):
    """A product backlog item. `number` is the stable #n users type; `rank` orders the backlog."""

    __tablename__ = "backlog_items"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_backlog_items_number"),
        Index("ix_backlog_items_order", "team_id", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(250))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(16), default="story")
    acceptance_criteria: Mapped[list[str]] = mapped_column(JSON, default=list)
    dependencies: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    estimate: Mapped[float | None] = mapped_column(Float)
    owner: Mapped[str | None] = mapped_column(String(32))
    epic: Mapped[str | None] = mapped_column(String(120))
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[str | None] = mapped_column(String(32))
    # Prioritisation inputs (bot.domain.priority): {"value": 8, "time": 3, "importance": 7...}.
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="new")
    rank: Mapped[float] = mapped_column(Float)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checklist: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)  # team questions ticked
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ItemEvent(Base):
    """One entry of an item's history: who did what, when, with the changed fields."""

    __tablename__ = "item_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("backlog_items.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(24))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Delivery(Base):
    """A Slack delivery already handled; its unique key makes a retried delivery a no-op."""

    __tablename__ = "deliveries"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScheduledJob(Base):
    """Work due at a time (a reminder, a timer, a poll deadline), kept as a row.

    Rows survive restarts; a worker claims a due row with a lease before running it, so one
    instance runs it even when several share the database.
    """

    __tablename__ = "scheduled_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Job:
    """Due work as a `ScheduledJob` row keeps it, without the row's bookkeeping: what kind of
    work, its unique key, when it is due and what its handler needs."""

    kind: str
    key: str
    due_at: datetime
    payload: dict[str, Any]


class Reminder(Base):
    """The team's readiness reminder of a local day (its date in the team's zone of then): one
    row a date, which a later day of the same date in a new zone takes over. Its due time
    says which day it was in the zone the team has now (None: kept before migration 0022)."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("team_id", "day", name="uq_reminders_team_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    unready: Mapped[int] = mapped_column(Integer, default=0)


class Meeting(Base):
    """A timeboxed meeting: its agenda, where the clock stands, and what it decided.

    `open_for` holds the team id while the meeting runs or is paused and is NULL after: its
    unique constraint allows one open meeting per team, whatever the database.
    """

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    open_for: Mapped[int | None] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    agenda: Mapped[dict[str, Any]] = mapped_column(JSON)
    facilitator: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="running")
    section: Mapped[int] = mapped_column(Integer, default=0)
    section_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    section_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned: Mapped[bool] = mapped_column(default=False)
    timed_out: Mapped[bool] = mapped_column(default=False)
    auto_advance: Mapped[bool] = mapped_column(default=False)
    goal: Mapped[str] = mapped_column(Text, default="")
    message_ts: Mapped[str | None] = mapped_column(String(32))
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ActionItem(Base):
    """Something to do that a meeting captured, with its owner."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- planning poker ----------------------------------------------------------------------------


class PokerPoll(Base):
    """A planning poker session: one channel message, a queue of items, one facilitator.

    `live` rounds run one item at a time; an `async` poll opens every item at once until
    `deadline`. The deck, the T-shirt table and the expected voters are copied in at the
    start, so changing the channel's settings never changes a running poll.
    """

    __tablename__ = "poker_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(8))  # live | async
    status: Mapped[str] = mapped_column(String(8), default="open")  # open | closed
    facilitator: Mapped[str] = mapped_column(String(32))
    items: Mapped[list[int]] = mapped_column(JSON)  # item numbers, in queue order
    deck: Mapped[dict[str, Any]] = mapped_column(JSON)  # bot.domain.poker.Deck.to_data()
    voters: Mapped[list[str]] = mapped_column(JSON)
    voters_note: Mapped[str] = mapped_column(String(200), default="")
    message_ts: Mapped[str | None] = mapped_column(String(32))
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    nudges: Mapped[list[str]] = mapped_column(JSON, default=list)  # nudge keys already sent
    # voters an async poll stopped waiting for, having left the channel (they may come back)
    left_voters: Mapped[list[str]] = mapped_column(JSON, default=list)
    # the roles the voters were chosen by (the channel's Developers, with "po" or "sm" if
    # asked), for who may join the poll later; None: voters named (people or user groups)
    roles_asked: Mapped[list[str] | None] = mapped_column(JSON)
    # the time zone a typed deadline (`until fri 17:00`) was read in; None for a duration
    deadline_zone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PokerRound(Base):
    """One round of voting on one item; a re-vote is a new round, and every round is kept."""

    __tablename__ = "poker_rounds"
    __table_args__ = (
        UniqueConstraint("poll_id", "item_number", "number", name="uq_poker_rounds_round"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("poker_polls.id", ondelete="CASCADE"), index=True
    )
    item_number: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer, default=1)
    # voting | revealed | accepted | skipped | revoted | withdrawn (its item left the backlog)
    status: Mapped[str] = mapped_column(String(12), default="voting")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)  # async polls only
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revealed_by: Mapped[str | None] = mapped_column(String(32))
    reveal_reason: Mapped[str | None] = mapped_column(String(16))  # all voted | deadline | early
    # whom the round waited for when it was revealed (the poll's voters then: an async poll
    # takes newcomers later); None for rounds revealed before it was kept (migration 0021)
    awaited: Mapped[list[str] | None] = mapped_column(JSON)
    result_ts: Mapped[str | None] = mapped_column(String(32))  # the result in the thread
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_card: Mapped[str | None] = mapped_column(String(16))


class PokerVote(Base):
    """A voter's card in a round: one row per round and voter, changed in place until reveal."""

    __tablename__ = "poker_votes"
    __table_args__ = (UniqueConstraint("round_id", "voter", name="uq_poker_votes_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("poker_rounds.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(32))
    card: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EstimateRecord(Base):
    """An accepted estimate with how it came about: rounds, votes, reasons, who accepted it.

    `rounds` is a snapshot, so the history stays readable whatever happens to the poll.
    """

    __tablename__ = "estimate_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("backlog_items.id", ondelete="CASCADE"), index=True
    )
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("poker_polls.id", ondelete="SET NULL"))
    card: Mapped[str] = mapped_column(String(16))
    points: Mapped[float] = mapped_column(Float)
    deck: Mapped[str] = mapped_column(String(16))
    accepted_by: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rounds: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Sprint(Base):
    """A sprint: its goal, what was committed and completed, and the capacity behind it.

    Planned by sprint planning ("planning"), then "active" once the developers commit, and
    "closed" at the end, when completed points become velocity.
    """

    __tablename__ = "sprints"
    __table_args__ = (UniqueConstraint("team_id", "number", name="uq_sprints_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="planning")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # the last day of the sprint
    goal: Mapped[str] = mapped_column(Text, default="")
    one_thing: Mapped[str] = mapped_column(Text, default="")
    focus_factor: Mapped[float] = mapped_column(Float, default=0.75)
    hours_per_day: Mapped[float] = mapped_column(Float, default=8.0)
    first_forecast: Mapped[float | None] = mapped_column(Float)  # before there is velocity
    days_off: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)  # user -> days
    capacity: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # snapshot at commitment
    committed_points: Mapped[float | None] = mapped_column(Float)
    completed_points: Mapped[float | None] = mapped_column(Float)
    committed_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The Scrum Master who recorded the Developers' commitment for the team, if one did.
    commitment_recorded_by: Mapped[str | None] = mapped_column(String(32))
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_answer: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SprintItem(Base):
    """A backlog item in a sprint backlog, with why it is there and its tasks."""

    __tablename__ = "sprint_items"
    __table_args__ = (UniqueConstraint("sprint_id", "item_id", name="uq_sprint_items_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprints.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("backlog_items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    supports_goal: Mapped[bool] = mapped_column(default=True)
    override_reason: Mapped[str | None] = mapped_column(Text)  # taken although not ready
    removed: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When work on it began: its first task under way in the running sprint (calibration).
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[BacklogItem] = relationship(lazy="joined")
    tasks: Mapped[list[SprintTask]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SprintTask.id"
    )


def _all_hours(context: Any) -> float:
    """A new task has all its hours left."""
    return float(context.get_current_parameters()["hours"])


class SprintTask(Base):
    """A task of a sprint item, in hours: the developers' plan for how to deliver it."""

    __tablename__ = "sprint_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_item_id: Mapped[int] = mapped_column(
        ForeignKey("sprint_items.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    hours: Mapped[float] = mapped_column(Float)  # the estimate when it was planned
    owner: Mapped[str | None] = mapped_column(String(32))
    done: Mapped[bool] = mapped_column(default=False)
    remaining: Mapped[float] = mapped_column(Float, default=_all_hours)  # hours left to do


class TaskProgress(Base):
    """A task's remaining hours from a moment on, written at every change: the sprint's
    burndown in hours reads them. The task may be gone since (its last row then says 0)."""

    __tablename__ = "task_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprints.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    remaining: Mapped[float] = mapped_column(Float)


class ScopeChange(Base):
    """A renegotiation of a committed sprint: what changed, who asked, and why."""

    __tablename__ = "scope_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    sprint_id: Mapped[int] = mapped_column(ForeignKey("sprints.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(12))  # added | removed
    item_number: Mapped[int] = mapped_column(Integer)
    points: Mapped[float | None] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- Slack installations (many workspaces) -----------------------------------------------------
# slack_sdk's own tables for its SQLAlchemy installation and OAuth-state stores, declared in
# our metadata so that our Alembic migrations own them (0006); storage/installations.py makes
# the stores that read and write them.

SLACK_INSTALLATIONS = AsyncSQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, "slack_installations"
)
SLACK_BOTS = AsyncSQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots")
SLACK_OAUTH_STATES = AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)


# -- trackers (Jira first): a channel's board, and its items' links ---------------------------


class TrackerConnection(Base):
    """A channel's link to one board of an issue tracker (Jira first): one per team.

    The credential (`secret`, of `credential_kind`: an API token today, OAuth 2.0 later) and
    the webhook secret are stored encrypted with TIMEBOX_SECRET_KEY, never in the clear.
    `board` keeps what the last check learnt of the board (filter, project, rank field, the
    account's time zone), saving calls on every run. `watermark` is the tracker's time of the
    latest change applied: the incremental sync asks for what changed since then.
    `status`: importing | connected | error | unreachable (`last_error` says what, in plain
    words; unreachable: the tracker has long not answered, bot/domain/tracker_outage.py).
    `board_key` names the board whoever connects it (a digest of the tracker, site, board, and
    GitHub's repository or Linear's team: bot/usecases/tracker_connect.py `_board_identity`);
    unique, so the database itself refuses a second channel on one board. None only for a
    channel that shared its board with an older connection before the key (migration 0017).
    """

    __tablename__ = "tracker_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="jira")
    site: Mapped[str] = mapped_column(String(255))
    board_id: Mapped[int] = mapped_column(Integer)
    board_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    board_name: Mapped[str] = mapped_column(String(200), default="")
    jql: Mapped[str] = mapped_column(Text, default="")
    credential_kind: Mapped[str] = mapped_column(String(16), default="api_token")
    account: Mapped[str] = mapped_column(String(255))  # the account's email (API token)
    secret: Mapped[str] = mapped_column(Text)  # encrypted
    estimation_field: Mapped[str | None] = mapped_column(String(64))
    # A custom field holding acceptance criteria; None: a section of the description.
    acceptance_field: Mapped[str | None] = mapped_column(String(64))
    board: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    webhook_token: Mapped[str] = mapped_column(String(64), unique=True)
    webhook_secret: Mapped[str] = mapped_column(Text)  # encrypted
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="importing")
    connected_by: Mapped[str] = mapped_column(String(32))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TrackerLink(Base):
    """A backlog item linked to a tracker issue (`key` PROJ-123; None until Jira has made it).

    Per-field conflict resolution: `base` holds each field the tracker owns as both sides last
    agreed, so the side whose value differs from it has changed it (Timebox's change time is
    in the item's history; the tracker's is `remote_updated`). `remote` keeps what only the
    tracker has (description, status, assignee, ...). `pending` counts writes to the tracker
    not done yet, `error` the trouble of the last try. Disconnecting keeps the row with
    `connection_id` NULL, so connecting again matches the item by its key.
    """

    __tablename__ = "tracker_links"
    __table_args__ = (UniqueConstraint("team_id", "key", name="uq_tracker_links_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("backlog_items.id", ondelete="CASCADE"), unique=True
    )
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracker_connections.id", ondelete="SET NULL"), index=True
    )
    key: Mapped[str | None] = mapped_column(String(64))
    issue_id: Mapped[str] = mapped_column(String(64), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    remote_updated: Mapped[datetime | None] = mapped_column(UTCDateTime)
    base: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pending: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Read-only, loaded with every item (one indexed query per statement), so any view of an
    # item can show its key: `item.tracker_link` (None for an item that is not linked).
    item: Mapped[BacklogItem] = relationship(
        viewonly=True,
        lazy="raise",
        backref=backref("tracker_link", uselist=False, lazy="selectin", viewonly=True),
    )


def loaded_link(item: BacklogItem) -> TrackerLink | None:
    """The item's link to its issue as loaded with it (never a query: None if not loaded)."""
    value = inspect(item).attrs.tracker_link.loaded_value
    return None if value is NO_VALUE else value


class TrackerSprintLink(Base):
    """A sprint as created in the tracker (its id there), so it is made once."""

    __tablename__ = "tracker_sprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("tracker_connections.id", ondelete="CASCADE"), index=True
    )
    sprint_id: Mapped[int] = mapped_column(
        ForeignKey("sprints.id", ondelete="CASCADE"), unique=True
    )
    remote_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(12), default="future")
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- the team's calendar: recurring ceremonies and the calendar feed ---------------------------


class Ceremony(Base):
    """A team's recurring ceremony, kept in the team's time zone: a refinement on `weekday`
    every `every_weeks` weeks counted from `starts_on`, or a planning on the first working day
    of each sprint (`weekday` None). `at` is the local start ("14:00").

    `changes` holds what was done to single occurrences, by the day their rule gives them
    (their identity): {"2026-03-04": {"skip": true}} or {"2026-03-04": {"to":
    "2026-03-05T15:00"}} (local)."""

    __tablename__ = "ceremonies"
    __table_args__ = (UniqueConstraint("team_id", "kind", name="uq_ceremonies_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # refinement | planning
    weekday: Mapped[str | None] = mapped_column(String(3))
    at: Mapped[str] = mapped_column(String(5))
    every_weeks: Mapped[int] = mapped_column(Integer, default=1)
    minutes: Mapped[int] = mapped_column(Integer)
    auto_start: Mapped[bool] = mapped_column(default=False)
    starts_on: Mapped[date] = mapped_column(Date)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamCalendar(Base):
    """A team's calendar settings: how long before a ceremony its reminder comes, and its
    iCalendar feed, whose secret URL is kept only as a SHA-256 hash (`feed_hash`)."""

    __tablename__ = "team_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), unique=True)
    lead_minutes: Mapped[int] = mapped_column(Integer, default=15)
    feed_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feed_rotated_by: Mapped[str | None] = mapped_column(String(32))
