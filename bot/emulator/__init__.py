"""A local Slack for end-to-end tests and the sandbox.

``SlackEmulator`` serves Slack's Web API, response URLs and file hosting and keeps the
workspace state, and Socket Mode's WebSocket (``em.socket_mode``); ``SlackDriver`` sends the
bot the signed requests Slack would send, or the same as Socket Mode envelopes; ``blockcheck``
holds the Block Kit rules both enforce.
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
from bot.emulator.socket_mode import Connection, Envelope, SocketMode

__all__ = [
    "Ack",
    "ApiCall",
    "Channel",
    "Connection",
    "Envelope",
    "Ephemeral",
    "Message",
    "Problem",
    "SlackDriver",
    "SlackEmulator",
    "SlackFile",
    "SocketMode",
    "View",
    "check_message",
    "check_view",
    "is_warning",
]
