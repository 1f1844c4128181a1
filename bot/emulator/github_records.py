"""What the GitHub emulator holds, and the words it answers in: the records of its repositories
(issues, milestones), of Projects (v2) with their fields, iterations and ordered items, of GitHub
Apps and webhooks (which events a webhook hears at its scope: a repository's or an
organisation's); what a project field of each data type is called (``FIELD_KINDS``); the call
it records (``GitHubCall``); GitHub's messages for bad credentials and its primary and secondary
rate limits; and a REST route's refusal (``GitHubFailure``: GitHub's ``message`` and
``documentation_url``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar, NamedTuple

from bot.emulator.calls import RestCall
from bot.emulator.tracker import Refusal

BAD_CREDENTIALS = {
    "message": "Bad credentials",
    "documentation_url": "https://docs.github.com/rest",
    "status": "401",
}
PRIMARY_LIMIT = "API rate limit exceeded for user ID 1."
SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
RATE_LIMIT = 5000


GitHubCall = RestCall
"""One request: ``route`` is a REST route's name or ``graphql.<root field>``, ``user`` the
login (or ``app:<id>``, ``installation:<id>``) the credentials were for."""


class GhNode:
    """A record GitHub also names by a global node id (GraphQL's ``id``, REST's ``node_id``):
    its type's prefix, then its database ``id``."""

    NODE_PREFIX: ClassVar[str]
    id: int

    @property
    def node_id(self) -> str:
        return f"{self.NODE_PREFIX}_{self.id}"


@dataclass
class GhIssue(GhNode):
    NODE_PREFIX: ClassVar[str] = "I"

    repo: str
    number: int
    id: int
    title: str
    body: str = ""
    state: str = "open"
    state_reason: str | None = None
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None
    milestone: int | None = None
    created: float = 0.0
    updated: float = 0.0

    @property
    def key(self) -> str:
        return f"{self.repo}#{self.number}"


@dataclass
class GhMilestone:
    number: int
    title: str
    description: str = ""
    state: str = "open"
    due_on: str | None = None
    closed_at: str | None = None


@dataclass
class GhRepo(GhNode):
    NODE_PREFIX: ClassVar[str] = "R"

    owner: str
    name: str
    id: int
    issues: dict[int, GhIssue] = field(default_factory=dict)
    numbered: int = 0  # the highest issue number given: GitHub never gives one twice
    milestones: dict[int, GhMilestone] = field(default_factory=dict)
    labels: set[str] = field(default_factory=set)
    moved: dict[int, str] = field(default_factory=dict)  # number -> key of a transferred issue
    has_issues: bool = True
    permission: str = "ADMIN"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class GhIteration:
    id: str
    title: str
    start: date
    duration: int

    def is_open(self, today: date) -> bool:
        """Current or still to come on ``today`` (not completed)."""
        return self.start + timedelta(days=self.duration) > today

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "titleHTML": self.title,
            "startDate": self.start.isoformat(),
            "duration": self.duration,
        }


class FieldKind(NamedTuple):
    """What GitHub calls a project field of one data type: the prefix of its node ids and
    its GraphQL type."""

    id_prefix: str
    typename: str


FIELD_KINDS = {
    "ITERATION": FieldKind("PVTIF", "ProjectV2IterationField"),
    "SINGLE_SELECT": FieldKind("PVTSSF", "ProjectV2SingleSelectField"),
}
OTHER_FIELD = FieldKind("PVTF", "ProjectV2Field")
"""Any other data type (NUMBER, TEXT, TITLE, ...)."""


def field_kind(data_type: str) -> FieldKind:
    return FIELD_KINDS.get(data_type, OTHER_FIELD)


@dataclass
class GhField:
    id: str
    name: str
    data_type: str  # NUMBER, ITERATION, SINGLE_SELECT, TEXT, TITLE, ...
    iterations: list[GhIteration] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


@dataclass
class GhItem:
    id: str
    key: str
    values: dict[str, Any] = field(default_factory=dict)  # field id -> value
    updated: float = 0.0
    archived: bool = False


@dataclass
class GhProject:
    id: str
    owner: str
    number: int
    title: str
    fields: list[GhField] = field(default_factory=list)
    items: list[GhItem] = field(default_factory=list)  # in position order
    closed: bool = False

    def field_named(self, name: str) -> GhField | None:
        return next((f for f in self.fields if f.name.lower() == name.lower()), None)

    def field_by_id(self, field_id: str) -> GhField | None:
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass
class GhApp:
    id: str
    private_key_pem: str  # for tests and the sandbox: what the App's owner would download
    public_key: Any
    installations: dict[int, str] = field(default_factory=dict)  # id -> repo full name


REPOSITORY_EVENTS = ("issues",)
"""What the emulator sends a repository's webhook: GitHub offers ``projects_v2_item`` to
organisation webhooks (and Apps) only ("Webhook events and payloads", its Availability)."""
ORGANIZATION_EVENTS = ("issues", "projects_v2_item")
"""What it sends an organisation's: every repository's ``issues``, every project's items."""


@dataclass
class GitHubWebhook:
    """A webhook at its scope: a repository's (``repository``, ``owner/name``) or an
    organisation's (``organization``, its login), subscribed to ``events``."""

    url: str
    secret: str | None = None
    events: tuple[str, ...] = REPOSITORY_EVENTS
    deliveries: list[int] = field(default_factory=list)
    repository: str | None = None
    organization: str | None = None

    def hears(self, kind: str, payload: Mapping[str, Any]) -> bool:
        """Whether GitHub sends this hook the ``kind`` event ``payload``: one it subscribes
        to, about its repository (``repository.full_name``) or, an organisation's, about
        anything of the organisation (``organization.login``, in every payload GitHub sends
        about an organisation's repository or project)."""
        if kind not in self.events:
            return False
        if self.organization is not None:
            return _login(payload.get("organization")) == self.organization
        repository = payload.get("repository")
        named = repository.get("full_name") if isinstance(repository, Mapping) else None
        return named is not None and named == self.repository


def _login(owner: Any) -> str | None:
    return owner.get("login") if isinstance(owner, Mapping) else None


class GitHubFailure(Refusal):
    """A REST route's refusal in GitHub's words: a ``message``, the documentation's
    address and any ``extra`` (``errors``)."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        body = {"message": message, "documentation_url": "https://docs.github.com/rest"}
        super().__init__(status, body | extra)
