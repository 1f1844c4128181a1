"""Whether a tracker's webhook call is signed with the connection's secret, per tracker.

A verified call only makes the connection's sync due (what changed is read from the tracker,
never from the body), so the checks are about who may ask for that, and a replay of a
genuine call (Jira, GitHub) can at most ask for one sync more.

- Jira: ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>``.
- GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``.
- Linear: ``Linear-Signature: <hex HMAC-SHA256 of the body>``, and the body's
  ``webhookTimestamp`` (milliseconds) within a minute of now, against replays.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

LINEAR_WINDOW_SECONDS = 60.0
_REPO = re.compile(r"[\w.-]+/[\w.-]+")


@dataclass(frozen=True)
class WebhookKind:
    """How one tracker signs its webhooks: the header, and whether it has a prefix."""

    header: str
    prefix: str = ""
    timestamped: bool = False


WEBHOOKS = {
    "jira": WebhookKind("X-Hub-Signature", "sha256="),
    "github": WebhookKind("X-Hub-Signature-256", "sha256="),
    "linear": WebhookKind("Linear-Signature", "", timestamped=True),
}


def sign(kind: str, secret: str, body: bytes) -> str:
    """The header value the tracker sends for ``body`` signed with ``secret``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return WEBHOOKS[kind].prefix + digest


def _fresh(body: bytes, now: datetime) -> bool:
    try:
        sent = json.loads(body).get("webhookTimestamp")
    except (ValueError, AttributeError):
        return False
    if isinstance(sent, bool) or not isinstance(sent, int | float) or not math.isfinite(sent):
        return False
    return abs(now.timestamp() - sent / 1000) <= LINEAR_WINDOW_SECONDS


def verified(kind: str, secret: str, body: bytes, signature: str | None, now: datetime) -> bool:
    """True when ``signature`` (the kind's header) signs ``body`` with ``secret`` (compared in
    constant time) and, for Linear, the body was sent within the last minute."""
    way = WEBHOOKS.get(kind)
    if way is None or not secret or not signature:
        return False
    given = signature.strip().lower() if way.timestamped else signature.strip()
    if not hmac.compare_digest(sign(kind, secret, body).encode(), given.encode()):
        return False
    return not way.timestamped or _fresh(body, now)


def github_hint(event: Mapping[str, Any]) -> dict[str, Any]:
    """GitHub: a deleted or transferred issue is named (``gone``); an item moved, added,
    archived or removed in the project, or an issue's milestone changed, means the backlog's
    order or membership changed (``keys``)."""
    action = str(event.get("action") or "")
    issue = event.get("issue")
    repository = event.get("repository")
    if isinstance(issue, Mapping) and action in ("deleted", "transferred"):
        repo = repository.get("full_name") if isinstance(repository, Mapping) else None
        number = issue.get("number")
        if isinstance(repo, str) and isinstance(number, int) and _REPO.fullmatch(repo):
            return {"gone": [f"{repo}#{number}"]}
        return {}
    if isinstance(event.get("projects_v2_item"), Mapping) and action in (
        "reordered",
        "created",
        "deleted",
        "archived",
        "restored",
        "converted",
    ):
        return {"keys": True}
    moved = ("milestoned", "demilestoned", "closed", "reopened")
    if isinstance(issue, Mapping) and action in moved:
        return {"keys": True}
    return {}
