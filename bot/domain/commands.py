"""The text grammar of Timebox's slash commands, with the usage lines shown in help and errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from importlib import resources

import yaml

from bot.domain.backlog import Move
from bot.domain.calendar import RemindAt, clock_time, parse_remind
from bot.domain.ceremonies import CalendarRequest, Schedule, parse_calendar, parse_schedule
from bot.domain.errors import UsageError
from bot.domain.poker import Until
from bot.domain.tasks import ME, TaskEdit, parse_time
from bot.domain.teams import ROLE_ALIASES, ROLE_NAMES
from bot.domain.typed import as_typed, named


def _usage_tables() -> dict[str, dict[str, tuple[str, str]]]:
    """{command: {verb: (line to type, what it does)}}, from usage.yml (help text is data)."""
    text = resources.files(__package__).joinpath("usage.yml").read_text("utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {
        command: {verb: tuple(said) for verb, said in verbs.items()}
        for command, verbs in raw.items()
    }


USAGE = _usage_tables()
POKER_USAGE = USAGE["/poker"]

# Other words for a subcommand, which its usage line does not repeat: {command: {alias: verb}}.
ALIASES = {
    "/backlog": {"ls": "list", "suggest": "priority"},
    "/ready": {"definition": "dor", "reminder": "remind"},
    "/poker": {
        "poll": "async",
        "t-shirt": "tshirt",
        "sizes": "tshirt",
        "estimates": "history",
        "calibration": "calibrate",
    },
}

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def usage(command: str, verb: str) -> str:
    return USAGE[command][verb][0]


def _whole(word: str) -> bool:
    """A whole number int() reads: `str.isdigit()` also says yes to `²`, which int() refuses."""
    return re.fullmatch(r"\d{1,9}", word) is not None


def _number(word: str | None, command: str, verb: str) -> int:
    if word is None:
        raise UsageError(f"Say which item: `{verb}` needs an item number.", usage(command, verb))
    match = re.fullmatch(r"#?(\d{1,9})", word)
    if match is None:
        raise UsageError(
            f"`{word}` is not an item number like `12` or `#12`.", usage(command, verb)
        )
    return int(match.group(1))


def _split(text: str, default: str) -> tuple[str, list[str]]:
    """A command's verb (its first word, lower-cased; `default` when nothing was typed) and the
    words after it."""
    words = text.split()
    return (words[0].lower(), words[1:]) if words else (default, [])


def _unknown(command: str, text: str) -> UsageError:
    """`text`: the command as typed, whose first word is the verb not known."""
    word = text.split()[0]
    known = ", ".join(f"`{v}`" for v in USAGE[command])
    return UsageError(
        f"`{command} {word}` is not something I know. Try one of {known}.",
        f"{command} help",
    )


NOTHING_MORE = {
    ("/backlog", "import"): "it opens the import form",
    ("/backlog", "health"): "it shows the whole backlog's health",
    ("/backlog", "priority"): (
        "it shows the suggested order, and its *Apply this order* button applies the order you saw"
    ),
    ("/sprint", "show"): "it shows the running sprint",
    ("/sprint", "close"): "it closes the running sprint, after asking",
    ("/sprint", "velocity"): "it charts the last sprints",
    ("/timebox", "disconnect"): "it ends this channel's link to its tracker",
    ("/ready", "check"): "it lists the unready items near the top; `/ready <n>` looks at one",
    ("/ready", "help"): "it lists the /ready commands",
    ("/ready", "dor"): "it shows the Definition of Ready, with a button to change it",
}
"""Verbs that take no more words, and what they do instead: a word after one is refused,
never silently dropped (`/sprint close 3` does not close sprint 3)."""


def _nothing_more(command: str, verb: str, rest: list[str]) -> None:
    if rest and (command, verb) in NOTHING_MORE:
        raise UsageError(
            f"`{verb}` takes nothing more (not `{' '.join(rest)}`): {NOTHING_MORE[command, verb]}.",
            usage(command, verb),
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
    verb, rest = _split(text, "list")
    if _whole(verb):
        return BacklogCommand("list", page=int(verb))
    match verb:
        case "list" | "ls":
            if rest and not _whole(rest[0]):
                raise UsageError(f"`{rest[0]}` is not a page number.", usage("/backlog", "list"))
            return BacklogCommand("list", page=int(rest[0]) if rest else 1)
        case "help":
            return BacklogCommand("help")
        case "add":
            title = _rest_text(text, 1)
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
            _nothing_more("/backlog", verb, rest)
            return BacklogCommand(verb)
        case "priority" | "suggest":
            _nothing_more("/backlog", "priority", rest)
            return BacklogCommand("priority")
        case "export":
            fmt = rest[0].lower() if rest else ""
            if fmt not in ("csv", "md", "markdown"):
                raise UsageError("Choose `csv` or `md`.", usage("/backlog", "export"))
            return BacklogCommand("export", format="md" if fmt == "markdown" else fmt)
    raise _unknown("/backlog", text)


def _parse_move(words: list[str]) -> Move:
    words = [w.lower() for w in words]
    if words and words[0] == "to":
        words = words[1:]
    problem = "Say where to move it."
    if len(words) == 1 and words[0] in ("top", "bottom", "up", "down"):
        return Move(words[0])
    if len(words) == 1 and _whole(words[0]):
        return Move("position", int(words[0]))
    if len(words) == 2 and words[0] == "before":
        return Move("before", _number(words[1], "/backlog", "move"))
    if words:
        problem = f"`{' '.join(words)}` is not a place in the backlog."
    raise UsageError(problem, usage("/backlog", "move"))


@dataclass(frozen=True)
class RoleNaming:
    """One role of `/timebox roles`, and who is named for it."""

    role: str  # po, sm or dev
    users: tuple[str, ...] = ()
    groups: tuple[tuple[str, str], ...] = ()  # (user group id, its handle)


@dataclass(frozen=True)
class TimeboxCommand:
    verb: str
    naming: tuple[RoleNaming, ...] = ()  # `roles`: each role named, in the order typed
    setting: str = ""
    value: str = ""
    calendar: CalendarRequest | None = None


def parse_timebox(text: str) -> TimeboxCommand:
    verb, rest = _split(text, "help")
    if verb == "help":
        return TimeboxCommand("help")
    if verb == "setup" and not rest:
        return TimeboxCommand("setup")
    if verb == "calendar":
        return TimeboxCommand("calendar", calendar=parse_calendar(rest, usage("/timebox", verb)))
    if verb == "connect" and [w.lower() for w in rest] in (
        [],
        ["status"],
        ["jira"],
        ["github"],
        ["linear"],
    ):
        return TimeboxCommand(verb, value=" ".join(rest).lower())
    if verb == "connect":
        raise UsageError(
            f"`{' '.join(rest)}` is not a tracker: say `jira`, `github` or `linear` (or "
            "`status`), or nothing to choose one.",
            usage("/timebox", verb),
        )
    if verb == "disconnect":
        _nothing_more("/timebox", verb, rest)
        return TimeboxCommand(verb)
    if verb == "roles":
        return TimeboxCommand("roles", naming=_role_naming(_rest(text, 1)))
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
            "refinement": "refinement",
            "priority": "priority",
            "prioritisation": "priority",
            "prioritization": "priority",
        }
        if setting not in aliases or len(rest) < 2:
            raise UsageError("Name a setting and its value.", usage("/timebox", "settings"))
        value = as_typed(" ".join(rest[1:]))
        return TimeboxCommand("settings", setting=aliases[setting], value=value)
    raise _unknown("/timebox", text)


def _role_naming(text: str) -> tuple[RoleNaming, ...]:
    """`po @a sm @b dev @c @d`: each role word followed by its people and user groups, as
    many roles as typed (a role typed twice takes everyone named for it); nothing: show them.
    `po` and `sm` need someone; `dev` alone means everyone else in the channel."""
    line = usage("/timebox", "roles")
    named: dict[str, list[str]] = {}
    words: list[str] | None = None  # the mentions of the role typed last
    for token in _TOKEN.findall(text):
        if (role := ROLE_ALIASES.get(token.lower())) is not None:
            words = named.setdefault(role, [])
        elif words is None:
            raise UsageError(f"`{token}` is not a role: `po`, `sm` or `dev`.", line)
        elif _MENTION.fullmatch(token) or _SUBTEAM.fullmatch(token):
            words.append(token)
        else:
            raise UsageError(
                f"`{token}` is not a mention: pick people (or a user group) with @ so Slack "
                "links them.",
                line,
            )
    return tuple(_named_for(role, " ".join(words), line) for role, words in named.items())


def _named_for(role: str, mentions: str, line: str) -> RoleNaming:
    users = tuple(dict.fromkeys(_MENTION.findall(mentions)))
    groups = tuple({g: (g, (h or g).lstrip("@")) for g, h in _SUBTEAM.findall(mentions)}.values())
    if role != "dev" and not (users or groups):
        raise UsageError(f"Name at least one {ROLE_NAMES[role]} after `{role}`.", line)
    return RoleNaming(role, users, groups)


@dataclass(frozen=True)
class ReadyCommand:
    verb: str
    number: int | None = None
    days: int = 0
    remind: RemindAt | None = None


def parse_ready(text: str) -> ReadyCommand:
    text = named(text).lower()  # an id lower-cased is no one's: the names, as typed
    verb, rest = _split(text, "check")
    if verb == "check" and len(rest) == 1 and re.fullmatch(r"#?\d+", rest[0]):
        verb, rest = rest[0], []  # `/ready check 2` is `/ready 2`
    if re.fullmatch(r"#?\d+", verb):
        return ReadyCommand("item", number=_number(verb, "/ready", "item"))
    match verb:
        case "check" | "help":
            _nothing_more("/ready", verb, rest)
            return ReadyCommand(verb)
        case "dor" | "definition":  # its card has the button that edits it
            _nothing_more("/ready", "dor", [w for w in rest if w not in ("edit", "show")])
            return ReadyCommand("dor")
        case "remind" | "reminder":
            return ReadyCommand("remind", remind=parse_remind(rest))
        case "snooze":
            if len(rest) != 2 or not _whole(rest[1].rstrip("d")):
                raise UsageError(
                    "Say which item and for how many days, from 1 to 90: `/ready snooze 12 5`.",
                    usage("/ready", "snooze"),
                )
            return ReadyCommand(
                "snooze", number=_number(rest[0], "/ready", "snooze"), days=int(rest[1].rstrip("d"))
            )
    raise _unknown("/ready", text)


@dataclass(frozen=True)
class RefineCommand:
    verb: str
    minutes: int | None = None
    text: str = ""
    users: tuple[str, ...] = ()
    flag: bool = False
    schedule: Schedule | None = None


def _not_positive(word: str, example: str) -> str | None:
    """Why a length is refused when it is zero or negative (`0m`, `-5m`), else None."""
    if word.startswith(("-", "−")):
        return f"`{word}` is a negative length: give one like `{example}`."
    return None


MEETING_RANGE = (5, 8 * 60)
"""How long a meeting may last (`start`); agendas.agenda holds agendas to it too."""
EXTEND_RANGE = (1, 60)
"""How much one extension may add (`extend`); agendas.engine.extend holds the clock to it."""


def meeting_lengths() -> str:
    """The lengths a meeting may have, in words."""
    low, high = MEETING_RANGE
    return f"A meeting lasts between {low} minutes and {high // 60} hours."


def extension_lengths(command: str) -> str:
    """The lengths one extension may have, in words, with an example of `command`."""
    low, high = EXTEND_RANGE
    return f"Extend by {low} to {high} minutes, e.g. `{command} extend 5m`."


def parse_minutes(word: str, command: str, verb: str, *, extension: bool = False) -> int:
    """`45m`, `45`, `1h`, `1h30m`, `90min` into minutes: a meeting's length, or one
    `extension`'s. Zero and negative lengths are refused, and any outside the range, which the
    refusal states."""
    line = usage(command, verb)
    if (negative := _not_positive(word, "45m")) is not None:
        raise UsageError(negative, line)
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)(?:m|min|mins|minutes)?)?", word.lower())
    if not word or match is None or not any(match.groups()):
        raise UsageError(f"`{word}` is not a length like `45m` or `1h30m`.", line)
    hours, minutes = (_count(digits or "0") for digits in match.groups())
    minutes += hours * 60
    if minutes <= 0:
        raise UsageError(f"`{word}` is no time at all: give a length like `45m`.", line)
    low, high = EXTEND_RANGE if extension else MEETING_RANGE
    if not low <= minutes <= high:
        lengths = extension_lengths(command) if extension else meeting_lengths()
        too = "long" if minutes > high else "short"
        raise UsageError(f"`{word}` is too {too}. {lengths}", line)
    return minutes


def _count(digits: str) -> int:
    """A count typed in digits: past nine digits, more than any length allows, it is not read
    (int() refuses thousands of them) but counted as a billion."""
    significant = digits.lstrip("0") or "0"
    return int(significant) if len(significant) <= 9 else 10**9


def parse_refine(text: str) -> RefineCommand:
    """Mentions stay Slack's markup for `note`'s owner (see bot/domain/typed.py)."""
    verb, rest = _split(text, "status")
    match verb:
        case "start":
            if len(rest) > 1:
                raise UsageError("Give at most one length.", usage("/refine", "start"))
            return RefineCommand(
                "start", minutes=parse_minutes(rest[0], "/refine", "start") if rest else None
            )
        case "status" | "next" | "pause" | "resume" | "end" | "agenda" | "history" | "help":
            return RefineCommand(verb)
        case "extend":
            minutes = parse_minutes(rest[0], "/refine", "extend", extension=True) if rest else None
            return RefineCommand("extend", minutes=minutes)
        case "goal" | "note":
            body = _rest(text, 1)
            users = tuple(_MENTION.findall(body))
            body = as_typed(_MENTION.sub("", body)).strip()
            if not body:
                raise UsageError("Say it in words after the command.", usage("/refine", verb))
            return RefineCommand(verb, text=body, users=users)
        case "schedule":
            when = parse_schedule("refinement", rest, usage("/refine", "schedule"))
            return RefineCommand("schedule", schedule=when)
        case "auto":
            if rest not in (["on"], ["off"]):
                raise UsageError("Say `on` or `off`.", usage("/refine", "auto"))
            return RefineCommand("auto", flag=rest == ["on"])
    raise _unknown("/refine", text)


# -- /poker (planning poker) --------------------------------------------------------------------

_SUBTEAM = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>")
_TOKEN = re.compile(r"<[^>]*>|[^\s,]+")
_WEEKDAYS = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
_KEYWORDS = ("with", "voters", "for", "until")


@dataclass(frozen=True)
class PokerCommand:
    verb: str  # pick | live | async | deck | tshirt | history | calibrate | help
    numbers: tuple[int, ...] = ()
    with_roles: tuple[str, ...] = ()
    voters: tuple[str, ...] = ()  # user ids
    groups: tuple[tuple[str, str], ...] = ()  # (user group id, its @handle)
    duration: timedelta | None = None
    until: Until | None = None
    words: tuple[str, ...] = ()  # what follows `deck` or `tshirt`


def parse_poker(text: str) -> PokerCommand:
    """Mentions stay Slack's markup (see bot/domain/typed.py): voters are ids."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return PokerCommand("pick")
    verb = tokens[0].lower()
    if verb == "help":
        return PokerCommand("help")
    words = tuple(as_typed(" ".join(tokens[1:])).split())
    if verb == "deck":
        return PokerCommand("deck", words=words)
    if verb in ("tshirt", "t-shirt", "sizes"):
        return PokerCommand("tshirt", words=words)
    if verb in ("history", "estimates"):
        if len(tokens) != 2:
            raise UsageError("Name one item.", usage("/poker", "history"))
        return PokerCommand("history", numbers=(_number(tokens[1], "/poker", "history"),))
    if verb in ("calibrate", "calibration"):
        if len(tokens) > 1:
            raise UsageError(
                "`calibrate` takes nothing more: it shows every estimate.",
                usage("/poker", "calibrate"),
            )
        return PokerCommand("calibrate")
    mode = "async" if verb in ("async", "poll") else "live"
    rest = tokens[1:] if mode == "async" else tokens
    if mode == "live" and not re.fullmatch(r"#?\d+", verb):
        raise UsageError(
            f"`/poker {tokens[0]}` is not something I know: give item numbers, e.g. `/poker 12`.",
            usage("/poker", "live"),
        )
    numbers: list[int] = []
    while rest and rest[0].lower() not in _KEYWORDS:
        if rest[0].lower() != "and":
            numbers.append(_number(rest[0], "/poker", mode))
        rest = rest[1:]
    if not numbers:
        raise UsageError("Say which items to estimate.", usage("/poker", mode))
    options: dict[str, object] = {}
    while rest:
        keyword, rest = rest[0].lower(), rest[1:]
        taken = 0
        while taken < len(rest) and rest[taken].lower() not in _KEYWORDS:
            taken += 1
        args, rest = rest[:taken], rest[taken:]
        if keyword in options:
            raise UsageError(f"Say `{keyword}` once.", usage("/poker", mode))
        if keyword in ("for", "until") and mode == "live":
            raise UsageError(
                "Deadlines are for async polls, e.g. `/poker async 12 for 24h`.",
                usage("/poker", "async"),
            )
        if keyword in ("for", "until") and ({"for", "until"} & set(options)):
            raise UsageError("Give either `for` or `until`.", usage("/poker", "async"))
        options[keyword] = _poker_option(keyword, args, mode)
    voters, groups = options.get("voters", ((), ()))  # type: ignore[misc]
    return PokerCommand(
        mode,
        numbers=tuple(dict.fromkeys(numbers)),
        with_roles=options.get("with", ()),  # type: ignore[arg-type]
        voters=voters,
        groups=groups,
        duration=options.get("for"),  # type: ignore[arg-type]
        until=options.get("until"),  # type: ignore[arg-type]
    )


