"""Slash commands, one module per command: parse, ack, call the use case, answer."""

from slack_bolt.async_app import AsyncApp

from handlers.commands.backlog import backlog_command
from handlers.commands.planning import planning_command
from handlers.commands.poker import poker_command
from handlers.commands.ready import ready_command
from handlers.commands.refine import refine_command
from handlers.commands.review import review_command
from handlers.commands.sprint import sprint_command
from handlers.commands.timebox import timebox_command

# Every slash command this app answers; manifest.yml must list exactly these.
COMMANDS = {
    "/backlog": backlog_command,
    "/planning": planning_command,
    "/poker": poker_command,
    "/ready": ready_command,
    "/refine": refine_command,
    "/review": review_command,
    "/sprint": sprint_command,
    "/timebox": timebox_command,
}


def register(app: AsyncApp) -> None:
    for name, handler in COMMANDS.items():
        app.command(name)(handler)
