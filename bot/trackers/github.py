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

Credentials: a fine-grained token (``Authorization: Bearer``) or a GitHub App installation (a
JWT signed RS256 with the App's private key, exchanged for an installation token that is
renewed before it expires).

Failures: 429, or 403 with ``retry-after`` (secondary limit), waits as told; 403/429 with
``x-ratelimit-remaining: 0`` (primary limit) waits until ``x-ratelimit-reset``; a 403 that
names a secondary rate limit without a header waits a minute, as GitHub's documentation asks;
GraphQL's ``RATE_LIMITED`` likewise. The rest is the retry rules of every tracker client
(bot/trackers/http.py): 5xx, timeouts and dropped connections retried with backoff, a create
that may have happened said to be ``maybe_applied``, a wait longer than the policy allows
handed back to the caller (RATE_LIMITED, with ``retry_after``).

No library: gidgethub has no retry or wait of its own and githubkit brings httpx and pydantic,
neither of which would go through the host policy's resolver (bot/trackers/hosts.py); this
module needs a dozen endpoints, and the App's JWT is signed with ``cryptography``, which
Timebox has already.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Unpack
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot.domain import trackers
from bot.runtime.secrets import Secret
from bot.trackers.hosts import GITHUB_CLOUD
from bot.trackers.http import (
    JsonClient,
    JsonOptions,
    Reply,
    access_problem,
    account_problem,
    parse_time,
    retry_after,
    snapshot_fields,
)
from bot.trackers.markdown import join_body, references, split_body

GITHUB_API = "https://api.github.com"
API_VERSION = "2022-11-28"
DEFAULT_ESTIMATE_FIELD = "Estimate"
DEFAULT_SPRINT_FIELD = "Sprint"
SPRINT_DAYS = 14
SECONDARY_WAIT = 60.0  # GitHub: wait at least a minute after a secondary limit without a header
_ESTIMATE_LABEL = re.compile(r"^estimate:\s*(\d+(?:\.\d+)?)$", re.IGNORECASE)
_KEY = re.compile(r"^([\w.-]+)/([\w.-]+)#(\d+)$")
_REPO = re.compile(r"^([\w.-]+)/([\w.-]+)$")
_TYPES = {"bug": "Bug", "spike": "Spike", "tech debt": "Tech debt", "tech-debt": "Tech debt"}
_TYPES |= {"enabler": "Enabler", "epic": "Epic"}
_LABEL_OF_TYPE = {"Bug": "bug", "Spike": "spike", "Tech debt": "tech debt", "Enabler": "enabler"}
_IN_PROGRESS = {"in progress", "in review", "doing", "review"}

# -- GraphQL documents (arguments always as variables) ------------------------------------

_ISSUE_FIELDS = """
fragment IssueFields on Issue {
  id number title body url state stateReason updatedAt
  repository { nameWithOwner }
  labels(first: 50) { nodes { name } }
  assignees(first: 1) { nodes { login name } }
}"""
_VALUE_FIELDS = """
fieldValues(first: 30) { nodes {
  __typename
  ... on ProjectV2ItemFieldNumberValue { number field { ... on ProjectV2FieldCommon { id } } }
  ... on ProjectV2ItemFieldIterationValue {
    iterationId title startDate duration field { ... on ProjectV2FieldCommon { id } } }
  ... on ProjectV2ItemFieldSingleSelectValue { name field { ... on ProjectV2FieldCommon { name } } }
} }"""
PROJECT_QUERY = """
query Project($owner: String!, $number: Int!) {
  repositoryOwner(login: $owner) {
    login __typename
    ... on ProjectV2Owner {
      projectV2(number: $number) {
        id title url closed
        fields(first: 50) { nodes {
          __typename
          ... on ProjectV2FieldCommon { id name dataType }
          ... on ProjectV2IterationField { configuration {
            duration startDay
            iterations { id title startDate duration }
            completedIterations { id title startDate duration } } }
        } }
      }
    }
  }
}"""
ITEMS_QUERY = (
    """
query Items($id: ID!, $first: Int!, $after: String) {
  node(id: $id) { ... on ProjectV2 {
    items(first: $first, after: $after, orderBy: {field: POSITION, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes { id isArchived updatedAt
        VALUES
        content { __typename ... on Issue { ...IssueFields } } }
    } } }
}""".replace("VALUES", _VALUE_FIELDS)
    + _ISSUE_FIELDS
)
ORDER_QUERY = """
query Order($id: ID!, $first: Int!, $after: String) {
  node(id: $id) { ... on ProjectV2 {
    items(first: $first, after: $after, orderBy: {field: POSITION, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes { id isArchived updatedAt
        content { __typename ... on Issue { number state updatedAt repository { nameWithOwner } } }
      }
    } } }
}"""
NODES_QUERY = (
    """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { ... on ProjectV2Item { id isArchived updatedAt
    VALUES
    content { __typename ... on Issue { ...IssueFields } } } }
}""".replace("VALUES", _VALUE_FIELDS)
    + _ISSUE_FIELDS
)
ISSUE_ITEMS_QUERY = """
query IssueItems($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    issue(number: $number) { id projectItems(first: 50) { nodes { id project { id } } } }
  }
}"""
REPOSITORY_QUERY = """
query Repository($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) { id nameWithOwner viewerPermission hasIssuesEnabled }
}"""


