"""Sprint export: the Markdown record and the CSV, line by line."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from bot.domain.backlog import ItemFields
from bot.domain.sprint_export import CSV_HEADERS, item_status, sprint_csv, sprint_markdown
from bot.domain.sprints import set_goal
from bot.usecases import sprints
from storage.models import BacklogItem, ScopeChange, Sprint, SprintItem, SprintTask

AT = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
DIANA, DEVON, PAULA = "U0DIANA", "U0DEV", "U0PAULA"


def make_sprint(**overrides: object) -> Sprint:
    values: dict[str, object] = {
        "team_id": 1,
        "number": 3,
        "status": "active",
        "starts_on": date(2026, 3, 2),
        "ends_on": date(2026, 3, 15),
        "goal": "Invoices go out as PDF",
        "one_thing": "",
        "committed_points": 8.0,
        "completed_points": None,
        "committed_by": [DIANA, DEVON],
        "review_answer": None,
    }
    values.update(overrides)
    return Sprint(**values)


def item(number: int, title: str, estimate: float | None, owner: str | None) -> BacklogItem:
    return BacklogItem(team_id=1, number=number, title=title, estimate=estimate, owner=owner)


def task(title: str, hours: float, owner: str | None, done: bool = False) -> SprintTask:
    return SprintTask(title=title, hours=hours, owner=owner, done=done)


def sprint_items() -> list[SprintItem]:
    export = SprintItem(
        item=item(1, "Export invoices | as PDF", 5, DIANA),
        supports_goal=True,
        removed=False,
        done_at=AT,
        tasks=[task("Design the query", 2, DIANA, True), task("Write tests", 1.5, DEVON, True)],
    )
    mail = SprintItem(
        item=item(2, "Mail the PDF", 3, None),
        supports_goal=True,
        removed=False,
        override_reason="the PO explains it on Monday",
        tasks=[task("SMTP settings", 4, None), task("Template", 2.5, DEVON, True)],
    )
    logo = SprintItem(
        item=item(7, "Logo on invoices", None, PAULA), supports_goal=False, removed=False, tasks=[]
    )
    return [export, mail, logo]


def changes() -> list[ScopeChange]:
    return [
        ScopeChange(
            sprint_id=1,
            action="added",
            item_number=7,
            points=None,
            reason="the customer escalated it",
            actor=PAULA,
            at=AT,
        ),
        ScopeChange(
            sprint_id=1,
            action="removed",
            item_number=4,
            points=2.0,
            reason="blocked by legal",
            actor=PAULA,
            at=AT + timedelta(days=1, hours=2),
        ),
    ]


def test_markdown_has_the_goal_numbers_items_tasks_and_scope_log():
    text = sprint_markdown(
        make_sprint(one_thing="PDFs render on mobile"), sprint_items(), changes()
    )
    assert text.splitlines() == [
        "# Sprint 3",
        "",
        "- Goal: Invoices go out as PDF",
        "- The one thing: PDFs render on mobile",
        "- Dates: 2026-03-02 to 2026-03-15",
        "- Status: active",
        "- Committed: 8 points",
        "- Completed: 5 points so far",
        f"- Committed by: {DIANA}, {DEVON}",
        "",
        "## Items",
        "",
        "| Item | Title | Points | Status | Owner | Supports the goal | Tasks done |",
        "|---|---|---:|---|---|---|---:|",
        f"| #1 | Export invoices \\| as PDF | 5 | done | {DIANA} | yes | 2/2 |",
        "| #2 | Mail the PDF | 3 | in progress | — | yes | 1/2 |",
        f"| #7 | Logo on invoices |  | to do | {PAULA} | no | 0/0 |",
        "",
        "### #1 Export invoices \\| as PDF",  # a `|` escaped wherever it stands
        "",
        "Tasks: 3.5h, 0h left",
        "",
        f"- [x] Design the query, 2h, {DIANA}",
        f"- [x] Write tests, 1.5h, {DEVON}",
        "",
        "### #2 Mail the PDF",
        "",
        "Taken although not ready: the PO explains it on Monday",
        "",
        "Tasks: 6.5h, 4h left",
        "",
        "- [ ] SMTP settings, 4h, unassigned",
        f"- [x] Template, 2.5h, {DEVON}",
        "",
        "### #7 Logo on invoices",
        "",
        "No tasks.",
        "",
        "## Scope changes",
        "",
        "| When (UTC) | Change | Item | Points | By | Reason |",
        "|---|---|---|---:|---|---|",
        f"| 2026-03-04 10:30 | added | #7 |  | {PAULA} | the customer escalated it |",
        f"| 2026-03-05 12:30 | removed | #4 | 2 | {PAULA} | blocked by legal |",
    ]
    assert text.endswith("|\n")


def test_markdown_of_a_closed_sprint_and_of_one_still_being_planned():
    closed = make_sprint(status="closed", completed_points=5.0, review_answer="Yes, shipped")
    text = sprint_markdown(closed, sprint_items(), [])
    assert "- Completed: 5 points\n- Committed by:" in text
    assert f"- Committed by: {DIANA}, {DEVON}\n- Review: Yes, shipped\n" in text
    assert "| #2 | Mail the PDF | 3 | not done | — | yes | 1/2 |" in text
    assert text.endswith("## Scope changes\n\nNo scope changes.\n")

    planning = make_sprint(status="planning", goal="", committed_points=None, committed_by=[])
    lines = sprint_markdown(planning, [], []).splitlines()
    assert lines[2:6] == [
        "- Goal: (none yet)",
        "- Dates: 2026-03-02 to 2026-03-15",
        "- Status: planning",
        "- Committed: not yet",
    ]
    assert "No items in this sprint." in lines
    assert not any(line.startswith(("- Completed", "- Committed by")) for line in lines)


def test_names_replace_user_ids_when_known():
    names = {DIANA: "diana", PAULA: "paula"}
    text = sprint_markdown(make_sprint(), sprint_items(), changes(), names=names)
    assert f"- Committed by: diana, {DEVON}" in text
    assert "- [x] Design the query, 2h, diana" in text
    assert "| 2026-03-04 10:30 | added | #7 |  | paula | the customer escalated it |" in text
    rows = list(csv.reader(io.StringIO(sprint_csv(make_sprint(), sprint_items(), names=names))))
    assert rows[1][6] == "diana" and rows[2][9] == DEVON


def test_csv_has_one_row_per_task_and_one_per_item_without_tasks():
    text = sprint_csv(make_sprint(), sprint_items())
    assert text.splitlines() == [
        "Sprint,Goal,Item,Title,Points,Item status,Item owner,Task,Hours,Task owner,Task done",
        f"3,Invoices go out as PDF,#1,Export invoices | as PDF,5,done,{DIANA},"
        f"Design the query,2,{DIANA},yes",
        f"3,Invoices go out as PDF,#1,Export invoices | as PDF,5,done,{DIANA},"
        f"Write tests,1.5,{DEVON},yes",
        "3,Invoices go out as PDF,#2,Mail the PDF,3,in progress,,SMTP settings,4,,no",
        f"3,Invoices go out as PDF,#2,Mail the PDF,3,in progress,,Template,2.5,{DEVON},yes",
        f"3,Invoices go out as PDF,#7,Logo on invoices,,to do,{PAULA},,,,",
    ]
    assert text.splitlines()[0].split(",") == CSV_HEADERS


def test_csv_quotes_commas_quotes_and_line_breaks_so_it_reads_back():
    tricky = SprintItem(
        item=item(9, 'Say "hi", then\nleave', 1, None),
        removed=False,
        tasks=[task("a, b", 1, None)],
    )
    sprint = make_sprint(goal='Ship, "really"')
    rows = list(csv.reader(io.StringIO(sprint_csv(sprint, [tricky]))))
    assert rows[1] == [
        "3",
        'Ship, "really"',
        "#9",
        'Say "hi", then\nleave',
        "1",
        "to do",
        "",
        "a, b",
        "1",
        "",
        "no",
    ]
    assert sprint_csv(sprint, []).splitlines() == [",".join(CSV_HEADERS)]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_no_csv_cell_can_run_as_a_formula_and_each_reads_back_with_one_quote_more():
    """OWASP's CSV injection advice, as the backlog's export follows it: titles, the goal and
    names are anyone's text, so a cell starting like a formula gets a leading quote."""
    odd = SprintItem(
        item=item(5, "=cmd|' /C calc'!A0", 2, DIANA),
        removed=False,
        tasks=[
            task('=HYPERLINK("http://x","y")', 1, DIANA),
            task("@SUM(1+1)", 2, DEVON),
            task("+1 call", 1, None),
            task("-2 bugs", 1, None),
            task("\tindented", 1, None),
            task("\rreturned", 1, None),
            task("'quoted already", 1, None),
        ],
    )
    plain = SprintItem(item=item(6, "@here look", None, None), removed=False, tasks=[])
    sprint = make_sprint(goal="=1+1 goal")
    names = {DIANA: "=evil name", DEVON: "Devon"}
    text = sprint_csv(sprint, [odd, plain], names=names)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []
    assert [row[7] for row in rows[1:]] == [
        '\'=HYPERLINK("http://x","y")',
        "'@SUM(1+1)",
        "'+1 call",
        "'-2 bugs",
        "'\tindented",
        "'\rreturned",
        "''quoted already",
        "",
    ]
    assert {row[1] for row in rows[1:]} == {"'=1+1 goal"}
    assert {row[3] for row in rows[1:]} == {"'=cmd|' /C calc'!A0", "'@here look"}
    assert rows[1][6] == rows[1][9] == "'=evil name"
    assert rows[2][9] == "Devon"