def _poker_option(keyword: str, args: list[str], mode: str) -> object:
    line = usage("/poker", mode)
    if keyword == "with":
        roles = {"po": "po", "product-owner": "po", "sm": "sm", "scrum-master": "sm"}
        words = [a.lower() for a in args if a.lower() != "and"]
        if words in (["all"], ["everyone"], ["both"]):
            return ("po", "sm")
        if not words or any(w not in roles for w in words):
            raise UsageError("Say `with po`, `with sm` or `with po sm`.", line)
        return tuple(dict.fromkeys(roles[w] for w in words))
    if keyword == "voters":
        users: list[str] = []
        groups: list[tuple[str, str]] = []
        for arg in args:
            if (user := _MENTION.fullmatch(arg)) is not None:
                users.append(user.group(1))
            elif (group := _SUBTEAM.fullmatch(arg)) is not None:
                groups.append((group.group(1), group.group(2) or "a user group"))
            else:
                raise UsageError(f"`{arg}` is not a mention: pick people or a group with @.", line)
        if not users and not groups:
            raise UsageError("Name the voters with @.", line)
        return tuple(dict.fromkeys(users)), tuple(dict.fromkeys(groups))
    if keyword == "for":
        return _poker_duration(" ".join(args))
    return _poker_until(args)


