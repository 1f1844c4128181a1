"""What the Jira emulator holds, and the words it answers in: the records of one site (users,
issues, boards, sprints, webhooks), the fixed workflow, issue types and fields as Jira Cloud
names them, the error a route raises (``jira_error``: Jira's ``errorMessages``/``errors`` body) and
the Atlassian Document Format helpers (``adf_text``, ``is_adf``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.calls import RestCall
from bot.emulator.tracker import Refusal

UNAUTHENTICATED = "Client must be authenticated to access this resource."
BOARD_HIDDEN = "Board does not exist or you do not have permission to see it."
ISSUE_HIDDEN = "Issue does not exist or you do not have permission to see it."
NOT_ADF = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
STORY_POINTS = "customfield_10016"
RANK_FIELD_ID = 10019
RANK_FIELD = f"customfield_{RANK_FIELD_ID}"
SPRINT_FIELD = "customfield_10020"
SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
ROUTES = (
    "myself",
    "fields",
    "search.jql",
    "issue.get",
    "issue.edit",
    "issue.create",
    "board.configuration",
    "board.backlog",
    "issue.rank",
    "sprint.create",
    "sprint.get",
    "sprint.update",
    "sprint.issues",
    "backlog.issues",
    "board.sprints",
    "issue.transitions",
    "issue.transition",
)

# name -> (status id, category key, category id, category name, colour)
STATUSES = {
    "To Do": ("10000", "new", 2, "To Do", "blue-gray"),
    "In Progress": ("3", "indeterminate", 4, "In Progress", "yellow"),
    "Done": ("10001", "done", 3, "Done", "green"),
    # Done category but not delivered: off the default workflow (a test's ``workflow`` puts a
    # step to it), as a team adds one for work it drops.
    "Cancelled": ("10002", "done", 3, "Done", "green"),
}
WORKFLOW = ("To Do", "In Progress", "Done")  # the default workflow's statuses
# name -> id: Jira Cloud's resolutions. A Done status carries one (the transition sets
# "Done" unless told another: "Won't Do" closes an issue without delivering it); any other
# status none.
RESOLUTIONS = {
    "Done": "10000",
    "Won't Do": "10001",
    "Duplicate": "10002",
    "Cannot Reproduce": "10003",
}
# target status -> (transition id, transition name)
TRANSITIONS = {
    "To Do": ("11", "Back to To Do"),
    "In Progress": ("21", "Start progress"),
    "Done": ("31", "Done"),
    "Cancelled": ("41", "Cancel"),
}
# name -> (issue type id, hierarchy level)
ISSUE_TYPES = {
    "Story": ("10001", 0),
    "Task": ("10002", 0),
    "Bug": ("10004", 0),
    "Epic": ("10000", 1),
    "Subtask": ("10003", -1),
}
BLOCKS = {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"}


# -- recorded state ------------------------------------------------------------------------


JiraCall = RestCall
"""One request: ``route`` is one of ``ROUTES`` (or ``unknown``), ``user`` the email of the
account whose credentials were used."""


@dataclass
class JiraUser:
    email: str
    token: str
    account_id: str
    display_name: str
    time_zone: str = "UTC"

    def to_jira(self, base: str) -> dict[str, Any]:
        return {
            "self": f"{base}/rest/api/3/user?accountId={self.account_id}",
            "accountId": self.account_id,
            "accountType": "atlassian",
            "emailAddress": self.email,
            "displayName": self.display_name,
            "active": True,
            "timeZone": self.time_zone,
            "locale": "en_US",
            "avatarUrls": {"48x48": f"{base}/avatar/{self.account_id}.png"},
        }


@dataclass
class JiraIssue:
    id: int
    key: str
    project: str
    summary: str
    issue_type: str = "Story"
    description: dict[str, Any] | None = None
    status: str = "To Do"
    assignee: str | None = None  # account id
    labels: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)
    parent: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # custom fields
    created: float = 0.0  # epoch milliseconds
    updated: float = 0.0
    sprint: int | None = None
    closed_sprints: list[int] = field(default_factory=list)
    resolution: str | None = None  # a name of RESOLUTIONS, while done

    @property
    def done(self) -> bool:
        return STATUSES[self.status][1] == "done"

    def resolve(self, resolution: str | None = None) -> None:
        """The resolution that goes with the issue's status: `resolution` (else the one it has,
        else "Done") while it is done, none once it is not."""
        self.resolution = (resolution or self.resolution or "Done") if self.done else None


@dataclass
class JiraBoard:
    id: int
    name: str
    project: str
    filter_id: str
    type: str = "scrum"
    estimation_field: str | None = STORY_POINTS
    access: dict[str, int] = field(default_factory=dict)  # email -> 403/404


@dataclass
class JiraSprint:
    id: int
    name: str
    board_id: int
    state: str = "future"
    goal: str = ""
    start: str | None = None
    end: str | None = None
    complete: str | None = None
    created: str = ""

    def _dates(self) -> dict[str, str]:
        """The sprint's dates that are set, as Jira names them."""
        dates = {"startDate": self.start, "endDate": self.end, "completeDate": self.complete}
        return {key: value for key, value in dates.items() if value}

    def in_field(self) -> dict[str, Any]:
        """The sprint as the Sprint field's value lists it (the platform API's JSON: no
        ``self``, the board as ``boardId``)."""
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "boardId": self.board_id,
            "goal": self.goal,
            **self._dates(),
        }

    def to_jira(self, base: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "self": f"{base}/rest/agile/1.0/sprint/{self.id}",
            "state": self.state,
            "name": self.name,
            "createdDate": self.created,
            "originBoardId": self.board_id,
            "goal": self.goal,
            **self._dates(),
        }


@dataclass
class JiraWebhook:
    """A webhook as a Jira admin registers it (System > WebHooks), with its secret: every
    delivery is signed ``X-Hub-Signature: sha256=<HMAC-SHA256 of the body, hex>``."""

    url: str
    secret: str | None = None
    events: tuple[str, ...] = ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted")
    deliveries: list[int] = field(default_factory=list)  # HTTP status of each delivery


class JiraFailure(Refusal):
    """A route's refusal in Jira's words (``jira_error`` makes one)."""


def jira_error(status: int, *messages: str, **errors: str) -> JiraFailure:
    """Jira's error body: ``errorMessages``, and ``errors`` per field."""
    return JiraFailure(status, {"errorMessages": list(messages), "errors": errors})


def adf_text(text: str) -> dict[str, Any] | None:
    """A test convenience: plain text as ADF paragraphs (no lists)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        return None
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": p}]} for p in paragraphs
        ],
    }


def is_adf(value: Any) -> bool:
    """Whether a field's value is an Atlassian Document (what a textarea field takes)."""
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
    )
