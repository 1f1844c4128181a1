"""The demo team a newcomer finds in the sandbox.

Slack's side (people, #team-demo) lives in the emulator and is set up at every start; the
team's backlog lives in the database and is written once, when the database is new, through
the same domain functions the bot uses, so it is exactly what the bot itself would have made.

Besides its open backlog, the team has a sprint behind it: sprint 0, the two weeks before the
sandbox starts, with a few items done in it, each on its day and from the day its first task
was taken, so `/poker calibrate` has something to show, planning poker names reference stories
at its reveals, and velocity has a first figure. They come after the open backlog (#13 on), so
the demo items keep their numbers. The team's sprint calendar is left unset, as a team's is
before its first planning: `/planning start` then plans sprint 1 from that day on, and no
reminder counts down to a planning nobody has set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.domain import sprints, teams
from bot.domain.backlog import ItemFields
from bot.domain.calendar import is_working_day, local_today, zone
from bot.emulator.server import SlackEmulator
from bot.usecases import team as team_uc
from storage.db import Database
from storage.models import Sprint, SprintItem, Team
from storage.repositories import Store

WORKSPACE = "T0SANDBOX"
CHANNEL = "C0TEAMDEMO"
CHANNEL_NAME = "team-demo"


@dataclass(frozen=True)
class DemoUser:
    id: str
    name: str
    real_name: str
    tz: str
    role: str  # po, sm or dev
    title: str  # what the user switcher shows
    display: str = ""  # the display name people pick in Slack's profile

    @property
    def handle(self) -> str:
        """What one types after @ to mention them."""
        return f"@{self.name}"


PO = DemoUser("U0INES", "ines", "Inés Álvarez", "Europe/Madrid", "po", "Product Owner", "Inés")
SM = DemoUser(
    "U0MARCUS", "marcus", "Marcus Reed", "America/Chicago", "sm", "Scrum Master", "Marcus"
)
DEVS = (
    DemoUser("U0KENJI", "kenji", "Kenji Sato", "Asia/Tokyo", "dev", "Developer", "Kenji"),
    DemoUser("U0BEA", "bea", "Beatriz Costa", "America/Sao_Paulo", "dev", "Developer", "Bea"),
    DemoUser("U0ARJUN", "arjun", "Arjun Mehta", "Asia/Kolkata", "dev", "Developer", "Arjun"),
)
USERS = (PO, SM, *DEVS)


def seed_workspace(em: SlackEmulator) -> None:
    """The five people and #team-demo (with the bot in it), as a Slack admin would set up."""
    for user in USERS:
        em.add_user(
            user.id, user.name, real_name=user.real_name, display_name=user.display, tz=user.tz
        )
    em.add_channel(
        CHANNEL,
        CHANNEL_NAME,
        members=[*(u.id for u in USERS), em.bot_user_id],
        topic="Sandbox team: try /backlog",
        purpose="A demo Scrum team for trying Timebox without Slack.",
    )


@dataclass
class DemoItem:
    fields: ItemFields
    by: DemoUser = PO
    days_ago: int = 6
    later: dict[str, Any] = field(default_factory=dict)
    """Edits someone made afterwards (by ``later_by``), so the item has some history."""
    later_by: DemoUser = DEVS[0]


def _item(title: str, **values: Any) -> ItemFields:
    return ItemFields(title=title, **values)


