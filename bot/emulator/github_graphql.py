"""GitHub's GraphQL API for Projects (v2), a mixin on the site. ``root_fields`` reads the root
fields of a document (the emulator parses no more of it); the endpoint answers each with its
``_gql_<field>`` resolver, given the request's variables (the client passes every argument as a
variable), and with the whole node, a superset of what was selected; a resolver's error is
answered in GitHub's shape (``type``, ``path``, ``message``). Here too are the nodes of issues,
projects, fields and items, the queries (``repositoryOwner``, ``repository``, ``node`` paged by
cursor, ``nodes``) and the mutations on fields and their iterations, items' values and
positions, and issues.
"""

from __future__ import annotations

import base64
import re
import uuid
from datetime import date
from typing import Any

from aiohttp import web

from bot.emulator.github_records import GhField, GhIssue, GhItem, GhIteration, GhProject, field_kind
from bot.emulator.github_site import GitHubSite
from bot.emulator.tracker import route


class _GraphQLError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


_TOKEN = re.compile(r'\.\.\.|[A-Za-z_][A-Za-z0-9_]*|"(?:\\.|[^"\\])*"|[{}():$!\[\],=@]|\S')


def root_fields(document: str) -> list[str]:
    """The root fields of a GraphQL document's operation (aliases resolved to the field)."""
    tokens = _TOKEN.findall(re.sub(r"#[^\n]*", "", document))
    fields: list[str] = []
    depth = parens = 0
    i = 0
    in_operation = False
    while i < len(tokens):
        token = tokens[i]
        if depth == 0 and token == "fragment":
            in_operation = False
        elif depth == 0 and token in ("query", "mutation"):
            in_operation = True
        elif token == "(":
            parens += 1
        elif token == ")":
            parens -= 1
        elif token == "{":
            if depth == 0 and not fields and i == 0:
                in_operation = True
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0 and fields:
                return fields
        elif depth == 1 and parens == 0 and in_operation and token[0].isalpha():
            if i + 1 < len(tokens) and tokens[i + 1] == ":":
                i += 2
                token = tokens[i]
            fields.append(token)
        i += 1
    return fields


