"""The lengths a meeting command takes (`start 45m`, `extend 5m`): one out of range is refused
with the range it must keep to, however many digits it has."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain.commands import parse_planning, parse_refine, parse_review
from bot.domain.errors import UsageError

EXTEND = "Extend by 1 to 60 minutes, e.g. `/refine extend 5m`."
MEETING = "A meeting lasts between 5 minutes and 8 hours."


def refusal(parse: Callable[[str], object], text: str) -> str:
    """What the parser says of `text`, which it refuses, with its usage line after."""
    with pytest.raises(UsageError) as raised:
        parse(text)
    return f"{raised.value.problem} | {raised.value.usage}"


def test_an_extension_too_long_to_read_states_the_range():
    """The bug: "`99999m` is not a length like `45m`", without the limit."""
    said = refusal(parse_refine, "extend 99999m")
    assert said == f"`99999m` is too long. {EXTEND} | /refine extend 5m"
    for digits in ("9" * 5000, "0" * 5000 + "5000"):
        assert refusal(parse_refine, f"extend {digits}m").endswith(f"{EXTEND} | /refine extend 5m")


@pytest.mark.parametrize("length", ["61m", "2h", "90", "1h1m"])
def test_an_extension_past_an_hour_states_the_range(length):
    assert refusal(parse_refine, f"extend {length}").startswith(f"`{length}` is too long. {EXTEND}")


@pytest.mark.parametrize(("length", "too"), [("99999m", "long"), ("100h", "long"), ("4m", "short")])
def test_a_meeting_out_of_range_states_the_range(length, too):
    assert refusal(parse_refine, f"start {length}").startswith(
        f"`{length}` is too {too}. {MEETING}"
    )


def test_planning_and_review_name_their_own_command():
    assert "e.g. `/planning extend 5m`. | /planning next" in refusal(parse_planning, "extend 999m")
    assert "e.g. `/review extend 5m`. | /review next" in refusal(parse_review, "extend 999m")
    assert f"`9h` is too long. {MEETING} | /planning start" in refusal(parse_planning, "start 9h")


def test_lengths_in_range_are_taken():
    assert parse_refine("extend 60m").minutes == 60 and parse_refine("extend 1").minutes == 1
    assert parse_refine("start 8h").minutes == 480 and parse_refine("start 1h30m").minutes == 90
    assert parse_planning("start 5min").minutes == 5
    assert parse_review("extend 0005m").minutes == 5