def _poker_duration(text: str) -> timedelta:
    if (negative := _not_positive(text.strip(), "24h")) is not None:
        raise UsageError(negative, usage("/poker", "async"))
    compact = re.sub(r"\s+", "", text.lower())
    match = re.fullmatch(
        r"(?:(\d{1,6})d(?:ays?)?)?(?:(\d{1,6})h(?:ours?|rs?)?)?(?:(\d{1,6})m(?:in(?:utes?|s)?)?)?",
        compact,
    )
    if not compact or match is None or not any(match.groups()):
        raise UsageError(
            f"`{text}` is not a length like `24h`, `2d` or `90m`.", usage("/poker", "async")
        )
    days, hours, minutes = (int(g or 0) for g in match.groups())
    if not days + hours + minutes:
        raise UsageError(
            f"`{text}` is no time at all: give the poll a length like `24h`.",
            usage("/poker", "async"),
        )
    return timedelta(days=days, hours=hours, minutes=minutes)


def _poker_until(args: list[str]) -> Until:
    line = usage("/poker", "async")
    if not args or len(args) > 2:
        raise UsageError("Say when, e.g. `until fri 17:00` or `until 2026-03-06 12:00`.", line)
    day_word, at = args[0].lower(), None
    if re.fullmatch(r"\d{1,2}(:\d{2})?(am|pm)?", day_word) and len(args) == 1:
        return Until(at=_clock_time(day_word, line))
    if len(args) == 2:
        at = _clock_time(args[1].lower(), line)
    if day_word == "today":
        return Until(at=at)
    if day_word == "tomorrow":
        return Until(at=at, tomorrow=True)
    if day_word[:3] in _WEEKDAYS and day_word.isalpha():
        return Until(at=at, weekday=_WEEKDAYS[day_word[:3]])
    try:
        return Until(at=at, day=date.fromisoformat(day_word))
    except ValueError:
        raise UsageError(f"`{args[0]}` is not a day like `fri` or `2026-03-06`.", line) from None


