"""Buttons and menus, one module per feature."""

import re

from slack_bolt.async_app import AsyncApp

from handlers.actions import (
    backlog,
    calendar,
    connect,
    meetings,
    planning,
    poker,
    ready,
    review,
    sprint,
    team,
)
from handlers.listener import register_all

# Each listener and the action ids it answers. Bolt tries listeners in the order they were
# registered, each at a cost: a poll's cards come in bursts, so they are matched first.
ACTIONS = {
    poker.poker_vote: (re.compile(r"^poker_vote:\d+$"),),
    poker.poker_reason: ("poker_reason",),
    poker.poker_facilitate: (
        "poker_reveal",
        "poker_accept",
        "poker_accept_other",
        "poker_choose",
        "poker_revote",
        "poker_skip",
    ),
    poker.poker_start: ("poker_start",),
    poker.poker_history: ("poker_history",),
    poker.poker_noop: ("poker_option", "poker_link"),
    backlog.page: ("backlog_prev", "backlog_next"),
    backlog.open_item: ("backlog_open",),
    backlog.edit_item: ("item_edit",),
    backlog.change_item: ("item_top", "item_done", "item_archive", "item_restore"),
    ready.fix_item: ("item_fix",),
    team.edit_team: ("roles_edit", "settings_edit", "dor_edit"),
    team.set_up_team: ("team_setup",),
    backlog.archive_stale: ("archive_stale",),
    backlog.apply_order: ("priority_apply",),
    meetings.facilitate: tuple(
        f"meeting_{op}" for op in ("next", "extend", "pause", "resume", "end")
    ),
    meetings.meeting_form: ("meeting_goal", "meeting_note"),
    meetings.triage_place: tuple(f"triage_{p}" for p in ("top", "keep", "bottom", "archive")),
    meetings.triage_pick: ("triage_type", "triage_moscow"),
    meetings.next_session: ("meeting_next_session",),
    meetings.estimate_in_meeting: ("meeting_estimate",),
    meetings.show_minutes: (re.compile(r"^meeting_minutes(_\d+)?$"),),  # one per button
    meetings.change_agenda: ("agenda_edit", "agenda_yaml", "agenda_reset"),
    planning.sprint_form: ("sprint_goal", "sprint_select", "sprint_capacity", "sprint_tasks"),
    planning.sprint_commit: ("sprint_commit", "sprint_commit_team"),
    sprint.item_tasks: ("sprint_item_tasks",),
    sprint.task_menu: ("sprint_task",),
    calendar.start_now: ("calendar_start",),
    connect.choose_tracker: (re.compile(r"^tracker_choose_(jira|github|linear)$"),),
    calendar.skip: ("calendar_skip",),
    review.verdict_form: ("review_confirmed", "review_not_confirmed", "review_too_early"),
    review.follow_up: ("review_follow_up",),
    review.goal_answer: ("review_goal_yes", "review_goal_partly", "review_goal_no"),
}


def register(app: AsyncApp) -> None:
    register_all(app.action, ACTIONS)
