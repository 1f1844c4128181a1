"""Capacity arithmetic for sprint planning: availability, focus factor, velocity, forecast.

Velocity is the average of the points completed in the last three sprints (fewer when there
are fewer). The forecast is yesterday's weather per working day: the velocity over the average
working days of those sprints (their points over their days together), times the working days
this sprint really has (days gone before planning and public holidays out), then scaled by the
team's availability (days off taken out); without any velocity the team gives a first forecast
itself. Hours for the task breakdown are available person-days times hours per day times the
focus factor (70-80% is the usual range).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.errors import UserError

VELOCITY_SPRINTS = 3
DEFAULT_FOCUS = 0.75
FOCUS_RANGE = (0.7, 0.8)


def velocity(completed: Sequence[float]) -> float | None:
    """Average completed points of the most recent sprints (given newest first)."""
    recent = list(completed)[:VELOCITY_SPRINTS]
    return sum(recent) / len(recent) if recent else None


def velocity_days(working_days: Sequence[int]) -> float | None:
    """The working days per sprint the velocity was earned in: the average over the sprints
    `velocity` reads (given newest first). Velocity over them is their points over their days
    together, so a short sprint weighs as little as it lasted. None without a working day
    among them: nothing to scale by (and no division by zero)."""
    recent = list(working_days)[:VELOCITY_SPRINTS]
    return sum(recent) / len(recent) if sum(recent) > 0 else None


def forecast_of(
    velocity: float | None, first_forecast: float | None, availability: float = 1.0
) -> float | None:
    """The points the team may take on: its velocity scaled by its availability, else (no
    sprint completed yet) the first forecast it gave; None without either."""
    if velocity is not None:
        return velocity * availability
    return first_forecast


def check_focus(focus: float) -> float:
    if not 0.1 <= focus <= 1.0:
        raise UserError("The focus factor is a percentage from 10 to 100 (75 is usual).")
    return focus


@dataclass(frozen=True)
class Capacity:
    developers: tuple[str, ...]
    working_days: int  # in the sprint, per person
    days_off: Mapping[str, float]
    focus_factor: float = DEFAULT_FOCUS
    hours_per_day: float = 8.0
    velocity: float | None = None
    first_forecast: float | None = None
    days_gone: int = 0  # of the sprint's slot, before it was planned: not in `working_days`
    velocity_days: float | None = None
    """The working days per sprint the velocity was earned in (`velocity_days`); None: not
    known, and the velocity is taken as it stands."""
    not_in_channel: tuple[str, ...] = ()
    """Developers named (or members of the user group named) who are not in the channel:
    not counted, and the capacity says so."""

    @property
    def person_days(self) -> float:
        return len(self.developers) * self.working_days

    @property
    def developers_days_off(self) -> float:
        """The days off of the developers counted (not of someone no longer among them)."""
        return sum(self.days_off.get(dev, 0.0) for dev in self.developers)

    @property
    def available_days(self) -> float:
        return sum(
            max(0.0, self.working_days - self.days_off.get(dev, 0.0)) for dev in self.developers
        )

    @property
    def availability(self) -> float:
        return self.available_days / self.person_days if self.person_days else 0.0

    @property
    def days_scale(self) -> float:
        """This sprint's working days over those the velocity was earned in (1 unknown)."""
        return self.working_days / self.velocity_days if self.velocity_days else 1.0

    @property
    def days_scaled(self) -> bool:
        """Whether the forecast scales the velocity to a different number of working days."""
        return abs(self.days_scale - 1.0) > 1e-9

    @property
    def hours(self) -> float:
        """Hours the developers can give to sprint work, after the focus factor."""
        return self.available_days * self.hours_per_day * self.focus_factor

    @property
    def forecast(self) -> float | None:
        """The velocity per working day times this sprint's, at the developers' availability."""
        return forecast_of(self.velocity, self.first_forecast, self.availability * self.days_scale)

    @property
    def full_forecast(self) -> float | None:
        """The forecast before anyone's days off: the velocity per working day times this
        sprint's (a planning's reminder, before the planning settles who develops)."""
        return forecast_of(self.velocity, self.first_forecast, self.days_scale)

    @property
    def focus_outside_range(self) -> bool:
        return not FOCUS_RANGE[0] <= self.focus_factor <= FOCUS_RANGE[1]

    def load(self, points: float) -> float | None:
        """The selection as a percentage of the forecast."""
        return 100 * points / self.forecast if self.forecast else None

    def to_data(self) -> dict[str, object]:
        return {
            "developers": list(self.developers),
            "working_days": self.working_days,
            "days_off": dict(self.days_off),
            "focus_factor": self.focus_factor,
            "hours_per_day": self.hours_per_day,
            "velocity": self.velocity,
            "velocity_days": self.velocity_days,
            "first_forecast": self.first_forecast,
            "availability": round(self.availability, 3),
            "hours": round(self.hours, 1),
            "forecast": self.forecast,
            "days_gone": self.days_gone,
        }
