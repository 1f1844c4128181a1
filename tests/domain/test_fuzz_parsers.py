"""Bad input, property-based: every parser of what people type either understands it or says
what to type instead (a UserError, shown as guidance). Any other exception would reach the user
as an apology with a reference id, for nothing but a typo; hypothesis hunts for such input.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agendas import agenda
from bot.domain import backlog, backlog_csv, calendar, commands, decks, poker, sprints, teams
from bot.domain.errors import UsageError, UserError
from storage.models import Team

# CI replays the same examples on every run (a red build names a real bug, not a lucky draw);
# on a developer's machine each run explores new ones.
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)

# Words the grammar knows, so that examples get past the first word and into the details.
KEYWORDS = sorted(
    {verb for usage in commands.USAGE.values() for verb in usage}
    | {"ls", "to", "top", "bottom", "up", "down", "before", "with", "voters", "for", "until"}
    | {"async", "poll", "po", "sm", "dev", "team", "on", "off", "at", "today", "tomorrow"}
    | {"timezone", "sprint", "days", "start", "country", "stale", "csv", "md", "fibonacci"}
    | {"mon-fri", "fri", "tshirt", "XS=1", "M=3", "1,2,4", "?", "coffee", "and", "snooze"}
)
# Digits that are digits to str.isdigit() but not all of them to int(): a classic trap.
DIGITS = "0123456789²³¹٣٤۵०१１２"
NUMBERISH = st.one_of(
    st.integers(min_value=-5, max_value=10**12).map(str),
    st.text(alphabet=DIGITS, min_size=1, max_size=12),
    st.sampled_from(["#12", "#", "1e9", "0.5", "1/2", "½", "nan", "inf", "-1", "1_000", "٣٤"]),
    st.from_regex(r"\d{1,12}(h|m|d|min|w|wk|am|pm)?(\d{1,3}m)?", fullmatch=True),
    st.from_regex(r"\d{1,5}:\d{1,3}(am|pm)?", fullmatch=True),
    st.from_regex(r"\d{1,5}-\d{1,3}-\d{1,3}", fullmatch=True),
)
MARKUP = st.sampled_from(
    [
        "<@U123>",
        "<@U123|bob>",
        "<@W0X|a|b>",
        "<!subteam^S123|@team>",
        "<!subteam^>",
        "<!channel>",
        "<!here|here>",
        "<#C123|general>",
        "<http://x.test|link>",
        "&lt;",
        "&gt;",
        "&amp;",
        "<",
        ">",
        "|",
        "`",
        "*",
        "\u200b",
        "\x00",
        "\t",
        "\n",
        "\r\n",
    ]
)
WORD = st.one_of(
    st.sampled_from(KEYWORDS),
    NUMBERISH,
    MARKUP,
    st.text(alphabet=string.ascii_letters + string.punctuation, min_size=1, max_size=8),
    st.text(min_size=1, max_size=6),
)
COMMAND_TEXT = st.one_of(
    st.text(),
    st.lists(WORD, max_size=8).map(" ".join),
    st.lists(WORD, max_size=8).map(",".join),
)


def understood_or_guided(parse: Callable[[], Any]) -> Any:
    """Runs a parser; a UserError must carry guidance, anything else fails the test."""
    try:
        return parse()
    except UsageError as error:
        assert error.problem.strip() and error.usage.strip(), "usage errors say what and how"
        return None
    except UserError as error:
        assert error.message.strip(), "a UserError says what to do"
        return None


PARSERS = {
    "/backlog": commands.parse_backlog,
    "/timebox": commands.parse_timebox,
    "/ready": commands.parse_ready,
    "/refine": commands.parse_refine,
    "/poker": commands.parse_poker,
    "/planning": commands.parse_planning,
    "/sprint": commands.parse_sprint,
    "/review": commands.parse_review,
}


def test_every_command_has_a_parser_under_fuzz():
    assert set(PARSERS) == set(commands.USAGE)


@FUZZ
@given(command=st.sampled_from(sorted(PARSERS)), text=COMMAND_TEXT)
@example(command="/backlog", text="²")
@example(command="/backlog", text="list ²")
@example(command="/backlog", text="move 1 ²")
@example(command="/ready", text="snooze 1 ²")
@example(command="/poker", text="async 1 for 9999999999d")
@example(command="/poker", text="async 1 until 9999-12-31 23:59")
@example(command="/poker", text="async 1 until 0001-01-01 00:00")
def test_command_parsers_understand_or_guide(command: str, text: str) -> None:
    parsed = understood_or_guided(lambda: PARSERS[command](text))
    if command == "/poker" and parsed is not None and parsed.verb == "async":
        # What the command does next with its deadline words, in far-apart time zones.
        for name in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
            understood_or_guided(
                lambda z=name: poker.resolve_deadline(
                    datetime(2026, 3, 2, 9, tzinfo=UTC), ZoneInfo(z), parsed.duration, parsed.until
                )
            )
    if command == "/timebox" and parsed is not None and parsed.setting:
        team = Team(sprint_weeks=2, working_days="mon,tue,wed,thu,fri", graveyard_days=90)
        understood_or_guided(lambda: teams.apply_setting(team, parsed.setting, parsed.value))
    if command == "/ready" and parsed is not None and parsed.verb == "snooze":
        assert parsed.days >= 0


FIELD_TEXT = st.one_of(st.text(), COMMAND_TEXT, st.lists(WORD, max_size=6).map("\n".join))


@FUZZ
@given(text=FIELD_TEXT)
@example(text="²")
@example(text="1_0")
@example(text="1e400")
def test_item_field_parsers_understand_or_guide(text: str) -> None:
    title = understood_or_guided(lambda: backlog.clean_title(text))
    assert title is None or 0 < len(title) <= backlog.TITLE_MAX
    estimate = understood_or_guided(lambda: backlog.parse_estimate(text))
    assert estimate is None or 0 <= estimate <= backlog.ESTIMATE_MAX
    understood_or_guided(lambda: backlog.parse_type(text))
    assert all(line.strip() for line in backlog.parse_lines(text))
    for dependency in backlog.parse_dependencies(text):
        assert dependency["text"] and isinstance(dependency["resolved"], bool)
    assert all(label for label in backlog.parse_labels(text))
    understood_or_guided(lambda: sprints.parse_tasks(text))


@FUZZ
@given(
    setting=st.sampled_from(["timezone", "sprint", "days", "start", "country", "stale"]),
    text=FIELD_TEXT,
)
@example(setting="stale", text="²")
@example(setting="stale", text="٣٠")
def test_team_settings_understand_or_guide(setting: str, text: str) -> None:
    team = Team(sprint_weeks=2, working_days="mon,tue,wed,thu,fri", graveyard_days=90)
    understood_or_guided(lambda: teams.apply_setting(team, setting, text))
    assert 1 <= team.sprint_weeks <= 4 and 7 <= team.graveyard_days <= 3650
    assert team.timezone is None or len(team.timezone) <= 64
    understood_or_guided(lambda: calendar.parse_country(text))
    understood_or_guided(lambda: calendar.parse_working_days(text))
    understood_or_guided(lambda: calendar.parse_remind(text.lower().split()))


@FUZZ
@given(words=st.lists(WORD, max_size=8))
def test_deck_and_card_parsers_understand_or_guide(words: list[str]) -> None:
    deck = understood_or_guided(lambda: decks.parse_deck(" ".join(words)))
    if deck is not None:
        assert 2 <= len(deck.pointed) <= decks.MAX_CARDS
    understood_or_guided(lambda: decks.parse_tshirt(words, decks.DEFAULT_TSHIRT))
    for word in words:
        understood_or_guided(lambda w=word: decks.normalize_card(w))
        understood_or_guided(lambda w=word: decks.Deck.named("fibonacci").card(w))


# -- agendas: any text, and YAML that is almost right ------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=90),
)
SECTION = st.dictionaries(
    st.sampled_from(["title", "minutes", "share", "purpose", "actions", "other"]),
    st.one_of(SCALARS, st.lists(st.one_of(st.sampled_from(["goal", "triage", "nope"]), SCALARS))),
    max_size=5,
)
AGENDA = st.dictionaries(
    st.sampled_from(["name", "kind", "minutes", "sections", "extra"]),
    st.one_of(SCALARS, st.lists(st.one_of(SECTION, SCALARS), max_size=14)),
    max_size=5,
)


@FUZZ
@given(
    text=st.one_of(
        st.text(),
        AGENDA.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
        st.lists(
            st.sampled_from(
                [
                    "- ",
                    "a: ",
                    "[",
                    "{",
                    "&x ",
                    "*x",
                    "!!python/name:os.system",
                    "<<: *x",
                    "\n",
                    "  ",
                    "---",
                    "? ",
                    "'",
                    '"',
                    "%YAML 1.1",
                    "!!int ",
                    "!!bool ",
                    "2026-13-45",
                ]
            ),
            max_size=12,
        ).map("".join),
    ),
    kind=st.sampled_from(agenda.KINDS),
    total=st.integers(min_value=0, max_value=1000),
)
@example(text="[" * 2000, kind="refinement", total=60)
@example(text="&a [*a]", kind="refinement", total=60)
@example(text="name: x\nsections: 2026-13-45", kind="refinement", total=60)
@example(text="name: !!int x", kind="planning", total=60)
@example(text="name: !!bool x", kind="planning", total=60)
@example(text="name: !!timestamp x", kind="planning", total=60)
@example(text="!!int", kind="refinement", total=0)
def test_agenda_files_load_or_name_the_line_at_fault(text: str, kind: str, total: int) -> None:
    loaded = understood_or_guided(lambda: agenda.parse(text, kind))
    if loaded is not None:
        assert loaded.kind == kind and 1 <= len(loaded.sections) <= 12
        # Whatever was accepted can be run at any length: scaled, or refused with guidance.
        sections = understood_or_guided(lambda: agenda.scale(loaded, total))
        if sections is not None:
            assert sum(s.minutes for s in sections) == total


@FUZZ
@given(
    rows=st.lists(st.lists(st.one_of(FIELD_TEXT, NUMBERISH), max_size=8), max_size=5),
    text=st.text(),
)
@example(rows=[["Summary", "Epic Link", "Priority"], ["x", "e" * 300, "p" * 300]], text="")
def test_csv_rows_become_items_that_fit_or_are_refused_with_a_reason(
    rows: list[list[str]], text: str
) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    for source in (out.getvalue(), text):
        assert backlog_csv.looks_like_backlog(source) in (True, False)
        reader = backlog_csv._rows(source)
        try:
            headers = next(reader, None) or []
        except csv.Error:
            continue  # import_csv refuses such a file with guidance
        columns = backlog_csv._column_map(headers)
        for row in backlog_csv._readable(reader, backlog_csv.ImportReport()):
            fields = understood_or_guided(lambda r=row, c=columns: backlog_csv._row_fields(r, c))
            if fields is not None:  # it will be stored: it must fit the columns
                assert 0 < len(backlog.clean_title(fields.title)) <= backlog.TITLE_MAX
                assert fields.epic is None or len(fields.epic) <= 120
                assert fields.priority is None or len(fields.priority) <= 32
