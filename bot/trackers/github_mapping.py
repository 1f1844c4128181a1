"""GitHub's JSON as the domain's records, and no I/O: an issue's key (``owner/repo#123``,
``split_key``); an issue from REST or GraphQL JSON (``issue_of``), its labels read as its type
(``bug``, ``spike``, ``tech debt``, ``enabler``) and, in a plain repository, its estimate
(``estimate: 5``), its state and project status as a status (closed as not planned or as
a duplicate: ``not_planned``), the sprint it is planned in (an
open milestone's title, ``open_milestone``, or its item's iteration not yet over); a project item
with its field values (``item_of``); the iteration field's iterations and the milestones as
sprints. The client
(bot/trackers/github.py) makes the calls and hands the JSON here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.domain import trackers
from bot.trackers.http import parse_time
from bot.trackers.markdown import references, split_body

SPRINT_DAYS = 14
ESTIMATE_LABEL = re.compile(r"^estimate:\s*(\d+(?:\.\d+)?)$", re.IGNORECASE)
_KEY = re.compile(r"^([\w.-]+)/([\w.-]+)#(\d+)$")
_TYPES = {"bug": "Bug", "spike": "Spike", "tech debt": "Tech debt", "tech-debt": "Tech debt"}
_TYPES |= {"enabler": "Enabler", "epic": "Epic"}
LABEL_OF_TYPE = {"Bug": "bug", "Spike": "spike", "Tech debt": "tech debt", "Enabler": "enabler"}
_IN_PROGRESS = {"in progress", "in review", "doing", "review"}
NOT_DONE = frozenset({"not_planned", "duplicate"})
"""The reasons an issue is closed with that deliver nothing (REST's ``state_reason``,
GraphQL's ``stateReason`` in capitals): closed as not planned, or as a duplicate."""


def estimate_label(estimate: float) -> str:
    """The label that holds an estimate in a plain repository (``ESTIMATE_LABEL`` reads it)."""
    return f"estimate: {float(estimate):g}"


def split_key(key: str) -> tuple[str, str, int]:
    match = _KEY.match(key.strip())
    if match is None:
        raise trackers.TrackerError(
            f"{key!r} is not a GitHub issue key (owner/repo#123).",
            kind=trackers.TrackerErrorKind.INVALID,
        )
    return match.group(1), match.group(2), int(match.group(3))


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Iteration:
    id: str
    title: str
    start: date
    duration: int  # days
    completed: bool = False

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.duration)

    def config(self) -> dict[str, Any]:
        return {"title": self.title, "startDate": self.start.isoformat(), "duration": self.duration}


@dataclass(frozen=True)
class ProjectConfig:
    """What Timebox keeps of a project (a snapshot): its node id and the fields it writes,
    the ids of every number and iteration field it had (``unknown_fields``), and when it was
    read (the client trusts it for ``PROJECT_SETTINGS_AGE``)."""

    id: str
    title: str
    url: str
    estimate_field_id: str | None
    iteration_field_id: str | None
    iteration_field_name: str | None
    field_ids: tuple[str, ...] = ()  # the project's number and iteration fields when read
    read_at: datetime | None = None  # when it was read (None: not known)

    def same_fields(self, other: ProjectConfig) -> bool:
        """Whether ``other`` is this project with the same fields, whenever each was read."""
        return replace(self, read_at=None) == replace(other, read_at=None)


_FIELD_VALUES = frozenset({"ProjectV2ItemFieldNumberValue", "ProjectV2ItemFieldIterationValue"})


def unknown_fields(raws: Iterable[Mapping[str, Any]], project: ProjectConfig) -> bool:
    """Whether a project item (``raws``: items' JSON) has a value in a number or iteration
    field ``project`` did not have when read: one made since, as a deleted and remade
    ``Estimate`` or ``Sprint`` field is (a new id), whose values a read by the kept ids
    misses. A field made since and holding no value yet misses nothing."""
    known = {*project.field_ids, project.estimate_field_id, project.iteration_field_id}
    return any(
        value.get("__typename") in _FIELD_VALUES
        and (value.get("field") or {}).get("id") not in known
        for raw in raws
        if raw
        for value in (raw.get("fieldValues") or {}).get("nodes") or []
        if value
    )


