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

Every answer carries ``X-RateLimit-Limit/Remaining/Reset/Used/Resource``. Faults:
``fail_next`` (a 5xx; 429 with ``Retry-After``; 403 as the secondary limit, with
``Retry-After``; or ``limit="primary"``: 403 with ``X-RateLimit-Remaining: 0`` and a reset
time, GraphQL's ``RATE_LIMITED``), ``delay_next`` (an answer held so a timeout fires;
``applied=True`` does the work first) and ``fail_rate``. Webhooks (``issues``,
``projects_v2_item``) are signed ``X-Hub-Signature-256: sha256=<HMAC-SHA256 hex>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Unpack

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot.emulator.calls import RestCall
from bot.emulator.faults import Fault
from bot.emulator.http import answer
from bot.emulator.tracker import Refusal, RestServer, ServerOptions, route
from bot.emulator.webhooks import Delivery, hmac_sha256

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


@dataclass
class GhIssue:
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

    @property
    def node_id(self) -> str:
        return f"I_{self.id}"


@dataclass
class GhMilestone:
    number: int
    title: str
    description: str = ""
    state: str = "open"
    due_on: str | None = None
    closed_at: str | None = None


@dataclass
class GhRepo:
    owner: str
    name: str
    id: int
    issues: dict[int, GhIssue] = field(default_factory=dict)
    milestones: dict[int, GhMilestone] = field(default_factory=dict)
    labels: set[str] = field(default_factory=set)
    has_issues: bool = True
    permission: str = "ADMIN"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def node_id(self) -> str:
        return f"R_{self.id}"


@dataclass
class GhIteration:
    id: str
    title: str
    start: date
    duration: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "titleHTML": self.title,
            "startDate": self.start.isoformat(),
            "duration": self.duration,
        }


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


@dataclass
class GitHubWebhook:
    url: str
    secret: str | None = None
    events: tuple[str, ...] = ("issues", "projects_v2_item")
    deliveries: list[int] = field(default_factory=list)


class _Fail(Refusal):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        body = {"message": message, "documentation_url": "https://docs.github.com/rest"}
        super().__init__(status, body | extra)


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


