"""The GitHub every route works on. ``GitHubSite`` declares the state the API families share
(users and their tokens, repositories, projects, Apps, webhooks) and holds what they all use:
GitHub's whole-second time stamps, making an issue (with its project item and field values) or a
project field, an item's change, a repository looked up as the caller may see it, the REST JSON
views of users, issues and milestones, and the signed webhook events (``issues``,
``projects_v2_item``) a change sends to the webhooks that hear them at their scope (a
repository's: its ``issues``; an organisation's: every repository's and project's).
``GitHubEmulator`` (github.py) builds that state; each family (``github_issues``,
``github_apps``, ``github_graphql``) is a mixin on this base.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web

from bot.emulator.github_records import (
    ORGANIZATION_EVENTS,
    REPOSITORY_EVENTS,
    GhApp,
    GhField,
    GhIssue,
    GhItem,
    GhMilestone,
    GhProject,
    GhRepo,
    GitHubFailure,
    GitHubWebhook,
    field_kind,
)
from bot.emulator.tracker import RestServer
from bot.emulator.webhooks import Delivery, hub_signature


class GitHubSite(RestServer):
    """The state the API families share, and the helpers they all use.

    Only declared here: ``GitHubEmulator.__init__`` sets every attribute.
    """

    users: dict[str, str]
    tokens: dict[str, str]
    token_expiry: dict[str, float]
    repos: dict[str, GhRepo]
    projects: dict[str, GhProject]
    apps: dict[str, GhApp]
    webhooks: list[GitHubWebhook]
    login: str
    token: str
    repository: GhRepo
    project: GhProject | None

    VENDOR = "GitHub"

    _web_url: str | None = None

    @property
    def web_url(self) -> str:
        """Where the web pages are (an issue's ``html_url``, GraphQL ``url``): the emulator's
        own address, which serves an issue's page, unless set (``https://github.com``)."""
        return self._web_url or self.url or "http://github.invalid"

    @web_url.setter
    def web_url(self, value: str | None) -> None:
        self._web_url = value.rstrip("/") if value else None

    def issue_web_url(self, issue: GhIssue) -> str:
        """The address of the issue's web page."""
        return f"{self.web_url}/{issue.repo}/issues/{issue.number}"

    # -- time and ids --------------------------------------------------------------------

    def _now_stamp(self) -> float:
        """Now in whole seconds: GitHub's precision."""
        return float(int(self.epoch()))

    @staticmethod
    def iso(epoch: float) -> str:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def today(self) -> date:
        return datetime.fromtimestamp(self.epoch(), UTC).date()

    # -- issues and project items --------------------------------------------------------

    def add_field(
        self, project: GhProject, name: str, data_type: str, options: list[str] | None = None
    ) -> GhField:
        prefix = field_kind(data_type).id_prefix
        made = GhField(f"{prefix}_{self._next_id()}", name, data_type, options=options or [])
        project.fields.append(made)
        return made

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
        target.numbered = max([*target.issues, target.numbered]) + 1
        issue = GhIssue(
            target.full_name,
            target.numbered,
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

    def _item_changed(self, item: GhItem, action: str) -> None:
        """``item`` was ``edited`` or ``reordered``: a new ``updatedAt``, and its webhook."""
        item.updated = self._stamp()
        self._event("projects_v2_item", action, item=item)

    # -- looked up as the caller may see them --------------------------------------------

    def _repo_for(self, request: web.Request, user: str) -> GhRepo:
        name = f"{request.match_info['owner']}/{request.match_info['repo']}"
        repo = self.repos.get(name)
        if repo is None or not self._may_see(user, repo):
            raise GitHubFailure(404, "Not Found")
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

    # -- JSON views ----------------------------------------------------------------------

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
            "html_url": self.issue_web_url(issue),
            "number": issue.number,
            "state": issue.state,
            "state_reason": issue.state_reason,
            "title": issue.title,
            "body": issue.body,
            "user": self._user_json(self.login),
            "labels": [self._label_json(n) for n in issue.labels],
            "assignee": self._user_json(issue.assignee),
            "assignees": [self._user_json(issue.assignee)] if issue.assignee else [],
            "milestone": self._milestone_json(milestone) if milestone else None,
            "comments": 0,
            "created_at": self.iso(issue.created),
            "updated_at": self.iso(issue.updated),
            "closed_at": self.iso(issue.updated) if issue.state == "closed" else None,
        }

    @staticmethod
    def _label_json(name: str) -> dict[str, Any]:
        return {"name": name, "color": "ededed", "default": False}

    def _milestone_json(self, milestone: GhMilestone) -> dict[str, Any]:
        return {
            "number": milestone.number,
            "title": milestone.title,
            "description": milestone.description,
            "state": milestone.state,
            "due_on": milestone.due_on,
            "closed_at": milestone.closed_at,
        }

    # -- webhooks ------------------------------------------------------------------------

    def add_webhook(
        self,
        url: str,
        secret: str | None = None,
        events: tuple[str, ...] | None = None,
        *,
        repo: str | None = None,
        organization: bool | str = False,
    ) -> GitHubWebhook:
        """A webhook as an admin registers it, at GitHub's scope: a repository's (``repo``,
        else the emulator's repository) hears that repository's ``issues``; an organisation's
        (``organization``: its login, or True for the repository's owner) hears the
        ``issues`` of every repository of it and the ``projects_v2_item`` events of every
        project of it, which GitHub sends to no repository webhook. ``events``: what it
        subscribes to, by default all its scope hears. Tests register webhooks (Timebox never
        does), so a subscription GitHub would not offer at that scope is a ValueError. Events
        are sent by ``deliver_webhooks()``, or at once when ``auto_webhooks`` is set."""
        if organization:
            if repo is not None:
                raise ValueError("a webhook is a repository's or an organisation's, not both")
            login = self.repository.owner if organization is True else str(organization)
            hook = GitHubWebhook(url, secret, ORGANIZATION_EVENTS, organization=login)
        else:
            full_name = repo or self.repository.full_name
            if full_name not in self.repos:
                raise ValueError(f"no repository {full_name!r} to add a webhook to")
            hook = GitHubWebhook(url, secret, REPOSITORY_EVENTS, repository=full_name)
        for kind in events or ():
            if kind not in ORGANIZATION_EVENTS:
                raise ValueError(
                    f"the GitHub emulator sends no {kind!r} events, only {ORGANIZATION_EVENTS}"
                )
            if kind not in hook.events:
                raise ValueError(
                    f"GitHub sends {kind!r} to organisation webhooks only (and Apps), never "
                    f"to a repository's: add_webhook(..., organization=True)"
                )
        hook.events = tuple(events) if events else hook.events
        self.webhooks.append(hook)
        return hook

    def _event(
        self,
        kind: str,
        action: str,
        *,
        issue: GhIssue | None = None,
        item: GhItem | None = None,
        **extra: Any,
    ) -> None:
        """A ``kind`` event (``issues``, ``projects_v2_item``) queued for the webhooks: its
        ``action``, the issue or item as it is now, and ``extra`` (``changes``, ``label``,
        ``milestone``, ``assignee``: what the action names). An ``issues`` payload has the
        ``repository`` and its ``organization``; a ``projects_v2_item`` one the item's
        project's ``organization`` and no repository (GitHub's payloads)."""
        if not self.webhooks:
            return
        payload: dict[str, Any] = {
            "action": action,
            **extra,
            "sender": self._user_json(self.login),
        }
        if issue is not None:
            repo = self.repos[issue.repo]
            payload["issue"] = self._issue_json(issue)
            payload["repository"] = {"full_name": repo.full_name, "node_id": repo.node_id}
            payload["organization"] = {"login": repo.owner}  # every owner is an organisation
        project = self._project_of(item) if item is not None else None
        if item is not None and project is not None:
            content = self.issue(item.key)
            payload["projects_v2_item"] = {
                "id": int(item.id.split("_")[-1]),
                "node_id": item.id,
                "project_node_id": project.id,
                "content_node_id": content.node_id,
                "content_type": "Issue",
                "updated_at": self.iso(item.updated),
            }
            payload["organization"] = {"login": project.owner}
        self._queue_event((kind, payload))

    def _project_of(self, item: GhItem) -> GhProject | None:
        """The project holding ``item``."""
        return next((p for p in self.projects.values() if any(i is item for i in p.items)), None)

    def _deliveries(self, event: tuple[str, dict[str, Any]]) -> Iterable[Delivery]:
        """The event for each webhook that hears it (``GitHubWebhook.hears``: at its scope)."""
        kind, payload = event
        body = json.dumps(payload).encode()
        for hook in self.webhooks:
            if hook.hears(kind, payload):
                headers = {
                    "Content-Type": "application/json",
                    "User-Agent": "GitHub-Hookshot/emulator",
                    "X-GitHub-Event": kind,
                    "X-GitHub-Delivery": str(uuid.uuid4()),
                }
                if hook.secret:
                    headers["X-Hub-Signature-256"] = hub_signature(hook.secret, body)
                    headers["X-Hub-Signature"] = (
                        "sha1=" + hmac.new(hook.secret.encode(), body, hashlib.sha1).hexdigest()
                    )
                yield Delivery(hook, body, headers)
