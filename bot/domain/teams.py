"""Teams, Scrum roles and team settings.

Roles decide who may do what: the Product Owner orders the product backlog, a Scrum Master
facilitates, Developers own the sprint backlog. Until someone is named, every channel member who
is neither PO nor SM counts as a Developer. A channel is set up by whoever first uses it for
something that needs a role (the setup form); nobody becomes Product Owner by being first. The
Product Owner is one person (`check_one_po`). A Slack user group can hold the other roles: its
members hold it. Only those in the channel count where
the channel's work waits for people (poker voters, planning's Developers): `present`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.calendar import (
    WEEKDAYS,
    is_working_day,
    parse_country,
    parse_date,
    parse_working_days,
    working_days,
    zone_name,
)
from bot.domain.errors import NotAllowed, UsageError, UserError
from bot.domain.priority import parse_scheme
from bot.domain.refinement_budget import parse_share, share_of
from storage.models import Team

ROLE_NAMES = {"po": "Product Owner", "sm": "Scrum Master", "dev": "Developer"}
ROLE_ALIASES = {
    "po": "po",
    "product-owner": "po",
    "owner": "po",
    "sm": "sm",
    "scrum-master": "sm",
    "master": "sm",
    "dev": "dev",
    "devs": "dev",
    "developer": "dev",
    "developers": "dev",
}


@dataclass(frozen=True)
class RoleGroup:
    """A Slack user group (`@design-team`) named for a role, with its members as Slack last
    said (usergroups.users.list, read when the group is named and when roles are shown)."""

    role: str
    id: str  # S…
    handle: str  # design-team
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Roles:
    """Who holds each role. `po`, `sm` and `dev` are people: those named, and the members of
    the user groups named (`groups`), so whoever asks for a role's people gets members."""

    po: tuple[str, ...] = ()
    sm: tuple[str, ...] = ()
    dev: tuple[str, ...] = ()  # empty (and no developer group): everyone else in the channel
    groups: tuple[RoleGroup, ...] = ()
    direct: tuple[tuple[str, str], ...] = ()
    """(role, user) of the people named themselves, when groups are named too."""

    @classmethod
    def of(cls, team: Team) -> Roles:
        people: list[tuple[str, str]] = []
        groups: list[RoleGroup] = []
        for assignment in sorted(team.roles, key=lambda a: a.id or 0):
            if assignment.members is None:
                people.append((assignment.role, assignment.user_id))
            else:
                handle = assignment.handle or assignment.user_id
                members = tuple(assignment.members)
                groups.append(RoleGroup(assignment.role, assignment.user_id, handle, members))
        return cls.named_as(people, groups)

    @classmethod
    def named_as(cls, people: Iterable[tuple[str, str]], groups: Iterable[RoleGroup]) -> Roles:
        """Roles from who was named: (role, user) pairs and user groups."""
        people, groups = list(people), tuple(groups)
        by_role: dict[str, list[str]] = {role: [] for role in ROLE_NAMES}
        for role, user in people:
            by_role[role].append(user)
        for group in groups:
            by_role[group.role] += group.members
        found = {role: tuple(dict.fromkeys(users)) for role, users in by_role.items()}
        return cls(found["po"], found["sm"], found["dev"], groups, tuple(people) if groups else ())

    @property
    def empty(self) -> bool:
        return not (self.po or self.sm or self.dev or self.groups)

    def has(self, user: str, *roles: str) -> bool:
        return any(user in getattr(self, role) for role in roles)

    @property
    def po_and_sm(self) -> tuple[str, ...]:
        """Who is both Product Owner and Scrum Master: Scrum keeps those accountabilities
        apart (the one maximises the product's value, the other the team's effectiveness), so
        the team is told, not refused (a small team may choose it)."""
        return tuple(user for user in self.po if user in self.sm)

    def is_named(self, role: str) -> bool:
        """Someone (a person or a user group, even an empty one) holds `role`."""
        return bool(getattr(self, role)) or any(g.role == role for g in self.groups)

    def named(self, role: str) -> tuple[str, ...]:
        """Who was named for `role`: people by user id, user groups by their id (S…)."""
        if not self.groups:
            return tuple(getattr(self, role))
        people = tuple(user for r, user in self.direct if r == role)
        return people + tuple(g.id for g in self.groups if g.role == role)

    def group(self, group_id: str) -> RoleGroup | None:
        """The user group `group_id` (S…) named for a role, with its members; None for a
        person."""
        return next((g for g in self.groups if g.id == group_id), None)

    def developer_pool(self, channel_members: Iterable[str] | None) -> list[str]:
        """Whom the Developers are: those named (people, user groups' members) wherever they
        are, else everyone in the channel but the PO and Scrum Masters (nobody, when Slack did
        not say who is in it: `channel_members` None)."""
        if self.is_named("dev"):
            return list(self.dev)
        return [m for m in channel_members or () if m not in self.po and m not in self.sm]

    def developers(self, channel_members: Collection[str] | None) -> list[str]:
        """The Developers who count: those of the pool who are in the channel."""
        return list(self.developers_present(channel_members).counted)

    def developers_present(self, channel_members: Collection[str] | None) -> Present:
        """The pool's people told apart by whether they are in the channel (`present`)."""
        return present(self.developer_pool(channel_members), channel_members)