KENJI, BEA, ARJUN = DEVS
DEMO_BACKLOG = (
    DemoItem(
        _item(
            "Customers pay an invoice by card",
            hypothesis="If customers can pay by card from the invoice email, we expect invoices "
            "to be paid a week sooner on average.",
            acceptance_criteria=[
                "The invoice email has a Pay now link",
                "A paid invoice is marked paid within a minute",
                "A declined card shows the reason and a way to retry",
            ],
            estimate=8,
            owner=KENJI.id,
            labels=["payments"],
            epic="Getting paid",
        ),
        days_ago=9,
    ),
    DemoItem(
        _item(
            "Remind customers of overdue invoices",
            hypothesis="A friendly reminder three days after the due date should halve the "
            "number of invoices that are more than 30 days late.",
            acceptance_criteria=[
                "One reminder three days after the due date",
                "No reminder for invoices paid or disputed",
            ],
            estimate=5,
            epic="Getting paid",
        ),
        days_ago=9,
    ),
    DemoItem(
        _item(
            "Fix VAT rounding on invoices with many lines",
            type="bug",
            hypothesis="Correct totals stop the support tickets from accountants.",
            acceptance_criteria=["Totals match the sum of rounded line amounts to the cent"],
            estimate=2,
            owner=ARJUN.id,
            labels=["tax"],
        ),
        by=ARJUN,
        days_ago=4,
    ),
    DemoItem(
        _item(
            "Export invoices as PDF",
            hypothesis="Customers who archive invoices on paper stop asking support for copies.",
            estimate=3,
            owner=BEA.id,
        ),
        days_ago=8,
        later={"labels": ["documents"]},
        later_by=BEA,
    ),
    DemoItem(
        _item(
            "Show prices in the customer's currency",
            hypothesis="Customers abroad convert less often in their head and buy more.",
            acceptance_criteria=["Prices use the currency of the billing address"],
            dependencies=[
                {"text": "exchange-rate provider chosen", "resolved": True},
                {"text": "contract with the exchange-rate provider signed", "resolved": False},
            ],
            estimate=5,
            owner=KENJI.id,
        ),
        days_ago=7,
    ),
    DemoItem(
        _item(
            "Change the due date of many invoices at once",
            hypothesis="Bookkeepers spend minutes, not an afternoon, after a payment-terms change.",
            acceptance_criteria=["Select invoices in the list, set one new due date for all"],
        ),
        days_ago=5,
    ),
    DemoItem(
        _item(
            "Sync invoices with accounting software",
            type="enabler",
            hypothesis="Customers on Xero, DATEV or QuickBooks stop typing invoices in twice.",
            acceptance_criteria=[
                "Connect an accounting account in the settings",
                "New and changed invoices appear there within five minutes",
            ],
            estimate=21,
            epic="Integrations",
        ),
        days_ago=10,
    ),
    DemoItem(
        _item(
            "Dark mode for the dashboard",
            acceptance_criteria=["Follows the operating system's setting"],
            estimate=3,
            owner=BEA.id,
        ),
        by=BEA,
        days_ago=3,
    ),
    DemoItem(
        _item(
            "Spike: which e-invoicing standard to support first",
            type="spike",
            hypothesis="Knowing which standard our customers' authorities require tells us "
            "what to build next.",
            acceptance_criteria=["A one-page comparison of two standards, with a recommendation"],
            estimate=3,
        ),
        by=SM,
        days_ago=6,
    ),
    DemoItem(
        _item(
            "Upgrade the PDF library",
            type="tech_debt",
            hypothesis="Staying on a supported version keeps security fixes coming.",
            acceptance_criteria=["All PDF tests pass on the new version"],
            estimate=2,
        ),
        by=ARJUN,
        days_ago=2,
        later={"estimate": 3.0},
        later_by=KENJI,
    ),
    DemoItem(
        _item(
            "Audit log of invoice changes",
            hypothesis="Auditors get answers in the app instead of by email.",
            acceptance_criteria=["Who changed what and when, for every invoice"],
            dependencies=[{"text": "retention period agreed with legal", "resolved": True}],
            estimate=8,
        ),
        days_ago=6,
    ),
    DemoItem(_item("Self-service customer portal", epic="Customer portal"), days_ago=1),
)


@dataclass(frozen=True)
class DoneDemo:
    """An item done in the demo's sprint 0: its points, the sprint's working day its
    first task was taken (None: nobody took one), and the working day it was done."""

    title: str
    estimate: float
    started: int | None
    done: int
    by: DemoUser


