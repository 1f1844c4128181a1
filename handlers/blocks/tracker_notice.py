"""The channel's message when its tracker connection breaks, and when it works again
(bot.usecases.tracker.Outage): registered as the use case's announcer by handlers/jobs.py."""

from __future__ import annotations

from typing import Any

from bot.usecases.tracker import Outage
from handlers.blocks.connect import board_word
from handlers.blocks.kit import mrkdwn_notice
from handlers.render import render


def outage(said: Outage) -> dict[str, Any]:
    """What broke, that Timebox's changes wait, and who reconnects how; or that it is over."""
    template = "tracker_broken.md.j2" if said.broken else "tracker_working.md.j2"
    word = board_word(said.kind, said.board_id)
    return mrkdwn_notice(render(template, said=said, word=word))