@dataclass(frozen=True)
class RoleChange:
    """Who holds one role before and after a change (`Roles.named`: people by user id, user
    groups by id), for the channel to hear who came and who went; `groups` are the user
    groups among them, which it names by handle (a mention would notify the whole group)."""

    role: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    groups: tuple[RoleGroup, ...] = ()

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(h for h in self.after if h not in self.before)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(h for h in self.before if h not in self.after)

    def group(self, holder: str) -> RoleGroup | None:
        """The user group `holder` is, None for a person."""
        return next((g for g in self.groups if g.id == holder), None)


def role_changes(before: Roles, after: Roles) -> tuple[RoleChange, ...]:
    """The roles whose holders a change changed, in ROLE_NAMES' order; none when it named
    who already held them (an order, or a user group's members, is no change)."""
    changes = []
    for role in ROLE_NAMES:
        was, now = before.named(role), after.named(role)
        if set(was) != set(now):
            groups = {g.id: g for g in (*before.groups, *after.groups) if g.id in {*was, *now}}
            changes.append(RoleChange(role, was, now, tuple(groups.values())))
    return tuple(changes)


@dataclass(frozen=True)
class Present:
    """People a channel's work asks for (voters, Developers), told apart by whether they are
    in the channel: `counted` are, in the order asked; `outside` were named (for a role, in a
    user group, by the facilitator) but are not in it, so nothing waits for them."""

    counted: tuple[str, ...]
    outside: tuple[str, ...] = ()


def present(people: Iterable[str], channel_members: Collection[str] | None) -> Present:
    """Role holders ∩ channel members: only people in the channel see its polls and plans, so
    only they count. `channel_members` None (Slack could not say who is in the channel) keeps
    everyone named, so a Slack failure never leaves a poll or a plan without its people."""
    wanted = tuple(dict.fromkeys(people))
    if channel_members is None:
        return Present(wanted)
    inside = set(channel_members)
    return Present(
        tuple(u for u in wanted if u in inside), tuple(u for u in wanted if u not in inside)
    )


class SetupNeeded(NotAllowed):
    """Nobody holds the role an action needs (a channel that was never set up, or one with no
    Product Owner yet): the answer offers the team's setup form."""


OUTSIDER = (
    "You are not a member of this channel, so you can look but not change anything here. "
    "Join the channel first."
)

ALLOWED = "allowed"


class NotInChannel(UserError):
    """People named for a role who are not members of the team's channel: a role is held by
    people who see the channel (its polls wait for them, its reminders reach them, its plan
    counts them), so nobody is named without being invited first."""

    def __init__(self, outsiders: Sequence[str], channel: str) -> None:
        super().__init__("Only members of this channel can hold a Scrum role in it.")
        self.outsiders = tuple(outsiders)
        self.channel = channel


def may(current: Roles, user: str, roles: tuple[str, ...]) -> bool:
    """Whether `user` may do what needs one of `roles` (`role_verdict` would not refuse them
    outright): they hold one, or nobody does yet (they are then offered the team's setup)."""
    return current.has(user, *roles) or not any(current.is_named(role) for role in roles)


def role_verdict(current: Roles, user: str, roles: tuple[str, ...], action: str) -> str:
    """May `user` do `action`, which needs one of `roles`?

    ALLOWED when they hold one. While nobody holds any of them (say, no Product Owner has
    been named yet), raises SetupNeeded: the team is to be set up first, and nobody becomes
    a Product Owner by being the first to try. Otherwise raises NotAllowed, naming who may.
    """
    if current.has(user, *roles):
        return ALLOWED
    titles = " or ".join(ROLE_NAMES[r] for r in roles)
    if not any(current.is_named(role) for role in roles):
        where = "no Scrum roles" if current.empty else f"no {titles}"
        raise SetupNeeded(
            f"This channel has {where} yet, so nobody can {_placed(action, 'here')}. Set the "
            "team up first: name its Product Owner, Scrum Masters and Developers, and when "
            "sprints run."
        )
    holders = tuple(dict.fromkeys(u for role in roles for u in current.named(role)))
    raise NotAllowed(f"Only the {titles} can {_placed(action, 'in this channel')}.", holders)


