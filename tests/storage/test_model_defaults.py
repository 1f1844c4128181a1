"""The text a row gets when nobody gave it any: empty, but for the few columns whose default
means something (a status, a kind, the working days). A slip that gave every empty-default
column the working days ("mon,tue,wed,thu,fri") as its value went through the whole suite."""

from __future__ import annotations

from storage.models import Base

MEANT = {
    "teams.working_days": "mon,tue,wed,thu,fri",
    "backlog_items.type": "story",
    "backlog_items.status": "new",
    "meetings.status": "running",
    "poker_polls.status": "open",
    "poker_rounds.status": "voting",
    "sprints.status": "planning",
    "tracker_connections.kind": "jira",
    "tracker_connections.credential_kind": "api_token",
    "tracker_connections.status": "importing",
    "tracker_sprints.state": "future",
}


def test_text_columns_default_to_nothing_but_those_that_mean_a_value():
    given = {
        f"{table.name}.{column.name}": column.default.arg
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.default is not None and isinstance(getattr(column.default, "arg", None), str)
    }
    assert {name: text for name, text in given.items() if text} == MEANT
    assert given["teams.remind_days"] == "", "a reminder without days follows the working days"
