"""The team: who holds which Scrum role, its settings, its time zone, and who belongs to it.

Who may change what. People outside a team (neither a member of its channel nor holding a role
in it) may read its work but change nothing: `require_member` is that check, and `member_work`
opens a use case's unit of work behind it, so a use case that changes state writes

    async with member_work(svc, actor, in_channel, once=True) as work:

where it would write `team_work(svc, actor, once=True)`. Whether someone is in a channel is
Slack's to say: the listener passes an `InChannel` (`in_channel` in handlers/common.py makes
one from its Web API client). It is asked only for people with no role, and never inside a
transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date, time

from bot.domain import sprints as sprint_rules
from bot.domain import teams
from bot.domain.calendar import DEFAULT_ZONE, local_today, utc_clock, zone_name
from bot.domain.ceremonies import NAMES, clock_of
from bot.domain.errors import NotAllowed
from bot.domain.teams import RoleChange, RoleGroup, Roles
from bot.runtime import outbox
from bot.runtime.services import Services
from bot.usecases import ceremony_jobs, poker_voters
from bot.usecases.news import record_for_channel, tell_channel
from bot.usecases.unit import Actor, Work, team_work
from storage.models import Team
from storage.repositories import Store

InChannel = Callable[[str, str], Awaitable[bool]]
"""`in_channel(channel, user)`: whether the user is a member of the channel, as Slack says."""

ZoneOf = Callable[[str], Awaitable[str | None]]
"""`zone_of(user)`: the time zone of the person's Slack profile (None when it names none).
Asked only outside a transaction (`zone_of` in handlers/common.py makes one)."""

WithMembers = Callable[[Sequence[RoleGroup]], Awaitable[Sequence[RoleGroup]]]
"""`with_members(groups)`: the user groups with their members as Slack says now
(`with_members` in handlers/flows/team.py)."""

CHANGE_TEAM = ("po", "sm")
CHANGE_SETTINGS = "change team settings"
SETTINGS = teams.Needs(CHANGE_TEAM, CHANGE_SETTINGS)


# -- who belongs -------------------------------------------------------------------------------


async def roles_of(svc: Services, actor: Actor) -> tuple[Team | None, Roles]:
    """The actor's team as it is (None before its first use) and its roles; read only."""
    async with svc.db.transaction() as store:
        team = await store.team(actor.workspace, actor.channel)
        return team, Roles.of(team) if team is not None else Roles()


async def belongs(svc: Services, actor: Actor, in_channel: InChannel) -> bool:
    """Whether the actor belongs to the team of their workspace and channel: a role in it, or
    a member of the channel (Slack is asked only when they hold no role)."""
    _, current = await roles_of(svc, actor)
    return teams.holds_role(current, actor.user) or await in_channel(actor.channel, actor.user)


async def require_member(svc: Services, actor: Actor, in_channel: InChannel) -> None:
    """Refuses (NotAllowed) someone outside the team: they may look, not change."""
    if not await belongs(svc, actor, in_channel):
        raise NotAllowed(teams.OUTSIDER)


@asynccontextmanager
async def member_work(
    svc: Services,
    actor: Actor,
    in_channel: InChannel,
    *,
    once: bool = False,
    urgent: bool = False,
    naming: Iterable[str] = (),
    needs: teams.Needs | None = None,
) -> AsyncIterator[Work]:
    """`team_work` for a use case that changes state: someone outside the team is refused
    first, before anything is written (not even the team's first row); then, for a use case
    that names people for roles (`naming`), anyone named who is not in the channel; then, for
    a change that `needs` a role (a form's opening too, refused as its save would be), anyone
    without it."""
    await require_member(svc, actor, in_channel)
    await require_in_channel(actor, naming, in_channel)
    async with team_work(svc, actor, once=once, urgent=urgent) as work:
        if needs is not None:
            needs.verdict(Roles.of(work.team), work.user)
        yield work


async def require_in_channel(actor: Actor, people: Iterable[str], in_channel: InChannel) -> None:
    """Refuses (NotInChannel) to name for a role anyone who is not a member of the team's
    channel: Slack is asked once per person, outside any transaction."""
    outsiders = [u for u in dict.fromkeys(people) if not await in_channel(actor.channel, u)]
    if outsiders:
        raise teams.NotInChannel(outsiders, actor.channel)


