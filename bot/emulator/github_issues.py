"""GitHub's REST issues and milestones, a mixin on the site: a repository's issues listed
(``state``, ``since``, ``sort``, ``direction``, ``per_page``/``page`` with a ``Link`` header), one
read, edited (a state or milestone GitHub would refuse is a 422) or created, labels added, and
milestones listed, created, edited and closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from bot.emulator.github_records import GhIssue, GhMilestone, GitHubFailure
from bot.emulator.github_site import GitHubSite
from bot.emulator.tracker import route


class GitHubIssues(GitHubSite):
    """A repository's issues, labels and milestones over REST."""

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
        repo = self._repo_for(request, user)
        issue = repo.issues.get(int(request.match_info["number"]))
        if issue is None:
            raise GitHubFailure(404, "Not Found")
        return issue

    @route("GET", "/repos/{owner}/{repo}/issues/{number}", "issues.get")
    def _get_issue(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        return 200, self._issue_json(self._issue_for(request, user))

    @route("PATCH", "/repos/{owner}/{repo}/issues/{number}", "issues.update")
    def _patch_issue(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        issue = self._issue_for(request, user)
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
        if added:
            issue.labels.extend(added)
            self.repos[issue.repo].labels.update(added)
            issue.updated = self._stamp()
        return 200, [{"name": n} for n in issue.labels]

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
