"""Meeting agendas as data: loading, checking and scaling them to the time a team has.

An agenda is a YAML document: a name, an optional length in minutes, and sections with a
title, minutes or a share of the meeting, a purpose and the actions the section offers. A
broken document is refused with the line and field at fault, so a team's agenda is never
half-replaced.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.domain.ceremonies import (
    PLANNING_PER_WEEK,
    planning_limit,
    planning_timebox,
    require_planning_length,
)
from bot.domain.commands import MEETING_RANGE, meeting_lengths
from bot.domain.errors import UserError
from storage.models import Team

if TYPE_CHECKING:  # PyYAML is loaded when an agenda is first read or written
    import yaml

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
KINDS = ("refinement", "planning", "review")
ACTIONS = {
    "refinement": {"goal", "triage", "deep_dive", "wrapup"},
    "planning": {"goal", "selection", "capacity", "breakdown", "commit"},
    "review": {"increment", "goal_check"},
}
MIN_MINUTES, MAX_MINUTES = MEETING_RANGE


class AgendaError(UserError):
    """A team's agenda file is wrong; the message names the line and the field."""


@dataclass(frozen=True)
class Section:
    title: str
    minutes: float  # after scaling; may be fractional in a share-only agenda before scaling
    purpose: str = ""
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agenda:
    name: str
    kind: str
    minutes: int | None
    sections: tuple[Section, ...]

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["sections"] = [{**asdict(s), "actions": list(s.actions)} for s in self.sections]
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Agenda:
        return cls(
            name=data["name"],
            kind=data["kind"],
            minutes=data.get("minutes"),
            sections=tuple(
                Section(s["title"], s["minutes"], s.get("purpose", ""), tuple(s.get("actions", ())))
                for s in data["sections"]
            ),
        )

    @property
    def planned(self) -> float:
        return sum(s.minutes for s in self.sections)

    def to_yaml(self) -> str:
        """The agenda as a YAML file that `parse` takes back as it is: one without a length
        (its sections' `minutes` are shares, `_resolve`) gives `share:` and no `minutes:`,
        so it still lasts as its kind's meetings last (a planning's whole timebox)."""
        unit = "minutes" if self.minutes is not None else "share"
        data: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.minutes is not None:
            data["minutes"] = self.minutes
        data["sections"] = [
            {
                "title": s.title,
                unit: s.minutes,
                "purpose": s.purpose,
                "actions": list(s.actions),
            }
            for s in self.sections
        ]
        import yaml

        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def builtin(kind: str) -> Agenda:
    return parse((HERE / f"{kind}.yml").read_text(), kind)


def for_team(team_agendas: dict[str, Any], kind: str) -> Agenda:
    """The team's own agenda of this kind, or the built-in one."""
    data = (team_agendas or {}).get(kind)
    return Agenda.from_data(data) if data else builtin(kind)


def is_custom(team: Team, kind: str) -> bool:
    return kind in (team.agendas or {})


def adopt(team: Team, agenda: Agenda) -> None:
    """The team's own agenda of its kind from now on."""
    team.agendas = {**(team.agendas or {}), agenda.kind: agenda.to_data()}


def reset(team: Team, kind: str) -> Agenda:
    """Back to the built-in agenda of this kind; returns it."""
    team.agendas = {k: v for k, v in (team.agendas or {}).items() if k != kind}
    return builtin(kind)


def edited(current: Agenda, amounts: Sequence[str], purposes: Sequence[str]) -> Agenda:
    """`current` with the lengths (minutes, or % of the meeting for a share-only agenda) and
    purposes typed in its form, one per section; a wrong one is refused naming its section,
    and percentages that do not make the whole meeting saying what to type (`_require_shares`)."""
    sections = []
    for index, section in enumerate(current.sections):
        value = amounts[index] if index < len(amounts) else ""
        if not re.fullmatch(r"\d{1,4}", value) or int(value) < 1:
            raise UserError(f"Section {index + 1}: give a whole number.")
        amount = int(value) if current.minutes else int(value) / 100
        purpose = " ".join((purposes[index] if index < len(purposes) else "").split())
        sections.append(replace(section, minutes=amount, purpose=purpose))
    total = int(sum(s.minutes for s in sections)) if current.minutes else None
    if total is not None and not MIN_MINUTES <= total <= MAX_MINUTES:
        raise UserError(
            f"The sections add up to {total} minutes: keep it from {MIN_MINUTES} to {MAX_MINUTES}."
        )
    agenda = replace(current, minutes=total, sections=tuple(sections))
    _require_shares(agenda, in_form=True)
    return agenda