# -- roles ---------------------------------------------------------------------------------


async def assign_role(
    store: Store,
    team: Team,
    role_word: str,
    users: Sequence[str],
    groups: Sequence[RoleGroup] | None = None,
) -> None:
    """Sets who holds a role: people, and user groups (None: the groups holding it keep it);
    `dev` with nobody goes back to "everyone else"."""
    role = teams.role_of(role_word, [*users, *(g.id for g in groups or ())])
    kept = None if groups is None else [replace(g, role=role) for g in groups]
    await store.set_role(team, role, users, kept)


@dataclass(frozen=True)
class KeptLocal:
    """A ceremony or reminder that keeps its local time when the team's time zone changes:
    at `at` on the team's wall clock, which was `was_utc` in UTC and is now `now_utc`."""

    name: str
    at: str
    was_utc: str
    now_utc: str


@dataclass(frozen=True)
class SettingChange:
    """One setting a change named, before and after, in the words `teams.setting_words` gives
    (the same before and after: it already was so)."""

    setting: str
    before: str
    after: str
    kept_local: tuple[KeptLocal, ...] = ()
    """A new time zone: the ceremonies and reminders that keep their local time, now in it."""


@dataclass(frozen=True)
class StartMoved:
    """The sprints' start typed, and where the sprints start instead: `off_day`, the next
    weekday the team works (it typed one it does not); else the date typed had gone by and
    the next sprint starts on `starts`, in its cadence."""

    typed: date
    starts: date
    off_day: bool


@dataclass(frozen=True)
class TeamNow:
    """The team after a change."""

    team: Team
    settings: tuple[SettingChange, ...] = ()
    """The settings a settings change named, each before and after, to confirm what changed."""
    calendar: sprint_rules.Recalendared | None = None
    """The sprints to come, when the change moved them (sprint length or start)."""
    start_moved: StartMoved | None = None
    """The start typed, when the sprints do not start on it (said with the change)."""
    posts: Sequence[outbox.Post] = ()
    """The channel's news of the change (its roles), to send at once (handlers/outbox.send_all)."""

    @property
    def roles(self) -> Roles:
        return Roles.of(self.team)


async def team_now(svc: Services, actor: Actor) -> Team:
    """The actor's team as it is: its roles, settings and Definition of Ready, to show."""
    async with team_work(svc, actor) as work:
        return work.team


async def assign_roles(
    svc: Services,
    actor: Actor,
    assignments: Sequence[tuple[str, Sequence[str]]],
    in_channel: InChannel,
    groups: Sequence[RoleGroup] | None = None,
    *,
    zone_of: ZoneOf,
) -> TeamNow:
    """`/timebox roles po @name` or the roles form: (role, people) pairs, by a PO or SM, or
    by anyone in the channel while it has no Product Owner (that sets the team up); the PO
    is one person (`check_one_po`).
    `groups`: the user groups named, each for its role (None: the groups keep their roles).
    Then a team without a time zone takes its (new) PO's (`adopt_po_timezone`). Only members
    of the channel may be named (`require_in_channel`). The channel is told what changed
    (`roles_told`)."""
    named = [u for _, users in assignments for u in users]
    setting_up = member_work(svc, actor, in_channel, once=True, naming=named, needs=teams.SET_UP)
    async with setting_up as work:
        before = Roles.of(work.team)
        for role_word, users in assignments:
            role = teams.ROLE_ALIASES.get(role_word.lower(), role_word)
            mine = None if groups is None else [g for g in groups if g.role == role]
            if role == "po":  # one person, who takes the place of any group named before
                teams.check_one_po(users, mine or ())
                mine = []
            await assign_role(work.store, work.team, role_word, users, mine)
        await poker_voters.roles_changed(work.store, work.team, work.now)
        changed = TeamNow(work.team, posts=await roles_told(work, before))
    await adopt_po_timezone(svc, actor.workspace, actor.channel, zone_of)
    return changed


@dataclass(frozen=True)
class TeamSetUp:
    """A team's first Product Owner named: the channel hears who set it up, and how."""

    team: Team
    by: str


ROLES_CHANGED = "roles_changed"
"""What the outbox key of the news of a change of roles starts with (`roles_told`)."""


@dataclass(frozen=True)
class RolesChanged:
    """A change of a set-up team's roles, told in its channel: who made it and the roles it
    changed (only those that did), each with who came and who went. Worded by
    `roles_changed` (handlers/jobs.py registers it)."""

    by: str
    changes: tuple[RoleChange, ...]