# Three 3-pointers (2 to 4 working days), two 5-pointers (few data), and small ones.
DEMO_DONE = (
    DoneDemo("Send invoices by email", 3, 1, 2, KENJI),
    DoneDemo("Number invoices by year", 2, 1, 1, ARJUN),
    DoneDemo("Company logo on invoices", 1, 3, 3, BEA),
    DoneDemo("Search the customer list", 5, 2, 7, KENJI),
    DoneDemo("Sign in with Google", 3, 4, 6, BEA),
    DoneDemo("Credit notes", 5, None, 4, ARJUN),
    DoneDemo("Invoices as CSV for the accountant", 3, 6, 9, KENJI),
)
SPRINT_GOAL = "By the end of this sprint, customers get their invoices by email"


def _working_day(team: Team, first: date, n: int) -> date:
    """The `n`th working day from `first` (1: the first working day on or after it)."""
    day, seen = first - timedelta(days=1), 0
    while seen < n:
        day += timedelta(days=1)
        seen += is_working_day(team, day)
    return day


def _at(team: Team, day: date, hour: int) -> datetime:
    """`hour` o'clock on `day` in the team's time zone."""
    return datetime.combine(day, time(hour), tzinfo=zone(team))


async def seed_sprint_zero(store: Store, team: Team, now: datetime) -> None:
    """Sprint 0, the two weeks before today, committed and closed with every item done: the
    team's first velocity and its calibration."""
    start = local_today(team, now) - timedelta(weeks=team.sprint_weeks)
    sprint = await store.add_sprint(
        Sprint(
            team_id=team.id,
            number=0,
            status="planning",
            starts_on=start,
            ends_on=start + timedelta(weeks=team.sprint_weeks, days=-1),
            focus_factor=0.75,
            hours_per_day=8.0,
            days_off={},
            committed_by=[],
        )
    )
    sprints.set_goal(sprint, SPRINT_GOAL, "Invoices by email")
    planned = _at(team, start, 9)
    items = []
    for position, demo in enumerate(DEMO_DONE):
        fields = ItemFields(title=demo.title, estimate=demo.estimate, owner=demo.by.id)
        item = await store.add_item(team, fields, PO.id, planned - timedelta(days=7))
        items.append(
            await store.add_sprint_item(
                SprintItem(
                    sprint_id=sprint.id,
                    item_id=item.id,
                    position=position,
                    supports_goal=position == 0,
                    removed=False,
                    added_at=planned,
                )
            )
        )
    developers = [d.id for d in DEVS]
    sprints.commit(team, sprint, items, SM.id, developers, (), planned, for_team=True)
    for demo, sprint_item in zip(DEMO_DONE, items, strict=True):
        if demo.started is not None:  # what the bot records when a task is first taken
            sprint_item.started_at = _at(team, _working_day(team, start, demo.started), 10)
        done = _at(team, _working_day(team, start, demo.done), 16)
        before = sprints.finish(sprint_item, done)
        store.log(sprint_item.item, demo.by.id, "done", done, status=[before, "done"])
    closed = _at(team, _working_day(team, start, 10), 17)
    sprints.close(sprint, items, "Yes: the first invoices went out by email", closed)


async def seed_backlog(db: Database, workspace: str, now: datetime) -> int:
    """Roles, time zone, the demo backlog and sprint 0 done for #team-demo; returns how many
    items the open backlog has."""
    async with db.transaction() as store:
        team = await store.ensure_team(workspace, CHANNEL, now - timedelta(days=14))
        await team_uc.assign_role(store, team, "po", [PO.id])
        await team_uc.assign_role(store, team, "sm", [SM.id])
        await team_uc.assign_role(store, team, "dev", [d.id for d in DEVS])
        teams.apply_setting(team, "timezone", PO.tz)
        for demo in DEMO_BACKLOG:
            created = now - timedelta(days=demo.days_ago)
            item = await store.add_item(team, demo.fields, demo.by.id, created)
            if demo.later:
                edited = created + timedelta(hours=20)
                await store.edit_item(team, item.number, demo.later, demo.later_by.id, edited)
        await seed_sprint_zero(store, team, now)
    return len(DEMO_BACKLOG)
