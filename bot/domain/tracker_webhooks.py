"""What a tracker's webhook call means, per tracker: whether it is signed with the connection's
secret, and what its body hints at beyond "something changed". Pure functions, no I/O.

A verified call only makes the connection's sync due (what changed is read from the tracker,
never from the body), so the checks are about who may ask for that, and a replay of a
genuine call (Jira, GitHub) can at most ask for one sync more.

- Jira: ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>``.
- GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``.
- Linear: ``Linear-Signature: <hex HMAC-SHA256 of the body>``, and the body's
  ``webhookTimestamp`` (milliseconds) within a minute of now, against replays.

A hint (``hint(kind, body)``) is ``{"gone": [key]}`` (that issue may be deleted: the sync asks
the tracker, and only its NOT_FOUND unlinks the item), ``{"keys": True}`` (the board's order
changed: the sync reads it) or ``{}``; None for a delivery about another board (a GitHub
organisation webhook's, for another project). Nothing in a body is applied as data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

LINEAR_WINDOW_SECONDS = 60.0
_JIRA_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,19}-[0-9]{1,9}")  # PROJ-123
_LINEAR_KEY = re.compile(r"[A-Z0-9][A-Z0-9_]{0,19}-[0-9]{1,9}")  # ENG-123
_REPO = re.compile(r"[\w.-]{1,100}/[\w.-]{1,100}")  # owner/repo

Hint = dict[str, Any]


# -- what a body hints at, per tracker ------------------------------------------------------


def jira_hint(event: Mapping[str, Any]) -> Hint:
    """Jira: ``jira:issue_deleted`` names the deleted issue; a changelog item ``Rank`` says
    the board's order changed."""
    issue = event.get("issue")
    key = issue.get("key") if isinstance(issue, Mapping) else None
    if event.get("webhookEvent") == "jira:issue_deleted":
        return {"gone": [key]} if isinstance(key, str) and _JIRA_KEY.fullmatch(key) else {}
    changelog = event.get("changelog")
    items = changelog.get("items") if isinstance(changelog, Mapping) else None
    if isinstance(items, list) and any(
        isinstance(i, Mapping) and str(i.get("field", "")).lower() == "rank" for i in items
    ):
        return {"keys": True}
    return {}


def github_hint(event: Mapping[str, Any]) -> Hint:
    """GitHub: an ``issues`` delivery "deleted" or "transferred" names the issue as it was
    (``owner/repo#N``: transferred, its old key is gone); a ``projects_v2_item`` "reordered"
    means the project's order changed. Anything else (an edit, a comment, an item moved in
    or out of the project) is left to the walk of changes and the hourly reconcile."""
    action = event.get("action")
    issue = event.get("issue")
    if isinstance(issue, Mapping) and "comment" not in event:  # an issue_comment is not one
        if action not in ("deleted", "transferred"):
            return {}
        repository = event.get("repository")
        repo = repository.get("full_name") if isinstance(repository, Mapping) else None
        number = issue.get("number")
        if (
            isinstance(repo, str)
            and _REPO.fullmatch(repo)
            and isinstance(number, int)
            and not isinstance(number, bool)
            and number > 0
        ):
            return {"gone": [f"{repo}#{number}"]}
        return {}
    if isinstance(event.get("projects_v2_item"), Mapping) and action == "reordered":
        return {"keys": True}
    return {}


def github_elsewhere(event: Mapping[str, Any], board: Mapping[str, Any]) -> bool:
    """A ``projects_v2_item`` delivery of another project than the connection's (`board`, its
    snapshot: ``project_id``). GitHub sends project item events to organisation webhooks only
    (and Apps), for every project of the organisation: the webhook a team adds for its
    project hears all the others', which would each cost a sync."""
    item = event.get("projects_v2_item")
    mine = board.get("project_id")
    return isinstance(item, Mapping) and bool(mine) and item.get("project_node_id") != mine


def linear_hint(event: Mapping[str, Any]) -> Hint:
    """Linear: an Issue ``remove`` (deleted or trashed) names the issue; an Issue ``update``
    whose ``updatedFrom`` holds ``sortOrder`` is a reorder. Other types (Comment, Cycle) and
    actions say nothing more than "something changed"."""
    if event.get("type") != "Issue":
        return {}
    data = event.get("data")
    action = event.get("action")
    if action == "remove":
        key = data.get("identifier") if isinstance(data, Mapping) else None
        return {"gone": [key]} if isinstance(key, str) and _LINEAR_KEY.fullmatch(key) else {}
    before = event.get("updatedFrom")
    if action == "update" and isinstance(before, Mapping) and "sortOrder" in before:
        return {"keys": True}
    return {}


# -- how each tracker signs, and what it says ------------------------------------------------


@dataclass(frozen=True)
class WebhookKind:
    """One tracker's webhooks: the signature's header and prefix, whether the body carries a
    timestamp that must be fresh, and the reader of what a body hints at."""

    header: str
    read: Callable[[Mapping[str, Any]], Hint]
    prefix: str = ""
    timestamped: bool = False
    elsewhere: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] = lambda event, board: False


WEBHOOKS = {
    "jira": WebhookKind("X-Hub-Signature", jira_hint, prefix="sha256="),
    "github": WebhookKind(
        "X-Hub-Signature-256", github_hint, prefix="sha256=", elsewhere=github_elsewhere
    ),
    "linear": WebhookKind("Linear-Signature", linear_hint, timestamped=True),
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


def hint(kind: str, body: bytes, board: Mapping[str, Any] | None = None) -> Hint | None:
    """What a signed webhook body of a ``kind`` tracker asks of the sync besides the usual
    walk of changes (see the module's docstring); ``{}`` for a body that is not JSON, not an
    object, or of a kind Timebox does not know; None for a delivery about another board than
    the connection's (`board`, its snapshot), which asks nothing of it."""
    way = WEBHOOKS.get(kind)
    try:
        event = json.loads(body)
    except ValueError:
        return {}
    if way is None or not isinstance(event, Mapping):
        return {}
    if board is not None and way.elsewhere(event, board):
        return None
    return way.read(event)