def _placed(action: str, where: str) -> str:
    """The action and where it is done, said once: an action that names the channel itself
    ("connect this channel to Jira") is not placed in it again."""
    return action if "this channel" in action else f"{action} {where}"


@dataclass(frozen=True)
class Needs:
    """What a change to a team needs: one of `roles`, to do `doing` (the refusal's words).
    `before_po`: anyone may while the team has no Product Owner (its setup: nobody holds a role
    yet to be asked)."""

    roles: tuple[str, ...]
    doing: str
    before_po: bool = False

    def allows(self, current: Roles, user: str) -> bool:
        return (self.before_po and not current.is_named("po")) or current.has(user, *self.roles)

    def verdict(self, current: Roles, user: str) -> str:
        """ALLOWED, or the refusal `role_verdict` raises: who may, or to set the team up."""
        if self.allows(current, user):
            return ALLOWED
        return role_verdict(current, user, self.roles, self.doing)


SET_UP = Needs(("po", "sm"), "change roles", before_po=True)
"""Setting the team up (its roles, through the setup form or `/timebox roles`): anyone in the
channel while it has no Product Owner; then its PO or Scrum Masters."""


NEEDS_PO = "A team needs a Product Owner: one person."

ONE_PO = (
    "A Scrum team has one Product Owner: one person, not a committee (nor a user group). "
    "Name one, e.g. `/timebox roles po @name`; the others can be Scrum Masters or Developers."
)


def check_one_po(people: Sequence[str], groups: Sequence[RoleGroup] = ()) -> None:
    """The Product Owner is one person (Scrum's one accountable owner of the backlog): more
    than one person, or a user group (its members would all hold it), is refused."""
    if len(set(people)) > 1 or any(g.role == "po" for g in groups):
        raise UserError(ONE_PO)


def check_setup(people: Mapping[str, Sequence[str]], groups: Sequence[RoleGroup]) -> None:
    """A team is set up with its Product Owner named: one person (`check_one_po`)."""
    if not people.get("po"):
        raise UserError(NEEDS_PO)
    check_one_po(people["po"], groups)


def setup_mistakes(
    people: Mapping[str, Sequence[str]], groups: Sequence[RoleGroup], zone: str
) -> dict[str, str]:
    """What a team's setup says wrong, by what it is about: its Product Owner (`po`:
    `check_setup`), its time zone (`timezone`; empty is the PO's). None: it may be saved."""
    mistakes = {}
    try:
        check_setup(people, groups)
    except UserError as error:
        mistakes["po"] = error.message
    try:
        if zone:
            parse_timezone(zone)
    except UserError as error:
        mistakes["timezone"] = error.message
    return mistakes


def holds_role(current: Roles, user: str) -> bool:
    """A named PO, SM or Developer belongs to the team whether or not they are in its channel;
    anyone else belongs while they are a member of the channel."""
    return current.has(user, "po", "sm", "dev")


def role_of(role_word: str, users: list[str]) -> str:
    """The role a user named (`po`, `scrum-master`...), checked against who is to hold it
    (people or user groups): every role but `dev` needs someone (`dev` alone goes back to
    "everyone else")."""
    role = ROLE_ALIASES.get(role_word.lower())
    if role is None:
        raise UsageError(
            f"`{role_word}` is not a role.", "/timebox roles po|sm|dev @name [@name ...]"
        )
    if role != "dev" and not users:
        raise UsageError(
            f"Name at least one {ROLE_NAMES[role]}.", f"/timebox roles {role} @name [@name ...]"
        )
    return role


# -- settings ---------------------------------------------------------------------------------


def parse_timezone(text: str) -> str:
    name = text.strip()
    zones = {z.lower(): z for z in available_timezones()}
    found = zones.get(name.lower())
    if found is None:
        raise UserError(
            f"`{name}` is not a time zone I know. Use an IANA name such as "
            "`Europe/Berlin`, `America/New_York` or `Asia/Kolkata`."
        )
    ZoneInfo(found)
    return found


def parse_sprint_weeks(text: str) -> int:
    match = re.fullmatch(r"\s*([1-4])\s*(w|wk|wks|week|weeks)?\s*", text.lower())
    if match is None:
        raise UserError(f"`{text.strip()}` is not a sprint length: give 1 to 4 weeks, e.g. `2w`.")
    return int(match.group(1))


STALE_RANGE = (7, 3650)  # days


