"""Jira's searches, a mixin on the site: ``POST /rest/api/3/search/jql`` (``nextPageToken``
paging, up to 5,000 ids or 100 issues a page) and a board's backlog
(``GET /rest/agile/1.0/board/{id}/backlog``, optionally narrowed by JQL), with the parsed JQL
(jql.py) evaluated against the site: each clause checked once (a date in the caller's time
zone, a filter, project or issue key that must exist) and the matches ordered by rank or by a
field.
"""

from __future__ import annotations

import base64
import hashlib
import json
import operator
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.emulator.jira_records import (
    ISSUE_TYPES,
    JiraBoard,
    JiraFailure,
    JiraIssue,
    JiraUser,
    jira_error,
)
from bot.emulator.jira_site import JiraSite
from bot.emulator.jql import JQL_ATTRIBUTES, JqlQuery, parse_jql
from bot.emulator.tracker import route


class JiraSearch(JiraSite):
    """The JQL search and the board's backlog."""

    # -- search --------------------------------------------------------------------------

    def _jql_time(self, value: str, user: JiraUser) -> float:
        for pattern in ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d"):
            try:
                local = datetime.strptime(value.strip(), pattern)
            except ValueError:
                continue
            return local.replace(tzinfo=ZoneInfo(user.time_zone)).timestamp() * 1000
        raise jira_error(
            400,
            f"Date value '{value}' for field 'updated' is invalid. Valid formats include: "
            "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period "
            "format e.g. '-5d', '4w 2d'.",
        )

    def _predicate(self, query: JqlQuery, user: JiraUser) -> Callable[[JiraIssue], bool]:
        """The query's clauses as one test, checked and parsed once (400 on a bad value)."""
        compare = {
            "=": operator.eq,
            "!=": operator.ne,
            ">": operator.gt,
            ">=": operator.ge,
            "<": operator.lt,
            "<=": operator.le,
        }
        tests: list[Callable[[JiraIssue], bool]] = []
        for clause in query.clauses:
            name, op, values = clause.field, clause.op, clause.values
            if name in ("updated", "created"):
                if op not in compare:
                    raise jira_error(
                        400, f"Error in the JQL Query: '{op}' is not valid for {name}."
                    )
                limit, check = self._jql_time(values[0], user), compare[op]
                if name == "updated":
                    tests.append(lambda i, c=check, t=limit: c(i.updated, t))
                else:
                    tests.append(lambda i, c=check, t=limit: c(i.created, t))
                continue
            if op not in ("=", "in", "!=", "not in"):
                raise jira_error(400, f"Error in the JQL Query: '{op}' is not valid for {name}.")
            accepted = {v.lower() for v in values}
            if name == "filter":
                for value in values:
                    if value not in self.filters:
                        raise jira_error(
                            400, f"The value '{value}' does not exist for the field 'filter'."
                        )
                accepted = {self.filters[v].lower() for v in values}
            elif name in ("key", "issuekey"):
                accepted = self._known_keys(values, name, user)
            elif name == "project":
                for value in values:
                    if value.upper() not in self.projects:
                        raise jira_error(
                            400, f"The value '{value}' does not exist for the field 'project'."
                        )
            actual = JQL_ATTRIBUTES[name]
            wanted = op in ("=", "in")
            tests.append(lambda i, a=actual, w=wanted, ok=accepted: bool(a(i) & ok) == w)
        return lambda issue: all(test(issue) for test in tests)

    def _known_keys(self, values: list[str], name: str, user: JiraUser) -> set[str]:
        """The issues a ``key`` clause names, as Jira checks them: a key (any case) or an id;
        an old key of a moved issue names it under its new key. One that names no issue the
        user sees (deleted, never made, hidden) refuses the search, each such key named: 400
        "An issue with key 'X' does not exist for field 'key'." (JQL has no lenient mode on
        the enhanced search)."""
        known, unknown = set(), []
        for value in values:
            try:
                issue = self._issue_for(value if value.isdigit() else value.upper())
            except JiraFailure:
                issue = None
            if issue is None or user.email in self.browse_denied:
                unknown.append(value)
            else:
                known.add(issue.key.lower())
        if unknown:
            raise jira_error(
                400,
                *(f"An issue with key '{v}' does not exist for field '{name}'." for v in unknown),
            )
        return known

    def _order(self, issues: list[JiraIssue], query: JqlQuery) -> list[JiraIssue]:
        positions = {key: n for n, key in enumerate(self.rank)}
        for name, descending in reversed(query.order or [("rank", False)]):
            if name == "updated":
                issues.sort(key=lambda i: i.updated, reverse=descending)
            elif name == "created":
                issues.sort(key=lambda i: i.created, reverse=descending)
            elif name in ("key", "issuekey"):
                issues.sort(
                    key=lambda i: (i.project, int(i.key.rsplit("-", 1)[1])), reverse=descending
                )
            else:
                issues.sort(key=lambda i: positions[i.key], reverse=descending)
        return issues

    @route("POST", "/rest/api/3/search/jql", "search.jql")
    def _search(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise jira_error(400, "Invalid request payload. Refer to the REST API documentation.")
        unknown = set(body) - {
            "jql",
            "nextPageToken",
            "maxResults",
            "fields",
            "expand",
            "properties",
            "fieldsByKeys",
            "failFast",
            "reconcileIssues",
        }
        if unknown or "startAt" in body:
            raise jira_error(400, "Invalid request payload. Refer to the REST API documentation.")
        jql = str(body.get("jql") or "")
        query = parse_jql(jql)
        if not query.clauses:
            raise jira_error(
                400,
                "Unbounded JQL queries are not allowed here. Please add a search restriction "
                "to your query.",
            )
        fields = body.get("fields")
        wanted = self._wanted(fields) if fields is not None else {"id"}
        light = wanted is not None and wanted <= {"id", "key"}
        limit = self._max_results(body.get("maxResults"), 5000 if light else 100)
        digest = hashlib.sha1(jql.encode()).hexdigest()[:12]
        offset = 0
        token = body.get("nextPageToken")
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(str(token).encode()))
                offset = int(state["o"])
                if state["q"] != digest:
                    raise ValueError(token)
            except (ValueError, KeyError, TypeError) as exc:
                raise jira_error(
                    400, "The provided next page token is invalid or expired."
                ) from exc
        matches = self._predicate(query, user)
        visible = [] if user.email in self.browse_denied else self.issues.values()
        matched = self._order([i for i in visible if matches(i)], query)
        page = matched[offset : offset + limit]
        blocks = self._blocks_index()
        out: dict[str, Any] = {
            "issues": [
                {"id": str(i.id)}
                if wanted == {"id"}
                else self._issue_json(i, wanted, blocks=blocks)
                for i in page
            ],
            "isLast": offset + limit >= len(matched),
        }
        if not out["isLast"]:
            state = json.dumps({"q": digest, "o": offset + limit}).encode()
            out["nextPageToken"] = base64.urlsafe_b64encode(state).decode()
        return 200, out

    # -- backlog -------------------------------------------------------------------------

    def _backlog_issues_of(self, board: JiraBoard) -> list[JiraIssue]:
        out = []
        for key in self.rank:
            issue = self.issues[key]
            if issue.project != board.project or issue.done:
                continue
            if ISSUE_TYPES.get(issue.issue_type, ("", 0))[1] != 0:
                continue  # epics and sub-tasks are not backlog rows
            sprint = self.sprints.get(issue.sprint) if issue.sprint else None
            if sprint is not None and sprint.state in ("future", "active"):
                continue
            out.append(issue)
        return out

    @route("GET", "/rest/agile/1.0/board/{board}/backlog", "board.backlog")
    def _backlog(self, request: web.Request, user: JiraUser, body: Any) -> tuple[int, Any]:
        board = self._board_for(user, request.match_info["board"])
        start, limit = self._agile_page(request.query, 100)
        issues = self._backlog_issues_of(board)
        if request.query.get("jql"):
            matches = self._predicate(parse_jql(request.query["jql"]), user)
            issues = [i for i in issues if matches(i)]
        wanted = self._wanted(request.query.getall("fields", None) or None)
        page = issues[start : start + limit]
        blocks = self._blocks_index()
        return 200, {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(issues),
            "issues": [self._issue_json(i, wanted, agile=True, blocks=blocks) for i in page],
        }
