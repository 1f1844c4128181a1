"""The text grammar of Timebox's slash commands, with the usage lines shown in help and errors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.backlog import Move
from bot.errors import UsageError
from bot.workdays import RemindAt, parse_remind

BACKLOG_USAGE = {
    "list": ("/backlog [list] [page]", "the ordered product backlog"),
    "add": ("/backlog add <title>", "add an item at the bottom"),
    "show": ("/backlog show <n>", "one item with its history"),
    "edit": ("/backlog edit <n>", "edit every field of an item"),
    "move": (
        "/backlog move <n> top|bottom|up|down|<position>|before <m>",
        "reorder (Product Owner)",
    ),
    "remove": ("/backlog remove <n>", "archive an item"),
    "restore": ("/backlog restore <n>", "bring an archived or done item back"),
    "done": ("/backlog done <n>", "mark an item done"),
    "import": ("/backlog import", "paste CSV (Jira columns), or share a .csv file here"),
    "export": ("/backlog export csv|md", "the backlog as a file"),
    "health": ("/backlog health", "stale items, ready coverage, missing hypotheses"),
}
READY_USAGE = {
    "check": ("/ready [check]", "unready items near the top, with a fix for each"),
    "item": ("/ready <n>", "why one item is or is not ready"),
    "dor": ("/ready dor", "the team's Definition of Ready, and a form to change it"),
    "remind": ("/ready remind at 09:30 [mon-fri] | off", "a daily readiness reminder"),
    "snooze": ("/ready snooze <n> <days>", "leave one item out of reminders for a while"),
}
TIMEBOX_USAGE = {
    "help": ("/timebox help", "every command"),
    "roles": ("/timebox roles [po|sm|dev @name ...]", "show or set Scrum roles"),
    "settings": (
        "/timebox settings [timezone <zone> | sprint <1-4>w | days mon-fri | "
        "start <yyyy-mm-dd> | country <code> | stale <days>]",
        "show or set team settings",
    ),
}
USAGE = {"/backlog": BACKLOG_USAGE, "/ready": READY_USAGE, "/timebox": TIMEBOX_USAGE}

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def usage(command: str, verb: str) -> str:
    return USAGE[command][verb][0]


def _number(word: str | None, command: str, verb: str) -> int:
    if word is None:
        raise UsageError(f"Say which item: `{verb}` needs an item number.", usage(command, verb))
    match = re.fullmatch(r"#?(\d{1,9})", word)
    if match is None:
        raise UsageError(
            f"`{word}` is not an item number like `12` or `#12`.", usage(command, verb)
        )
    return int(match.group(1))


def _unknown(command: str, word: str) -> UsageError:
    known = ", ".join(f"`{v}`" for v in USAGE[command])
    return UsageError(
        f"`{command} {word}` is not something I know. Try one of {known}.",
        f"{command} help",
    )


@dataclass(frozen=True)
class BacklogCommand:
    verb: str
    number: int | None = None
    title: str = ""
    move: Move | None = None
    page: int = 1
    format: str = ""


def parse_backlog(text: str) -> BacklogCommand:
    words = text.split()
    if not words:
        return BacklogCommand("list")
    verb, rest = words[0].lower(), words[1:]
    if verb.isdigit():
        return BacklogCommand("list", page=int(verb))
    match verb:
        case "list" | "ls":
            if rest and not rest[0].isdigit():
                raise UsageError(f"`{rest[0]}` is not a page number.", usage("/backlog", "list"))
            return BacklogCommand("list", page=int(rest[0]) if rest else 1)
        case "help":
            return BacklogCommand("help")
        case "add":
            title = text.strip()[len(words[0]) :].strip()
            if not title:
                raise UsageError("Give the new item a title.", usage("/backlog", "add"))
            return BacklogCommand("add", title=title)
        case "show" | "edit" | "remove" | "restore" | "done":
            if len(rest) > 1:
                raise UsageError("Name one item at a time.", usage("/backlog", verb))
            return BacklogCommand(verb, number=_number(rest[0] if rest else None, "/backlog", verb))
        case "move":
            return BacklogCommand(
                "move",
                number=_number(rest[0] if rest else None, "/backlog", "move"),
                move=_parse_move(rest[1:]),
            )
        case "import" | "health":
            return BacklogCommand(verb)
        case "export":
            fmt = rest[0].lower() if rest else ""
            if fmt not in ("csv", "md", "markdown"):
                raise UsageError("Choose `csv` or `md`.", usage("/backlog", "export"))
            return BacklogCommand("export", format="md" if fmt == "markdown" else fmt)
    raise _unknown("/backlog", words[0])


def _parse_move(words: list[str]) -> Move:
    words = [w.lower() for w in words]
    if words and words[0] == "to":
        words = words[1:]
    problem = "Say where to move it."
    if len(words) == 1 and words[0] in ("top", "bottom", "up", "down"):
        return Move(words[0])
    if len(words) == 1 and words[0].isdigit():
        return Move("position", int(words[0]))
    if len(words) == 2 and words[0] == "before":
        return Move("before", _number(words[1], "/backlog", "move"))
    if words:
        problem = f"`{' '.join(words)}` is not a place in the backlog."
    raise UsageError(problem, usage("/backlog", "move"))


@dataclass(frozen=True)
class TimeboxCommand:
    verb: str
    role: str = ""
    users: tuple[str, ...] = ()
    setting: str = ""
    value: str = ""


def parse_timebox(text: str) -> TimeboxCommand:
    words = text.split()
    if not words or words[0].lower() == "help":
        return TimeboxCommand("help")
    verb, rest = words[0].lower(), words[1:]
    if verb == "roles":
        if not rest:
            return TimeboxCommand("roles")
        users = tuple(dict.fromkeys(_MENTION.findall(" ".join(rest[1:]))))
        leftover = _MENTION.sub("", " ".join(rest[1:])).strip(" ,")
        if leftover:
            raise UsageError(
                f"`{leftover}` is not a mention: pick people with @ so Slack links them.",
                usage("/timebox", "roles"),
            )
        return TimeboxCommand("roles", role=rest[0].lower(), users=users)
    if verb == "settings":
        if not rest:
            return TimeboxCommand("settings")
        setting = rest[0].lower()
        aliases = {
            "tz": "timezone",
            "timezone": "timezone",
            "zone": "timezone",
            "sprint": "sprint",
            "length": "sprint",
            "days": "days",
            "working-days": "days",
            "workdays": "days",
            "start": "start",
            "country": "country",
            "holidays": "country",
            "stale": "stale",
        }
        if setting not in aliases or len(rest) < 2:
            raise UsageError("Name a setting and its value.", usage("/timebox", "settings"))
        return TimeboxCommand("settings", setting=aliases[setting], value=" ".join(rest[1:]))
    raise _unknown("/timebox", words[0])


@dataclass(frozen=True)
class ReadyCommand:
    verb: str
    number: int | None = None
    days: int = 0
    remind: RemindAt | None = None


def parse_ready(text: str) -> ReadyCommand:
    words = text.lower().split()
    if not words or words[0] == "check":
        return ReadyCommand("check")
    verb, rest = words[0], words[1:]
    if re.fullmatch(r"#?\d+", verb):
        return ReadyCommand("item", number=_number(verb, "/ready", "item"))
    match verb:
        case "help":
            return ReadyCommand("help")
        case "dor" | "definition":
            return ReadyCommand("dor")
        case "remind" | "reminder":
            return ReadyCommand("remind", remind=parse_remind(rest))
        case "snooze":
            if len(rest) != 2 or not rest[1].rstrip("d").isdigit():
                raise UsageError("Say which item and for how many days.", usage("/ready", "snooze"))
            return ReadyCommand(
                "snooze", number=_number(rest[0], "/ready", "snooze"), days=int(rest[1].rstrip("d"))
            )
    raise _unknown("/ready", words[0])
