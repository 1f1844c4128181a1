"""GitHub's REST issues and milestones, a mixin on the site: a repository's issues listed
(``state``, ``since``, ``sort``, ``direction``, ``per_page``/``page`` with a ``Link`` header), one
read, edited (a state or milestone GitHub would refuse is a 422) or created, labels added, and
milestones listed, created, edited and closed. A change of an issue, by a call or a person
(``_changing``), sends the ``issues`` webhook events GitHub documents for it: ``edited`` (title
or body, with ``changes``), ``labeled``/``unlabeled``, ``milestoned``/``demilestoned``,
``assigned``/``unassigned``, ``closed`` and ``reopened`` (``issue.state`` and ``state_reason``:
``completed`` unless given, ``reopened``). And an issue's web page (``/<owner>/<repo>/issues/<n>``
on ``web_url``, its ``html_url``: ``issue_page.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.emulator.github_records import GhIssue, GhMilestone, GhRepo, GitHubFailure
from bot.emulator.github_site import GitHubSite
from bot.emulator.issue_page import IssueView, issue_page
from bot.emulator.tracker import Refusal, route


class GitHubIssues(GitHubSite):
    """A repository's issues, labels and milestones over REST; and each issue's web page."""

    # -- the web page --------------------------------------------------------------------

    @issue_page("/{owner}/{repo}/issues/{number}")
    def _issue_page(self, request: web.Request) -> IssueView | None:
        """The issue's page, as a browser opens it: Closed, or its project item's Status
        (Open without one); the item's estimate (a plain repository's ``estimate: <n>``)."""
        info = request.match_info
        repo = self.repos.get(f"{info['owner']}/{info['repo']}")
        number = int(info["number"]) if info["number"].isdigit() else 0
        issue = repo.issues.get(number) if repo is not None else None
        if issue is None:
            return None
        values: dict[str, Any] = {}
        if self.project is not None:
            item = next((i for i in self.project.items if i.key == issue.key), None)
            for field_id, value in item.values.items() if item is not None else ():
                found = self.project.field_by_id(field_id)
                if found is not None:
                    values[found.data_type if found.data_type == "NUMBER" else found.name] = value
        labelled = [
            label.removeprefix("estimate:").strip()
            for label in issue.labels
            if label.startswith("estimate:")
        ]
        estimate = values.get("NUMBER")
        if estimate is None and labelled and labelled[0].replace(".", "", 1).isdigit():
            estimate = float(labelled[0])
        status = "Closed" if issue.state == "closed" else str(values.get("Status") or "Open")
        return IssueView(issue.key, issue.title, status, estimate, issue.body)

    # -- issues --------------------------------------------------------------------------

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
        return self._numbered(request, self._repo_for(request, user))

    def _numbered(self, request: web.Request, repo: GhRepo) -> GhIssue:
        """Issue ``number`` of ``repo``: a 404, or a 301 if it was transferred (``_moved``)."""
        number = int(request.match_info["number"])
        issue = repo.issues.get(number)
        if issue is None and number in repo.moved:
            raise self._moved(request, self.issue(repo.moved[number]))
        if issue is None:
            raise GitHubFailure(404, "Not Found")
        return issue

    def _moved(self, request: web.Request, issue: GhIssue) -> Refusal:
        """GitHub's answer at a transferred issue's old address: ``301 Moved Permanently``,
        its ``Location`` the issue's address by its new repository's id
        (``/repositories/{id}/issues/{n}``), which answers as the old address would."""
        prefix = "/api/v3" if request.path.startswith("/api/v3/") else ""
        base = self.url or "http://github.invalid"
        target = f"{base}{prefix}/repositories/{self.repos[issue.repo].id}/issues/{issue.number}"
        body = {
            "message": "Moved Permanently",
            "url": target,
            "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects",
        }
        return Refusal(301, (body, {"Location": target}))

    def _repo_by_id(self, request: web.Request, user: str) -> GhRepo:
        repo = next((r for r in self.repos.values() if str(r.id) == request.match_info["id"]), None)
        if repo is None or not self._may_see(user, repo):
            raise GitHubFailure(404, "Not Found")
        return repo

    @route("GET", "/repos/{owner}/{repo}/issues/{number}", "issues.get")
    def _get_issue(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        return 200, self._issue_json(self._issue_for(request, user))

    @route("GET", "/repositories/{id}/issues/{number}", "issues.get_by_id")
    def _get_issue_by_id(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        return 200, self._issue_json(self._numbered(request, self._repo_by_id(request, user)))

    @route("PATCH", "/repositories/{id}/issues/{number}", "issues.update_by_id")
    def _patch_issue_by_id(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        issue = self._numbered(request, self._repo_by_id(request, user))
        return self._patched(issue, body)

    @route("PATCH", "/repos/{owner}/{repo}/issues/{number}", "issues.update")
    def _patch_issue(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        return self._patched(self._issue_for(request, user), body)

    def _patched(self, issue: GhIssue, body: Any) -> tuple[int, Any]:
        body = body or {}
        if "state" in body and body["state"] not in ("open", "closed"):
            raise GitHubFailure(
                422, "Validation Failed", errors=[{"field": "state", "code": "invalid"}]
            )
        repo = self.repos[issue.repo]
        if body.get("milestone") is not None and int(body["milestone"]) not in repo.milestones:
            raise GitHubFailure(
                422, "Validation Failed", errors=[{"field": "milestone", "code": "invalid"}]
            )
        with self._changing(issue):
            for name in ("title", "body", "state", "state_reason", "milestone"):
                if name in body:
                    setattr(issue, name, body[name])
            if "labels" in body:
                issue.labels = [
                    str(n if isinstance(n, str) else n.get("name")) for n in body["labels"]
                ]
                repo.labels.update(issue.labels)
        return 200, self._issue_json(issue)

    @route("POST", "/repos/{owner}/{repo}/issues", "issues.create")
    def _create_issue(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        repo = self._repo_for(request, user)
        body = body or {}
        if not str(body.get("title") or "").strip():
            raise GitHubFailure(
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
        with self._changing(issue):
            issue.labels.extend(added)
            self.repos[issue.repo].labels.update(added)
        return 200, [{"name": n} for n in issue.labels]

    # -- what a change sends -------------------------------------------------------------

    @contextmanager
    def _changing(self, issue: GhIssue) -> Iterator[None]:
        """Around a change of ``issue`` (a call's or a person's): if anything changed, a new
        ``updated_at`` and the ``issues`` events GitHub sends, one per thing changed."""
        before = replace(issue, labels=list(issue.labels))
        yield
        if issue.state != before.state:  # GitHub's reason when none (or a stale one) is given
            closing = issue.state == "closed"
            if not closing or issue.state_reason in (None, "reopened"):
                issue.state_reason = "completed" if closing else "reopened"
        if issue != before:
            issue.updated = self._stamp()
            for action, extra in self._issue_actions(issue, before):
                self._event("issues", action, issue=issue, **extra)

    def _issue_actions(self, issue: GhIssue, before: GhIssue) -> list[tuple[str, dict[str, Any]]]:
        """GitHub's ``issues`` actions for a change from ``before``, with what each names:
        ``edited`` for the title and body (``changes``: what they were), ``labeled`` and
        ``unlabeled`` one label at a time, ``milestoned``/``demilestoned``,
        ``assigned``/``unassigned``, then ``closed`` or ``reopened``; a change of anything
        else is ``edited``."""
        actions: list[tuple[str, dict[str, Any]]] = []
        changes = {
            name: {"from": getattr(before, name)}
            for name in ("title", "body")
            if getattr(issue, name) != getattr(before, name)
        }
        if changes:
            actions.append(("edited", {"changes": changes}))
        added = [n for n in issue.labels if n not in before.labels]
        removed = [n for n in before.labels if n not in issue.labels]
        actions += [("labeled", {"label": self._label_json(n)}) for n in added]
        actions += [("unlabeled", {"label": self._label_json(n)}) for n in removed]
        if issue.milestone != before.milestone:
            milestones = self.repos[issue.repo].milestones
            set_to = milestones.get(issue.milestone or 0)
            taken = milestones.get(before.milestone or 0)
            if set_to is not None:
                actions.append(("milestoned", {"milestone": self._milestone_json(set_to)}))
            elif taken is not None:
                actions.append(("demilestoned", {"milestone": self._milestone_json(taken)}))
        if issue.assignee != before.assignee:
            action = "assigned" if issue.assignee else "unassigned"
            actions.append(
                (action, {"assignee": self._user_json(issue.assignee or before.assignee)})
            )
        if issue.state != before.state:
            actions.append(("closed" if issue.state == "closed" else "reopened", {}))
        return actions or [("edited", {"changes": {}})]

    # -- milestones ----------------------------------------------------------------------

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
            raise GitHubFailure(
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
            raise GitHubFailure(404, "Not Found")
        body = body or {}
        for name in ("title", "description", "due_on"):
            if name in body:
                setattr(milestone, name, body[name])
        if body.get("state") == "closed" and milestone.state != "closed":
            milestone.state, milestone.closed_at = "closed", self.iso(self.epoch())
        return 200, self._milestone_json(milestone)