@dataclass
class ProjectItem:
    """One project item (an issue) as read: its values and the issue's JSON."""

    id: str
    updated: datetime
    archived: bool
    estimate: float | None = None
    iteration: str | None = None
    iteration_title: str | None = None
    iteration_end: date | None = None  # the day after its last: GitHub completes it then
    status: str | None = None
    issue: dict[str, Any] = field(default_factory=dict)

    def sprint_on(self, today: date) -> tuple[str, str] | None:
        """The title and id of the item's iteration while it is current or to come (GitHub
        counts one completed once its end has passed), else None: the sprint it is planned in."""
        if self.iteration is None or (
            self.iteration_end is not None and self.iteration_end <= today
        ):
            return None
        return self.iteration_title or self.iteration, self.iteration

    @property
    def key(self) -> str | None:
        issue = self.issue
        repo = (issue.get("repository") or {}).get("nameWithOwner")
        number = issue.get("number")
        return f"{repo}#{number}" if repo and number is not None else None


def labels_of(raw: Any) -> list[str]:
    if isinstance(raw, Mapping):  # GraphQL: {nodes: [{name}]}
        raw = raw.get("nodes") or []
    names = []
    for label in raw or []:
        name = label.get("name") if isinstance(label, Mapping) else label
        if name:
            names.append(str(name))
    return names


def issue_of(
    raw: Mapping[str, Any],
    fallback_repo: str,
    *,
    estimate_labels: bool,
    estimate: float | None = None,
    status: str | None = None,
    updated: datetime | None = None,
    sprint: tuple[str, str] | None = None,
) -> trackers.TrackerIssue:
    """An issue from REST (``html_url``, ``updated_at``) or GraphQL (``url``,
    ``updatedAt``) JSON, of ``fallback_repo`` unless it names its repository.
    ``estimate_labels``: the estimate is a label (a plain repository); ``estimate``/``status``/
    ``updated``: the project item's; ``sprint``: the milestone or iteration it is planned in
    (its title and id)."""
    repo = (raw.get("repository") or {}).get("nameWithOwner") or (
        (raw.get("repository") or {}).get("full_name")
    )
    if not repo:
        url = str(raw.get("repository_url") or "")
        repo = "/".join(url.rstrip("/").split("/")[-2:]) if url else fallback_repo
    key = f"{repo}#{raw.get('number')}"
    labels = labels_of(raw.get("labels"))
    if estimate_labels:
        estimate = None
        for label in labels:
            match = ESTIMATE_LABEL.match(label.strip())
            if match:
                estimate = float(match.group(1))
    kept = [label for label in labels if not ESTIMATE_LABEL.match(label.strip())]
    issue_type = next((_TYPES[n.lower()] for n in kept if n.lower() in _TYPES), "Story")
    typed = raw.get("type") or raw.get("issueType")
    if isinstance(typed, Mapping) and typed.get("name"):
        issue_type = str(typed["name"])
    body = str(raw.get("body") or "")
    description, criteria = split_body(body)
    closed = str(raw.get("state") or "").lower() == "closed"
    reason = str(raw.get("state_reason") or raw.get("stateReason") or "").lower()
    if closed:
        category, status_name = trackers.StatusCategory.DONE, "Closed"
    elif status and status.strip().lower() in _IN_PROGRESS:
        category, status_name = trackers.StatusCategory.IN_PROGRESS, status
    else:
        category, status_name = trackers.StatusCategory.TODO, status or "Open"
    people = raw.get("assignees")
    if isinstance(people, Mapping):
        people = people.get("nodes")
    person = (people or [None])[0] or raw.get("assignee")
    assignee = (
        trackers.TrackerUser(
            id=str(person.get("login") or ""),
            name=str(person.get("name") or person.get("login") or ""),
        )
        if isinstance(person, Mapping)
        else None
    )
    stamp = parse_time(raw.get("updated_at") or raw.get("updatedAt")) or datetime.fromtimestamp(
        0, UTC
    )
    if updated is not None and updated > stamp:
        stamp = updated
    return trackers.TrackerIssue(
        key=key,
        url=str(raw.get("html_url") or raw.get("url") or ""),
        summary=str(raw.get("title") or ""),
        description=description,
        acceptance_criteria=criteria,
        estimate=estimate,
        issue_type=issue_type,
        status_category=category,
        status=status_name,
        assignee=assignee,
        epic=None,
        labels=tuple(kept),
        blocked_by=references(body, repo),
        updated=stamp,
        id=str(raw.get("node_id") or raw.get("id") or ""),
        sprint=sprint[0] if sprint else None,
        sprint_id=sprint[1] if sprint else None,
        not_planned=closed and reason in NOT_DONE,
    )


