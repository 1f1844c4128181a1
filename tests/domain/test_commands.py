"""The slash-command grammar: every verb parses, every mistake names the right usage."""

from __future__ import annotations

import pytest

from bot.domain.backlog import Move
from bot.domain.commands import BacklogCommand, parse_backlog, parse_timebox
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
    ("text", "problem", "usage"),
    [
        ("frobnicate", "is not something I know", "/backlog help"),
        ("add", "Give the new item a title", "/backlog add <title>"),
        ("show", "needs an item number", "/backlog show <n>"),
        ("show twelve", "`twelve` is not an item number", "/backlog show <n>"),
        ("show 1 2", "one item at a time", "/backlog show <n>"),
        ("move 3", "Say where to move it", "/backlog move <n> top|bottom"),
        ("move 3 sideways", "`sideways` is not a place", "/backlog move <n> top|bottom"),
        ("export pdf", "Choose `csv` or `md`", "/backlog export csv|md"),
        ("list x", "not a page number", "/backlog [list] [page]"),
    ],
)
def test_backlog_mistakes_explain_the_usage(text, problem, usage):
    with pytest.raises(UsageError) as raised:
        parse_backlog(text)
    assert problem in raised.value.problem
    assert raised.value.usage.startswith(usage)


def test_timebox_commands_parse_mentions_and_settings():
    roles = parse_timebox("roles po <@U111|alice> <@U222>")
    assert (roles.verb, roles.role, roles.users) == ("roles", "po", ("U111", "U222"))
    assert parse_timebox("roles dev").users == ()
    settings = parse_timebox("settings tz Europe/Berlin")
    assert (settings.setting, settings.value) == ("timezone", "Europe/Berlin")
    assert parse_timebox("").verb == "help"
    with pytest.raises(UsageError, match="not a mention"):
        parse_timebox("roles po alice")
    with pytest.raises(UsageError, match="Name a setting"):
        parse_timebox("settings colour blue")
