"""GitHub as a ``Tracker``: a repository's issues, or a Projects (v2) project whose order is the
backlog's, over GitHub's REST and GraphQL APIs (aiohttp).

Two scopes, chosen when connecting:

- **a project** (``project`` = its number, owned by the repository's owner, organisation or
  user): the backlog is the project's open issues in no current or future iteration, in the
  project's order (``items(orderBy: {field: POSITION})``); the estimate is a number field
  named by the team (created if missing, ``createProjectV2Field``); a sprint is an iteration
  of the project's iteration field, titled ``Sprint 12: <goal>``; a reorder is
  ``updateProjectV2ItemPosition``; new issues are made in the repository, in the project at
  once (``createIssue`` with ``projectV2Ids``, so a lost answer never leaves an issue outside
  the board, where the look-before-making-again would miss it).
- **a plain repository** (no project): the backlog is its open issues in no open milestone,
  oldest first (the order is then Timebox's own: a reorder writes nothing); the estimate is a
  label ``estimate: 5``; a sprint is a milestone (the goal is its description).

In both, the key is ``owner/repo#123``; title and body are the issue's (acceptance criteria are
a section of the body: bot/trackers/markdown.py); labels ``bug``, ``spike``, ``tech debt``,
``enabler`` give the type; dependencies are "blocked by #N" and unchecked task-list
references; a closed issue is done. Changes since a time: a repository asks
``GET /repos/{o}/{r}/issues?since=`` (calls grow with what changed); a project walks its item
list, 100 ids and times a call, and reads in full only the items changed since then.

The parts: ``github_app`` holds the credentials (a token, or an App whose JWT it signs),
``github_api`` calls GitHub with them (rate limits, refusals in words), ``github_project`` is a
project's fields, items and iterations on top, ``github_queries`` the GraphQL documents,
``github_mapping`` reads GitHub's JSON as issues and sprints; this module is the ``Tracker``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Unpack

from bot.domain import trackers
from bot.trackers.checks import access_problem, account_problem, lacking
from bot.trackers.github_api import GITHUB_API, graphql_url, next_page
from bot.trackers.github_app import GitHubApp, GitHubToken
from bot.trackers.github_mapping import (
    ESTIMATE_LABEL,
    LABEL_OF_TYPE,
    SPRINT_DAYS,
    Iteration,
    ProjectConfig,
    ProjectItem,
    estimate_label,
    iso,
    issue_of,
    labels_of,
    milestone_fields,
    open_milestone,
    split_key,
    sprint_of_iteration,
    sprint_of_milestone,
)
from bot.trackers.github_project import GitHubProject
from bot.trackers.github_queries import (
    CREATE_ISSUE,
    ITEMS_QUERY,
    MOVE_ITEM,
    NODES_QUERY,
    ORDER_QUERY,
    REPOSITORY_QUERY,
)
from bot.trackers.hosts import GITHUB_CLOUD
from bot.trackers.http import JsonOptions, format_time, parse_time, snapshot_fields
from bot.trackers.markdown import body_after, join_body

DEFAULT_ESTIMATE_FIELD = "Estimate"
_REPO = re.compile(r"^([\w.-]+)/([\w.-]+)$")


def _iteration_title(spec: trackers.SprintSpec) -> str:
    """An iteration's title: the sprint's name, then its goal on one line (``Sprint 12:
    <goal>``), as ``sprint_of_iteration`` reads it."""
    return f"{spec.name}: {' '.join(spec.goal.split())}" if spec.goal.strip() else spec.name


def _days(start: datetime, end: datetime) -> int:
    """An iteration's length: the whole days from `start` that reach `end`, the sprint's last
    evening (``tracker_sprints.sprint_times``), so its last working day is one of them: GitHub
    counts an iteration completed from the day after its last. Both are read on the clock of
    `start`'s zone (the team's, as ``tracker_push`` gives them), whose date the iteration
    starts on: east of UTC+9 the first morning is still the day before in UTC, and a change
    of summer time in between does not move a day."""
    first = start.replace(tzinfo=None)
    last = end.astimezone(start.tzinfo).replace(tzinfo=None)
    return max(1, math.ceil((last - first) / timedelta(days=1)))


class GitHub(GitHubProject):
    """A GitHub repository, or a Projects (v2) project, as a Timebox board."""

    name = "github"

    def __init__(
        self,
        api_url: str,
        credential: GitHubToken | GitHubApp,
        repo: str,
        project: int | None = None,
        *,
        estimate_field: str = DEFAULT_ESTIMATE_FIELD,
        page_size: int = 100,
        snapshot: Mapping[str, Any] | None = None,
        **options: Unpack[JsonOptions],
    ) -> None:
        super().__init__(**options)
        self.site = self.policy.check_url(api_url or GITHUB_API, GITHUB_CLOUD)
        self.api = self.site
        self.graphql = graphql_url(self.site)
        repo = repo.strip().removeprefix("https://github.com/").strip("/")
        match = _REPO.match(repo)
        if match is None:
            raise trackers.TrackerError(
                f"{repo!r} is not a repository: give it as owner/name.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        self.owner, self.repo_name = match.group(1), match.group(2)
        self.repo = f"{self.owner}/{self.repo_name}"
        self.project_number = int(project) if project else None
        self.estimate_field = (estimate_field or DEFAULT_ESTIMATE_FIELD).strip()
        self.credential = credential
        self.page_size = max(1, min(int(page_size), 100))
        self._project: ProjectConfig | None = None
        self._login: str | None = None
        self._repo_id: str | None = None
        self._items: dict[str, str] = {}  # key -> project item id, learnt on the way
        self._renewed: dict[str, str] = {}  # iteration id -> its id after this client's writes
        if snapshot:
            self._restore(snapshot)

    # -- snapshot ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The connection's settings and what the check learnt (JSON): ``restore`` reads it."""
        out: dict[str, Any] = {
            "repo": self.repo,
            "project_number": self.project_number,
            "estimate_field": self.estimate_field,
            "name": self.board_name,
        }
        if isinstance(self.credential, GitHubApp):
            out["app_id"] = self.credential.app_id
            out["installation_id"] = self.credential.installation_id
        if self._project is not None:
            project = self._project
            out.update(
                snapshot_fields(
                    project,
                    id="project_id",
                    title="project_title",
                    url="project_url",
                    field_ids=None,
                    read_at=None,
                ),
                project_field_ids=list(project.field_ids),
            )
            if project.read_at is not None:
                out["read_at"] = format_time(project.read_at)
        if self._login:
            out["login"] = self._login
        if self._repo_id:
            out["repo_id"] = self._repo_id
        return out

    def _restore(self, snapshot: Mapping[str, Any]) -> None:
        if snapshot.get("project_id"):
            self._project = ProjectConfig(
                id=str(snapshot["project_id"]),
                title=str(snapshot.get("project_title") or ""),
                url=str(snapshot.get("project_url") or ""),
                estimate_field_id=snapshot.get("estimate_field_id"),
                iteration_field_id=snapshot.get("iteration_field_id"),
                iteration_field_name=snapshot.get("iteration_field_name"),
                field_ids=tuple(str(i) for i in snapshot.get("project_field_ids") or ()),
                read_at=parse_time(snapshot.get("read_at")),
            )
        self._login = snapshot.get("login")
        self._repo_id = snapshot.get("repo_id")
        if isinstance(self.credential, GitHubApp) and snapshot.get("installation_id"):
            self.credential.installation_id = int(snapshot["installation_id"])

    @property
    def board_name(self) -> str:
        if self._project is not None and self._project.title:
            return self._project.title
        if self.project_mode:
            return f"{self.owner} project {self.project_number}"
        return self.repo

    # -- the check -----------------------------------------------------------------------

    async def check(self) -> list[trackers.TrackerProblem]:
        """The credentials, the repository (issues on, writable) and, for a project, the
        project (open) with its estimate field (created if missing)."""
        no_access = (
            f"The token cannot open {self.repo}: check the repository's name and that the "
            "token (or the App's installation) includes it."
        )
        try:
            repository = await self._repository()
        except trackers.TrackerError as error:
            # The one call is both the sign-in and the opening of the repository.
            if error.kind in (
                trackers.TrackerErrorKind.NOT_FOUND,
                trackers.TrackerErrorKind.FORBIDDEN,
            ):
                return access_problem(error, no_access)
            return account_problem(error)
        if not repository:
            return [trackers.TrackerProblem("no_board_access", no_access)]
        problems = lacking(
            (
                repository.get("hasIssuesEnabled") is False,
                "no_issues",
                f"{self.repo} has issues turned off: turn them on in its Settings.",
            ),
            (
                str(repository.get("viewerPermission") or "WRITE") in ("READ", "NONE"),
                "read_only",
                f"The token may only read {self.repo}: it needs Issues (read and write).",
            ),
        )
        if self.project_mode and not problems:
            try:
                await self.project(refresh=True)
            except trackers.TrackerError as error:
                no_project = (
                    f"The token cannot open project {self.project_number} of {self.owner}: "
                    "check the number (in the project's address, …/projects/<number>) and "
                    "that the token has Projects (read and write)."
                )
                problems += access_problem(error, no_project, code="no_project_access")
        return problems

    async def _repository(self) -> Mapping[str, Any]:
        """The repository as GraphQL shows it to the token ({}: not at all); its node id is
        kept, for creating issues in it."""
        data = await self._graphql(
            REPOSITORY_QUERY,
            {"owner": self.owner, "name": self.repo_name},
            action=f"open {self.repo}",
            what=f"Repository {self.repo}",
        )
        repository = data.get("repository") or {}
        if repository:
            self._repo_id = str(repository.get("id") or "") or None
        return repository

    # -- reading -------------------------------------------------------------------------

    def _issue(self, raw: Mapping[str, Any], **item: Any) -> trackers.TrackerIssue:
        """An issue of this board from its JSON (``issue_of``); ``item``: the ``estimate``,
        ``status``, ``updated`` and ``sprint`` of its project item. A plain repository's
        issue is planned in its open milestone."""
        if not self.project_mode:
            item["sprint"] = open_milestone(raw)
        return issue_of(raw, self.repo, estimate_labels=not self.project_mode, **item)

    def _item_issue(
        self, item: ProjectItem, raw: Mapping[str, Any] | None = None
    ) -> trackers.TrackerIssue:
        """The issue of a project item, from the item's issue JSON (or ``raw``: the issue's
        REST JSON) with the item's values."""
        return self._issue(
            item.issue if raw is None else raw,
            estimate=item.estimate,
            status=item.status,
            updated=item.updated,
            sprint=item.sprint_on(self._today()),
        )

    async def backlog_page(self, cursor: str | None = None) -> trackers.IssuePage:
        if not self.project_mode:
            return await self._repo_backlog_page(cursor)
        in_sprint = await self._open_iterations() if cursor is None else None
        if in_sprint is None:
            in_sprint = set(json.loads(cursor or "{}").get("sprints") or [])
            cursor = json.loads(cursor or "{}").get("after")
        nodes, after = await self._items_page(ITEMS_QUERY, cursor)
        project = await self._checked(nodes)
        issues = []
        for raw in nodes:
            item = self._item(raw, project)
            if item is None or item.archived or item.iteration in in_sprint:
                continue
            issue = self._item_issue(item)
            if issue.status_category is not trackers.StatusCategory.DONE:
                issues.append(issue)
        more = json.dumps({"after": after, "sprints": sorted(in_sprint)}) if after else None
        return trackers.IssuePage(tuple(issues), more)

    async def _repo_issues(self, action: str, **params: str) -> tuple[Any, Mapping[str, str]]:
        """A page of the repository's issues (``GET /repos/{o}/{r}/issues``), oldest first by
        ``params["sort"]``, ``page_size`` of them."""
        return await self._rest(
            "GET",
            f"/repos/{self.repo}/issues",
            action=action,
            what=f"Repository {self.repo}",
            params={**params, "direction": "asc", "per_page": str(self.page_size)},
        )

    async def _read_issue(self, key: str) -> dict[str, Any]:
        """Issue ``key`` as the REST API gives it (``GET /repos/{o}/{r}/issues/{n}``)."""
        owner, name, number = split_key(key)
        raw, _ = await self._rest(
            "GET",
            f"/repos/{owner}/{name}/issues/{number}",
            action=f"read {key}",
            what=f"Issue {key}",
        )
        return raw or {}

    async def _repo_backlog_page(
        self, cursor: str | None, *, planned: bool = False
    ) -> trackers.IssuePage:
        """A page of the repository's open issues, oldest first: those in no open milestone
        (the backlog), or with ``planned`` those in one too."""
        page = int(cursor or 1)
        data, headers = await self._repo_issues(
            f"read the open issues of {self.repo}", state="open", sort="created", page=str(page)
        )
        issues = tuple(
            self._issue(raw)
            for raw in data or []
            if "pull_request" not in raw and (planned or open_milestone(raw) is None)
        )
        following = next_page(headers.get("Link"))
        return trackers.IssuePage(issues, following)

    async def backlog_keys(self) -> list[str]:
        """The open issues' keys, those in a sprint (an iteration, an open milestone) too: an
        issue planned in a sprint is still on the board."""
        if not self.project_mode:
            keys: list[str] = []
            cursor: str | None = None
            while True:
                page = await self._repo_backlog_page(cursor, planned=True)
                keys += [i.key for i in page.issues]
                if page.cursor is None:
                    return keys
                cursor = page.cursor
        project = await self.project()
        keys = []
        after: str | None = None
        while True:
            nodes, after = await self._items_page(ITEMS_QUERY, after)
            for raw in nodes:
                item = self._item(raw, project)
                if item is None or item.archived:
                    continue
                if str(item.issue.get("state") or "").upper() != "CLOSED" and item.key:
                    keys.append(item.key)
            if after is None:
                return keys

    async def changes_page(self, since: datetime, cursor: str | None = None) -> trackers.IssuePage:
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        if not self.project_mode:
            return await self._repo_changes_page(since, cursor)
        project = await self.project()
        state = json.loads(cursor) if cursor else {}
        nodes, after = await self._items_page(ORDER_QUERY, state.get("after"))
        changed: list[str] = []
        latest = parse_time(state.get("max")) if state.get("max") else None
        for raw in nodes:
            content = raw.get("content") or {}
            if content.get("__typename", "Issue") != "Issue" or content.get("number") is None:
                continue
            stamps = [parse_time(raw.get("updatedAt")), parse_time(content.get("updatedAt"))]
            when = max((s for s in stamps if s is not None), default=None)
            if when is not None and when >= since:
                changed.append(str(raw.get("id")))
                latest = when if latest is None or when > latest else latest
        issues: list[trackers.TrackerIssue] = []
        if changed:
            data = await self._graphql(
                NODES_QUERY,
                {"ids": changed},
                action=f"read the changed items of project '{project.title}'",
            )
            project = await self._checked(data.get("nodes") or [])
            for raw in data.get("nodes") or []:
                item = self._item(raw or {}, project)
                if item is not None and not item.archived:
                    issues.append(self._item_issue(item))
        issues.sort(key=lambda i: (i.updated, i.key))
        if after is not None:
            following = {"after": after, "max": iso(latest) if latest else None}
            return trackers.IssuePage(tuple(issues), json.dumps(following), None)
        return trackers.IssuePage(tuple(issues), None, latest)

    async def _repo_changes_page(self, since: datetime, cursor: str | None) -> trackers.IssuePage:
        data, headers = await self._repo_issues(
            f"read the issues of {self.repo} changed since {iso(since)}",
            state="all",
            since=iso(since),
            sort="updated",
            page=cursor or "1",
        )
        issues = [self._issue(raw) for raw in data or [] if "pull_request" not in raw]
        return trackers.IssuePage.of_changes(issues, since, next_page(headers.get("Link")))

    async def issue(self, key: str, *, issue_id: str = "") -> trackers.TrackerIssue:
        """Read by ``key`` (``owner/repo#n``), whatever ``issue_id``: the REST API reads an
        issue by its number only."""
        raw = await self._read_issue(key)
        if not self.project_mode:
            return self._issue(raw)
        item_id = await self._item_id(key, add=False)
        if item_id is None:
            return self._issue(raw)
        data = await self._graphql(NODES_QUERY, {"ids": [item_id]}, action=f"read {key}")
        node = (data.get("nodes") or [None])[0] or {}
        item = self._item(node, await self._checked([node]))
        if item is None:
            return self._issue(raw)
        return self._item_issue(item, raw)

    # -- writing -------------------------------------------------------------------------

    async def update_issue(self, key: str, update: trackers.IssueUpdate) -> None:
        if update.empty:
            return
        owner, name, number = split_key(key)
        body: dict[str, Any] = {}
        if update.summary is not trackers.KEEP:
            body["title"] = update.summary
        needs_labels = update.estimate is not trackers.KEEP and not self.project_mode
        if update.changes_text or needs_labels:
            current = await self._read_issue(key)
            if update.changes_text:
                body["body"] = body_after(current.get("body"), update)
            if needs_labels:
                labels = [
                    n
                    for n in labels_of(current.get("labels"))
                    if not ESTIMATE_LABEL.match(n.strip())
                ]
                if update.estimate is not None:
                    labels.append(estimate_label(update.estimate))  # type: ignore[arg-type]
                body["labels"] = labels
        if body:
            await self._rest(
                "PATCH",
                f"/repos/{owner}/{name}/issues/{number}",
                action=f"update {key}",
                what=f"Issue {key}",
                body=body,
            )
        if update.estimate is not trackers.KEEP and self.project_mode:
            await self._set_estimate(key, update.estimate)  # type: ignore[arg-type]

    async def mark_done(self, key: str) -> None:
        await self._set_state(key, "closed", "completed", f"close {key}")

    async def close_not_planned(self, key: str) -> None:
        """Closed as not planned, which GitHub tells apart from completed."""
        await self._set_state(key, "closed", "not_planned", f"close {key} as not planned")

    async def reopen(self, key: str) -> None:
        await self._set_state(key, "open", "reopened", f"reopen {key}")

    async def _set_state(self, key: str, state: str, reason: str, action: str) -> None:
        """The issue's ``state`` ("open", "closed") with its ``state_reason`` (``PATCH
        /repos/{o}/{r}/issues/{n}``); nothing if it is in that state already, and closed for
        that reason: an issue closed as not planned and done here is closed as completed."""
        owner, name, number = split_key(key)
        current = await self._read_issue(key)
        if str(current.get("state")) == state and (
            state == "open" or current.get("state_reason") == reason
        ):
            return
        await self._rest(
            "PATCH",
            f"/repos/{owner}/{name}/issues/{number}",
            action=action,
            what=f"Issue {key}",
            body={"state": state, "state_reason": reason},
        )

    async def rank(self, key: str, *, before: str | None = None, after: str | None = None) -> None:
        """A project item moved next to another (``updateProjectV2ItemPosition``: after an
        item, or first when none); a plain repository has no order to write."""
        place = trackers.Placement.of(key, before=before, after=after)
        if not self.project_mode:
            return
        project = await self.project()
        item_id = await self._item_id(key, add=True)
        if place.before:
            after_id = await self._item_before(place.anchor, item_id)
        else:
            after_id = await self._item_id(place.anchor, add=True)
        payload: dict[str, Any] = {"projectId": project.id, "itemId": item_id}
        if after_id is not None:
            payload["afterId"] = after_id
        await self._graphql(MOVE_ITEM, {"input": payload}, action=f"move {key} {place}")

    async def create_issue(self, issue: trackers.NewIssue) -> trackers.IssueRef:
        labels = list(issue.labels)
        kind_label = LABEL_OF_TYPE.get(issue.issue_type)
        if kind_label and kind_label not in labels:
            labels.append(kind_label)
        body = join_body(issue.description, issue.acceptance_criteria)
        if not self.project_mode:
            if issue.estimate is not None:
                labels.append(estimate_label(issue.estimate))
            raw, _ = await self._rest(
                "POST",
                f"/repos/{self.repo}/issues",
                action=f"create the issue '{issue.summary}'",
                what=f"Repository {self.repo}",
                body={"title": issue.summary, "body": body, "labels": labels},
                idempotent=False,
            )
            raw = raw or {}
            return trackers.IssueRef(
                key=f"{self.repo}#{raw.get('number')}",
                id=str(raw.get("node_id") or ""),
                url=str(raw.get("html_url") or ""),
            )
        project = await self.project()
        if self._repo_id is None:
            await self._repository()
        made = await self._graphql(
            CREATE_ISSUE,
            {
                "input": {
                    "repositoryId": self._repo_id,
                    "title": issue.summary,
                    "body": body,
                    "projectV2Ids": [project.id],
                }
            },
            action=f"create the issue '{issue.summary}'",
            idempotent=False,
        )
        created = (made.get("createIssue") or {}).get("issue") or {}
        repo = (created.get("repository") or {}).get("nameWithOwner") or self.repo
        key = f"{repo}#{created.get('number')}"
        if labels:
            await self._rest(
                "POST",
                f"/repos/{repo}/issues/{created.get('number')}/labels",
                action=f"label {key}",
                what=f"Issue {key}",
                body={"labels": labels},
            )
        if issue.estimate is not None:
            await self._set_estimate(key, issue.estimate)
        return trackers.IssueRef(
            key=key, id=str(created.get("id") or ""), url=str(created.get("url") or "")
        )

    # -- sprints -------------------------------------------------------------------------

    async def board_sprints(self) -> list[trackers.TrackerSprint]:
        if not self.project_mode:
            data, _ = await self._rest(
                "GET",
                f"/repos/{self.repo}/milestones",
                action=f"list the milestones of {self.repo}",
                params={"state": "open", "per_page": "100"},
            )
            return [sprint_of_milestone(m) for m in data or []]
        today = self._today()
        sprints = [
            sprint_of_iteration(i, today) for i in await self.iterations() if not i.completed
        ]
        return [s for s in sprints if s.state is not trackers.SprintState.CLOSED]

    async def _milestone(
        self, method: str, number: str | None, body: dict[str, Any], action: str, **options: Any
    ) -> trackers.TrackerSprint:
        """A plain repository's sprint written to its milestone (`number` None: a new one)
        and read back from GitHub's answer."""
        path = f"/repos/{self.repo}/milestones" + (f"/{number}" if number else "")
        what = f"Milestone {number}" if number else None
        raw, _ = await self._rest(method, path, action=action, what=what, body=body, **options)
        return sprint_of_milestone(raw or {})

    async def create_sprint(self, spec: trackers.SprintSpec) -> trackers.TrackerSprint:
        title = _iteration_title(spec)
        begins = spec.start or self._now()
        start = begins.date()  # the first day in the zone it is given in (``_days``)
        days = _days(begins, spec.end) if spec.end is not None else SPRINT_DAYS
        if not self.project_mode:
            return await self._milestone(
                "POST",
                None,
                {"title": spec.name, **milestone_fields(spec)},
                f"create the milestone '{spec.name}'",
                idempotent=False,
            )
        new = Iteration("", title[:200], start, days)
        written = await self._write_iterations(
            [*await self.iterations(), new], f"add the iteration '{spec.name}' to the project"
        )
        for iteration in written:
            if iteration.title == new.title and iteration.start == new.start:
                return sprint_of_iteration(iteration, self._today())
        raise trackers.TrackerError(
            f"GitHub did not keep the iteration '{spec.name}'.",
            kind=trackers.TrackerErrorKind.INVALID,
        )

    async def update_sprint(
        self, sprint: trackers.TrackerSprint, spec: trackers.SprintSpec
    ) -> trackers.TrackerSprint:
        """A milestone's description and due date; an iteration's title (``Sprint 12:
        <goal>``), and its dates while it has not begun (an iteration runs between them)."""
        if not self.project_mode:
            return await self._milestone(
                "PATCH",
                sprint.id,
                milestone_fields(spec),
                f"write the goal of milestone {sprint.id}",
            )
        title = _iteration_title(spec)[:200]

        def planned(i: Iteration) -> Iteration:
            if spec.start is None or sprint.state is not trackers.SprintState.FUTURE:
                return Iteration(i.id, title, i.start, i.duration)
            days = _days(spec.start, spec.end) if spec.end is not None else i.duration
            return Iteration(i.id, title, spec.start.date(), days)

        return await self._change_iteration(sprint.id, planned, f"plan iteration {sprint.id}")

    async def start_sprint(
        self, sprint_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> trackers.TrackerSprint:
        if not self.project_mode:
            return trackers.TrackerSprint(sprint_id, "", trackers.SprintState.ACTIVE)
        begins = start or self._now()
        day = begins.date()  # in the zone it is given in (``_days``)

        def started(i: Iteration) -> Iteration:
            days = _days(begins, end) if end is not None else i.duration
            return Iteration(i.id, i.title, min(i.start, day), max(1, days))

        return await self._change_iteration(sprint_id, started, f"start iteration {sprint_id}")

    async def close_sprint(self, sprint_id: str) -> trackers.TrackerSprint:
        """A milestone is closed; an iteration is made to end today (GitHub then counts it as
        completed, and its unfinished issues, in no current iteration, as on the backlog).
        An iteration lasts a day at least: one that began today (or is still to begin) is
        made yesterday's one day, the only span GitHub takes that ends by today; one left to
        run tomorrow would still be GitHub's current iteration, its unfinished issues in it."""
        if not self.project_mode:
            return await self._milestone(
                "PATCH", sprint_id, {"state": "closed"}, f"close milestone {sprint_id}"
            )
        today = self._today()

        def closed(i: Iteration) -> Iteration:
            if i.end <= today:
                return i
            start = min(i.start, today - timedelta(days=1))
            return Iteration(i.id, i.title, start, (today - start).days)

        sprint = await self._change_iteration(sprint_id, closed, f"end iteration {sprint_id}")
        return trackers.TrackerSprint(
            sprint.id,
            sprint.name,
            trackers.SprintState.CLOSED,
            sprint.goal,
            sprint.start,
            sprint.end,
            sprint.end,
        )

    async def move_to_sprint(self, sprint_id: str, keys: Sequence[str]) -> None:
        await self._set_sprint(keys, sprint_id)

    async def move_to_backlog(self, keys: Sequence[str]) -> None:
        await self._set_sprint(keys, None)

    async def _set_sprint(self, keys: Sequence[str], sprint_id: str | None) -> None:
        """Each issue into the sprint (its milestone, or the project's iteration), or out of
        the one it is in (``sprint_id`` None)."""
        for key in keys:
            owner, name, number = split_key(key)
            if not self.project_mode:
                await self._rest(
                    "PATCH",
                    f"/repos/{owner}/{name}/issues/{number}",
                    action=(
                        f"take {key} out of its milestone"
                        if sprint_id is None
                        else f"put {key} in milestone {sprint_id}"
                    ),
                    what=f"Issue {key}",
                    body={"milestone": None if sprint_id is None else int(sprint_id)},
                )
                continue
            if sprint_id is None and (await self.project()).iteration_field_id is None:
                return  # no iteration field: no issue is in an iteration
            item_id = await self._item_id(key, add=True)
            iteration = None if sprint_id is None else await self._current_iteration_id(sprint_id)
            await self._field_write(
                partial(self._write_sprint, key, item_id, iteration),
                lambda project: project.iteration_field_id,
            )

    async def _write_sprint(
        self, key: str, item_id: str | None, iteration: str | None, project: ProjectConfig
    ) -> None:
        """A project item's value of the iteration field: ``iteration``, or none."""
        value = None if iteration is None else {"iterationId": iteration}
        action = (
            f"take {key} out of its iteration" if value is None else f"put {key} in the iteration"
        )
        await self._write_value(project, item_id, project.iteration_field_id, value, action)
