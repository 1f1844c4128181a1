"""Teams, Scrum roles and team settings.

Roles decide who may do what: the Product Owner orders the product backlog, a Scrum Master
facilitates, Developers own the sprint backlog. Until someone is named, every channel member who
is neither PO nor SM counts as a Developer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.calendar import parse_country, parse_date, parse_working_days
from bot.domain.errors import NotAllowed, UsageError, UserError
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
class Roles:
    po: tuple[str, ...] = ()
    sm: tuple[str, ...] = ()
    dev: tuple[str, ...] = ()  # empty: everyone else in the channel

    @classmethod
    def of(cls, team: Team) -> Roles:
        by_role: dict[str, list[str]] = {"po": [], "sm": [], "dev": []}
        for assignment in sorted(team.roles, key=lambda a: a.id or 0):
            by_role[assignment.role].append(assignment.user_id)
        return cls(tuple(by_role["po"]), tuple(by_role["sm"]), tuple(by_role["dev"]))

    @property
    def empty(self) -> bool:
        return not (self.po or self.sm or self.dev)

    def has(self, user: str, *roles: str) -> bool:
        return any(user in getattr(self, role) for role in roles)

    def developers(self, channel_members: Iterable[str]) -> list[str]:
        if self.dev:
            return list(self.dev)
        return [m for m in channel_members if m not in self.po and m not in self.sm]


CLAIMED_PO = (
    "This channel had no Product Owner, so you are it now. "
    "To name someone else: `/timebox roles po @name`."
)
OUTSIDER = (
    "You are not a member of this channel, so you can look but not change anything here. "
    "Join the channel first."
)

ALLOWED = "allowed"
FIRST_PO = "first_po"


def role_verdict(current: Roles, user: str, roles: tuple[str, ...], action: str) -> str:
    """May `user` do `action`, which needs one of `roles`?

    ALLOWED when they hold one; FIRST_PO in a channel with no roles at all, where the first
    user who needs one becomes its Product Owner (the caller records it and tells them
    CLAIMED_PO); raises NotAllowed, naming who may, otherwise.
    """
    if current.empty:
        return FIRST_PO
    if current.has(user, *roles):
        return ALLOWED
    holders = tuple(dict.fromkeys(u for role in roles for u in getattr(current, role)))
    titles = " or ".join(ROLE_NAMES[r] for r in roles)
    raise NotAllowed(f"Only the {titles} can {action} in this channel.", holders)


def holds_role(current: Roles, user: str) -> bool:
    """A named PO, SM or Developer belongs to the team whether or not they are in its channel;
    anyone else belongs while they are a member of the channel."""
    return current.has(user, "po", "sm", "dev")


def role_of(role_word: str, users: list[str]) -> str:
    """The role a user named (`po`, `scrum-master`...), checked against who is to hold it:
    every role but `dev` needs someone (`dev` alone goes back to "everyone else")."""
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


def apply_setting(team: Team, setting: str, value: str) -> None:
    """Sets one team setting from the words a user typed."""
    if setting == "timezone":
        team.timezone = parse_timezone(value)
    elif setting == "sprint":
        team.sprint_weeks = parse_sprint_weeks(value)
    elif setting == "days":
        team.working_days = ",".join(parse_working_days(value))
    elif setting == "start":
        team.sprint_start = parse_date(value)
    elif setting == "country":
        team.holiday_country = parse_country(value) or None
    elif setting == "stale":
        if not re.fullmatch(r"\d{1,4}", value.strip()) or not 7 <= int(value) <= 3650:
            raise UserError("Say after how many days (7 or more) an untouched item is stale.")
        team.graveyard_days = int(value)
    else:
        raise ValueError(setting)
