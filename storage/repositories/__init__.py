"""Repositories, one per feature, on a shared base: the rest of Timebox asks a `Store` and never
writes SQL."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.backlog import BacklogQueries
from storage.repositories.calendar import CalendarQueries
from storage.repositories.calibration import CalibrationQueries
from storage.repositories.deliveries import DeliveryQueries
from storage.repositories.home import HomeQueries
from storage.repositories.jobs import JobQueries
from storage.repositories.meetings import MeetingQueries
from storage.repositories.poker import PokerQueries
from storage.repositories.reminders import ReminderQueries
from storage.repositories.sprints import SprintQueries
from storage.repositories.teams import TeamQueries
from storage.repositories.trackers import TrackerQueries


class Store(
    TeamQueries,
    BacklogQueries,
    DeliveryQueries,
    JobQueries,
    ReminderQueries,
    HomeQueries,
    MeetingQueries,
    PokerQueries,
    SprintQueries,
    TrackerQueries,
    CalendarQueries,
    CalibrationQueries,
):
    """A unit of work's view of the database; one per transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
