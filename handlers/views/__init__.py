"""Modal submissions, one module per feature.

Input is checked before the ack, so mistakes show under the field and nothing typed is lost:
what the form says by itself, and for the item form what the backlog refuses for one field (a
read of the database, never a Web API call); everything else happens after the ack.
"""

from slack_bolt.async_app import AsyncApp

from handlers.listener import register_all
from handlers.views import backlog, connect, meetings, planning, poker, review, sprint, team

# Each listener and the callback ids of the forms it saves.
VIEWS = {
    backlog.save_item: ("item_edit",),
    backlog.import_items: ("backlog_import",),
    team.save_roles: ("roles_edit",),
    team.save_setup: ("team_setup",),
    team.save_settings: ("settings_edit",),
    team.save_dor: ("dor_edit",),
    meetings.save_meeting_text: ("meeting_goal", "meeting_note"),
    meetings.save_agenda: ("agenda_edit", "agenda_yaml"),
    planning.save_plan: ("sprint_goal", "sprint_select", "sprint_capacity", "sprint_tasks"),
    sprint.close_sprint: ("sprint_close",),
    poker.poker_reason_vote: ("poker_reason",),
    connect.save_connection: ("tracker_connect",),
    review.save_verdict: ("review_verdict",),
}


def register(app: AsyncApp) -> None:
    register_all(app.view, VIEWS)