def _clock_time(word: str, line: str) -> time:
    return clock_time(word, "`17:00` or `5pm`", line)


@dataclass(frozen=True)
class SprintCommand:
    verb: str
    number: int | None = None
    text: str = ""
    minutes: int | None = None
    format: str = ""
    task: int | None = None
    edit: TaskEdit | None = None
    schedule: Schedule | None = None


def _rest(text: str, words: int) -> str:
    """The text after the first `words` words, mentions as Slack's markup (for their ids)."""
    parts = text.strip().split(maxsplit=words)
    return parts[words] if len(parts) > words else ""


def _rest_text(text: str, words: int) -> str:
    """The text after the first `words` words, as typed (see bot/domain/typed.py)."""
    return as_typed(_rest(text, words))


def _meeting_clock(command: str, verb: str, rest: list[str]) -> SprintCommand | None:
    """The verbs every timeboxed meeting command shares (`start [2h]`, `status`, `next`,
    `extend 5m`, `pause`, `resume`, `end`, `history`, `agenda`, `help`); None for any other
    verb."""
    match verb:
        case "start":
            minutes = parse_minutes(rest[0], command, "start") if rest else None
            return SprintCommand("start", minutes=minutes)
        case "status" | "next" | "pause" | "resume" | "end" | "history" | "agenda" | "help":
            return SprintCommand(verb)
        case "extend":
            minutes = parse_minutes(rest[0], command, "next", extension=True) if rest else None
            return SprintCommand("extend", minutes=minutes)
    return None