async def roles_told(work: Work, before: Roles) -> list[outbox.Post]:
    """The channel's news of a change of roles from `before`, recorded with it to send at once:
    a team learns who its Product Owner and Scrum Masters now are, and someone who lost a role
    hears it; nothing when nobody's role changed."""
    changes = teams.role_changes(before, Roles.of(work.team))
    if not changes:
        return []
    who = ";".join(f"{c.role}={','.join(c.after)}" for c in changes)
    key = f"{ROLES_CHANGED}:{work.team.id}:{work.now.isoformat()}:{who}"
    told = RolesChanged(work.user, changes)
    return await record_for_channel(work.store, work.team, key, work.now, told)


@dataclass(frozen=True)
class TeamSetup:
    """What the setup form says: who holds each role (people and user groups) and when the
    team's sprints run."""

    people: Mapping[str, Sequence[str]]
    groups: Sequence[RoleGroup]
    timezone: str  # empty: the Product Owner's (`adopt_po_timezone`)
    sprint_weeks: str
    start: str | None = None


async def set_up_team(
    svc: Services, actor: Actor, setup: TeamSetup, in_channel: InChannel, *, zone_of: ZoneOf
) -> TeamNow:
    """The setup form saved: roles, time zone, sprint length and start, in one go. Anyone in
    the channel may while it has no Product Owner; then its PO or Scrum Masters. Only members
    of the channel may be named (`require_in_channel`). A zone left empty is the PO's, from
    their Slack profile (asked before the transaction), not the zone of whoever happened to
    open the form. The first setup is told in the channel through the outbox, with it; a later
    one, the roles it changed (`roles_told`)."""
    named = [u for users in setup.people.values() for u in users]
    po = list(setup.people.get("po", ()))
    po_zone = await zone_of(po[0]) if po and not setup.timezone else None
    setting_up = member_work(svc, actor, in_channel, once=True, naming=named, needs=teams.SET_UP)
    async with setting_up as work:
        current = Roles.of(work.team)
        teams.check_setup(setup.people, setup.groups)
        for role in teams.ROLE_NAMES:  # a role nobody is named for is left empty
            people, mine = setup.people.get(role, ()), [g for g in setup.groups if g.role == role]
            await work.store.set_role(work.team, role, list(dict.fromkeys(people)), mine)
        if setup.timezone or po_zone:
            teams.apply_setting(work.team, "timezone", setup.timezone or po_zone or "")
        else:
            work.team.timezone = None  # a user group's first member's, taken below
        before, today = _calendar_of(work.team), local_today(work.team, work.now)
        teams.apply_setting(work.team, "sprint", setup.sprint_weeks)
        typed = teams.set_start(work.team, setup.start, today) if setup.start else None
        moved = await _recalendar(work, before)
        await ceremony_jobs.replan(work.store, work.team, work.now)
        posts: list[outbox.Post] = []
        if not current.is_named("po"):  # once per team: two setups at once tell it once
            told = TeamSetUp(work.team, work.user)
            await tell_channel(work.store, work.team, f"team_set_up:{work.team.id}", work.now, told)
        else:  # set up before: the roles it changed, if any
            posts = await roles_told(work, current)
        note = _start_moved(typed, work.team.sprint_start, today, moved)
        done = TeamNow(work.team, calendar=moved, start_moved=note, posts=posts)
    if await adopt_po_timezone(svc, actor.workspace, actor.channel, zone_of):
        done = replace(done, team=await team_now(svc, actor))
    return done


async def shown_roles(svc: Services, actor: Actor, with_members: WithMembers) -> Team:
    """`/timebox roles`: the team with the members of its user groups as Slack says now, kept
    (a group's members are who hold its role): whoever reads the roles sees the people who
    hold them. Slack is asked between two transactions, only when a group holds a role."""
    team = await team_now(svc, actor)
    groups = Roles.of(team).groups
    if not groups:
        return team
    fresh = await with_members(groups)
    async with team_work(svc, actor) as work:
        await work.store.refresh_groups(work.team, fresh)
        return work.team


@dataclass(frozen=True)
class SetupForm:
    """What the setup form opens with: the team, its time zone (empty while it has none: the
    Product Owner's is taken), and the asker's own, named in the field's hint."""

    team: Team
    zone: str
    own: str


