"""A local Slack for end-to-end tests and the sandbox.

``SlackEmulator`` serves Slack's Web API, response URLs and file hosting and keeps the
workspace state; ``SlackDriver`` sends the bot the signed requests Slack would send;
``blockcheck`` holds the Block Kit rules both enforce.
"""

from bot.emulator.blockcheck import Problem, check_message, check_view, is_warning
from bot.emulator.driver import Ack, SlackDriver
from bot.emulator.server import (
    ApiCall,
    Channel,
    Ephemeral,
    Message,
    SlackEmulator,
    SlackFile,
    View,
)

__all__ = [
    "Ack",
    "ApiCall",
    "Channel",
    "Ephemeral",
    "Message",
    "Problem",
    "SlackDriver",
    "SlackEmulator",
    "SlackFile",
    "View",
    "check_message",
    "check_view",
    "is_warning",
]
