"""Buttons and menus, one module per feature."""

import re

from slack_bolt.async_app import AsyncApp

from handlers.actions import backlog, meetings, planning, poker, ready, team


def register(app: AsyncApp) -> None:
    # Bolt tries listeners in the order they were registered, each at a cost: a poll's cards
    # come in bursts, so they are matched first.
    app.action(re.compile(r"^poker_vote:\d+$"))(poker.poker_vote)
    app.action("poker_reason")(poker.poker_reason)
    for action_id in ("poker_reveal", "poker_accept", "poker_choose", "poker_revote", "poker_skip"):
        app.action(action_id)(poker.poker_facilitate)
    app.action("poker_start")(poker.poker_start)
    app.action("poker_history")(poker.poker_history)
    app.action("poker_option")(poker.poker_noop)
    app.action("poker_link")(poker.poker_noop)
    app.action("backlog_prev")(backlog.page)
    app.action("backlog_next")(backlog.page)
    app.action("backlog_open")(backlog.open_item)
    app.action("item_edit")(backlog.edit_item)
    for action_id in ("item_top", "item_done", "item_archive", "item_restore"):
        app.action(action_id)(backlog.change_item)
    app.action("item_fix")(ready.fix_item)
    app.action("roles_edit")(team.edit_team)
    app.action("settings_edit")(team.edit_team)
    app.action("dor_edit")(team.edit_team)
    app.action("archive_stale")(backlog.archive_stale)
    for op in ("next", "extend", "pause", "resume", "end"):
        app.action(f"meeting_{op}")(meetings.facilitate)
    app.action("meeting_goal")(meetings.meeting_form)
    app.action("meeting_note")(meetings.meeting_form)
    for placement in ("top", "keep", "bottom", "archive"):
        app.action(f"triage_{placement}")(meetings.triage_place)
    app.action("triage_type")(meetings.triage_pick)
    app.action("triage_moscow")(meetings.triage_pick)
    app.action("meeting_next_session")(meetings.next_session)
    app.action("meeting_estimate")(meetings.estimate_in_meeting)
    app.action("meeting_minutes")(meetings.show_minutes)
    for action in ("agenda_edit", "agenda_yaml", "agenda_reset"):
        app.action(action)(meetings.change_agenda)
    for action in ("sprint_goal", "sprint_select", "sprint_capacity", "sprint_tasks"):
        app.action(action)(planning.sprint_form)
    app.action("sprint_commit")(planning.sprint_commit)
    app.action("sprint_commit_team")(planning.sprint_commit)