async def setup_form(
    svc: Services, actor: Actor, zone_of: ZoneOf, in_channel: InChannel
) -> SetupForm:
    """The setup form of the actor's team, only for someone who may save it (`roles_form`). A
    team without a time zone is not offered the asker's: whoever opens the form first is often
    not its Product Owner, whose zone the team takes when the field is left empty. Nothing is
    written but the team's first row."""
    team = await roles_form(svc, actor, in_channel)
    return SetupForm(team, team.timezone or "", await zone_of(actor.user) or DEFAULT_ZONE)


async def setup_mistakes(svc: Services, actor: Actor, setup: TeamSetup) -> Mapping[str, str]:
    """Before the setup form's ack (a database read, no Slack call): what it says wrong, by
    field (`teams.setup_mistakes`), for someone whose roles let them save it, to mend in the
    form; none for anyone else, whom its save (`set_up_team`) tells why they may not, someone
    outside the team first."""
    mistakes = teams.setup_mistakes(setup.people, setup.groups, setup.timezone)
    return mistakes if mistakes and await _may(svc, actor, teams.SET_UP) else {}


async def roles_form(svc: Services, actor: Actor, in_channel: InChannel) -> Team:
    """The team whose roles (or whole setup) a form is to change, refused on the click as its
    save would refuse it (`teams.SET_UP`), so nobody fills in a form they cannot save."""
    async with member_work(svc, actor, in_channel, needs=teams.SET_UP) as work:
        return work.team


# -- settings --------------------------------------------------------------------------------


async def shown_settings(svc: Services, actor: Actor, zone_of: ZoneOf) -> Team:
    """`/timebox settings`: the settings that apply, the time zone included: a team without one
    takes its PO's first (`adopt_po_timezone`), as it would for the first deadline it reads."""
    await adopt_po_timezone(svc, actor.workspace, actor.channel, zone_of)
    return await team_now(svc, actor)


async def settings_form(svc: Services, actor: Actor, in_channel: InChannel) -> Team:
    """The team whose settings form is to open, refused on the click as its save would refuse
    it (`SETTINGS`). Who may only read them has `/timebox settings`."""
    async with member_work(svc, actor, in_channel, needs=SETTINGS) as work:
        return work.team


async def team_today(svc: Services, actor: Actor) -> date:
    """Before the settings form's ack (the database read, no Slack call): the team's today, so
    the form's sprint start is checked against it under its field while the form stays open.
    `apply_settings` checks it again after the ack."""
    async with team_work(svc, actor, urgent=True) as work:
        return local_today(work.team, work.now)


async def apply_settings(
    svc: Services,
    actor: Actor,
    changes: Sequence[tuple[str, str]],
    in_channel: InChannel,
    *,
    zone_of: ZoneOf | None = None,
) -> TeamNow:
    """`/timebox settings sprint 2w` or the settings form: (setting, what was typed) pairs,
    by a PO or SM; the team, with each setting named before and after (`TeamNow.settings`).
    `zone_of`: a team without a time zone takes its PO's first (as `shown_settings`), so a
    change is made against the zone that applies; only for someone who may change the
    settings, so a refusal costs no Slack call and writes nothing."""
    if zone_of is not None and await _may(svc, actor, SETTINGS):
        await adopt_po_timezone(svc, actor.workspace, actor.channel, zone_of)
    async with member_work(svc, actor, in_channel, once=True, needs=SETTINGS) as work:
        before, calendar = teams.setting_words(work.team), _calendar_of(work.team)
        was_zone = zone_name(work.team)
        today = local_today(work.team, work.now)
        for setting, value in changes:
            if setting != "start":
                teams.apply_setting(work.team, setting, value, today)
        starts = [value for setting, value in changes if setting == "start"]
        typed = teams.set_start(work.team, starts[-1], today) if starts else None  # on the days
        moved = await _recalendar(work, calendar)
        if ceremony_jobs.CALENDAR_SETTINGS & {setting for setting, _ in changes}:
            await ceremony_jobs.replan(work.store, work.team, work.now)
        after = teams.setting_words(work.team)
        named = dict.fromkeys(setting for setting, _ in changes)
        said = tuple(SettingChange(s, before[s], after[s]) for s in named)
        if before["timezone"] != after["timezone"]:
            kept = await _kept_local(work.store, work.team, was_zone, today)
            said = tuple(
                replace(c, kept_local=kept) if c.setting == "timezone" else c for c in said
            )
        note = _start_moved(typed, work.team.sprint_start, today, moved)
        return TeamNow(work.team, settings=said, calendar=moved, start_moved=note)