def parse_stale(text: str) -> int:
    """After how many days (STALE_RANGE) an untouched item is stale."""
    low, high = STALE_RANGE
    if not re.fullmatch(r"\s*\d{1,4}\s*", text) or not low <= int(text) <= high:
        raise UserError(
            f"Say after how many days ({low} to {high}) an untouched item is stale, e.g. `90`."
        )
    return int(text)


START_RANGE = timedelta(days=365)
"""How far from the team's today its sprints may start (`/timebox settings start`): the first
sprint's start is a date the team can see coming or remember, and a year-long typo
(`2062`, `9999-12-31`) would put every sprint date out of reach."""


def parse_start(text: str, today: date | None = None) -> date:
    """The first sprint's start, YYYY-MM-DD, within START_RANGE of `today` (the team's; the
    range is checked when it is given, as the use case does before saving)."""
    start = parse_date(text, today)
    if today is not None and abs(start - today) > START_RANGE:
        low, high = today - START_RANGE, today + START_RANGE
        raise UserError(
            f"`{text.strip()}` is too far from today for the sprints to start: give a date "
            f"from {low.isoformat()} to {high.isoformat()}, e.g. `{today.isoformat()}` "
            "for today."
        )
    return start


SETTINGS = ("timezone", "sprint", "days", "start", "country", "stale", "refinement", "priority")
"""What `/timebox settings <setting> <value>` and the settings form set, in the card's order."""


def parse_setting(setting: str, value: str, today: date | None = None) -> tuple[str, object]:
    """The team's column a setting sets and its value, from the words a user typed (the
    command's or the form's: both are checked here, so both say the same); `today` (the
    team's) gives the example of a date not understood."""
    match setting:
        case "timezone":
            return "timezone", parse_timezone(value)
        case "sprint":
            return "sprint_weeks", parse_sprint_weeks(value)
        case "days":
            return "working_days", ",".join(parse_working_days(value))
        case "start":
            return "sprint_start", parse_start(value, today)
        case "country":
            return "holiday_country", parse_country(value) or None
        case "refinement":
            return "refinement_share", parse_share(value)
        case "priority":
            return "priority_scheme", parse_scheme(value)
        case "stale":
            return "graveyard_days", parse_stale(value)
    raise ValueError(setting)


def setting_words(team: Team) -> dict[str, str]:
    """Each setting as it is, in the words `parse_setting` reads back (what the settings form
    shows, and what it compares a submission with): "" for a start or holidays not set."""
    return {
        "timezone": zone_name(team),
        "sprint": str(team.sprint_weeks),
        "days": ",".join(working_days(team)),
        "start": team.sprint_start.isoformat() if team.sprint_start else "",
        "country": team.holiday_country or "",
        "stale": str(team.graveyard_days),
        "refinement": f"{round(share_of(team) * 100, 2):g}",
        "priority": team.priority_scheme or "off",
    }


def apply_setting(team: Team, setting: str, value: str, today: date | None = None) -> None:
    """Sets one team setting from the words a user typed (see `parse_setting`)."""
    column, parsed = parse_setting(setting, value, today)
    setattr(team, column, parsed)


def set_start(team: Team, value: str, today: date | None = None) -> date:
    """Sets the sprints' start from what was typed (`parse_start`), on a weekday the team
    works: a start on one it does not (a Sunday) moves to the next one it does, since every
    sprint would start on a day off (a public holiday stays: the cadence keeps its weekday and
    `off_day_start` notes it). The date typed, to say where it moved."""
    typed = parse_start(value, today)
    days = working_days(team)
    later = (typed + timedelta(days=n) for n in range(7))
    team.sprint_start = next((d for d in later if WEEKDAYS[d.weekday()] in days), typed)
    return typed


@dataclass(frozen=True)
class OffDayStart:
    """The team's sprints start on a day that is not a working day: worth a note where the
    setting is shown, with the first working day after it (a start to move to, when every
    sprint would start on a day off; the first sprint's first day of work, after a holiday)."""

    every_sprint: bool  # its weekday is off (a weekend): every sprint starts on a day off
    working_day: date  # the first working day after it


def off_day_start(team: Team) -> OffDayStart | None:
    """Whether the sprint start (`/timebox settings start`) falls on a weekday the team does
    not work or a public holiday it takes off; None on a working day, or with no start set."""
    start = team.sprint_start
    if start is None or is_working_day(team, start):
        return None
    later = (start + timedelta(days=n) for n in range(1, 15))
    working_day = next((day for day in later if is_working_day(team, day)), None)
    if working_day is None:  # no working day at all in two weeks: nothing better to offer
        return None
    every_sprint = WEEKDAYS[start.weekday()] not in working_days(team)
    return OffDayStart(every_sprint, working_day)
