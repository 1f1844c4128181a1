"""Sprint charts as PNG images: velocity across sprints and a sprint's burndown.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no display, no global figure
registry), 1000x500 pixels. Rendering takes a few dozen milliseconds of CPU: call these from a
worker thread (`asyncio.to_thread`) rather than on the event loop. matplotlib does not promise
thread safety, so one lock lets a single chart render at a time.

User text (a sprint goal) is drawn with math parsing off: a `$` in a goal stays a dollar sign.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Collection, Sequence
from datetime import date, timedelta
from itertools import pairwise

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.domain.capacity import VELOCITY_SPRINTS, velocity
from bot.domain.errors import UserError
from bot.domain.readiness import points
from storage.models import Sprint

WIDTH_IN, HEIGHT_IN, DPI = 10, 5, 100  # 1000 x 500 pixels
MAX_SPRINTS = 10  # bars on the velocity chart; older sprints still feed the first averages
TITLE_MAX = 90
COMMITTED, COMPLETED, AVERAGE = "#9fb7d9", "#2e7d32", "#e65100"
IDEAL, REMAINING, SCOPE = "#9e9e9e", "#1565c0", "#c62828"

_RENDER = threading.Lock()


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _short(text: str, limit: int = TITLE_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- velocity ------------------------------------------------------------------------------------


def velocity_chart(sprints: Sequence[Sprint]) -> bytes:
    """Committed and completed points of the last sprints (oldest left), with the average
    velocity of the last three closed sprints as a line.

    Sprints come in any order (the Store gives them newest first). A sprint still being
    planned has no points yet and is left out; a running one shows its commitment only. With
    no sprint to show, the chart says so instead of failing: the picture explains itself
    wherever it is posted, and the function needs no Slack-side special case.
    """
    recorded = sorted(
        (s for s in sprints if s.committed_points is not None or s.completed_points is not None),
        key=lambda s: s.number,
    )
    averages = _rolling_velocity(recorded)
    shown = recorded[-MAX_SPRINTS:]
    with _RENDER:
        figure, axes = _figure()
        axes.set_title(
            f"Velocity: the last {len(shown)} sprint{'s' if len(shown) != 1 else ''}"
            if shown
            else "Velocity"
        )
        axes.set_xlabel("Sprint")
        axes.set_ylabel("Story points")
        if not shown:
            axes.set_xticks([])
            axes.set_yticks([])
            axes.text(
                0.5,
                0.5,
                "No sprint recorded yet.\n"
                "Velocity appears here once a sprint is committed and closed.",
                transform=axes.transAxes,
                ha="center",
                va="center",
                fontsize=14,
                color="#555555",
            )
            return _png(figure)
        _velocity_bars(axes, shown, averages)
        return _png(figure)


def _rolling_velocity(recorded: Sequence[Sprint]) -> dict[int, float]:
    """Sprint number -> velocity as it stood after that sprint closed (its last three)."""
    found: dict[int, float] = {}
    completed: list[float] = []  # newest first
    for sprint in recorded:
        if sprint.completed_points is None:
            continue
        completed.insert(0, sprint.completed_points)
        average = velocity(completed[:VELOCITY_SPRINTS])
        if average is not None:
            found[sprint.number] = average
    return found


def _unzip(points: Sequence[tuple[float, float]]) -> tuple[list[float], list[float]]:
    """(x, y) points as the x values and the y values, the way matplotlib takes them."""
    return [x for x, _ in points], [y for _, y in points]


def _velocity_bars(axes: Axes, shown: Sequence[Sprint], averages: dict[int, float]) -> None:
    width = 0.38
    positions = list(range(len(shown)))
    committed = [(x, s.committed_points) for x, s in zip(positions, shown, strict=True)]
    completed = [(x, s.completed_points) for x, s in zip(positions, shown, strict=True)]
    bars = [
        ("Committed", COMMITTED, -width / 2, [(x, v) for x, v in committed if v is not None]),
        ("Completed", COMPLETED, width / 2, [(x, v) for x, v in completed if v is not None]),
    ]
    for label, color, offset, values in bars:
        if not values:
            continue
        xs, ys = _unzip(values)
        drawn = axes.bar([x + offset for x in xs], ys, width, label=label, color=color)
        axes.bar_label(drawn, labels=[points(v) for v in ys], padding=2, fontsize=9)
    line = [
        (x, averages[s.number])
        for x, s in zip(positions, shown, strict=True)
        if s.number in averages
    ]
    if line:
        axes.plot(
            *_unzip(line),
            color=AVERAGE,
            marker="o",
            linewidth=2,
            label=f"Velocity (average of the last {VELOCITY_SPRINTS})",
        )
    axes.set_xticks(positions, [f"Sprint {s.number}" for s in shown])
    axes.set_xlim(-0.6, len(shown) - 0.4)
    top = max([v for _, _, _, values in bars for _, v in values] + [v for _, v in line] + [1.0])
    axes.set_ylim(0, top * 1.15)
    axes.figure.legend(loc="outside lower center", ncols=3, fontsize=9, frameon=False)


# -- burndown ------------------------------------------------------------------------------------


def burndown_chart(
    sprint: Sprint,
    remaining: Sequence[tuple[date, float]],
    *,
    working_days: Collection[date] | None = None,
    hours_at_start: float | None = None,
    first_planned: bool = False,
) -> bytes:
    """Points left at the end of each sprint day so far (burndown.remaining_by_day) against
    the ideal line from the committed points down to 0 on the sprint's last day.

    The x axis starts at the commitment ("Start") and then marks the end of each day. Given
    the sprint's `working_days`, the ideal line stays flat over weekends and holidays;
    without them it falls evenly over every calendar day. Days when the remaining points went
    up (scope added, or an item re-estimated higher) are marked.

    Given `hours_at_start` (the task hours planned at commitment, or, `first_planned`, as
    first planned when there were none then: tasks.hours_at_start), the chart is in hours:
    `remaining` is then the task hours left at the end of each day (tasks.hours_by_day).
    """
    if sprint.committed_points is None:
        raise UserError(
            f"Sprint {sprint.number} is not committed yet: its burndown starts at commitment."
        )
    unit = "Story points" if hours_at_start is None else "Task hours"
    committed = sprint.committed_points if hours_at_start is None else hours_at_start
    days = burndown_days(sprint, working_days)
    index = {day: n for n, day in enumerate(days, start=1)}
    ideal = _ideal(committed, days, working_days)
    actual = [(0, committed)] + [
        (index[day], value) for day, value in sorted(remaining) if day in index
    ]
    added = [(x, value) for (_, before), (x, value) in pairwise(actual) if value > before]
    with _RENDER:
        figure, axes = _figure()
        title = burndown_title(sprint, hours=hours_at_start is not None)
        if sprint.goal:
            title += f": {_short(sprint.goal, TITLE_MAX - len(title))}"
        axes.set_title(title, parse_math=False)
        axes.set_xlabel(f"Sprint day ({unit.split()[-1]} left at the end of the day)")
        axes.set_ylabel(f"{unit} remaining")
        label = "Ideal (from the hours as first planned)" if first_planned else "Ideal"
        axes.plot(range(len(ideal)), ideal, color=IDEAL, linestyle="--", linewidth=2, label=label)
        axes.plot(
            *_unzip(actual),
            color=REMAINING,
            marker="o",
            linewidth=2.5,
            label="Remaining",
        )
        if added:
            axes.scatter(
                *_unzip(added),
                color=SCOPE,
                marker="^",
                s=90,
                zorder=3,
                label="Went up (scope added or re-estimated)",
            )
        step = 1 if len(days) <= 15 else 2
        ticks = [0] + [n for n in range(1, len(days) + 1) if (len(days) - n) % step == 0]
        axes.set_xticks(
            ticks, ["Start"] + [_day_label(days[n - 1]) for n in ticks[1:]], rotation=45
        )
        axes.set_xlim(-0.3, len(days) + 0.3)
        top = max([committed, *(v for _, v in actual), 1.0])
        axes.set_ylim(0, top * 1.1)
        figure.legend(loc="outside lower center", ncols=3, fontsize=9, frameon=False)
        return _png(figure)


def burndown_days(sprint: Sprint, working_days: Collection[date] | None) -> list[date]:
    """The burndown's days: from the sprint's first to its last working day (given its
    `working_days`), as the weekend that closes its slot is no day of work; else to the last
    day of its slot."""
    last = max(working_days) if working_days else sprint.ends_on
    return [sprint.starts_on + timedelta(days=n) for n in range((last - sprint.starts_on).days + 1)]


def burndown_title(sprint: Sprint, *, hours: bool = False) -> str:
    return f"Sprint {sprint.number} burndown" + (" in hours" if hours else "")


def burndown_summary(
    sprint: Sprint,
    remaining: Sequence[tuple[date, float]],
    *,
    hours_at_start: float | None,
    first_planned: bool = False,
    scope_changes: int = 0,
) -> str:
    """What is left now against the commitment, in points, or in hours given `hours_at_start`
    (`first_planned`: the tasks' hours as first planned, none having any at the commitment);
    in points, how often the scope changed since, which is why more may be left than was
    committed."""
    now_left = remaining[-1][1] if remaining else 0.0
    hours = hours_at_start is not None
    begun = (hours_at_start if hours else sprint.committed_points) or 0.0

    def amount(value: float) -> str:
        return f"{value:g}h" if hours else f"{value:g} point{'' if value == 1 else 's'}"

    if first_planned:
        return (
            f"{amount(now_left)} left of {amount(begun)} as the tasks were first planned "
            "(they had no hours at the commitment)."
        )
    changed = (
        f", after {scope_changes} scope change{'s' if scope_changes != 1 else ''}"
        if scope_changes
        else ""
    )
    return f"{amount(now_left)} left of {amount(begun)} at the commitment{changed}."


def _ideal(
    committed: float, days: Sequence[date], working_days: Collection[date] | None
) -> list[float]:
    """The ideal remaining points at the start and at the end of each day."""
    burns = [working_days is None or day in working_days for day in days]
    total = sum(burns)
    if not total:  # no working day at all: fall evenly rather than not at all
        burns, total = [True] * len(days), len(days)
    line, done = [committed], 0
    for burn in burns:
        done += burn
        line.append(committed * (1 - done / total))
    return line


def _day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"