def test_a_removed_item_reads_removed():
    removed = SprintItem(item=item(4, "Legal text", 2, None), removed=True, tasks=[])
    assert item_status(make_sprint(), removed) == "removed"


async def test_export_of_a_sprint_built_through_the_domain(store, team, clock):
    now = clock.now()
    await store.set_role(team, "sm", ["U0SAM"])
    for title in ("Export invoices", "Mail the PDF"):
        await store.add_item(
            team,
            ItemFields(
                title=title,
                hypothesis="Fewer tickets",
                acceptance_criteria=["PDF"],
                estimate=3,
                owner=DIANA,
            ),
            PAULA,
            now,
        )
    sprint = await sprints.upcoming(store, team, now)
    set_goal(sprint, "Invoices go out as PDF", "")
    await sprints.select(store, team, sprint, [1, 2], {1, 2}, {}, now)
    planned = await sprints.set_tasks(store, team, sprint, 1, "Query 2h\nTests 1.5h")
    planned.tasks[0].owner = DIANA
    await sprints.commit(store, team, sprint, "U0SAM", [DIANA], now, for_team=True)
    clock.advance(timedelta(days=1))
    await sprints.renegotiate(store, team, "remove", 2, "blocked by legal", PAULA, clock.now())
    await sprints.finish_item(store, team, 1, DIANA, clock.now())

    items = await store.sprint_items(sprint)
    text = sprint_markdown(sprint, items, await store.scope_changes(sprint))
    assert "- Committed: 6 points\n- Completed: 3 points so far\n" in text
    assert f"| #1 | Export invoices | 3 | done | {DIANA} | yes | 2/2 |" in text
    assert "#2 | Mail the PDF" not in text, "removed from the sprint backlog"
    assert f"| 2026-03-03 09:00 | removed | #2 | 3 | {PAULA} | blocked by legal |" in text
    assert sprint_csv(sprint, items).splitlines()[1:] == [
        f"{sprint.number},Invoices go out as PDF,#1,Export invoices,3,done,{DIANA},"
        f"Query,2,{DIANA},yes",
        f"{sprint.number},Invoices go out as PDF,#1,Export invoices,3,done,{DIANA},Tests,1.5,,yes",
    ]


def test_scope_changes_are_dated_in_the_team_zone_named_once():
    """20:29 UTC on Sunday 6 December is Monday 7 December 09:29 in Auckland: the first
    day of the sprint, not the day before it."""
    from zoneinfo import ZoneInfo

    late = changes()[0]
    late.at = datetime(2026, 12, 6, 20, 29, tzinfo=UTC)
    zone = ZoneInfo("Pacific/Auckland")
    text = sprint_markdown(make_sprint(), [], [late], zone=zone)
    assert "| When (Pacific/Auckland) | Change | Item | Points | By | Reason |" in text
    assert f"| 2026-12-07 09:29 | added | #7 |  | {PAULA} |" in text
    assert "UTC" not in text and text.count("Pacific/Auckland") == 1
