"""The slash-command grammar: every verb parses, every mistake names the right usage."""

from __future__ import annotations

import pytest

from bot.domain.backlog import Move
from bot.domain.ceremonies import parse_calendar
from bot.domain.commands import (
    BacklogCommand,
    RoleNaming,
    parse_backlog,
    parse_poker,
    parse_ready,
    parse_refine,
    parse_sprint,
    parse_timebox,
)
from bot.domain.errors import UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", BacklogCommand("list")),
        ("list 3", BacklogCommand("list", page=3)),
        ("2", BacklogCommand("list", page=2)),
        ("add   Fix <!channel> & co ", BacklogCommand("add", title="Fix <!channel> & co")),
        ("show #12", BacklogCommand("show", number=12)),
        ("EDIT 4", BacklogCommand("edit", number=4)),
        ("move 3 top", BacklogCommand("move", number=3, move=Move("top"))),
        ("move #3 to 1", BacklogCommand("move", number=3, move=Move("position", 1))),
        ("move 3 before #7", BacklogCommand("move", number=3, move=Move("before", 7))),
        ("move 3 Down", BacklogCommand("move", number=3, move=Move("down"))),
        ("remove 5", BacklogCommand("remove", number=5)),
        ("restore 5", BacklogCommand("restore", number=5)),
        ("done 5", BacklogCommand("done", number=5)),
        ("import", BacklogCommand("import")),
        ("export markdown", BacklogCommand("export", format="md")),
    ],
)
def test_backlog_commands_parse(text, expected):
    assert parse_backlog(text) == expected


@pytest.mark.parametrize(
    ("parse", "text", "problem", "usage"),
    [
        (parse_backlog, "frobnicate", "is not something I know", "/backlog help"),
        (parse_backlog, "add", "Give the new item a title", "/backlog add <title>"),
        (parse_backlog, "show", "needs an item number", "/backlog show <n>"),
        (parse_backlog, "show twelve", "`twelve` is not an item number", "/backlog show <n>"),
        (parse_backlog, "show 1 2", "one item at a time", "/backlog show <n>"),
        (parse_backlog, "move 3", "Say where to move it", "/backlog move <n> top|bottom"),
        (
            parse_backlog,
            "move 3 sideways",
            "`sideways` is not a place",
            "/backlog move <n> top|bottom",
        ),
        (parse_backlog, "export pdf", "Choose `csv` or `md`", "/backlog export csv|md"),
        (parse_backlog, "list x", "not a page number", "/backlog [list] [page]"),
        (parse_refine, "schedule", "Say when", "/refine schedule"),
        (parse_refine, "schedule 14:00", "Say the weekday", "/refine schedule"),
        (parse_refine, "schedule wed", "Say the time", "/refine schedule"),
        (parse_refine, "schedule wed 14:00 every 9w", "every 8w", "/refine schedule"),
        (parse_refine, "schedule wed 14:00 2m", "from 5 to 480 minutes", "/refine schedule"),
        (parse_refine, "schedule wed thu 14:00", "weekday once", "/refine schedule"),
        (parse_refine, "schedule wed 14:00 monthly", "`monthly` is not", "/refine schedule"),
        (parse_refine, "schedule wed 25:00", "not a time", "/refine schedule"),
        (parse_poker, "abc", "`/poker abc` is not something I know", "/poker"),
        (parse_poker, "3 for 24h", "Deadlines are for async polls", "/poker"),
        (parse_poker, "async 3 for 24h until fri", "either `for` or `until`", "/poker"),
        (parse_poker, "async 3 for soon", "`soon` is not a length", "/poker"),
        (parse_poker, "async 3 until 25:00", "not a time of day", "/poker"),
        (parse_poker, "3 voters bob", "is not a mention", "/poker"),
        (parse_poker, "3 with everybody", "`with po`", "/poker"),
        (parse_poker, "3 x", "`x` is not an item number", "/poker"),
        (parse_poker, "history", "Name one item", "/poker"),
    ],
)
def test_mistakes_name_the_usage(parse, text, problem, usage):
    with pytest.raises(UsageError) as raised:
        parse(text)
    assert problem in raised.value.problem
    assert raised.value.usage.startswith(usage)


def test_timebox_commands_parse_mentions_and_settings():
    roles = parse_timebox("roles po <@U111|alice> <@U222>")
    assert (roles.verb, roles.naming) == ("roles", (RoleNaming("po", ("U111", "U222")),))
    assert parse_timebox("roles dev").naming == (RoleNaming("dev"),)
    assert parse_timebox("roles").naming == ()
    settings = parse_timebox("settings tz Europe/Berlin")
    assert (settings.setting, settings.value) == ("timezone", "Europe/Berlin")
    assert parse_timebox("").verb == "help"
    with pytest.raises(UsageError, match="not a mention"):
        parse_timebox("roles po alice")
    with pytest.raises(UsageError, match="Name a setting"):
        parse_timebox("settings colour blue")


@pytest.mark.parametrize(
    ("typed", "hours"), [("3", 3.0), ("1,5", 1.5), ("2h", 2.0), ("30m", 0.5), ("1h30", 1.5)]
)
def test_a_task_edit_takes_hours_or_minutes_as_a_task_line_does(typed, hours):
    command = parse_sprint(f"task 1 2 hours {typed} left {typed}")
    assert command.edit is not None
    assert (command.edit.hours, command.edit.left) == (hours, hours)


def test_a_task_edit_without_a_time_says_how_to_write_one():
    with pytest.raises(UsageError, match=r"`left 30m` or `left 1h30`"):
        parse_sprint("task 1 2 left soon")


def test_a_length_too_long_is_told_its_range_not_that_it_is_no_length():
    with pytest.raises(UsageError, match=r"Give a length from 1 to \d+ minutes"):
        parse_calendar(["lead", "99999m"], "usage")
    with pytest.raises(UsageError, match=r"for how many days, from 1 to 90"):
        parse_ready("snooze 1 -5")