class GitHubEmulator(RestServer):
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
        **server: Unpack[ServerOptions],
    ) -> None:
        super().__init__(first_id=1000, **server)
        self.users: dict[str, str] = {}  # login -> name
        self.tokens: dict[str, str] = {}  # token -> login (or "app:<installation>")
        self.token_expiry: dict[str, float] = {}
        self.repos: dict[str, GhRepo] = {}
        self.projects: dict[str, GhProject] = {}
        self.apps: dict[str, GhApp] = {}
        self.webhooks: list[GitHubWebhook] = []
        self._last = -1.0
        self._used = 0
        self.login = login
        self.token = token
        self.add_user(login, token, name)
        self.repository = self.add_repo(owner, repo)
        self.project: GhProject | None = None
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

    # -- time and ids --------------------------------------------------------------------

    def _stamp(self) -> float:
        """Now in whole seconds (GitHub's precision), strictly after the last stamp even when
        time stands (tests stop the clock): each change has its own time."""
        stamp = max(float(int(self.epoch())), self._last + 1)
        self._last = stamp
        return stamp

    @staticmethod
    def iso(epoch: float) -> str:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def today(self) -> date:
        return datetime.fromtimestamp(self.epoch(), UTC).date()

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
        project.fields.append(GhField(f"PVTF_{self._next_id()}", "Title", "TITLE"))
        self.projects[project.id] = project
        return project

    def add_field(
        self, project: GhProject, name: str, data_type: str, options: list[str] | None = None
    ) -> GhField:
        prefix = {"ITERATION": "PVTIF", "SINGLE_SELECT": "PVTSSF"}.get(data_type, "PVTF")
        made = GhField(f"{prefix}_{self._next_id()}", name, data_type, options=options or [])
        project.fields.append(made)
        return made

    def add_iteration(
        self, title: str, start: date, duration: int = 14, project: GhProject | None = None
    ) -> GhIteration:
        project = project or self._project()
        iteration_field = next(f for f in project.fields if f.data_type == "ITERATION")
        made = GhIteration(uuid.uuid4().hex[:8], title, start, duration)
        iteration_field.iterations.append(made)
        return made

    def add_app(self, app_id: str = "4242", repo: str | None = None) -> GhApp:
        """A GitHub App installed on ``repo`` (the default repository); its private key in
        PEM is ``private_key_pem``."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        app = GhApp(app_id, pem, key.public_key())
        app.installations[self._next_id()] = repo or self.repository.full_name
        self.apps[app_id] = app
        return app

    def _project(self) -> GhProject:
        assert self.project is not None, "this emulator has no project"
        return self.project

    def add_issue(
        self,
        title: str,
        *,
        body: str = "",
        labels: list[str] | tuple[str, ...] = (),
        estimate: float | None = None,
        state: str = "open",
        assignee: str | None = None,
        repo: str | None = None,
        in_project: bool = True,
        iteration: str | None = None,
        status: str | None = None,
    ) -> GhIssue:
        """An issue (and, with a project, its item at the bottom, with its field values)."""
        target = self.repos[repo] if repo else self.repository
        stamp = self._stamp()
        issue = GhIssue(
            target.full_name,
            max([*target.issues, 0]) + 1,
            self._next_id(),
            title,
            body,
            state,
            "completed" if state == "closed" else None,
            list(labels),
            assignee,
            None,
            stamp,
            stamp,
        )
        target.issues[issue.number] = issue
        target.labels.update(labels)
        if self.project is not None and in_project:
            item = GhItem(f"PVTI_{self._next_id()}", issue.key, updated=stamp)
            self.project.items.append(item)
            if estimate is not None:
                item.values[self._estimate_field().id] = float(estimate)
            if iteration is not None:
                item.values[self._iteration_field().id] = iteration
            if status is not None:
                item.values[self._field("Status").id] = status
        elif estimate is not None:
            issue.labels.append(f"estimate: {estimate:g}")
        return issue

    def _field(self, name: str) -> GhField:
        found = self._project().field_named(name)
        assert found is not None, f"no field {name}"
        return found

    def _estimate_field(self) -> GhField:
        return next(f for f in self._project().fields if f.data_type == "NUMBER")

    def _iteration_field(self) -> GhField:
        return next(f for f in self._project().fields if f.data_type == "ITERATION")

    def issue(self, key: str) -> GhIssue:
        repo, _, number = key.partition("#")
        return self.repos[repo].issues[int(number)]

    def item(self, key: str) -> GhItem:
        return next(i for i in self._project().items if i.key == key)

    def edit(self, key: str, **changes: Any) -> GhIssue:
        """A person's edit on GitHub: issue fields (title, body, state, labels, ...) bump the
        issue's ``updated_at``; ``estimate``/``iteration``/``status`` bump the item's."""
        issue = self.issue(key)
        item_changes = {
            k: changes.pop(k) for k in ("estimate", "iteration", "status") if k in changes
        }
        for name, value in changes.items():
            setattr(issue, name, value)
        if changes:
            issue.updated = self._stamp()
            self._event("issues", "edited", issue=issue)
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

    def _item_changed(self, item: GhItem, action: str) -> None:
        """``item`` was ``edited`` or ``reordered``: a new ``updatedAt``, and its webhook."""
        item.updated = self._stamp()
        self._event("projects_v2_item", action, item=item)

    def move(self, key: str, index: int) -> None:
        """A person drags an item to ``index`` in the project's order."""
        items = self._project().items
        item = self.item(key)
        items.remove(item)
        items.insert(index, item)
        self._item_changed(item, "reordered")

    def estimate_of(self, key: str) -> float | None:
        if self.project is None:
            for label in self.issue(key).labels:
                match = re.match(r"^estimate:\s*([\d.]+)$", label)
                if match:
                    return float(match.group(1))
            return None
        return self.item(key).values.get(self._estimate_field().id)

    def project_keys(self) -> list[str]:
        """Every item's key, in the project's order."""
        return [i.key for i in self._project().items if not i.archived]

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
            if i.start + timedelta(days=i.duration) > today
        ]

    # -- faults --------------------------------------------------------------------------

    def fail_rate(
        self, ratio: float, status: int = 502, *, route: str | None = None, seed: int = 0
    ) -> None:
        """Fail a share of calls (deterministically from ``seed``) with ``status``."""
        self.faults.add(Fault(route, status, ratio=ratio, rng=random.Random(seed)))

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

    def _verify_jwt(self, token: str) -> GhApp | None:
        try:
            header, claims, signature = token.split(".")
            payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
            app = self.apps.get(str(payload.get("iss")))
            if app is None:
                return None
            raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            app.public_key.verify(
                raw, f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (ValueError, InvalidSignature, json.JSONDecodeError):
            return None
        now = self.epoch()
        if not (payload.get("iat", 0) <= now + 60 and now < payload.get("exp", 0)):
            return None
        if payload["exp"] - payload["iat"] > 600:
            return None
        return app

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
            headers["Retry-After"] = f"{wait:g}"
            return answer(call, status, {"message": SECONDARY_LIMIT}, headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{wait:g}"
        return answer(call, status, {"message": "Server Error"}, headers)

    def _unknown(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        raise _Fail(404, "Not Found")

    # -- JSON views ----------------------------------------------------------------------

    def _repo_for(self, request: web.Request, user: str) -> GhRepo:
        name = f"{request.match_info['owner']}/{request.match_info['repo']}"
        repo = self.repos.get(name)
        if repo is None or not self._may_see(user, repo):
            raise _Fail(404, "Not Found")
        return repo

    def _may_see(self, user: str, repo: GhRepo) -> bool:
        if user.startswith("installation:"):
            installation = int(user.split(":", 1)[1])
            return any(
                repo.full_name == r
                for a in self.apps.values()
                for i, r in a.installations.items()
                if i == installation
            )
        return True

    def _user_json(self, login: str | None) -> dict[str, Any] | None:
        if not login:
            return None
        return {
            "login": login,
            "id": abs(hash(login)) % 100000,
            "node_id": f"U_{login}",
            "type": "User",
            "name": self.users.get(login, login),
        }

    def _issue_json(self, issue: GhIssue) -> dict[str, Any]:
        repo = self.repos[issue.repo]
        milestone = repo.milestones.get(issue.milestone) if issue.milestone else None
        base = self.url or "http://github.invalid"
        return {
            "id": issue.id,
            "node_id": issue.node_id,
            "url": f"{base}/repos/{issue.repo}/issues/{issue.number}",
            "repository_url": f"{base}/repos/{issue.repo}",
            "html_url": f"https://github.com/{issue.repo}/issues/{issue.number}",
            "number": issue.number,
            "state": issue.state,
            "state_reason": issue.state_reason,
            "title": issue.title,
            "body": issue.body,
            "user": self._user_json(self.login),
            "labels": [{"name": n, "color": "ededed", "default": False} for n in issue.labels],
            "assignee": self._user_json(issue.assignee),
            "assignees": [self._user_json(issue.assignee)] if issue.assignee else [],
            "milestone": self._milestone_json(milestone) if milestone else None,
            "comments": 0,
            "created_at": self.iso(issue.created),
            "updated_at": self.iso(issue.updated),
            "closed_at": self.iso(issue.updated) if issue.state == "closed" else None,
        }

    def _milestone_json(self, milestone: GhMilestone) -> dict[str, Any]:
        return {
            "number": milestone.number,
            "title": milestone.title,
            "description": milestone.description,
            "state": milestone.state,
            "due_on": milestone.due_on,
            "closed_at": milestone.closed_at,
        }

    def _issue_node(self, issue: GhIssue) -> dict[str, Any]:
        return {
            "__typename": "Issue",
            "id": issue.node_id,
            "number": issue.number,
            "title": issue.title,
            "body": issue.body,
            "url": f"https://github.com/{issue.repo}/issues/{issue.number}",
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
        typename = {
            "ITERATION": "ProjectV2IterationField",
            "SINGLE_SELECT": "ProjectV2SingleSelectField",
        }.get(project_field.data_type, "ProjectV2Field")
        out: dict[str, Any] = {
            "__typename": typename,
            "id": project_field.id,
            "name": project_field.name,
            "dataType": project_field.data_type,
        }
        if project_field.data_type == "ITERATION":
            today = self.today()
            current = [
                i for i in project_field.iterations if i.start + timedelta(days=i.duration) > today
            ]
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

    # -- REST ----------------------------------------------------------------------------

    @route("GET", "/user", "user")
    def _user(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        return 200, self._user_json(user)

    @route("GET", "/repos/{owner}/{repo}/installation", "repos.installation")
    def _installation(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        app = self.apps[user.split(":", 1)[1]]
        name = f"{request.match_info['owner']}/{request.match_info['repo']}"
        for installation, repo in app.installations.items():
            if repo == name:
                return 200, {
                    "id": installation,
                    "app_id": int(app.id),
                    "target_type": "Organization",
                }
        raise _Fail(404, "Not Found")

    @route("POST", "/app/installations/{id}/access_tokens", "apps.token")
    def _access_token(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        app = self.apps[user.split(":", 1)[1]]
        installation = int(request.match_info["id"])
        if installation not in app.installations:
            raise _Fail(404, "Not Found")
        token = f"ghs_{uuid.uuid4().hex}"
        self.tokens[token] = f"installation:{installation}"
        self.token_expiry[token] = self.epoch() + 3600
        return 201, {"token": token, "expires_at": self.iso(self.epoch() + 3600)}

    @route("GET", "/repos/{owner}/{repo}/issues", "issues.list")
    def _list_issues(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        repo = self._repo_for(request, user)
        query = request.query
        state = query.get("state", "open")
        issues = [i for i in repo.issues.values() if state == "all" or i.state == state]
        since = query.get("since")
        if since:
            when = datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()
            issues = [i for i in issues if i.updated >= when]
        sort = query.get("sort", "created")
        reverse = query.get("direction", "desc") == "desc"
        issues.sort(
            key=lambda i: (i.updated if sort == "updated" else i.created, i.number), reverse=reverse
        )
        per_page = min(100, int(query.get("per_page", "30")))
        page = int(query.get("page", "1"))
        chunk = issues[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(issues):
            params = {**query, "page": str(page + 1)}
            link = f"{self.url}{request.path}?" + "&".join(f"{k}={v}" for k, v in params.items())
            headers["Link"] = f'<{link}>; rel="next"'
        return 200, ([self._issue_json(i) for i in chunk], headers)

    def _issue_for(self, request: web.Request, user: str) -> GhIssue:
        repo = self._repo_for(request, user)
        issue = repo.issues.get(int(request.match_info["number"]))
        if issue is None:
            raise _Fail(404, "Not Found")
        return issue

    @route("GET", "/repos/{owner}/{repo}/issues/{number}", "issues.get")
    def _get_issue(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        return 200, self._issue_json(self._issue_for(request, user))

    @route("PATCH", "/repos/{owner}/{repo}/issues/{number}", "issues.update")
    def _patch_issue(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request, user)
        body = body or {}
        if "state" in body and body["state"] not in ("open", "closed"):
            raise _Fail(422, "Validation Failed", errors=[{"field": "state", "code": "invalid"}])
        repo = self.repos[issue.repo]
        if body.get("milestone") is not None and int(body["milestone"]) not in repo.milestones:
            raise _Fail(
                422, "Validation Failed", errors=[{"field": "milestone", "code": "invalid"}]
            )
        changed = False
        for name, attribute in (
            ("title", "title"),
            ("body", "body"),
            ("state", "state"),
            ("state_reason", "state_reason"),
            ("milestone", "milestone"),
        ):
            if name in body and getattr(issue, attribute) != body[name]:
                setattr(issue, attribute, body[name])
                changed = True
        if "labels" in body:
            labels = [str(n if isinstance(n, str) else n.get("name")) for n in body["labels"]]
            if labels != issue.labels:
                issue.labels = labels
                repo.labels.update(labels)
                changed = True
        if changed:
            issue.updated = self._stamp()
            self._event("issues", "edited", issue=issue)
        return 200, self._issue_json(issue)

    @route("POST", "/repos/{owner}/{repo}/issues", "issues.create")
    def _create_issue(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        repo = self._repo_for(request, user)
        body = body or {}
        if not str(body.get("title") or "").strip():
            raise _Fail(
                422, "Validation Failed", errors=[{"field": "title", "code": "missing_field"}]
            )
        issue = self.add_issue(
            str(body["title"]),
            body=str(body.get("body") or ""),
            labels=list(body.get("labels") or []),
            repo=repo.full_name,
            in_project=False,
        )
        self._event("issues", "opened", issue=issue)
        return 201, self._issue_json(issue)

    @route("POST", "/repos/{owner}/{repo}/issues/{number}/labels", "labels.add")
    def _labels(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request, user)
        names = body.get("labels") if isinstance(body, dict) else body
        added = [str(n) for n in names or [] if str(n) not in issue.labels]
        if added:
            issue.labels.extend(added)
            self.repos[issue.repo].labels.update(added)
            issue.updated = self._stamp()
        return 200, [{"name": n} for n in issue.labels]

    @route("GET", "/repos/{owner}/{repo}/milestones", "milestones.list")
    def _milestones(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        repo = self._repo_for(request, user)
        state = request.query.get("state", "open")
        found = [m for m in repo.milestones.values() if state == "all" or m.state == state]
        return 200, [self._milestone_json(m) for m in found]

    @route("POST", "/repos/{owner}/{repo}/milestones", "milestones.create")
    def _new_milestone(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        repo = self._repo_for(request, user)
        body = body or {}
        if any(m.title == body.get("title") for m in repo.milestones.values()):
            raise _Fail(
                422,
                "Validation Failed",
                errors=[{"resource": "Milestone", "code": "already_exists", "field": "title"}],
            )
        milestone = GhMilestone(
            max([*repo.milestones, 0]) + 1,
            str(body.get("title") or ""),
            str(body.get("description") or ""),
            due_on=body.get("due_on"),
        )
        repo.milestones[milestone.number] = milestone
        return 201, self._milestone_json(milestone)

    @route("PATCH", "/repos/{owner}/{repo}/milestones/{number}", "milestones.update")
    def _patch_milestone(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        repo = self._repo_for(request, user)
        milestone = repo.milestones.get(int(request.match_info["number"]))
        if milestone is None:
            raise _Fail(404, "Not Found")
        body = body or {}
        for name in ("title", "description", "due_on"):
            if name in body:
                setattr(milestone, name, body[name])
        if body.get("state") == "closed" and milestone.state != "closed":
            milestone.state, milestone.closed_at = "closed", self.iso(self.epoch())
        return 200, self._milestone_json(milestone)

    # -- GraphQL -------------------------------------------------------------------------

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

    def _set_iterations(self, target: GhField, configuration: dict[str, Any]) -> None:
        """Replaces the field's current and future iterations; an iteration keeps its id when
        its title is kept (completed ones stay as they were)."""
        today = self.today()
        done = [i for i in target.iterations if i.start + timedelta(days=i.duration) <= today]
        by_title = {i.title: i for i in target.iterations if i not in done}
        fresh = []
        for raw in configuration.get("iterations") or []:
            title = str(raw.get("title") or "")
            old = by_title.get(title)
            fresh.append(
                GhIteration(
                    old.id if old else uuid.uuid4().hex[:8],
                    title,
                    date.fromisoformat(str(raw.get("startDate"))),
                    int(raw.get("duration") or configuration.get("duration") or 14),
                )
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

    # -- webhooks ------------------------------------------------------------------------

    def add_webhook(
        self,
        url: str,
        secret: str | None = None,
        events: tuple[str, ...] = ("issues", "projects_v2_item"),
    ) -> GitHubWebhook:
        """A webhook as a repository or organisation admin registers it; events are sent by
        ``deliver_webhooks()``, or at once when ``auto_webhooks`` is set."""
        hook = GitHubWebhook(url, secret, events)
        self.webhooks.append(hook)
        return hook

    def _event(
        self, kind: str, action: str, *, issue: GhIssue | None = None, item: GhItem | None = None
    ) -> None:
        if not self.webhooks:
            return
        payload: dict[str, Any] = {"action": action, "sender": self._user_json(self.login)}
        if issue is not None:
            payload["issue"] = self._issue_json(issue)
            payload["repository"] = {
                "full_name": issue.repo,
                "node_id": self.repos[issue.repo].node_id,
            }
        if item is not None and self.project is not None:
            content = self.issue(item.key)
            payload["projects_v2_item"] = {
                "id": int(item.id.split("_")[-1]),
                "node_id": item.id,
                "project_node_id": self.project.id,
                "content_node_id": content.node_id,
                "content_type": "Issue",
                "updated_at": self.iso(item.updated),
            }
            payload["organization"] = {"login": self.project.owner}
        self._queue_event((kind, payload))

    @staticmethod
    def sign(secret: str, body: bytes) -> str:
        """``X-Hub-Signature-256``: ``sha256=`` and the HMAC-SHA256 of the body, in hex."""
        return "sha256=" + hmac_sha256(secret, body)

    def _deliveries(self, event: tuple[str, dict[str, Any]]) -> Iterable[Delivery]:
        kind, payload = event
        body = json.dumps(payload).encode()
        for hook in self.webhooks:
            if kind in hook.events:
                headers = {
                    "Content-Type": "application/json",
                    "User-Agent": "GitHub-Hookshot/emulator",
                    "X-GitHub-Event": kind,
                    "X-GitHub-Delivery": str(uuid.uuid4()),
                }
                if hook.secret:
                    headers["X-Hub-Signature-256"] = self.sign(hook.secret, body)
                    headers["X-Hub-Signature"] = (
                        "sha1=" + hmac.new(hook.secret.encode(), body, hashlib.sha1).hexdigest()
                    )
                yield Delivery(hook, body, headers)