def _mutation(name: str, field: str, returns: str) -> str:
    """A mutation named ``name`` that calls ``field`` with one ``$input`` (GitHub names the
    input type after the field: ``createIssue`` takes a ``CreateIssueInput``)."""
    input_type = field[0].upper() + field[1:] + "Input"
    return f"""
mutation {name}($input: {input_type}!) {{
  {field}(input: $input) {{ {returns} }}
}}"""


CREATE_FIELD = _mutation(
    "CreateField",
    "createProjectV2Field",
    "projectV2Field { ... on ProjectV2FieldCommon { id name dataType } }",
)
UPDATE_FIELD = _mutation(
    "UpdateField",
    "updateProjectV2Field",
    """projectV2Field {
    ... on ProjectV2IterationField { id name configuration {
      iterations { id title startDate duration }
      completedIterations { id title startDate duration } } } }""",
)
SET_VALUE = _mutation("SetValue", "updateProjectV2ItemFieldValue", "projectV2Item { id }")
CLEAR_VALUE = _mutation("ClearValue", "clearProjectV2ItemFieldValue", "projectV2Item { id }")
MOVE_ITEM = _mutation("MoveItem", "updateProjectV2ItemPosition", "clientMutationId")
ADD_ITEM = _mutation("AddItem", "addProjectV2ItemById", "item { id }")
CREATE_ISSUE = _mutation(
    "CreateIssue", "createIssue", "issue { id number url repository { nameWithOwner } }"
)


# -- credentials ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GitHubToken:
    """A fine-grained personal access token (Issues and Projects: read and write)."""

    token: Secret
    kind: str = field(default="token", init=False)