def parse_planning(text: str) -> SprintCommand:
    verb, rest = _split(text, "status")
    if clock := _meeting_clock("/planning", verb, rest):
        return clock
    match verb:
        case "goal":
            goal = _rest_text(text, 1)
            if not goal:
                raise UsageError("Write the goal after `goal`.", usage("/planning", "goal"))
            return SprintCommand("goal", text=goal)
        case "add" | "drop":
            number = _number(rest[0] if rest else None, "/planning", verb)
            return SprintCommand(verb, number=number, text=_rest_text(text, 2))
        case "schedule":
            when = parse_schedule("planning", rest, usage("/planning", "schedule"))
            return SprintCommand("schedule", schedule=when)
        case "commit":
            if rest not in ([], ["team"]):
                raise UsageError("`commit` or `commit team`.", usage("/planning", "commit"))
            return SprintCommand("commit_team" if rest else "commit")
    raise _unknown("/planning", text)


def parse_review(text: str) -> SprintCommand:
    clock = _meeting_clock("/review", *_split(text, "status"))
    if clock is None:
        raise _unknown("/review", text)
    return clock


def parse_sprint(text: str) -> SprintCommand:
    verb, rest = _split(text, "show")
    match verb:
        case "show" | "close" | "velocity" | "help":
            _nothing_more("/sprint", verb, rest)
            return SprintCommand(verb)
        case "burndown":
            words = [word.lower() for word in rest]
            unit = next((w for w in words if w in ("points", "hours")), "points")
            numbers = [w for w in words if w not in ("points", "hours")]
            if len(numbers) > 1 or len(words) - len(numbers) > 1:
                raise UsageError(
                    "`burndown`, `burndown hours`, or either with a sprint's number.",
                    usage("/sprint", "burndown"),
                )
            if numbers and not re.fullmatch(r"#?\d{1,9}", numbers[0]):
                raise UsageError(
                    f"`{numbers[0]}` is not a sprint number: `burndown 3` draws sprint 3's, "
                    "`burndown hours` the task hours left.",
                    usage("/sprint", "burndown"),
                )
            number = int(numbers[0].lstrip("#")) if numbers else None
            return SprintCommand(verb, number=number, format=unit)
        case "task":
            return _task_command(text, rest)
        case "add" | "remove":
            number = _number(rest[0] if rest else None, "/sprint", verb)
            return SprintCommand(verb, number=number, text=_rest_text(text, 2))
        case "done" | "tasks":
            return SprintCommand(verb, number=_number(rest[0] if rest else None, "/sprint", verb))
        case "export":
            return _sprint_export(rest)
    raise _unknown("/sprint", text)


