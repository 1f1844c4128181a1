"""A GitHub Projects (v2) project as the GitHub client uses it (``GitHubProject``, the base of
``GitHub`` in bot/trackers/github.py, on ``GitHubApi``): the project's node id and fields (the
estimate field made when missing), its items in the project's order, the item of an issue
(added to the project when asked), an item's estimate, and the iteration field's iterations,
read and written whole (``updateProjectV2Field``). GitHub keeps no iteration apart from the
field's configuration, so a sprint's start or end is a change of the whole list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, timedelta
from typing import Any

from bot.domain import trackers
from bot.trackers.github_api import GitHubApi
from bot.trackers.github_mapping import (
    SPRINT_DAYS,
    Iteration,
    ProjectConfig,
    ProjectItem,
    item_of,
    iteration_of,
    split_key,
    sprint_of_iteration,
    unknown_fields,
)
from bot.trackers.github_queries import (
    ADD_ITEM,
    CLEAR_VALUE,
    CREATE_FIELD,
    ISSUE_ITEMS_QUERY,
    ITEMS_QUERY,
    ORDER_QUERY,
    PROJECT_QUERY,
    SET_VALUE,
    UPDATE_FIELD,
)
from bot.trackers.http import next_cursor

DEFAULT_SPRINT_FIELD = "Sprint"
PROJECT_SETTINGS_AGE = timedelta(hours=1)  # a project's fields kept longer are read again
_VALUED = frozenset({"NUMBER", "ITERATION"})  # the fields whose ids the config keeps


def _fields_of(project: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The fields of a project as ``PROJECT_QUERY`` answers it."""
    return [f for f in (project.get("fields") or {}).get("nodes") or [] if f]