def open_milestone(raw: Mapping[str, Any]) -> tuple[str, str] | None:
    """The title and number of the open milestone an issue (REST JSON) is in: a plain
    repository's sprint it is planned in; None when it is in none, or in a closed one."""
    milestone = raw.get("milestone") or {}
    if str(milestone.get("state") or "") != "open":
        return None
    number = str(milestone.get("number") or "")
    return str(milestone.get("title") or number), number


def item_of(raw: Mapping[str, Any], project: ProjectConfig) -> ProjectItem | None:
    """A project item that holds an issue (drafts and pull requests are no backlog)."""
    content = raw.get("content") or {}
    if content.get("__typename", "Issue") != "Issue" or content.get("number") is None:
        return None
    item = ProjectItem(
        id=str(raw.get("id") or ""),
        updated=parse_time(raw.get("updatedAt")) or datetime.fromtimestamp(0, UTC),
        archived=bool(raw.get("isArchived")),
        issue=dict(content),
    )
    for value in (raw.get("fieldValues") or {}).get("nodes") or []:
        if not value:
            continue
        field_id = (value.get("field") or {}).get("id")
        kind = value.get("__typename")
        if kind == "ProjectV2ItemFieldNumberValue" and field_id == project.estimate_field_id:
            number = value.get("number")
            item.estimate = float(number) if isinstance(number, int | float) else None
        elif kind == "ProjectV2ItemFieldIterationValue" and (
            field_id == project.iteration_field_id
        ):
            item.iteration = value.get("iterationId")
            item.iteration_title = value.get("title")
            if value.get("startDate"):
                start = date.fromisoformat(str(value["startDate"]))
                item.iteration_end = start + timedelta(days=int(value.get("duration") or 0))
        elif kind == "ProjectV2ItemFieldSingleSelectValue" and (
            str((value.get("field") or {}).get("name") or "").lower() == "status"
        ):
            item.status = value.get("name")
    return item


def iteration_of(raw: Mapping[str, Any], completed: bool) -> Iteration:
    return Iteration(
        id=str(raw.get("id") or ""),
        title=str(raw.get("title") or ""),
        start=date.fromisoformat(str(raw.get("startDate"))),
        duration=int(raw.get("duration") or SPRINT_DAYS),
        completed=completed,
    )


def sprint_of_iteration(iteration: Iteration, today: date) -> trackers.TrackerSprint:
    """An iteration as a sprint (its title ``Sprint 12: <goal>``), in its state on ``today``."""
    name, _, goal = iteration.title.partition(": ")
    if iteration.completed or iteration.end <= today:
        state = trackers.SprintState.CLOSED
    elif iteration.start <= today:
        state = trackers.SprintState.ACTIVE
    else:
        state = trackers.SprintState.FUTURE
    start = datetime.combine(iteration.start, datetime.min.time(), UTC)
    return trackers.TrackerSprint(
        id=iteration.id,
        name=name.strip(),
        state=state,
        goal=goal.strip(),
        start=start,
        end=start + timedelta(days=iteration.duration),
        completed=(start + timedelta(days=iteration.duration))
        if state is trackers.SprintState.CLOSED
        else None,
    )


def milestone_fields(spec: trackers.SprintSpec) -> dict[str, Any]:
    """What a milestone holds of a sprint (a plain repository's): its goal as the
    description, its end (if set) as the due date; ``sprint_of_milestone`` reads them back."""
    fields: dict[str, Any] = {"description": spec.goal}
    if spec.end is not None:
        fields["due_on"] = iso(spec.end)
    return fields


def sprint_of_milestone(raw: Mapping[str, Any]) -> trackers.TrackerSprint:
    """A milestone as a sprint (a plain repository's), its description the goal."""
    closed = raw.get("state") == "closed"
    return trackers.TrackerSprint(
        id=str(raw.get("number") or ""),
        name=str(raw.get("title") or ""),
        state=trackers.SprintState.CLOSED if closed else trackers.SprintState.ACTIVE,
        goal=str(raw.get("description") or ""),
        end=parse_time(raw.get("due_on")),
        completed=parse_time(raw.get("closed_at")),
    )