def _sprint_export(rest: list[str]) -> SprintCommand:
    """`export md|csv [<sprint number>]`: without a number, the use case picks the sprint."""
    line = usage("/sprint", "export")
    fmt = rest[0].lower() if rest else ""
    if fmt not in ("md", "csv", "markdown"):
        raise UsageError("Choose `md` or `csv`.", line)
    if rest[2:] or (rest[1:] and not re.fullmatch(r"#?\d{1,9}", rest[1])):
        raise UsageError(
            f"`{' '.join(rest[1:])}` is not a sprint number: `export {fmt} 3` exports sprint 3.",
            line,
        )
    number = int(rest[1].lstrip("#")) if rest[1:] else None
    return SprintCommand("export", number=number, format="md" if fmt == "markdown" else fmt)


def _task_command(text: str, rest: list[str]) -> SprintCommand:
    """`task <n>` (its tasks), `task <n> add <title> 2h`, `task <n> <task> <changes>`."""
    number = _number(rest[0] if rest else None, "/sprint", "task")
    if len(rest) == 1:
        return SprintCommand("task", number=number)
    if rest[1].lower() == "add":
        if not (title := _rest_text(text, 3)):
            raise UsageError(
                "Say the task and its hours after `add`, like `add Write the docs 2h`.",
                usage("/sprint", "task"),
            )
        return SprintCommand("task_add", number=number, text=title)
    if not _whole(rest[1]):
        raise UsageError(
            f"`{rest[1]}` is not a task number: `/sprint task {number}` numbers them.",
            usage("/sprint", "task"),
        )
    return SprintCommand("task_edit", number=number, task=int(rest[1]), edit=_task_edit(rest[2:]))