def _plain_problem(problem: str) -> str:
    """PyYAML's words for a broken document without its Python quoting: `expected ',' or
    ']', but got '<stream end>'` reads `: expected “,” or “]”, but found the end of the text`."""
    if not problem:
        return ""
    names = {"<stream end>": "the end of the text", "\\t": "a tab (indent with spaces)"}
    plain = re.sub(r"'([^']*)'", lambda m: names.get(m.group(1), f"“{m.group(1)}”"), problem)
    for python, words in (
        ("but got", "but found"),
        ("the node content", "a value"),
        ("unexpected end of stream", "the end of the text too soon"),
    ):
        plain = plain.replace(python, words)
    plain = re.sub(r"character (.+?) that cannot start any token", r"\1, not allowed there", plain)
    return ": " + plain.rstrip(".")


def _line(node: yaml.Node | None) -> str:
    return f"line {node.start_mark.line + 1}" if node is not None else "the file"


def _get(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return value_node
    return None


def parse(text: str, kind: str) -> Agenda:
    """Reads and checks an agenda; raises AgendaError naming the line and field at fault.

    Anything else a check trips on (a bug here, not a mistake in the file) is logged with its
    traceback and the file refused as one that could not be read: the sharer is answered all
    the same, never left without a word."""
    import yaml

    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "the file"
        problem = _plain_problem(str(getattr(error, "problem", "") or ""))
        raise AgendaError(f"{where}: this is not valid YAML{problem}.") from None
    except Exception:
        # PyYAML lets plain Python errors through for values it cannot build (`2026-13-45`,
        # `!!int x`, `!!bool x`, `!!int` alone) and for very deep nesting: mistakes in the
        # file all the same, whatever the exception.
        raise AgendaError(
            "the file: a value cannot be read (a date, a number or a `!!` tag that is not "
            "valid, or lists nested too deep)."
        ) from None
    try:
        return _checked(root, data, kind)
    except AgendaError:
        raise
    except Exception:
        log.exception("a %s agenda's check failed on a file it had read", kind)
        raise AgendaError(
            "the file could not be read as an agenda. `/refine agenda` shows one to start from."
        ) from None


def _checked(root: yaml.Node | None, data: Any, kind: str) -> Agenda:
    """The agenda in a YAML document read (its node tree and its data), checked."""
    import yaml

    if not isinstance(root, yaml.MappingNode) or not isinstance(data, dict):
        raise AgendaError("the file must be a mapping with `name` and `sections`.")
    _repeated(root)
    _misspelled(root)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AgendaError(f"{_line(_get(root, 'name'))}: `name` must be a non-empty text.")
    if data.get("kind", kind) != kind:
        raise AgendaError(f"{_line(_get(root, 'kind'))}: `kind` must be `{kind}` here.")
    minutes = data.get("minutes")
    if minutes is not None and (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not MIN_MINUTES <= minutes <= MAX_MINUTES
    ):
        raise AgendaError(
            f"{_line(_get(root, 'minutes'))}: `minutes` must be a whole number from "
            f"{MIN_MINUTES} to {MAX_MINUTES}."
        )
    sections_node = _get(root, "sections")
    raw_sections = data.get("sections")
    if (
        not isinstance(raw_sections, list)
        or not raw_sections
        or not isinstance(sections_node, yaml.SequenceNode)
    ):
        raise AgendaError(f"{_line(sections_node)}: `sections` must be a list of sections.")
    if len(raw_sections) > 12:
        raise AgendaError(f"{_line(sections_node)}: at most 12 sections.")
    sections = [
        _section(raw, node, index, kind)
        for index, (raw, node) in enumerate(zip(raw_sections, sections_node.value, strict=True))
    ]
    return _resolve(name.strip(), kind, minutes, sections)


def _nodes(root: yaml.Node) -> Iterator[yaml.Node]:
    """Every node of a document once (an alias is its anchor's node, walked once), without
    recursion: a deeply nested file is no deeper a stack here."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node.value, list):
            for child in reversed(node.value):
                stack.extend(reversed(child) if isinstance(child, tuple) else (child,))


def _repeated(root: yaml.MappingNode) -> None:
    """Refuses a key given twice in one mapping, at any level: YAML keeps the last value
    without a word, so half of what the file says would be dropped. The second one's line."""
    import yaml

    for node in _nodes(root):
        if not isinstance(node, yaml.MappingNode):
            continue
        keys: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = (key_node.tag, key_node.value)
            if key in keys:
                raise AgendaError(f"{_line(key_node)}: {_named(key_node.value)} is given twice.")
            keys.add(key)


def _named(key: str) -> str:
    """A key of the file, as a message names it: in code quotes, on one line, cut short."""
    plain = " ".join(key.replace("`", "'").split()) or " "
    return f"`{plain[:40]}…`" if len(plain) > 40 else f"`{plain}`"


AGENDA_KEYS = frozenset({"name", "kind", "minutes", "sections"})
# Top-level keys of the YAML files teams share that are no agenda: Compose, CI workflows and
# pipelines, Kubernetes, Conda and GitHub action files.
FOREIGN_KEYS = frozenset(
    {
        "services",
        "volumes",
        "networks",
        "version",
        "image",
        "jobs",
        "on",
        "steps",
        "stages",
        "script",
        "workflows",
        "pipeline",
        "pipelines",
        "trigger",
        "pool",
        "variables",
        "include",
        "apiVersion",
        "metadata",
        "spec",
        "channels",
        "dependencies",
        "runs",
    }
)
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+([^#\n]*))?", re.MULTILINE)


def near_key(key: str, keys: frozenset[str] = AGENDA_KEYS) -> str | None:
    """The key of `keys` a misspelled one most likely meant: a top-level key (`section` →
    `sections`), or a section's field with SECTION_KEYS (`purpse` → `purpose`)."""
    import difflib

    return next(iter(difflib.get_close_matches(key, sorted(keys), n=1, cutoff=0.7)), None)


def looks_like_agenda(text: str) -> bool:
    """Whether a YAML file shared in a channel is meant as an agenda (then `parse` says what is
    wrong with it), not someone's docker-compose.yml or CI workflow (left alone): its top level
    is a mapping of text keys with none known from such files, and `sections`, a meeting's
    `kind`, only agenda keys, or agenda keys beside one or two others where a typo would put
    them (two agenda keys, or a key near one). A file PyYAML cannot read is judged by its
    top-level `key:` lines. Pure and CPU-bound."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except Exception:  # as in `parse`: PyYAML raises more than YAMLError
        data = {key: value.strip().strip("'\"") for key, value in _TOP_KEY.findall(text)}
    if not isinstance(data, dict) or not data or not all(isinstance(k, str) for k in data):
        return False  # YAML 1.1 reads a workflow's `on:` as True: no agenda key
    keys = set(data)
    if keys & FOREIGN_KEYS:
        return False
    if "sections" in keys or data.get("kind") in KINDS or keys <= AGENDA_KEYS:
        return True
    shared, unknown = keys & AGENDA_KEYS, keys - AGENDA_KEYS
    typo = len(shared) >= 2 or any(near_key(key) for key in unknown)
    return bool(shared) and len(unknown) <= 2 and typo


def _misspelled(
    mapping: yaml.MappingNode, keys: frozenset[str] = AGENDA_KEYS, what: str = "agenda field"
) -> None:
    """Refuses a key of `mapping` that is one of `keys` misspelled, naming the one meant: a
    top-level key, or a section's field. Another key is left alone, as it always was."""
    for key_node, _ in mapping.value:
        key = key_node.value
        near = near_key(key, keys) if isinstance(key, str) and key not in keys else None
        if near:
            raise AgendaError(f"{_line(key_node)}: `{key}` is no {what}: write `{near}`.")


SECTION_KEYS = frozenset({"title", "minutes", "share", "purpose", "actions"})
SectionSpec = tuple[str, float | None, float | None, str, tuple[str, ...]]


def _section(raw: Any, node: yaml.Node, index: int, kind: str) -> SectionSpec:
    import yaml

    if not isinstance(raw, dict) or not isinstance(node, yaml.MappingNode):
        raise AgendaError(
            f"{_line(node)}: sections[{index + 1}] must be a mapping with `title` and "
            "`minutes` or `share`."
        )
    _misspelled(node, SECTION_KEYS, f"field of sections[{index + 1}]")

    def fail(field: str, problem: str) -> AgendaError:
        where = _line(_get(node, field) or node)
        return AgendaError(f"{where}: sections[{index + 1}].{field} {problem}")

    def number(value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    title = raw.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 80:
        raise fail("title", "must be a text of 1 to 80 characters.")
    minutes, share = raw.get("minutes"), raw.get("share")
    if (minutes is None) == (share is None):
        raise fail("minutes", "or `share`: give one of them, not both or neither.")
    if minutes is not None and not (number(minutes) and 0 < minutes <= MAX_MINUTES):
        raise fail("minutes", "must be a positive number of minutes.")
    if share is not None and not (number(share) and 0 < share <= 1):
        raise fail("share", "must be a fraction between 0 and 1.")
    purpose = raw.get("purpose", "")
    if not isinstance(purpose, str) or len(purpose) > 500:
        raise fail("purpose", "must be a text of at most 500 characters.")
    actions = raw.get("actions", [])
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise fail("actions", "must be a list of names.")
    unknown = set(actions) - ACTIONS[kind]
    if unknown:
        known = ", ".join(sorted(ACTIONS[kind]))
        raise fail("actions", f"has `{', '.join(sorted(unknown))}`: use {known}.")
    return title.strip(), minutes, share, " ".join(purpose.split()), tuple(actions)


def _resolve(name: str, kind: str, minutes: int | None, sections: list[SectionSpec]) -> Agenda:
    """Turns shares into minutes when the length is known; keeps shares relative otherwise.
    Sections that all have fixed minutes, and no `minutes:`, make a meeting of their sum."""
    fixed = sum(m for _, m, _, _, _ in sections if m is not None)
    shares = sum(s for _, _, s, _, _ in sections if s is not None)
    if minutes is None and not shares:
        minutes = round(fixed)
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise AgendaError(
                f"the sections add up to {fixed:g} minutes: keep it from {MIN_MINUTES} to "
                f"{MAX_MINUTES}."
            )
    if minutes is not None and shares:
        left = minutes - fixed
        if left <= 0:
            raise AgendaError("the sections with fixed minutes leave no time for the shared ones.")
        resolved = [
            Section(t, m if m is not None else left * s / shares, p, a)
            for t, m, s, p, a in sections
        ]
    elif shares and fixed:
        raise AgendaError("mixing `minutes` and `share` needs a meeting length: add `minutes:`.")
    else:
        resolved = [Section(t, m if m is not None else s, p, a) for t, m, s, p, a in sections]
    return Agenda(name, kind, minutes, tuple(resolved))


def scale(agenda: Agenda, total_minutes: int) -> list[Section]:
    """Sections stretched or squeezed to `total_minutes`, in whole minutes (at least 1 each)."""
    if not MIN_MINUTES <= total_minutes <= MAX_MINUTES:
        raise UserError(meeting_lengths())
    if total_minutes < len(agenda.sections):
        raise UserError(
            f"{total_minutes} minutes is too short for {len(agenda.sections)} sections."
        )
    weights = [s.minutes for s in agenda.sections]
    exact = [total_minutes * w / sum(weights) for w in weights]
    whole = [max(1, int(x)) for x in exact]
    # Hand out the minutes lost to rounding, largest remainders first.
    for index in sorted(range(len(exact)), key=lambda i: exact[i] - int(exact[i]), reverse=True):
        if sum(whole) >= total_minutes:
            break
        whole[index] += 1
    while sum(whole) > total_minutes:
        whole[whole.index(max(whole))] -= 1
    return [
        Section(s.title, float(m), s.purpose, s.actions)
        for s, m in zip(agenda.sections, whole, strict=True)
    ]


def default_minutes(agenda: Agenda, sprint_weeks: int) -> int:
    """The length when none is given: the agenda's own (`minutes:`, or its sections' fixed
    minutes added up, as `parse` keeps it), else its kind's: a refinement's or a review's as
    its built-in agenda gives it, a sprint planning's its timebox (`planning_limit`, 2 hours
    per sprint week), which holds a planning's own length too."""
    if agenda.kind == "planning":
        limit = planning_limit(sprint_weeks)
        return min(agenda.minutes or limit, limit)
    return agenda.minutes or _builtin_minutes(agenda.kind)


@cache
def _builtin_minutes(kind: str) -> int:
    """The length of the built-in agenda of a kind other than planning (agendas/*.yml)."""
    minutes = builtin(kind).minutes
    assert minutes, f"agendas/{kind}.yml gives its meeting's `minutes`"
    return minutes


@dataclass(frozen=True)
class Timebox:
    """What a meeting started without a length runs on an agenda, for the agenda's view: its
    length and each section's whole minutes (none when it is too short to split, which
    `scale` refuses at its start), with a sprint planning's timebox for the team's sprint
    length (`limit`, 2 hours per sprint week), None for other kinds."""

    minutes: int
    sections: tuple[int, ...]
    sprint_weeks: int
    limit: int | None = None


def timebox(agenda: Agenda, sprint_weeks: int) -> Timebox:
    """The agenda as `/<kind> start` runs it without a length (`default_minutes`, `scale`): a
    share-only agenda, the built-in sprint planning's, is read in minutes too."""
    total = default_minutes(agenda, sprint_weeks)
    fits = total >= len(agenda.sections)
    sections = tuple(int(s.minutes) for s in scale(agenda, total)) if fits else ()
    limit = planning_limit(sprint_weeks) if agenda.kind == "planning" else None
    return Timebox(total, sections, sprint_weeks, limit)


def _require_sum(agenda: Agenda) -> None:
    """Refuses a length (`minutes:`) other than what the sections' minutes add up to, saying
    the sum and what to type: each section would be stretched or squeezed to the length at
    every start without a word, the agenda still showing the minutes typed. Shares fill the
    length, so they never disagree with it; under a minute apart is rounding (a meeting runs
    whole minutes)."""
    if agenda.minutes is None or abs(agenda.planned - agenda.minutes) < 1:
        return
    total, whole = agenda.planned, round(agenda.planned)
    said = f"the sections add up to {total:g} minutes, but `minutes:` says {agenda.minutes}: "
    if MIN_MINUTES <= whole <= MAX_MINUTES:
        said += f"type `minutes: {whole}` (or leave it out), or "
    raise AgendaError(f"{said}make the sections add up to {agenda.minutes}.")


SHARES_ROUNDING = 0.005
"""How far from the whole meeting shares may add up: half a percent, so three thirds written
0.333 (99.9%) are saved, while a whole percent too many or too few (101%, 99%) is a mistake
to say. Within it, a section runs at most half a percent of the meeting from its share (2.4
minutes of 8 hours)."""


def _require_shares(agenda: Agenda, *, in_form: bool = False) -> None:
    """Refuses shares of the meeting (an agenda without `minutes:`) that do not add up to the
    whole of it, saying their sum and what to type: `scale` spreads the meeting over their sum,
    so 20/30/15/30/10 % (105%) would run the 20% section as 19% without a word, the agenda
    still saying 20%. `in_form`: as the lengths form types them, in whole percents per
    section; otherwise as YAML's `share:` fractions."""
    shares = [s.minutes for s in agenda.sections]
    total = sum(shares)
    if agenda.minutes is not None or round(abs(total - 1), 9) <= SHARES_ROUNDING:
        return
    fix = _one_share_fixed(shares)
    percent = f"{round(total * 100, 1):g}%"
    if in_form:
        said = f"The sections add up to {percent} of the meeting, not 100%: "
        if fix:
            said += f"type {round(fix[1] * 100)} for section {fix[0] + 1}, or "
        raise UserError(f"{said}make them add up to 100.")
    said = f"the shares add up to {round(total, 3):g} ({percent} of the meeting), not 1: "
    if fix:
        said += f"type `share: {round(fix[1], 3):g}` in sections[{fix[0] + 1}], or "
    raise AgendaError(f"{said}make {'the shares' if fix else 'them'} add up to 1.")


def _one_share_fixed(shares: Sequence[float]) -> tuple[int, float] | None:
    """The section whose share alone, changed, makes the whole meeting, and its new share: the
    largest (the first of equals), which can give the most; none when that would leave it
    under 1%."""
    index = max(range(len(shares)), key=lambda i: shares[i])
    share = shares[index] + 1 - sum(shares)
    return (index, share) if round(share, 9) >= 0.01 else None


def require_fits(agenda: Agenda, sprint_weeks: int) -> None:
    """Refuses, where an agenda is saved (a shared file, the agenda form), a length its
    sections do not add up to (`_require_sum`), shares that do not make the whole meeting
    (`_require_shares`), and a sprint planning's agenda longer than the team's planning
    timebox (2 hours per sprint week, `planning_limit`), naming both: each would be stretched
    or squeezed at every start without a word. An agenda of shares and no `minutes:` takes
    the timebox itself."""
    _require_sum(agenda)
    _require_shares(agenda)
    limit = planning_limit(sprint_weeks)
    if agenda.kind != "planning" or not agenda.minutes or agenda.minutes <= limit:
        return
    raise AgendaError(  # the limit is below 8 hours, the longest an agenda lasts: not capped
        f"this sprint planning lasts {agenda.minutes} minutes, and a {sprint_weeks}-week "
        f"sprint's planning lasts at most {limit} minutes ({PLANNING_PER_WEEK // 60} h per "
        "sprint week): shorten it."
    )


def length(agenda: Agenda, minutes: int | None, sprint_weeks: int) -> int:
    """A meeting's length on this agenda: `minutes` as asked, else the default; a sprint
    planning asked to last longer than its timebox (`planning_limit`) is refused."""
    if not minutes:
        return default_minutes(agenda, sprint_weeks)
    if agenda.kind == "planning":
        require_planning_length(sprint_weeks, minutes, "start")
    return minutes


def extension_left(kind: str, sprint_weeks: int | None, used: float) -> int | None:
    """How many whole minutes a meeting of this kind whose timebox takes `used` minutes may
    still be extended by: None for one without a limit (not a sprint planning, or one started
    before its sprint's length was kept). Past it, `extension_refused` says why."""
    if kind != "planning" or not sprint_weeks:
        return None
    return max(0, int(planning_limit(sprint_weeks) - used))


def extension_refused(sprint_weeks: int, left: int) -> str:
    """Why an extension past a sprint planning's timebox is refused, and what is left."""
    if left <= 0:
        return (
            f"{planning_timebox(sprint_weeks)}, and all of it is booked already: commit to "
            "what is planned, or `/planning end` ends the meeting."
        )
    return (
        f"{planning_timebox(sprint_weeks)}: {left} minute{'s' if left != 1 else ''} left, "
        f"so type `/planning extend {left}m` or less."
    )
