"""JQL as the Jira emulator reads it: the subset Timebox's client sends (fields compared with
``=``/``!=``/``>``/``<``/``IN``/``NOT IN``, joined by AND, ``ORDER BY``), tokenized and parsed
into a ``JqlQuery`` of ``_Clause``s (``parse_jql``; a 400 in Jira's words on anything else), and
what each field compares on an issue (``JQL_ATTRIBUTES``). The query is evaluated against a site's
issues, filters and rank by ``JiraSearch`` (jira_search.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.emulator.jira_records import STATUSES, JiraIssue, jira_error

_JQL_FIELDS = {
    "project",
    "filter",
    "key",
    "issuekey",
    "status",
    "statuscategory",
    "issuetype",
    "type",
    "updated",
    "created",
}

JQL_ATTRIBUTES: dict[str, Callable[[JiraIssue], set[str]]] = {
    "filter": lambda i: {i.project.lower()},
    "project": lambda i: {i.project.lower()},
    "key": lambda i: {i.key.lower()},
    "issuekey": lambda i: {i.key.lower()},
    "status": lambda i: {i.status.lower()},
    # by category key (new, done) or name (To Do, Done)
    "statuscategory": lambda i: {STATUSES[i.status][1], STATUSES[i.status][3].lower()},
    "issuetype": lambda i: {i.issue_type.lower()},
    "type": lambda i: {i.issue_type.lower()},
}
"""What a JQL field compares, per issue, lower-cased."""


_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<op>>=|<=|!=|=|>|<)"""
    r"""|(?P<punct>[(),])|(?P<word>[^\s(),=<>!"']+))"""
)


@dataclass
class _Clause:
    field: str
    op: str  # = != > >= < <= in "not in"
    values: list[str]


@dataclass
class JqlQuery:
    """A parsed query: its clauses (all must hold) and its ORDER BY."""

    clauses: list[_Clause]
    order: list[tuple[str, bool]]  # (field, descending)


def _tokens(jql: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    jql = jql.rstrip()
    while pos < len(jql):
        m = _TOKEN.match(jql, pos)
        if not m or m.end() == pos:
            raise jira_error(400, f"Error in the JQL Query: the character at {pos} is unexpected.")
        kind = m.lastgroup or "word"
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        pos = m.end()
    return out


def parse_jql(jql: str) -> JqlQuery:
    tokens = _tokens(jql)
    i, clauses, order = 0, [], []

    def peek(offset: int = 0) -> tuple[str, str] | None:
        return tokens[i + offset] if i + offset < len(tokens) else None

    def word(t: tuple[str, str] | None, *values: str) -> bool:
        return t is not None and t[0] == "word" and t[1].lower() in values

    while i < len(tokens) and not (word(peek(), "order") and word(peek(1), "by")):
        if clauses:
            if word(peek(), "or"):
                raise jira_error(
                    400, "Error in the JQL Query: OR is not supported by this emulator."
                )
            if not word(peek(), "and"):
                got = peek()[1]  # type: ignore[index]
                raise jira_error(400, f"Error in the JQL Query: expecting AND but got '{got}'.")
            i += 1
        while peek() == ("punct", "("):  # grouping of AND clauses: (a AND b)
            i += 1
        name_token = peek()
        if name_token is None or name_token[0] not in ("word", "str"):
            raise jira_error(400, "Error in the JQL Query: expecting a field name.")
        name = name_token[1].lower()
        if name not in _JQL_FIELDS:
            raise jira_error(
                400,
                f"Field '{name_token[1]}' does not exist or you do not have permission to view it.",
            )
        i += 1
        op_token = peek()
        if op_token and op_token[0] == "op":
            op = op_token[1]
            i += 1
        elif word(op_token, "in"):
            op = "in"
            i += 1
        elif word(op_token, "not") and word(peek(1), "in"):
            op = "not in"
            i += 2
        else:
            raise jira_error(400, f"Error in the JQL Query: expecting an operator after '{name}'.")
        values: list[str] = []
        if op in ("in", "not in"):
            if peek() != ("punct", "("):
                raise jira_error(400, "Error in the JQL Query: expecting '(' after IN.")
            i += 1
            while peek() is not None and peek() != ("punct", ")"):
                kind, value = peek()  # type: ignore[misc]
                if kind in ("word", "str"):
                    values.append(value)
                elif (kind, value) != ("punct", ","):
                    raise jira_error(400, f"Error in the JQL Query: unexpected '{value}'.")
                i += 1
            if peek() != ("punct", ")"):
                raise jira_error(400, "Error in the JQL Query: expecting ')'.")
            i += 1
        else:
            value_token = peek()
            if value_token is None or value_token[0] not in ("word", "str"):
                raise jira_error(400, f"Error in the JQL Query: expecting a value after '{op}'.")
            values.append(value_token[1])
            i += 1
        clauses.append(_Clause(name, op, values))
        while peek() == ("punct", ")"):
            i += 1
    if i < len(tokens):
        i += 2  # ORDER BY
        while i < len(tokens):
            kind, value = tokens[i]
            if kind == "punct" and value == ",":
                i += 1
                continue
            name = value.lower()
            if name not in ("updated", "created", "key", "rank", "issuekey"):
                raise jira_error(400, f"Error in the JQL Query: cannot order by '{value}'.")
            descending = False
            if word(peek(1), "asc", "desc"):
                descending = tokens[i + 1][1].lower() == "desc"
                i += 1
            order.append((name, descending))
            i += 1
    return JqlQuery(clauses, order)
