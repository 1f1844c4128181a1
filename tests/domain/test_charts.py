"""Sprint charts: real PNG files of 1000x500 pixels, checked from their bytes (no Pillow), and
when the burndown in hours has nothing to draw yet."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta

import pytest

from bot.domain.charts import (
    _ideal,
    _rolling_velocity,
    burndown_chart,
    burndown_summary,
    burndown_title,
    velocity_chart,
)
from bot.domain.errors import UserError
from bot.domain.tasks import no_hours_to_burn
from storage.models import Sprint

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk of a PNG file as (type, payload), each CRC checked; fails on anything else."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG signature"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        payload = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert len(payload) == length, f"{kind!r} is cut short"
        assert zlib.crc32(kind + payload) == crc, f"{kind!r} has a bad CRC"
        chunks.append((kind, payload))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    assert any(kind == b"IDAT" for kind, _ in chunks)
    return chunks


def png_size(data: bytes) -> tuple[int, int]:
    _, ihdr = png_chunks(data)[0]
    width, height, bit_depth, color_type = struct.unpack(">IIBB", ihdr[:10])
    assert bit_depth == 8 and color_type in (2, 6), "8-bit RGB(A)"
    return width, height


def sprint(
    number: int,
    committed: float | None,
    completed: float | None,
    *,
    starts: date = date(2026, 3, 2),
    weeks: int = 2,
    goal: str = "Invoices go out as PDF",
) -> Sprint:
    return Sprint(
        team_id=1,
        number=number,
        status="closed" if completed is not None else "active",
        starts_on=starts,
        ends_on=starts + timedelta(weeks=weeks) - timedelta(days=1),
        goal=goal,
        committed_points=committed,
        completed_points=completed,
    )


def test_the_png_reader_refuses_broken_files():
    good = velocity_chart([sprint(1, 10, 8)])
    with pytest.raises(AssertionError):
        png_chunks(b"GIF89a" + good[6:])
    broken = bytearray(good)
    broken[20] ^= 0xFF  # the IHDR width, without fixing its CRC
    with pytest.raises(AssertionError):
        png_chunks(bytes(broken))
    with pytest.raises(AssertionError):
        png_chunks(good[:-12])  # no IEND


@pytest.mark.parametrize("count", [0, 1, 5])
def test_velocity_chart_is_a_1000_by_500_png(count):
    sprints = [sprint(n, 20 + n, 15 + n) for n in range(1, count + 1)]
    assert png_size(velocity_chart(sprints)) == (1000, 500)


def test_velocity_chart_leaves_out_sprints_still_being_planned():
    planning = sprint(1, None, None)
    assert velocity_chart([planning]) == velocity_chart([]), "nothing to show yet"
    closed = [sprint(1, 20, 18), sprint(2, 21, 19)]
    assert velocity_chart([*closed, sprint(3, None, None)]) == velocity_chart(closed)
    assert velocity_chart(closed[::-1]) == velocity_chart(closed), "any order, oldest left"
    running = sprint(3, 25, None)
    assert png_size(velocity_chart([*closed, running])) == (1000, 500)
    assert velocity_chart([*closed, running]) != velocity_chart(closed), "its commitment shows"


def test_the_average_line_is_the_velocity_of_the_last_three_closed_sprints():
    sprints = [
        sprint(1, 10, 10),
        sprint(2, 20, 20),
        sprint(3, 30, 30),
        sprint(4, 40, 42),
        sprint(5, 30, None),
    ]
    assert _rolling_velocity(sprints) == {1: 10.0, 2: 15.0, 3: 20.0, 4: 92 / 3}


def test_many_sprints_show_the_last_ten():
    many = [sprint(n, 50, 50) for n in range(1, 6)] + [sprint(n, 20, 20) for n in range(6, 16)]
    assert png_size(velocity_chart(many)) == (1000, 500)
    assert _rolling_velocity(many)[6] == 40.0, "sprint 6's average counts sprints 4 and 5"
    assert velocity_chart(many) != velocity_chart(many[-10:]), "older ones feed the average"


def days_of(start: date, values: list[float]) -> list[tuple[date, float]]:
    return [(start + timedelta(days=n), value) for n, value in enumerate(values)]


def test_burndown_is_a_1000_by_500_png_with_scope_added():
    current = sprint(4, 20, None)
    steady = days_of(current.starts_on, [20, 18, 18, 15, 12])
    scope_added = days_of(current.starts_on, [20, 18, 26, 23, 20])
    assert png_size(burndown_chart(current, steady)) == (1000, 500)
    assert png_size(burndown_chart(current, scope_added)) == (1000, 500)
    assert burndown_chart(current, scope_added) != burndown_chart(current, steady)


def test_burndown_before_the_first_day_and_after_the_last_one():
    current = sprint(4, 13, None, weeks=4)
    assert png_size(burndown_chart(current, [])) == (1000, 500)
    whole = days_of(current.starts_on - timedelta(days=2), [13.0] * 40)  # outside days ignored
    assert png_size(burndown_chart(current, whole)) == (1000, 500)


def test_a_goal_with_dollar_signs_is_drawn_as_text():
    current = sprint(4, 20, None, goal=r"Save $\frac{ on hosting, $5 a month & <more>")
    assert png_size(burndown_chart(current, days_of(current.starts_on, [20]))) == (1000, 500)


def test_the_burndown_says_what_is_left_against_the_commitment():
    current = sprint(4, 20, None)
    so_far = days_of(current.starts_on, [20, 18, 12.5])
    assert burndown_title(current) == "Sprint 4 burndown"
    assert burndown_title(current, hours=True) == "Sprint 4 burndown in hours"
    summary = burndown_summary(current, so_far, hours_at_start=None)
    assert summary == "12.5 points left of 20 points at the commitment."
    in_hours = burndown_summary(current, so_far, hours_at_start=30.0)
    assert in_hours == "12.5h left of 30h at the commitment."
    assert burndown_summary(current, [], hours_at_start=0.0) == "0h left of 0h at the commitment."
    uncommitted = sprint(5, None, None)
    assert burndown_summary(uncommitted, [], hours_at_start=None) == (
        "0 points left of 0 points at the commitment."
    )


def test_no_burndown_before_the_commitment():
    with pytest.raises(UserError, match="not committed yet"):
        burndown_chart(sprint(4, None, None), [])


def test_no_task_hours_at_all_is_nothing_to_draw_and_says_how_to_plan_them():
    current = sprint(4, None, None)
    untouched = days_of(current.starts_on, [0.0, 0.0])
    why = no_hours_to_burn(current, untouched, 0.0)
    assert why is not None
    assert why.startswith("No task of sprint 4 has hours yet: `/sprint tasks <n>`")
    assert no_hours_to_burn(current, [], 0.0) is not None


def test_hours_planned_at_the_start_or_left_on_some_day_are_drawn():
    current = sprint(4, None, None)
    untouched = days_of(current.starts_on, [0.0, 0.0])
    assert no_hours_to_burn(current, untouched, 12.0) is None
    assert no_hours_to_burn(current, [*untouched, (date(2026, 3, 4), 3.5)], 0.0) is None


def test_the_ideal_line_is_flat_on_days_nobody_works():
    monday = date(2026, 3, 2)
    week = [monday + timedelta(days=n) for n in range(7)]
    assert _ideal(10, week, None) == pytest.approx([10 - 10 * n / 7 for n in range(8)])
    weekdays = week[:5]
    assert _ideal(10, week, weekdays) == pytest.approx([10, 8, 6, 4, 2, 0, 0, 0])
    assert _ideal(10, week, []) == _ideal(10, week, None)
    working = set(weekdays)
    current = sprint(4, 10, None, weeks=1)
    with_days = burndown_chart(current, [], working_days=working)
    assert png_size(with_days) == (1000, 500)
    assert with_days != burndown_chart(current, [])
