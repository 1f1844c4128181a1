"""What Slack knows about the app from manifest.yml: its slash commands and event subscriptions.

The sandbox behaves like a workspace with Timebox installed from its manifest, so the page
autocompletes exactly the commands a real user would see, and the emulator only delivers the
events Slack would deliver.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).resolve().parent.parent.parent / "manifest.yml"


@dataclass(frozen=True)
class Command:
    command: str
    description: str
    usage_hint: str
    should_escape: bool


@dataclass(frozen=True)
class Manifest:
    commands: tuple[Command, ...]
    bot_events: frozenset[str]

    def command(self, name: str) -> Command | None:
        return next((c for c in self.commands if c.command == name), None)

    def to_json(self) -> list[dict[str, Any]]:
        return [vars(c) for c in self.commands]


def load_manifest(path: Path = MANIFEST) -> Manifest:
    """The manifest next to the code; without it (an installed wheel), the commands the bot
    registers, with no descriptions."""
    if not path.exists():
        from handlers.commands import COMMANDS

        fallback = tuple(Command(name, "", "", True) for name in COMMANDS)
        return Manifest(fallback, frozenset({"app_home_opened", "file_shared"}))
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    features = data.get("features") or {}
    commands = tuple(
        Command(
            command=str(c["command"]),
            description=str(c.get("description") or ""),
            usage_hint=str(c.get("usage_hint") or ""),
            should_escape=bool(c.get("should_escape", False)),
        )
        for c in features.get("slash_commands") or []
    )
    events = ((data.get("settings") or {}).get("event_subscriptions") or {}).get("bot_events")
    return Manifest(commands, frozenset(events or ()))