class GitHubGraphQL(GitHubSite):
    """The GraphQL endpoint, and Projects (v2) read and changed through it."""

    # -- the endpoint --------------------------------------------------------------------

    @route("POST", "/graphql", "graphql")
    def _graphql(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        document = str((body or {}).get("query") or "")
        variables = dict((body or {}).get("variables") or {})
        names = root_fields(document)
        if not names:
            return 200, {
                "errors": [{"message": "A query attribute must be specified and must be a string."}]
            }
        data: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for name in names:
            resolve = getattr(self, f"_gql_{name}", None)
            if resolve is None:
                errors.append({"message": f"Field '{name}' doesn't exist on type 'Query'"})
                continue
            try:
                data[name] = resolve(user, variables)
            except _GraphQLError as error:
                data[name] = None
                errors.append({"type": error.kind, "path": [name], "message": error.message})
        answer: dict[str, Any] = {"data": data}
        if errors:
            answer["errors"] = errors
        return 200, answer

    # -- nodes ---------------------------------------------------------------------------

    def _issue_node(self, issue: GhIssue) -> dict[str, Any]:
        return {
            "__typename": "Issue",
            "id": issue.node_id,
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "url": self.issue_web_url(issue),
            "state": issue.state.upper(),
            "stateReason": issue.state_reason.upper() if issue.state_reason else None,
            "updatedAt": self.iso(issue.updated),
            "repository": {"nameWithOwner": issue.repo},
            "labels": {"nodes": [{"name": n} for n in issue.labels]},
            "assignees": {
                "nodes": [{"login": issue.assignee, "name": self.users.get(issue.assignee)}]
                if issue.assignee
                else []
            },
        }

    def _item_node(self, project: GhProject, item: GhItem) -> dict[str, Any]:
        values: list[dict[str, Any]] = []
        for project_field in project.fields:
            value = item.values.get(project_field.id)
            if value is None:
                continue
            common = {"field": {"id": project_field.id, "name": project_field.name}}
            if project_field.data_type == "NUMBER":
                values.append(
                    {"__typename": "ProjectV2ItemFieldNumberValue", "number": value, **common}
                )
            elif project_field.data_type == "ITERATION":
                found = next((i for i in project_field.iterations if i.id == value), None)
                if found is not None:
                    values.append(
                        {
                            "__typename": "ProjectV2ItemFieldIterationValue",
                            "iterationId": found.id,
                            "title": found.title,
                            "startDate": found.start.isoformat(),
                            "duration": found.duration,
                            **common,
                        }
                    )
            elif project_field.data_type == "SINGLE_SELECT":
                values.append(
                    {"__typename": "ProjectV2ItemFieldSingleSelectValue", "name": value, **common}
                )
        issue = self.issue(item.key)
        return {
            "__typename": "ProjectV2Item",
            "id": item.id,
            "type": "ISSUE",
            "isArchived": item.archived,
            "updatedAt": self.iso(item.updated),
            "project": {"id": project.id},
            "fieldValues": {"nodes": values},
            "content": self._issue_node(issue),
        }

    def _field_node(self, project: GhProject, project_field: GhField) -> dict[str, Any]:
        out: dict[str, Any] = {
            "__typename": field_kind(project_field.data_type).typename,
            "id": project_field.id,
            "name": project_field.name,
            "dataType": project_field.data_type,
        }
        if project_field.data_type == "ITERATION":
            today = self.today()
            current = [i for i in project_field.iterations if i.is_open(today)]
            done = [i for i in project_field.iterations if i not in current]
            out["configuration"] = {
                "duration": 14,
                "startDay": 1,
                "iterations": [i.to_json() for i in sorted(current, key=lambda i: i.start)],
                "completedIterations": [i.to_json() for i in sorted(done, key=lambda i: i.start)],
            }
        if project_field.data_type == "SINGLE_SELECT":
            out["options"] = [{"id": n.lower(), "name": n} for n in project_field.options]
        return out

    def _project_node(self, project: GhProject) -> dict[str, Any]:
        return {
            "__typename": "ProjectV2",
            "id": project.id,
            "number": project.number,
            "title": project.title,
            "closed": project.closed,
            "url": f"https://github.com/orgs/{project.owner}/projects/{project.number}",
            "fields": {"nodes": [self._field_node(project, f) for f in project.fields]},
        }

    # -- queries -------------------------------------------------------------------------

    def _gql_repositoryOwner(self, user: str, variables: dict[str, Any]) -> Any:
        login = str(variables.get("owner") or variables.get("login") or "")
        if not any(r.owner == login for r in self.repos.values()):
            return None
        out: dict[str, Any] = {"__typename": "Organization", "login": login}
        number = variables.get("number")
        if number is not None:
            project = next(
                (p for p in self.projects.values() if p.owner == login and p.number == int(number)),
                None,
            )
            if project is None:
                raise _GraphQLError(
                    "NOT_FOUND", f"Could not resolve to a ProjectV2 with the number {number}."
                )
            out["projectV2"] = self._project_node(project)
        return out

    def _gql_repository(self, user: str, variables: dict[str, Any]) -> Any:
        name = f"{variables.get('owner')}/{variables.get('name')}"
        repo = self.repos.get(name)
        if repo is None or not self._may_see(user, repo):
            raise _GraphQLError(
                "NOT_FOUND", f"Could not resolve to a Repository with the name '{name}'."
            )
        out: dict[str, Any] = {
            "id": repo.node_id,
            "nameWithOwner": repo.full_name,
            "viewerPermission": repo.permission,
            "hasIssuesEnabled": repo.has_issues,
        }
        if "number" in variables:
            issue = repo.issues.get(int(variables["number"]))
            if issue is None:
                raise _GraphQLError(
                    "NOT_FOUND",
                    f"Could not resolve to an issue or pull request with the number of "
                    f"{variables['number']}.",
                )
            items = [
                {"id": item.id, "project": {"id": p.id}}
                for p in self.projects.values()
                for item in p.items
                if item.key == issue.key
            ]
            out["issue"] = {**self._issue_node(issue), "projectItems": {"nodes": items}}
        return out

    def _gql_node(self, user: str, variables: dict[str, Any]) -> Any:
        project = self.projects.get(str(variables.get("id")))
        if project is None:
            return None
        items = [i for i in project.items]
        first = min(100, int(variables.get("first") or 100))
        start = 0
        if variables.get("after"):
            start = int(base64.b64decode(str(variables["after"])).decode().split(":")[1])
        chunk = items[start : start + first]
        more = start + first < len(items)
        end = base64.b64encode(f"cursor:{start + len(chunk)}".encode()).decode()
        node = self._project_node(project)
        node["items"] = {
            "totalCount": len(items),
            "pageInfo": {"hasNextPage": more, "endCursor": end if chunk else None},
            "nodes": [self._item_node(project, i) for i in chunk],
        }
        return node

    def _gql_nodes(self, user: str, variables: dict[str, Any]) -> Any:
        found = []
        for node_id in variables.get("ids") or []:
            item = next(
                ((p, i) for p in self.projects.values() for i in p.items if i.id == node_id),
                None,
            )
            found.append(self._item_node(*item) if item else None)
        return found

    # -- mutations -----------------------------------------------------------------------

    def _project_by_id(self, project_id: Any) -> GhProject:
        project = self.projects.get(str(project_id))
        if project is None:
            raise _GraphQLError(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{project_id}'"
            )
        return project

    def _item_by_id(self, project: GhProject, item_id: Any) -> GhItem:
        found = next((i for i in project.items if i.id == item_id), None)
        if found is None:
            raise _GraphQLError(
                "NOT_FOUND", f"Could not resolve to a node with the global id of '{item_id}'"
            )
        return found

    def _input(self, variables: dict[str, Any]) -> dict[str, Any]:
        value = variables.get("input")
        if not isinstance(value, dict):
            raise _GraphQLError("INVALID", "Variable $input of type … was provided invalid value")
        return value

    def _item_input(self, variables: dict[str, Any]) -> tuple[dict[str, Any], GhProject, GhItem]:
        """The ``input`` of a mutation on a project item, with the project and item it names."""
        given = self._input(variables)
        project = self._project_by_id(given.get("projectId"))
        return given, project, self._item_by_id(project, given.get("itemId"))

    def _gql_createProjectV2Field(self, user: str, variables: dict[str, Any]) -> Any:
        given = self._input(variables)
        project = self._project_by_id(given.get("projectId"))
        name = str(given.get("name") or "")
        if project.field_named(name) is not None:
            raise _GraphQLError("UNPROCESSABLE", "Name has already been taken")
        data_type = str(given.get("dataType") or "")
        made = self.add_field(project, name, data_type)
        configuration = given.get("iterationConfiguration")
        if data_type == "ITERATION" and isinstance(configuration, dict):
            self._set_iterations(made, configuration)
        return {"projectV2Field": self._field_node(project, made)}

    iterations_replaced = False
    """True: ``updateProjectV2Field``'s ``iterationConfiguration`` replaces the field's
    iterations whole, as GitHub does (its input has no iteration ids: every iteration given,
    completed ones too, is made anew with a new id, one not given is gone, and every item's
    value of the field is cleared). False (the default, for the tests written before): an
    iteration keeps its id while its title is kept, and completed ones stay as they were."""

    def _set_iterations(self, target: GhField, configuration: dict[str, Any]) -> None:
        """The field's iterations as ``configuration`` gives them (``iterations_replaced``)."""
        today = self.today()
        given = [
            (
                str(raw.get("title") or ""),
                date.fromisoformat(str(raw.get("startDate"))),
                int(raw.get("duration") or configuration.get("duration") or 14),
            )
            for raw in configuration.get("iterations") or []
        ]
        if self.iterations_replaced:
            target.iterations = [GhIteration(uuid.uuid4().hex[:8], *made) for made in given]
            for project in self.projects.values():
                for item in project.items:
                    item.values.pop(target.id, None)
            return
        done = [i for i in target.iterations if not i.is_open(today)]
        by_title = {i.title: i for i in target.iterations if i not in done}
        kept = {(i.title, i.start) for i in done}
        fresh = []
        for title, start, duration in given:
            if (title, start) in kept:  # a completed one given back as it is
                continue
            old = by_title.get(title)
            fresh.append(
                GhIteration(old.id if old else uuid.uuid4().hex[:8], title, start, duration)
            )
        target.iterations = [*done, *fresh]

    def _gql_updateProjectV2Field(self, user: str, variables: dict[str, Any]) -> Any:
        given = self._input(variables)
        found = next(
            (
                (p, f)
                for p in self.projects.values()
                for f in p.fields
                if f.id == given.get("fieldId")
            ),
            None,
        )
        if found is None:
            raise _GraphQLError("NOT_FOUND", "Could not resolve to a node with the given id")
        project, target = found
        if given.get("name"):
            target.name = str(given["name"])
        if isinstance(given.get("iterationConfiguration"), dict):
            self._set_iterations(target, given["iterationConfiguration"])
        return {"projectV2Field": self._field_node(project, target)}

    def _gql_updateProjectV2ItemFieldValue(self, user: str, variables: dict[str, Any]) -> Any:
        given, project, item = self._item_input(variables)
        target = project.field_by_id(str(given.get("fieldId")))
        if target is None:
            raise _GraphQLError("NOT_FOUND", "Could not resolve to a field")
        value = given.get("value") or {}
        if target.data_type == "NUMBER":
            if not isinstance(value.get("number"), int | float):
                raise _GraphQLError("UNPROCESSABLE", "The value is not a number")
            new: Any = float(value["number"])
        elif target.data_type == "ITERATION":
            new = value.get("iterationId")
            if not any(i.id == new for i in target.iterations):
                raise _GraphQLError("UNPROCESSABLE", "The iteration does not exist")
        elif target.data_type == "SINGLE_SELECT":
            new = value.get("singleSelectOptionId")
        else:
            new = value.get("text")
        if item.values.get(target.id) != new:
            item.values[target.id] = new
            self._item_changed(item, "edited")
        return {"projectV2Item": self._item_node(project, item)}

    def _gql_clearProjectV2ItemFieldValue(self, user: str, variables: dict[str, Any]) -> Any:
        given, project, item = self._item_input(variables)
        if item.values.pop(str(given.get("fieldId")), None) is not None:
            self._item_changed(item, "edited")
        return {"projectV2Item": self._item_node(project, item)}

    def _gql_updateProjectV2ItemPosition(self, user: str, variables: dict[str, Any]) -> Any:
        given, project, item = self._item_input(variables)
        after = given.get("afterId")
        anchor = self._item_by_id(project, after) if after else None
        project.items.remove(item)
        index = project.items.index(anchor) + 1 if anchor is not None else 0
        project.items.insert(index, item)
        self._item_changed(item, "reordered")
        return {"items": {"nodes": [{"id": i.id} for i in project.items[:50]]}}

    def _gql_addProjectV2ItemById(self, user: str, variables: dict[str, Any]) -> Any:
        given = self._input(variables)
        project = self._project_by_id(given.get("projectId"))
        issue = next(
            (
                i
                for r in self.repos.values()
                for i in r.issues.values()
                if i.node_id == given.get("contentId")
            ),
            None,
        )
        if issue is None:
            raise _GraphQLError("NOT_FOUND", "Could not resolve to a node with the given id")
        existing = next((i for i in project.items if i.key == issue.key), None)
        if existing is None:
            existing = GhItem(f"PVTI_{self._next_id()}", issue.key, updated=self._stamp())
            project.items.append(existing)
            self._event("projects_v2_item", "created", item=existing)
        return {"item": self._item_node(project, existing)}

    def _gql_createIssue(self, user: str, variables: dict[str, Any]) -> Any:
        given = self._input(variables)
        repo = next(
            (r for r in self.repos.values() if r.node_id == given.get("repositoryId")), None
        )
        if repo is None:
            raise _GraphQLError("NOT_FOUND", "Could not resolve to a Repository")
        if not str(given.get("title") or "").strip():
            raise _GraphQLError("UNPROCESSABLE", "Title can't be blank")
        issue = self.add_issue(
            str(given["title"]),
            body=str(given.get("body") or ""),
            repo=repo.full_name,
            in_project=False,
        )
        for project_id in given.get("projectV2Ids") or []:
            project = self._project_by_id(project_id)
            project.items.append(
                GhItem(f"PVTI_{self._next_id()}", issue.key, updated=issue.updated)
            )
        self._event("issues", "opened", issue=issue)
        return {"issue": self._issue_node(issue)}