async def _kept_local(
    store: Store, team: Team, was_zone: str, today: date
) -> tuple[KeptLocal, ...]:
    """The team's ceremonies and its readiness reminder, which keep their local times in the
    team's new zone: each one's time in UTC before and after (on `today`)."""
    now_zone = zone_name(team)

    def kept(name: str, at: time) -> KeptLocal:
        was, now = utc_clock(was_zone, today, at), utc_clock(now_zone, today, at)
        return KeptLocal(name, f"{at:%H:%M}", f"{was:%H:%M}", f"{now:%H:%M}")

    found = [kept(NAMES[c.kind], clock_of(c)) for c in await store.ceremonies(team.id)]
    if team.remind_at is not None:
        found.append(kept("the readiness reminder", time.fromisoformat(team.remind_at)))
    return tuple(found)


def _start_moved(
    typed: date | None,
    stored: date | None,
    today: date,
    moved: sprint_rules.Recalendared | None,
) -> StartMoved | None:
    """Where the sprints start, when not on the date typed: a date gone by (the next sprint
    starts later in its cadence; `moved.typed` says so already when a committed sprint still
    runs), else a day the team does not work."""
    if typed is None or stored is None:
        return None
    if typed < today and moved is not None and moved.typed is None and moved.starts != typed:
        return StartMoved(typed, moved.starts, off_day=False)
    return StartMoved(typed, stored, off_day=True) if stored != typed else None


def _calendar_of(team: Team) -> tuple[date | None, int]:
    return team.sprint_start, team.sprint_weeks


async def _recalendar(
    work: Work, before: tuple[date | None, int]
) -> sprint_rules.Recalendared | None:
    """The sprints to come laid again when the sprint length or start changed, so none
    overlaps a sprint committed already (`sprint_rules.recalendar`); None when neither did."""
    if _calendar_of(work.team) == before:
        return None
    typed = work.team.sprint_start if work.team.sprint_start != before[0] else None
    recent = await work.store.sprints(work.team.id, limit=2)
    committed = next((s for s in recent if s.status != "planning"), None)
    planning = next((s for s in recent if s.status == "planning"), None)
    today = local_today(work.team, work.now)
    return sprint_rules.recalendar(
        work.team, committed, planning, today, start=typed, was_weeks=before[1]
    )


async def _may(svc: Services, actor: Actor, needs: teams.Needs) -> bool:
    """Whether the actor's roles in their team let them now (read only, without asking Slack:
    a team not made yet has nobody in any role). The use case checks again in its own
    transaction, and whether they are in the channel first."""
    _, current = await roles_of(svc, actor)
    return needs.allows(current, actor.user)


async def adopt_po_timezone(svc: Services, workspace: str, channel: str, zone_of: ZoneOf) -> bool:
    """A team without a time zone takes its first Product Owner's, from their Slack profile
    (asked between two transactions, only when there is a zone to take); its ceremonies are
    planned again in it, as when the zone is set. True if it did."""
    po = await _po_without_timezone(svc, workspace, channel)
    if po is None:
        return False
    zone = await zone_of(po)
    return bool(zone) and await _adopt_timezone(svc, workspace, channel, zone)


async def _po_without_timezone(svc: Services, workspace: str, channel: str) -> str | None:
    """The first Product Owner of a team with no time zone yet, whose zone it is to take (the
    roles were named by command or form, not by the setup form, which asks for the zone)."""
    async with team_work(svc, Actor(workspace, channel, "")) as work:
        current = Roles.of(work.team)
        return None if work.team.timezone or not current.po else current.po[0]


async def _adopt_timezone(svc: Services, workspace: str, channel: str, zone: str) -> bool:
    """The team takes `zone` (its PO's, from Slack) unless it has one by now; True if it did."""
    async with team_work(svc, Actor(workspace, channel, "")) as work:
        if work.team.timezone is not None:
            return False
        teams.apply_setting(work.team, "timezone", zone)
        await ceremony_jobs.replan(work.store, work.team, work.now)
        return True
