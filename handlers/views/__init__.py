"""Modal submissions, one module per feature.

Input that can be checked without the database is checked before the ack, so mistakes show
under the field and nothing typed is lost; everything else happens after the ack.
"""

from slack_bolt.async_app import AsyncApp

from handlers.views import backlog, meetings, planning, poker, sprint, team


def register(app: AsyncApp) -> None:
    app.view("item_edit")(backlog.save_item)
    app.view("backlog_import")(backlog.import_items)
    app.view("roles_edit")(team.save_roles)
    app.view("settings_edit")(team.save_settings)
    app.view("dor_edit")(team.save_dor)
    app.view("meeting_goal")(meetings.save_meeting_text)
    app.view("meeting_note")(meetings.save_meeting_text)
    app.view("agenda_edit")(meetings.save_agenda)
    app.view("agenda_yaml")(meetings.save_agenda)
    for callback in ("sprint_goal", "sprint_select", "sprint_capacity", "sprint_tasks"):
        app.view(callback)(planning.save_plan)
    app.view("sprint_close")(sprint.close_sprint)
    app.view("poker_reason")(poker.poker_reason_vote)