class GitHubProject(GitHubApi):
    """The Projects (v2) side of a GitHub board (``project_number`` None: a plain repository,
    which has none of it)."""

    owner: str  # the repository's owner, who owns the project
    project_number: int | None
    estimate_field: str  # the name of the project's number field for estimates
    page_size: int
    _project: ProjectConfig | None  # learnt by ``project()``, or from a snapshot
    _items: dict[str, str]  # key -> project item id, learnt on the way
    _renewed: dict[str, str]  # iteration id -> its id after this client's writes of the field
    _fresh: bool = False  # ``_project`` read from GitHub by this client, not only a snapshot's

    @property
    def project_mode(self) -> bool:
        return self.project_number is not None

    def _today(self) -> date:
        return self._now().astimezone(UTC).date()

    # -- the project and its items ---------------------------------------------------------

    def _kept_project(self) -> ProjectConfig | None:
        """The project's fields as kept (a snapshot's, or read by this client) while younger
        than ``PROJECT_SETTINGS_AGE``; None when older, of no known age, or not kept."""
        kept = self._project
        if kept is None or kept.read_at is None:
            return None
        return kept if self._now() - kept.read_at < PROJECT_SETTINGS_AGE else None

    async def project(self, *, refresh: bool = False) -> ProjectConfig:
        """The project's node id and fields; the estimate field is made if it is missing.
        Kept with the connection's snapshot and trusted for ``PROJECT_SETTINGS_AGE``, as Jira's
        board and Linear's team settings are: every sync builds its client from the snapshot,
        and one call a sync for fields that hardly change is wasted; read again once an hour
        old (or of no known age: a snapshot kept before ``read_at`` was), and the sync engine
        keeps the new ``read_at`` (``tracker_sync.newly_learnt``). A field may be deleted and
        made again meanwhile (GitHub cannot change a field's type, so a retyped ``Estimate``
        is a new field with a new id): within the hour a write to the deleted field's id,
        refused as not found, reads the project again and is made once more
        (``_field_write``); a read notices an item's value in a field the kept ones lack
        (``_checked``) and reads the project again first; a read of the sprints takes the
        fields from the same answer (``iterations``). Until then, a read by a deleted field's
        id finds what that field held: no value, as the new field has none either."""
        kept = None if refresh else self._kept_project()
        if kept is not None:
            return kept
        return await self._take_project(
            await self._read_project(f"open project {self.project_number} of {self.owner}")
        )

    async def _read_project(self, action: str) -> Mapping[str, Any]:
        """The project with its fields and the iteration field's iterations, as GitHub
        answers ``PROJECT_QUERY``."""
        if not self.project_mode:
            raise trackers.TrackerError(
                f"{self.repo} is connected without a project.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        data = await self._graphql(
            PROJECT_QUERY,
            {"owner": self.owner, "number": self.project_number},
            action=action,
            what=f"Project {self.project_number} of {self.owner}",
        )
        project = (data.get("repositoryOwner") or {}).get("projectV2")
        if not project:
            raise trackers.TrackerError(
                f"Project {self.project_number} of {self.owner} was not found on GitHub, or the "
                "token cannot see it.",
                kind=trackers.TrackerErrorKind.NOT_FOUND,
            )
        return project

    async def _take_project(self, project: Mapping[str, Any]) -> ProjectConfig:
        """The project's fields as ``_read_project`` answered, read now and kept; the estimate
        field is made if it is missing."""
        if project.get("closed"):
            raise trackers.TrackerError(
                f"Project '{project.get('title')}' is closed: reopen it, or connect another.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        fields = _fields_of(project)
        estimate = next(
            (f for f in fields if str(f.get("name", "")).lower() == self.estimate_field.lower()),
            None,
        )
        if estimate is not None and estimate.get("dataType") != "NUMBER":
            raise trackers.TrackerError(
                f"The field '{estimate.get('name')}' of project '{project.get('title')}' is not "
                "a number field: name another field for estimates, or change its type.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        iteration = next((f for f in fields if f.get("dataType") == "ITERATION"), None)
        config = ProjectConfig(
            id=str(project["id"]),
            title=str(project.get("title") or ""),
            url=str(project.get("url") or ""),
            estimate_field_id=str(estimate["id"]) if estimate else None,
            iteration_field_id=str(iteration["id"]) if iteration else None,
            iteration_field_name=str(iteration.get("name")) if iteration else None,
            field_ids=tuple(
                str(f["id"]) for f in fields if f.get("dataType") in _VALUED and f.get("id")
            ),
            read_at=self._now(),
        )
        if config.estimate_field_id is None:
            new_field = await self._add_field(
                config.id,
                "NUMBER",
                self.estimate_field,
                action=f"add the number field '{self.estimate_field}' to the project",
            )
            made = str(new_field.get("id") or "") or None
            config = replace(
                config,
                estimate_field_id=made,
                field_ids=(*config.field_ids, made) if made else config.field_ids,
            )
        self._project, self._fresh = config, True
        return config

    async def _field_write(
        self,
        write: Callable[[ProjectConfig], Awaitable[None]],
        field: Callable[[ProjectConfig], str | None],
    ) -> None:
        """``write`` with the project's fields; refused as not found while they are a
        snapshot's (not read by this client), the project is read again and, when the
        ``field`` ``write`` writes to has a new id (deleted and made again since the
        snapshot), ``write`` is made once more with it."""
        project = await self.project()
        try:
            await write(project)
        except trackers.TrackerError as error:
            if error.kind is not trackers.TrackerErrorKind.NOT_FOUND or self._fresh:
                raise
            fresh = await self.project(refresh=True)
            if field(fresh) == field(project):
                raise
            await write(fresh)

    async def _checked(self, nodes: Sequence[Any]) -> ProjectConfig:
        """The project's fields to read ``nodes`` (items' JSON) with: read again first when one
        has a value in a field the kept ones lack (``unknown_fields``: made since the
        snapshot), unless this client read them already."""
        project = await self.project()
        if not self._fresh and unknown_fields(nodes, project):
            project = await self.project(refresh=True)
        return project

    async def _add_field(
        self, project_id: str, data_type: str, name: str, *, action: str, **settings: Any
    ) -> Mapping[str, Any]:
        """A new field of the project (``createProjectV2Field``): its id and name as GitHub
        answered. ``settings``: more of the field's input (an iteration configuration)."""
        made = await self._graphql(
            CREATE_FIELD,
            {"input": {"projectId": project_id, "dataType": data_type, "name": name, **settings}},
            action=action,
        )
        return (made.get("createProjectV2Field") or {}).get("projectV2Field") or {}

    async def _items_page(self, query: str, cursor: str | None) -> tuple[list[Any], str | None]:
        """A page of the project's items. A project gone by the id kept (read up to an hour
        ago: ``project``) is not found, never a project with no item."""
        project = await self.project()
        what = f"Project '{project.title}'"
        data = await self._graphql(
            query,
            {"id": project.id, "first": self.page_size, "after": cursor},
            action=f"read the items of project '{project.title}'",
            what=what,
        )
        if not data.get("node"):
            raise self._not_found(what)
        items = data["node"].get("items") or {}
        return list(items.get("nodes") or []), next_cursor(items)

    def _item(self, raw: Mapping[str, Any], project: ProjectConfig) -> ProjectItem | None:
        """A project item (``item_of``), its id kept for its issue (``_item_id`` then asks
        nothing)."""
        item = item_of(raw, project)
        if item is not None and item.key:
            self._items[item.key] = item.id
        return item

    async def _open_iterations(self) -> set[str]:
        """Ids of the iterations that are current or to come (an item in one is in a sprint)."""
        return {i.id for i in await self.iterations() if not i.completed}

    async def _item_id(self, key: str, *, add: bool) -> str | None:
        """The project item of an issue (added to the project when ``add``)."""
        if key in self._items:
            return self._items[key]
        project = await self.project()
        owner, name, number = split_key(key)
        data = await self._graphql(
            ISSUE_ITEMS_QUERY,
            {"owner": owner, "name": name, "number": number},
            action=f"find {key} in the project",
            what=f"Issue {key}",
        )
        issue = (data.get("repository") or {}).get("issue") or {}
        if not issue:
            raise trackers.TrackerError(
                f"Issue {key} was not found on GitHub, or the token cannot see it.",
                kind=trackers.TrackerErrorKind.NOT_FOUND,
            )
        for node in (issue.get("projectItems") or {}).get("nodes") or []:
            if (node.get("project") or {}).get("id") == project.id:
                self._items[key] = str(node["id"])
                return self._items[key]
        if not add:
            return None
        made = await self._graphql(
            ADD_ITEM,
            {"input": {"projectId": project.id, "contentId": issue["id"]}},
            action=f"add {key} to project '{project.title}'",
        )
        item_id = str(((made.get("addProjectV2ItemById") or {}).get("item") or {}).get("id"))
        self._items[key] = item_id
        return item_id

    async def _set_estimate(self, key: str, estimate: float | None) -> None:
        """The item's value of the estimate field (cleared when None), by ``_field_write``:
        the field may have been made again since the snapshot named it."""
        item_id = await self._item_id(key, add=True)

        async def write(project: ProjectConfig) -> None:
            if project.estimate_field_id is None:
                raise trackers.TrackerError(
                    f"Project '{project.title}' has no '{self.estimate_field}' field.",
                    kind=trackers.TrackerErrorKind.CONFIG,
                )
            value = None if estimate is None else {"number": float(estimate)}
            action = f"{'clear' if value is None else 'set'} the estimate of {key}"
            await self._write_value(project, item_id, project.estimate_field_id, value, action)

        await self._field_write(write, lambda project: project.estimate_field_id)

    async def _write_value(
        self,
        project: ProjectConfig,
        item_id: str | None,
        field_id: str | None,
        value: Mapping[str, Any] | None,
        action: str,
    ) -> None:
        """A project item's value of a field set (``{"number": 5.0}``, ``{"iterationId":
        …}``), or cleared (None)."""
        given = {"projectId": project.id, "itemId": item_id, "fieldId": field_id}
        if value is None:
            await self._graphql(CLEAR_VALUE, {"input": given}, action=action)
        else:
            await self._graphql(SET_VALUE, {"input": {**given, "value": value}}, action=action)

    async def _item_before(self, key: str, moving: str | None) -> str | None:
        """The item just above ``key`` in the project (``moving`` itself skipped): moving an
        item after it puts it before ``key``; None when ``key`` is first."""
        target = await self._item_id(key, add=True)
        previous: str | None = None
        after: str | None = None
        while True:
            nodes, after = await self._items_page(ORDER_QUERY, after)
            for raw in nodes:
                node_id = str(raw.get("id"))
                if node_id == target:
                    return previous
                if node_id != moving:
                    previous = node_id
            if after is None:
                return previous

    # -- the iteration field ---------------------------------------------------------------

    async def iterations(self) -> list[Iteration]:
        """The iteration field's iterations, current and to come, then completed ones. The
        same answer gives the project's fields: taken when the kept ones are an hour old (or of
        no known age), or differ (a field made again since the snapshot), at no extra call;
        kept as they are (``read_at`` too) when they agree, so a sync while a sprint runs
        does not rewrite the connection's snapshot."""
        named = f"'{self._project.title}'" if self._project else str(self.project_number)
        raw = await self._read_project(f"read the iterations of project {named}")
        kept = self._kept_project()
        project = await self._take_project(raw)
        if kept is not None and kept.same_fields(project):
            self._project = project = kept
        if project.iteration_field_id is None:
            return []
        for field in _fields_of(raw):
            if field.get("id") == project.iteration_field_id:
                config = field.get("configuration") or {}
                return [
                    *(iteration_of(i, False) for i in config.get("iterations") or []),
                    *(iteration_of(i, True) for i in config.get("completedIterations") or []),
                ]
        return []

    async def _assignments(self, project: ProjectConfig) -> dict[str, str]:
        """Each project item's iteration of the iteration field (item id -> iteration id):
        drafts' and pull requests' too, every one of them is in the project's sprints."""
        assigned: dict[str, str] = {}
        after: str | None = None
        while True:
            nodes, after = await self._items_page(ITEMS_QUERY, after)
            for raw in nodes:
                for value in (raw.get("fieldValues") or {}).get("nodes") or []:
                    if (
                        value
                        and value.get("__typename") == "ProjectV2ItemFieldIterationValue"
                        and (value.get("field") or {}).get("id") == project.iteration_field_id
                    ):
                        assigned[str(raw.get("id"))] = str(value.get("iterationId"))
            if after is None:
                return assigned

    async def _write_iterations(self, iterations: list[Iteration], action: str) -> list[Iteration]:
        """The iteration field's iterations replaced (``updateProjectV2Field``); the field is
        made first when the project has none. GitHub takes the list whole and keeps no id
        (its input has none): every iteration comes back with a new id, one left out is
        gone, and every item's value of the field is cleared. So ``iterations`` are all of
        them, completed ones too, and each item is put back in its iteration (matched by its
        title and start, as written) when its id changed."""
        project = await self.project()
        start = min((i.start for i in iterations), default=self._today())
        configuration = {
            "startDate": start.isoformat(),
            "duration": SPRINT_DAYS,
            "iterations": [i.config() for i in sorted(iterations, key=lambda i: i.start)],
        }
        if project.iteration_field_id is None:
            new_field = await self._add_field(
                project.id,
                "ITERATION",
                DEFAULT_SPRINT_FIELD,
                action=action,
                iterationConfiguration=configuration,
            )
            made = str(new_field.get("id"))
            self._project = replace(  # read now: the connection keeps it (``newly_learnt``)
                project,
                iteration_field_id=made,
                iteration_field_name=str(new_field.get("name") or DEFAULT_SPRINT_FIELD),
                field_ids=(*project.field_ids, made),
                read_at=self._now(),
            )
            return await self.iterations()
        assigned = await self._assignments(project)
        await self._graphql(
            UPDATE_FIELD,
            {
                "input": {
                    "fieldId": project.iteration_field_id,
                    "iterationConfiguration": configuration,
                }
            },
            action=action,
        )
        written = await self.iterations()
        now_id = {(i.title, i.start): i.id for i in written}
        renewed = {i.id: now_id.get((i.title, i.start)) for i in iterations if i.id}
        self._remember_ids(renewed)
        for item_id, old in assigned.items():
            new = renewed.get(old)
            if new and new != old:
                await self._write_value(
                    project,
                    item_id,
                    project.iteration_field_id,
                    {"iterationId": new},
                    f"put a project item back in its iteration after {action}",
                )
        return written

    def _remember_ids(self, renewed: Mapping[str, str | None]) -> None:
        """What each iteration's id became in a write of the field (GitHub gives every one a
        new id): an id learnt before it (a sprint's, as the caller holds it) still names its
        iteration for the rest of this client's life (``_iteration_named``)."""
        for old, new in renewed.items():
            if new and new != old:
                self._renewed[old] = new
        for old, new in list(self._renewed.items()):  # older ids follow to the newest
            self._renewed[old] = renewed.get(new) or new

    async def _iteration_named(self, sprint_id: str) -> tuple[Iteration, list[Iteration]]:
        """The iteration `sprint_id` names (an id this client's writes of the field replaced:
        the one it became), and all of them. None there: NOT_FOUND."""
        iterations = await self.iterations()
        for wanted in (sprint_id, self._renewed.get(sprint_id)):
            found = next((i for i in iterations if wanted and i.id == wanted), None)
            if found is not None:
                return found, iterations
        raise trackers.TrackerError(
            f"Iteration {sprint_id} was not found in the project.",
            kind=trackers.TrackerErrorKind.NOT_FOUND,
        )

    async def _current_iteration_id(self, sprint_id: str) -> str:
        """`sprint_id` as the field names it now: itself, unless this client's writes of the
        field gave its iteration a new id (checked against the field only then)."""
        if sprint_id not in self._renewed:
            return sprint_id
        return (await self._iteration_named(sprint_id))[0].id

    async def _change_iteration(
        self, sprint_id: str, change: Callable[[Iteration], Iteration], action: str
    ) -> trackers.TrackerSprint:
        found, iterations = await self._iteration_named(sprint_id)
        sprint_id = found.id
        if found.completed:
            return sprint_of_iteration(found, self._today())
        changed = change(found)
        if changed == found:
            return sprint_of_iteration(found, self._today())
        every = [changed if i.id == sprint_id else i for i in iterations]
        written = await self._write_iterations(every, action)
        kept = next(
            (i for i in written if i.title == changed.title and i.start == changed.start), None
        )
        return sprint_of_iteration(kept or changed, self._today())
