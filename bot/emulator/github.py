"""A local stand-in for GitHub: the REST endpoints and GraphQL operations Timebox's GitHub
client uses (bot/trackers/github.py), with GitHub's documented shapes and faults.

Like the Jira emulator it is an aiohttp server on 127.0.0.1 (a free port by default), records
every call (``calls``, ``calls_to(route)``), never sleeps unless told to hold an answer, and
takes time from an injectable ``now``. It holds users with tokens, repositories with issues,
labels and milestones, Projects (v2) with ordered items, a number field, an iteration field
and a Status field, and GitHub Apps (a JWT signed RS256 is checked against the App's public
key, then exchanged for an installation token). The API is served both as api.github.com
(``/repos/…``, ``/graphql``) and as an Enterprise Server (``/api/v3/repos/…``,
``/api/graphql``).

REST routes: ``user``, ``repos.installation``, ``apps.token``, ``issues.list`` (``state``,
``since``, ``sort``, ``direction``, ``per_page``/``page`` with a ``Link`` header),
``issues.get``, ``issues.update``, ``issues.create``, ``labels.add``, ``milestones.list``,
``milestones.create``, ``milestones.update``. GraphQL: each call is named ``graphql.<root
field>`` (``graphql.repositoryOwner``, ``graphql.node``, ``graphql.nodes``,
``graphql.repository``, ``graphql.createProjectV2Field``, ``graphql.updateProjectV2Field``,
``graphql.updateProjectV2ItemFieldValue``, ``graphql.clearProjectV2ItemFieldValue``,
``graphql.updateProjectV2ItemPosition``, ``graphql.addProjectV2ItemById``,
``graphql.createIssue``). The emulator reads a document's root fields and takes their
arguments from the request's variables (the client passes every argument as a variable); it
answers each root field with the whole object, a superset of what was selected.

Every answer carries ``X-RateLimit-Limit/Remaining/Reset/Used/Resource``. Faults: ``fail_next``
(a 5xx; 429 with ``Retry-After``; 403 as the secondary limit, with ``Retry-After``, or without
it for ``retry_after=0``; or ``limit="primary"``: 403 with ``X-RateLimit-Remaining: 0`` and a
reset time, GraphQL's ``RATE_LIMITED``), ``delay_next`` (an answer held so a timeout fires;
``applied=True`` does the work first) and ``fail_rate``. Webhooks (``issues``,
``projects_v2_item``) are signed ``X-Hub-Signature-256: sha256=<HMAC-SHA256 hex>`` and sent at
their scope, as GitHub documents: a repository's webhook hears its ``issues`` only; an
organisation's (``add_webhook(..., organization=True)``) every repository's ``issues`` and every
project's ``projects_v2_item`` (``add_project`` and ``add_item`` make a second project).

The emulator is ``GitHubEmulator`` here (its set-up and test helpers, faults and the HTTP
plumbing: credentials, rate-limit headers, GitHub's words for a fault) on ``GitHubSite``
(github_site.py: the state, the JSON views, webhook events), with one mixin per family of the
API: github_issues.py (REST issues, labels, milestones), github_apps.py (Apps and their
installation tokens) and github_graphql.py (the GraphQL endpoint and Projects v2); the records are
in github_records.py.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import date
from typing import Any, Unpack

from aiohttp import web

from bot.emulator.faults import Fault
from bot.emulator.github_apps import GitHubApps
from bot.emulator.github_graphql import GitHubGraphQL, root_fields
from bot.emulator.github_issues import GitHubIssues
from bot.emulator.github_records import (
    BAD_CREDENTIALS,
    PRIMARY_LIMIT,
    RATE_LIMIT,
    SECONDARY_LIMIT,
    GhIssue,
    GhItem,
    GhIteration,
    GhProject,
    GhRepo,
    GitHubCall,
    GitHubFailure,
)
from bot.emulator.http import answer
from bot.emulator.tracker import ServerOptions, route

__all__ = ["GhIssue", "GitHubEmulator", "root_fields"]


class GitHubEmulator(GitHubIssues, GitHubApps, GitHubGraphQL):
    """GitHub's REST and GraphQL APIs for a few repositories and projects, on 127.0.0.1."""

    def __init__(
        self,
        *,
        login: str = "paula",
        token: str = "github-token",
        name: str = "Paula Owner",
        owner: str = "acme",
        repo: str = "shop",
        project_number: int | None = 1,
        project_title: str = "Shop roadmap",
        estimate_field: str | None = "Estimate",
        iteration_field: str | None = "Iteration",
        web_url: str | None = None,
        **server: Unpack[ServerOptions],
    ) -> None:
        super().__init__(first_id=1000, **server)
        self.web_url = web_url  # None: the emulator's own address
        self.users = {}  # login -> name
        self.tokens = {}  # token -> login (or "app:<installation>")
        self.token_expiry = {}
        self.repos = {}
        self.projects = {}
        self.apps = {}
        self.webhooks = []
        self._last_stamp = -1.0  # a first change at epoch 0 is stamped 0
        self._used = 0
        self.login = login
        self.token = token
        self.add_user(login, token, name)
        self.repository = self.add_repo(owner, repo)
        self.project = None
        if project_number is not None:
            self.project = self.add_project(owner, project_number, project_title)
            if estimate_field:
                self.add_field(self.project, estimate_field, "NUMBER")
            if iteration_field:
                self.add_field(self.project, iteration_field, "ITERATION")
            self.add_field(self.project, "Status", "SINGLE_SELECT", ["Todo", "In Progress", "Done"])

    # -- lifecycle -----------------------------------------------------------------------

    def _mounts(self, path: str) -> list[str]:
        """api.github.com's path, and an Enterprise Server's."""
        return [path, "/api/graphql" if path == "/graphql" else f"/api/v3{path}"]

    # -- set-up and test helpers ---------------------------------------------------------

    def add_user(self, login: str, token: str, name: str = "") -> None:
        self.users[login] = name or login
        self.tokens[token] = login

    def add_repo(self, owner: str, name: str) -> GhRepo:
        repo = GhRepo(owner, name, self._next_id())
        self.repos[repo.full_name] = repo
        return repo

    def add_project(self, owner: str, number: int, title: str) -> GhProject:
        project = GhProject(f"PVT_{self._next_id()}", owner, number, title)
        self.add_field(project, "Title", "TITLE")
        self.projects[project.id] = project
        return project

    def add_iteration(
        self, title: str, start: date, duration: int = 14, project: GhProject | None = None
    ) -> GhIteration:
        project = project or self._project()
        iteration_field = next(f for f in project.fields if f.data_type == "ITERATION")
        made = GhIteration(uuid.uuid4().hex[:8], title, start, duration)
        iteration_field.iterations.append(made)
        return made

    def add_item(self, key: str, project: GhProject) -> GhItem:
        """Issue ``key`` added to ``project`` too (another project of the organisation, say):
        its item at the bottom, with no field values."""
        made = GhItem(f"PVTI_{self._next_id()}", key, updated=self._stamp())
        project.items.append(made)
        return made

    def item(self, key: str, project: GhProject | None = None) -> GhItem:
        """Issue ``key``'s item in ``project`` (the emulator's project by default)."""
        return next(i for i in (project or self._project()).items if i.key == key)

    def edit(self, key: str, **changes: Any) -> GhIssue:
        """A person's edit on GitHub: issue fields (title, body, state, labels, ...) bump the
        issue's ``updated_at``; ``estimate``/``iteration``/``status`` bump the item's."""
        issue = self.issue(key)
        item_changes = {
            k: changes.pop(k) for k in ("estimate", "iteration", "status") if k in changes
        }
        with self._changing(issue):  # the events GitHub sends for each change
            for name, value in changes.items():
                setattr(issue, name, value)
        if item_changes:
            item = self.item(key)
            for name, value in item_changes.items():
                target = {
                    "estimate": self._estimate_field,
                    "iteration": self._iteration_field,
                    "status": lambda: self._field("Status"),
                }[name]()
                if value is None:
                    item.values.pop(target.id, None)
                else:
                    item.values[target.id] = value
            self._item_changed(item, "edited")
        return issue

    def move(self, key: str, index: int, project: GhProject | None = None) -> None:
        """A person drags an item to ``index`` in the order of ``project`` (the emulator's
        project by default)."""
        items = (project or self._project()).items
        item = self.item(key, project)
        items.remove(item)
        items.insert(index, item)
        self._item_changed(item, "reordered")

    def transfer(self, key: str, repo: str) -> GhIssue:
        """A person transfers the issue to repository ``repo`` (``owner/name``): it gets the
        next number there and leaves its milestone behind; its old address answers ``301 Moved
        Permanently`` from then on (GitHub's REST documentation for "Get an issue"); a project
        item keeps it, and the old repository's ``issues`` webhook says ``transferred``: the
        issue and repository as they were, the new ones in ``changes``."""
        issue = self.issue(key)
        source, target = self.repos[issue.repo], self.repos[repo]
        target.numbered = max([*target.issues, target.numbered]) + 1
        moved = replace(
            issue,
            repo=target.full_name,
            number=target.numbered,
            labels=list(issue.labels),
            milestone=None,
            updated=self._stamp(),
        )
        del source.issues[issue.number]
        target.issues[moved.number] = moved
        source.moved[issue.number] = moved.key
        for project in self.projects.values():
            for item in project.items:
                if item.key == key:
                    item.key = moved.key
        self._event(
            "issues",
            "transferred",
            issue=issue,
            changes={"new_issue": self._issue_json(moved), "new_repository": {"full_name": repo}},
        )
        return moved

    def delete_issue(self, key: str) -> None:
        """A repository admin deletes the issue on GitHub: gone from its repository and from
        every project, 404 from then on."""
        repo, _, number = key.partition("#")
        del self.repos[repo].issues[int(number)]
        for project in self.projects.values():
            project.items[:] = [i for i in project.items if i.key != key]

    def estimate_of(self, key: str) -> float | None:
        if self.project is None:
            for label in self.issue(key).labels:
                match = re.match(r"^estimate:\s*([\d.]+)$", label)
                if match:
                    return float(match.group(1))
            return None
        return self.item(key).values.get(self._estimate_field().id)

    def project_keys(self, project: GhProject | None = None) -> list[str]:
        """Every item's key, in the order of ``project`` (the emulator's by default)."""
        return [i.key for i in (project or self._project()).items if not i.archived]

    def backlog_keys(self) -> list[str]:
        """What the client should see as the backlog: open, in no current or future iteration."""
        if self.project is None:
            return [
                i.key
                for i in sorted(self.repository.issues.values(), key=lambda i: i.created)
                if i.state == "open" and i.milestone is None
            ]
        open_iterations = {i.id for i in self._open_iterations()}
        field_id = next((f.id for f in self.project.fields if f.data_type == "ITERATION"), None)
        return [
            item.key
            for item in self.project.items
            if not item.archived
            and self.issue(item.key).state == "open"
            and item.values.get(field_id) not in open_iterations
        ]

    def _open_iterations(self, project: GhProject | None = None) -> list[GhIteration]:
        project = project or self.project
        if project is None:
            return []
        today = self.today()
        return [
            i
            for f in project.fields
            if f.data_type == "ITERATION"
            for i in f.iterations
            if i.is_open(today)
        ]

    # -- HTTP plumbing -------------------------------------------------------------------

    def _limit_headers(self, route: str, remaining: int | None = None) -> dict[str, str]:
        self._used += 1
        left = max(0, RATE_LIMIT - self._used) if remaining is None else remaining
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(left),
            "X-RateLimit-Reset": str(int(self.epoch()) + 3600),
            "X-RateLimit-Used": str(self._used),
            "X-RateLimit-Resource": "graphql" if route.startswith("graphql") else "core",
        }

    def _authenticate(self, request: web.Request, route: str) -> str | None:
        """The caller: a login, ``app:<id>`` (a JWT, only for App routes), or None."""
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return None
        value = value.strip()
        if route in ("repos.installation", "apps.token"):
            app = self._verify_jwt(value)
            return f"app:{app.id}" if app is not None else None
        login = self.tokens.get(value)
        if login is None:
            return None
        expiry = self.token_expiry.get(value)
        if expiry is not None and self.epoch() >= expiry:
            return None
        return login

    BAD_JSON = {"message": "Problems parsing JSON"}

    LIMIT_429 = "secondary"

    FAIL_RATE_STATUS = 502

    def _name_call(self, call: GitHubCall, body: Any) -> None:
        if call.route == "graphql":
            names = root_fields(str((body or {}).get("query") or ""))
            call.route = f"graphql.{names[0]}" if names else "graphql"

    def _unauthenticated(self, call: GitHubCall) -> web.Response:
        return answer(call, 401, BAD_CREDENTIALS)

    def _answer(self, call: GitHubCall, status: int, data: Any) -> web.Response:
        headers = self._limit_headers(call.route)
        if isinstance(data, tuple):  # (body, extra headers)
            data, extra = data
            headers.update(extra)
        return answer(call, status, data, headers)

    def _fault_answer(self, call: GitHubCall, fault: Fault) -> web.Response:
        status = int(fault.status or 500)
        wait = fault.retry_after or 0
        if fault.limit == "primary":
            headers = self._limit_headers(call.route, remaining=0)
            headers["X-RateLimit-Reset"] = str(int(self.epoch() + wait))
            if call.route.startswith("graphql"):
                return answer(
                    call,
                    200,
                    {"errors": [{"type": "RATE_LIMITED", "message": PRIMARY_LIMIT}]},
                    headers,
                )
            return answer(call, 403, {"message": PRIMARY_LIMIT}, headers)
        headers = self._limit_headers(call.route)
        if fault.limit == "secondary":
            if wait:  # GitHub may leave it out: then "wait at least one minute"
                headers["Retry-After"] = f"{wait:g}"
            return answer(call, status, {"message": SECONDARY_LIMIT}, headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{wait:g}"
        return answer(call, status, {"message": "Server Error"}, headers)

    def _unknown(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        raise GitHubFailure(404, "Not Found")

    # -- the caller ----------------------------------------------------------------------

    @route("GET", "/user", "user")
    def _user(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        return 200, self._user_json(user)