def _task_edit(words: list[str]) -> TaskEdit:
    """`owner @name|me|none`, `hours 3`, `left 1`, `done`, `open`, in any order."""
    line = usage("/sprint", "task")
    edit, rest = TaskEdit(), iter(words)
    for word in rest:
        match word.lower():
            case "done" | "open" | "reopen" | "todo":
                edit = replace(edit, done=word.lower() == "done")
            case "owner":
                edit = replace(edit, owner=_task_owner(next(rest, ""), line))
            case "hours" | "left" as what:
                hours = parse_time(next(rest, ""))
                if hours is None:
                    raise UsageError(
                        f"`{what}` needs a time, like `{what} 3` (hours), `{what} 30m` or "
                        f"`{what} 1h30`.",
                        line,
                    )
                edit = replace(edit, **{what: hours})
            case _:
                raise UsageError(
                    f"`{word}` is not a change I know: `owner @name`, `hours 3`, `left 1`, "
                    "`done` or `open`.",
                    line,
                )
    if edit == TaskEdit():
        raise UsageError("Say what changes: `owner @name`, `hours 3`, `left 1`, `done`.", line)
    return edit


def _task_owner(word: str, line: str) -> str:
    """A mention, `me` or `none` (nobody)."""
    if word.lower() == "me":
        return ME
    if word.lower() in ("none", "nobody"):
        return ""
    mention = _MENTION.fullmatch(word)
    if mention is None:
        raise UsageError("`owner` takes a person (`owner @name`), `me` or `none`.", line)
    return mention.group(1)