@dataclass
class GitHubApp:
    """A GitHub App installation: the App's id and private key (PEM); the installation is the
    one on the connected repository unless given."""

    app_id: str
    private_key: Secret
    installation_id: int | None = None
    kind: str = field(default="app", init=False)
    token: Secret | None = field(default=None, repr=False)
    expires_at: datetime | None = None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def app_jwt(app_id: str, private_key: Secret, now: datetime) -> str:
    """The App's JWT (RS256): issued a minute in the past against clock drift, valid 9 minutes
    (GitHub accepts at most ten)."""
    try:
        key = serialization.load_pem_private_key(private_key.reveal().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise trackers.TrackerError(
            "The GitHub App private key is not a PEM private key: paste the whole .pem file "
            "GitHub gave (-----BEGIN RSA PRIVATE KEY----- …).",
            kind=trackers.TrackerErrorKind.AUTH,
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise trackers.TrackerError(
            "A GitHub App key is an RSA key.", kind=trackers.TrackerErrorKind.AUTH
        )
    issued = int(now.timestamp()) - 60
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    claims = _b64(json.dumps({"iat": issued, "exp": issued + 540, "iss": str(app_id)}).encode())
    signed = f"{header}.{claims}".encode()
    signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{claims}.{_b64(signature)}"


# -- helpers -------------------------------------------------------------------------------


def split_key(key: str) -> tuple[str, str, int]:
    match = _KEY.match(key.strip())
    if match is None:
        raise trackers.TrackerError(
            f"{key!r} is not a GitHub issue key (owner/repo#123).",
            kind=trackers.TrackerErrorKind.INVALID,
        )
    return match.group(1), match.group(2), int(match.group(3))


def graphql_url(api: str) -> str:
    """GitHub's GraphQL endpoint for a REST base: api.github.com/graphql; an Enterprise
    Server's ``https://host/api/v3`` has it at ``https://host/api/graphql``."""
    if api.endswith("/api/v3"):
        return api[: -len("/v3")] + "/graphql"
    return f"{api}/graphql"


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _message(body: Any) -> str:
    if isinstance(body, Mapping):
        text = str(body.get("message") or "")
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            details = [
                str(e.get("message") or e.get("code") or e) if isinstance(e, Mapping) else str(e)
                for e in errors
            ]
            text = f"{text} ({'; '.join(details)})" if text else "; ".join(details)
        return text[:300]
    if isinstance(body, str) and not body.lstrip().startswith("<"):
        return body.strip()[:300]
    return ""


def _next_page(link: str | None) -> str | None:
    """The ``page`` of the ``rel="next"`` address of a ``Link`` header."""
    for part in (link or "").split(","):
        if 'rel="next"' in part:
            url = part.split(";")[0].strip().strip("<>")
            pages = parse_qs(urlsplit(url).query).get("page")
            return pages[0] if pages else None
    return None


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
    """What Timebox keeps of a project (a snapshot): its node id and the fields it writes."""

    id: str
    title: str
    url: str
    estimate_field_id: str | None
    iteration_field_id: str | None
    iteration_field_name: str | None


@dataclass
class _Item:
    """One project item (an issue) as read: its values and the issue's JSON."""

    id: str
    updated: datetime
    archived: bool
    estimate: float | None = None
    iteration: str | None = None
    status: str | None = None
    issue: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str | None:
        issue = self.issue
        repo = (issue.get("repository") or {}).get("nameWithOwner")
        number = issue.get("number")
        return f"{repo}#{number}" if repo and number is not None else None


class GitHub(JsonClient):
    """A GitHub repository, or a Projects (v2) project, as a Timebox board."""

    name = "github"
    display_name = "GitHub"
    refused_holder = "GitHub token"
    not_found_where = "on GitHub, or the token cannot see it"
    rights_advice = (
        " A fine-grained token needs Issues (read and write) on the repository, and Projects"
        " (read and write) for a project."
    )
    refusal_kinds = {**JsonClient.refusal_kinds, 410: trackers.TrackerErrorKind.NOT_FOUND}
    _detail = staticmethod(_message)
    session_headers = {
        "Accept": "application/vnd.github+json",
        "User-Agent": "Timebox",
        "X-GitHub-Api-Version": API_VERSION,
    }

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
        if snapshot:
            self._restore(snapshot)

    @property
    def project_mode(self) -> bool:
        return self.project_number is not None

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
            out.update(
                snapshot_fields(
                    self._project, id="project_id", title="project_title", url="project_url"
                )
            )
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

    # -- HTTP ----------------------------------------------------------------------------

    def _wait_asked(self, reply: Reply, attempt: int) -> float | None:
        """The seconds a rate limit asks to wait (REST 403/429, GraphQL ``RATE_LIMITED``):
        ``Retry-After``, else the primary limit's reset, else a minute for a secondary limit;
        None when the answer is no rate limit."""
        errors = reply.body.get("errors") if isinstance(reply.body, Mapping) else None
        graphql_limited = isinstance(errors, list) and any(
            isinstance(e, Mapping) and e.get("type") == "RATE_LIMITED" for e in errors
        )
        if reply.status not in (403, 429) and not graphql_limited:
            return None
        headers, now = reply.headers, self._now()
        wait = retry_after(headers.get("Retry-After"), now)
        if wait is None and headers.get("X-RateLimit-Remaining") == "0":
            with contextlib.suppress(ValueError):
                wait = max(0.0, float(headers.get("X-RateLimit-Reset", "")) - now.timestamp())
        secondary = reply.status == 429 or "rate limit" in _message(reply.body).lower()
        if wait is None and (secondary or graphql_limited):
            wait = SECONDARY_WAIT
        return wait

    async def _authorization(self) -> str:
        credential = self.credential
        if isinstance(credential, GitHubToken):
            return "Bearer " + credential.token.reveal()
        now = self._now()
        if (
            credential.token is None
            or credential.expires_at is None
            or now >= credential.expires_at - timedelta(minutes=5)
        ):
            await self._installation_token(credential)
        assert credential.token is not None
        return "Bearer " + credential.token.reveal()

    async def _installation_token(self, app: GitHubApp) -> None:
        """An installation token for the App (``POST /app/installations/{id}/access_tokens``),
        the installation found on the repository first if not known."""
        jwt = "Bearer " + app_jwt(app.app_id, app.private_key, self._now())
        if app.installation_id is None:
            found, _ = await self._rest(
                "GET",
                f"/repos/{self.repo}/installation",
                action=f"find the GitHub App's installation on {self.repo}",
                what=f"An installation of App {app.app_id} on {self.repo}",
                authorization=jwt,
            )
            app.installation_id = int((found or {}).get("id") or 0) or None
            if app.installation_id is None:
                raise trackers.TrackerError(
                    f"GitHub App {app.app_id} is not installed on {self.repo}.",
                    kind=trackers.TrackerErrorKind.NOT_FOUND,
                )
        token, _ = await self._rest(
            "POST",
            f"/app/installations/{app.installation_id}/access_tokens",
            action="get an installation token for the GitHub App",
            what=f"Installation {app.installation_id} of App {app.app_id}",
            authorization=jwt,
        )
        token = token or {}
        app.token = Secret(str(token.get("token") or ""))
        app.expires_at = parse_time(token.get("expires_at")) or (self._now() + timedelta(hours=1))

    def _unauthorised(self) -> str:
        if isinstance(self.credential, GitHubApp):
            return (
                f"GitHub did not accept GitHub App {self.credential.app_id}'s credentials: "
                "check the App id and that the private key is current, then connect again."
            )
        return (
            "GitHub did not accept the token: check that it is current and not revoked "
            "(Settings > Developer settings > Fine-grained tokens), then connect again."
        )

    async def _rest(self, method: str, path: str, **options: Any) -> tuple[Any, Mapping[str, str]]:
        """A call to ``path`` of the REST API (``JsonClient._request``'s options): the decoded
        JSON (or None) and the answer's headers."""
        reply = await self._request(method, f"{self.api}{path}", **options)
        return reply.body, reply.headers

    async def _graphql(
        self,
        query: str,
        variables: Mapping[str, Any],
        *,
        action: str,
        what: str | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """``data`` of a GraphQL answer; its ``errors`` as a TrackerError in plain words."""
        reply = await self._request(
            "POST",
            self.graphql,
            action=action,
            what=what,
            body={"query": query, "variables": dict(variables)},
            idempotent=idempotent,
        )
        answer = reply.body if isinstance(reply.body, Mapping) else {}
        errors = [e for e in answer.get("errors") or [] if isinstance(e, Mapping)]
        if errors:
            kinds = {str(e.get("type") or "") for e in errors}
            text = "; ".join(str(e.get("message") or "") for e in errors)[:300]
            if "NOT_FOUND" in kinds:
                raise self._not_found(what)
            if "FORBIDDEN" in kinds or "INSUFFICIENT_SCOPES" in kinds:
                raise trackers.TrackerError(
                    f"The GitHub token is not allowed to {action} ({text}). A fine-grained "
                    "token needs Projects (read and write) for a project.",
                    kind=trackers.TrackerErrorKind.FORBIDDEN,
                )
            raise trackers.TrackerError(
                f"GitHub refused to {action}: {text}", kind=trackers.TrackerErrorKind.INVALID
            )
        return dict(answer.get("data") or {})

    # -- the check -----------------------------------------------------------------------

    async def check(self) -> list[trackers.TrackerProblem]:
        """The credentials, the repository (issues on, writable) and, for a project, the
        project (open) with its estimate field (created if missing)."""
        no_access = (
            f"The token cannot open {self.repo}: check the repository's name and that the "
            "token (or the App's installation) includes it."
        )
        try:
            data = await self._graphql(
                REPOSITORY_QUERY,
                {"owner": self.owner, "name": self.repo_name},
                action=f"open {self.repo}",
                what=f"Repository {self.repo}",
            )
        except trackers.TrackerError as error:
            # The one call is both the sign-in and the opening of the repository.
            if error.kind in (
                trackers.TrackerErrorKind.NOT_FOUND,
                trackers.TrackerErrorKind.FORBIDDEN,
            ):
                return access_problem(error, no_access)
            return account_problem(error)
        repository = data.get("repository") or {}
        if not repository:
            return [trackers.TrackerProblem("no_board_access", no_access)]
        self._repo_id = str(repository.get("id") or "") or None
        problems: list[trackers.TrackerProblem] = []
        if repository.get("hasIssuesEnabled") is False:
            problems.append(
                trackers.TrackerProblem(
                    "no_issues",
                    f"{self.repo} has issues turned off: turn them on in its Settings.",
                )
            )
        if str(repository.get("viewerPermission") or "WRITE") in ("READ", "NONE"):
            problems.append(
                trackers.TrackerProblem(
                    "read_only",
                    f"The token may only read {self.repo}: it needs Issues (read and write).",
                )
            )
        if self.project_mode and not problems:
            try:
                await self.project(refresh=True)
            except trackers.TrackerError as error:
                if error.kind in (
                    trackers.TrackerErrorKind.NOT_FOUND,
                    trackers.TrackerErrorKind.FORBIDDEN,
                ):
                    problems.append(
                        trackers.TrackerProblem(
                            "no_project_access",
                            f"The token cannot open project {self.project_number} of "
                            f"{self.owner}: check the number (in the project's address, "
                            f"…/projects/<number>) and that the token has Projects (read and "
                            "write).",
                        )
                    )
                else:
                    problems.append(trackers.TrackerProblem("unreachable", error.message))
        return problems

    async def project(self, *, refresh: bool = False) -> ProjectConfig:
        """The project's node id and fields; the estimate field is made if it is missing."""
        if self._project is not None and not refresh:
            return self._project
        if not self.project_mode:
            raise trackers.TrackerError(
                f"{self.repo} is connected without a project.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        data = await self._graphql(
            PROJECT_QUERY,
            {"owner": self.owner, "number": self.project_number},
            action=f"open project {self.project_number} of {self.owner}",
            what=f"Project {self.project_number} of {self.owner}",
        )
        project = (data.get("repositoryOwner") or {}).get("projectV2")
        if not project:
            raise trackers.TrackerError(
                f"Project {self.project_number} of {self.owner} was not found on GitHub, or the "
                "token cannot see it.",
                kind=trackers.TrackerErrorKind.NOT_FOUND,
            )
        if project.get("closed"):
            raise trackers.TrackerError(
                f"Project '{project.get('title')}' is closed: reopen it, or connect another.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        fields = [f for f in (project.get("fields") or {}).get("nodes") or [] if f]
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
        )
        if config.estimate_field_id is None:
            new_field = await self._add_field(
                config.id,
                "NUMBER",
                self.estimate_field,
                action=f"add the number field '{self.estimate_field}' to the project",
            )
            config = replace(config, estimate_field_id=str(new_field.get("id") or "") or None)
        self._project = config
        return config

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

    # -- reading -------------------------------------------------------------------------

    def _labels(self, raw: Any) -> list[str]:
        if isinstance(raw, Mapping):  # GraphQL: {nodes: [{name}]}
            raw = raw.get("nodes") or []
        names = []
        for label in raw or []:
            name = label.get("name") if isinstance(label, Mapping) else label
            if name:
                names.append(str(name))
        return names

    def _issue(
        self,
        raw: Mapping[str, Any],
        *,
        estimate: float | None = None,
        status: str | None = None,
        updated: datetime | None = None,
    ) -> trackers.TrackerIssue:
        """An issue from REST (``html_url``, ``updated_at``) or GraphQL (``url``,
        ``updatedAt``) JSON. ``estimate``/``status``/``updated``: the project item's."""
        repo = (raw.get("repository") or {}).get("nameWithOwner") or (
            (raw.get("repository") or {}).get("full_name")
        )
        if not repo:
            url = str(raw.get("repository_url") or "")
            repo = "/".join(url.rstrip("/").split("/")[-2:]) if url else self.repo
        key = f"{repo}#{raw.get('number')}"
        labels = self._labels(raw.get("labels"))
        if not self.project_mode:
            estimate = None
            for label in labels:
                match = _ESTIMATE_LABEL.match(label.strip())
                if match:
                    estimate = float(match.group(1))
        kept = [label for label in labels if not _ESTIMATE_LABEL.match(label.strip())]
        issue_type = next((_TYPES[n.lower()] for n in kept if n.lower() in _TYPES), "Story")
        typed = raw.get("type") or raw.get("issueType")
        if isinstance(typed, Mapping) and typed.get("name"):
            issue_type = str(typed["name"])
        body = str(raw.get("body") or "")
        description, criteria = split_body(body)
        closed = str(raw.get("state") or "").lower() == "closed"
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
        )

    def _item(self, raw: Mapping[str, Any], project: ProjectConfig) -> _Item | None:
        """A project item that holds an issue (drafts and pull requests are no backlog)."""
        content = raw.get("content") or {}
        if content.get("__typename", "Issue") != "Issue" or content.get("number") is None:
            return None
        item = _Item(
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
            elif kind == "ProjectV2ItemFieldSingleSelectValue" and (
                str((value.get("field") or {}).get("name") or "").lower() == "status"
            ):
                item.status = value.get("name")
        if item.key:
            self._items[item.key] = item.id
        return item

    def _item_issue(self, item: _Item) -> trackers.TrackerIssue:
        return self._issue(
            item.issue, estimate=item.estimate, status=item.status, updated=item.updated
        )

    async def _open_iterations(self) -> set[str]:
        """Ids of the iterations that are current or to come (an item in one is in a sprint)."""
        return {i.id for i in await self.iterations() if not i.completed}

    async def _items_page(self, query: str, cursor: str | None) -> tuple[list[Any], str | None]:
        project = await self.project()
        data = await self._graphql(
            query,
            {"id": project.id, "first": self.page_size, "after": cursor},
            action=f"read the items of project '{project.title}'",
            what=f"Project '{project.title}'",
        )
        items = (data.get("node") or {}).get("items") or {}
        info = items.get("pageInfo") or {}
        after = info.get("endCursor") if info.get("hasNextPage") else None
        return list(items.get("nodes") or []), after

    async def backlog_page(self, cursor: str | None = None) -> trackers.IssuePage:
        if not self.project_mode:
            return await self._repo_backlog_page(cursor)
        project = await self.project()
        in_sprint = await self._open_iterations() if cursor is None else None
        if in_sprint is None:
            in_sprint = set(json.loads(cursor or "{}").get("sprints") or [])
            cursor = json.loads(cursor or "{}").get("after")
        nodes, after = await self._items_page(ITEMS_QUERY, cursor)
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

    async def _repo_backlog_page(self, cursor: str | None) -> trackers.IssuePage:
        page = int(cursor or 1)
        data, headers = await self._repo_issues(
            f"read the open issues of {self.repo}", state="open", sort="created", page=str(page)
        )
        issues = tuple(
            self._issue(raw)
            for raw in data or []
            if "pull_request" not in raw and (raw.get("milestone") or {}).get("state") != "open"
        )
        following = _next_page(headers.get("Link"))
        return trackers.IssuePage(issues, following)

    async def backlog_keys(self) -> list[str]:
        if not self.project_mode:
            keys: list[str] = []
            cursor: str | None = None
            while True:
                page = await self._repo_backlog_page(cursor)
                keys += [i.key for i in page.issues]
                if page.cursor is None:
                    return keys
                cursor = page.cursor
        project = await self.project()
        in_sprint = await self._open_iterations()
        keys = []
        after: str | None = None
        while True:
            nodes, after = await self._items_page(ITEMS_QUERY, after)
            for raw in nodes:
                item = self._item(raw, project)
                if item is None or item.archived or item.iteration in in_sprint:
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
        watermark = max((i.updated for i in issues), default=None)
        return trackers.IssuePage(
            tuple(i for i in issues if i.updated >= since),
            _next_page(headers.get("Link")),
            watermark,
        )

    async def issue(self, key: str) -> trackers.TrackerIssue:
        raw = await self._read_issue(key)
        if not self.project_mode:
            return self._issue(raw)
        project = await self.project()
        item_id = await self._item_id(key, add=False)
        if item_id is None:
            return self._issue(raw)
        data = await self._graphql(NODES_QUERY, {"ids": [item_id]}, action=f"read {key}")
        item = self._item((data.get("nodes") or [None])[0] or {}, project)
        if item is None:
            return self._issue(raw)
        return self._issue(raw, estimate=item.estimate, status=item.status, updated=item.updated)

    # -- writing -------------------------------------------------------------------------

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

    async def update_issue(self, key: str, update: trackers.IssueUpdate) -> None:
        if update.empty:
            return
        owner, name, number = split_key(key)
        body: dict[str, Any] = {}
        if update.summary is not trackers.KEEP:
            body["title"] = update.summary
        needs_labels = update.estimate is not trackers.KEEP and not self.project_mode
        if (
            update.description is not trackers.KEEP
            or update.acceptance_criteria is not trackers.KEEP
            or needs_labels
        ):
            current = await self._read_issue(key)
            if (
                update.description is not trackers.KEEP
                or update.acceptance_criteria is not trackers.KEEP
            ):
                old_text, old_criteria = split_body(current.get("body"))
                text = old_text if update.description is trackers.KEEP else str(update.description)
                criteria = (
                    old_criteria
                    if update.acceptance_criteria is trackers.KEEP
                    else tuple(update.acceptance_criteria)  # type: ignore[arg-type]
                )
                body["body"] = join_body(text, criteria)
            if needs_labels:
                labels = [
                    n
                    for n in self._labels(current.get("labels"))
                    if not _ESTIMATE_LABEL.match(n.strip())
                ]
                if update.estimate is not None:
                    labels.append(f"estimate: {float(update.estimate):g}")  # type: ignore[arg-type]
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

    async def _set_estimate(self, key: str, estimate: float | None) -> None:
        project = await self.project()
        item_id = await self._item_id(key, add=True)
        if project.estimate_field_id is None:
            raise trackers.TrackerError(
                f"Project '{project.title}' has no '{self.estimate_field}' field.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        base = {"projectId": project.id, "itemId": item_id, "fieldId": project.estimate_field_id}
        if estimate is None:
            await self._graphql(CLEAR_VALUE, {"input": base}, action=f"clear the estimate of {key}")
            return
        await self._graphql(
            SET_VALUE,
            {"input": {**base, "value": {"number": float(estimate)}}},
            action=f"set the estimate of {key}",
        )

    async def mark_done(self, key: str) -> None:
        owner, name, number = split_key(key)
        current = await self._read_issue(key)
        if str(current.get("state")) == "closed":
            return
        await self._rest(
            "PATCH",
            f"/repos/{owner}/{name}/issues/{number}",
            action=f"close {key}",
            what=f"Issue {key}",
            body={"state": "closed", "state_reason": "completed"},
        )

    async def rank(self, key: str, *, before: str | None = None, after: str | None = None) -> None:
        """A project item moved next to another (``updateProjectV2ItemPosition``: after an
        item, or first when none); a plain repository has no order to write."""
        if (before is None) == (after is None):
            raise ValueError("rank needs exactly one of before= or after=")
        if key in (before, after):
            raise ValueError("an issue cannot be ranked next to itself")
        if not self.project_mode:
            return
        project = await self.project()
        item_id = await self._item_id(key, add=True)
        if after is not None:
            after_id = await self._item_id(after, add=True)
        else:
            after_id = await self._item_before(str(before), item_id)
        payload: dict[str, Any] = {"projectId": project.id, "itemId": item_id}
        if after_id is not None:
            payload["afterId"] = after_id
        await self._graphql(
            MOVE_ITEM,
            {"input": payload},
            action=f"move {key} {'before ' + str(before) if before else 'after ' + str(after)}",
        )

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

    async def create_issue(self, issue: trackers.NewIssue) -> trackers.IssueRef:
        labels = list(issue.labels)
        kind_label = _LABEL_OF_TYPE.get(issue.issue_type)
        if kind_label and kind_label not in labels:
            labels.append(kind_label)
        body = join_body(issue.description, issue.acceptance_criteria)
        if not self.project_mode:
            if issue.estimate is not None:
                labels.append(f"estimate: {issue.estimate:g}")
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
            data = await self._graphql(
                REPOSITORY_QUERY,
                {"owner": self.owner, "name": self.repo_name},
                action=f"open {self.repo}",
                what=f"Repository {self.repo}",
            )
            self._repo_id = str((data.get("repository") or {}).get("id") or "") or None
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

    def _today(self) -> date:
        return self._now().astimezone(UTC).date()

    async def iterations(self) -> list[Iteration]:
        """The iteration field's iterations, current and to come, then completed ones."""
        project = await self.project()
        if project.iteration_field_id is None:
            return []
        data = await self._graphql(
            PROJECT_QUERY,
            {"owner": self.owner, "number": self.project_number},
            action=f"read the iterations of project '{project.title}'",
        )
        fields = ((data.get("repositoryOwner") or {}).get("projectV2") or {}).get("fields") or {}
        for raw in fields.get("nodes") or []:
            if raw and raw.get("id") == project.iteration_field_id:
                config = raw.get("configuration") or {}
                return [
                    *(self._iteration(i, False) for i in config.get("iterations") or []),
                    *(self._iteration(i, True) for i in config.get("completedIterations") or []),
                ]
        return []

    @staticmethod
    def _iteration(raw: Mapping[str, Any], completed: bool) -> Iteration:
        return Iteration(
            id=str(raw.get("id") or ""),
            title=str(raw.get("title") or ""),
            start=date.fromisoformat(str(raw.get("startDate"))),
            duration=int(raw.get("duration") or SPRINT_DAYS),
            completed=completed,
        )

    def _sprint(self, iteration: Iteration) -> trackers.TrackerSprint:
        name, _, goal = iteration.title.partition(": ")
        today = self._today()
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

    async def board_sprints(self) -> list[trackers.TrackerSprint]:
        if not self.project_mode:
            data, _ = await self._rest(
                "GET",
                f"/repos/{self.repo}/milestones",
                action=f"list the milestones of {self.repo}",
                params={"state": "open", "per_page": "100"},
            )
            return [self._milestone(m) for m in data or []]
        sprints = [self._sprint(i) for i in await self.iterations() if not i.completed]
        return [s for s in sprints if s.state is not trackers.SprintState.CLOSED]

    @staticmethod
    def _milestone(raw: Mapping[str, Any]) -> trackers.TrackerSprint:
        closed = raw.get("state") == "closed"
        return trackers.TrackerSprint(
            id=str(raw.get("number") or ""),
            name=str(raw.get("title") or ""),
            state=trackers.SprintState.CLOSED if closed else trackers.SprintState.ACTIVE,
            goal=str(raw.get("description") or ""),
            end=parse_time(raw.get("due_on")),
            completed=parse_time(raw.get("closed_at")),
        )

    async def _write_iterations(self, iterations: list[Iteration], action: str) -> list[Iteration]:
        """The iteration field's iterations replaced (``updateProjectV2Field``); the field is
        made first when the project has none. Completed ones are kept as they were."""
        project = await self.project()
        start = min((i.start for i in iterations), default=self._today())
        configuration = {
            "startDate": start.isoformat(),
            "duration": SPRINT_DAYS,
            "iterations": [i.config() for i in iterations],
        }
        if project.iteration_field_id is None:
            new_field = await self._add_field(
                project.id,
                "ITERATION",
                DEFAULT_SPRINT_FIELD,
                action=action,
                iterationConfiguration=configuration,
            )
            self._project = replace(
                project,
                iteration_field_id=str(new_field.get("id")),
                iteration_field_name=str(new_field.get("name") or DEFAULT_SPRINT_FIELD),
            )
            return await self.iterations()
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
        return await self.iterations()

    async def create_sprint(self, spec: trackers.SprintSpec) -> trackers.TrackerSprint:
        title = f"{spec.name}: {' '.join(spec.goal.split())}" if spec.goal.strip() else spec.name
        start = (spec.start or self._now()).astimezone(UTC).date()
        days = (
            max(1, ((spec.end.astimezone(UTC).date()) - start).days)
            if spec.end is not None
            else SPRINT_DAYS
        )
        if not self.project_mode:
            body: dict[str, Any] = {"title": spec.name, "description": spec.goal}
            if spec.end is not None:
                body["due_on"] = iso(spec.end)
            raw, _ = await self._rest(
                "POST",
                f"/repos/{self.repo}/milestones",
                action=f"create the milestone '{spec.name}'",
                body=body,
                idempotent=False,
            )
            return self._milestone(raw or {})
        current = [i for i in await self.iterations() if not i.completed]
        new = Iteration("", title[:200], start, days)
        written = await self._write_iterations(
            [*current, new], f"add the iteration '{spec.name}' to the project"
        )
        for iteration in written:
            if iteration.title == new.title and iteration.start == new.start:
                return self._sprint(iteration)
        raise trackers.TrackerError(
            f"GitHub did not keep the iteration '{spec.name}'.",
            kind=trackers.TrackerErrorKind.INVALID,
        )

    async def _change_iteration(
        self, sprint_id: str, change: Callable[[Iteration], Iteration], action: str
    ) -> trackers.TrackerSprint:
        iterations = await self.iterations()
        found = next((i for i in iterations if i.id == sprint_id), None)
        if found is None:
            raise trackers.TrackerError(
                f"Iteration {sprint_id} was not found in the project.",
                kind=trackers.TrackerErrorKind.NOT_FOUND,
            )
        if found.completed:
            return self._sprint(found)
        changed = change(found)
        if changed == found:
            return self._sprint(found)
        current = [changed if i.id == sprint_id else i for i in iterations if not i.completed]
        written = await self._write_iterations(current, action)
        kept = next(
            (i for i in written if i.title == changed.title and i.start == changed.start), None
        )
        return self._sprint(kept or changed)

    async def start_sprint(
        self, sprint_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> trackers.TrackerSprint:
        if not self.project_mode:
            return trackers.TrackerSprint(sprint_id, "", trackers.SprintState.ACTIVE)
        day = (start or self._now()).astimezone(UTC).date()

        def started(i: Iteration) -> Iteration:
            days = (end.astimezone(UTC).date() - day).days if end is not None else i.duration
            return Iteration(i.id, i.title, min(i.start, day), max(1, days))

        return await self._change_iteration(sprint_id, started, f"start iteration {sprint_id}")

    async def close_sprint(self, sprint_id: str) -> trackers.TrackerSprint:
        """A milestone is closed; an iteration is made to end today (GitHub then counts it as
        completed)."""
        if not self.project_mode:
            raw, _ = await self._rest(
                "PATCH",
                f"/repos/{self.repo}/milestones/{sprint_id}",
                action=f"close milestone {sprint_id}",
                what=f"Milestone {sprint_id}",
                body={"state": "closed"},
            )
            return self._milestone(raw or {})
        today = self._today()

        def closed(i: Iteration) -> Iteration:
            if i.end <= today:
                return i
            return Iteration(i.id, i.title, i.start, max(1, (today - i.start).days))

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
            project = await self.project()
            if sprint_id is None and project.iteration_field_id is None:
                return  # no iteration field: no issue is in an iteration
            value = {
                "projectId": project.id,
                "itemId": await self._item_id(key, add=True),
                "fieldId": project.iteration_field_id,
            }
            if sprint_id is None:
                await self._graphql(
                    CLEAR_VALUE, {"input": value}, action=f"take {key} out of its iteration"
                )
            else:
                value["value"] = {"iterationId": sprint_id}
                await self._graphql(
                    SET_VALUE, {"input": value}, action=f"put {key} in the iteration"
                )
