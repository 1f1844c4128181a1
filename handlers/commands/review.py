"""`/review`: the sprint review as a timeboxed meeting, from the keyboard (its cards carry
the verdicts, the follow-ups and the goal's answer)."""

from __future__ import annotations

from bot.domain.commands import SprintCommand, parse_review
from handlers.asked import Verb, show_help, slash_command
from handlers.commands.meeting import clock_verbs

VERBS: dict[str, Verb[SprintCommand]] = {**clock_verbs("review"), "help": show_help}

review_command = slash_command(parse_review, VERBS)
