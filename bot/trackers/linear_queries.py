"""The GraphQL documents the Linear client sends (bot/trackers/linear.py), each a named
operation, parsed by graphql-core when this module is imported (a typo fails at once, not at a
customer's); the emulator (bot/emulator/linear.py) and the tests know them by name:

- ``Viewer``, ``TeamSettings`` (``teams(filter: {key: {eq}})``: id, cycles, estimation settings,
  workflow states): what ``check()`` learns, kept by ``snapshot()``; ``TeamSettingsById``
  (``team(id)``), the same read again later by the team's id, which a new key keeps.
- ``BacklogIssues``: the backlog (backlog or unstarted, in no cycle), paged with
  ``pageInfo { hasNextPage endCursor }``. ``BacklogKeys`` (identifiers only) and
  ``BacklogOrder`` (with ``sortOrder``): every issue of the team not done, cycles included, in
  the same manual order (what ``backlog_keys()`` and ``rank()`` need).
- ``ChangedIssues``: ``filter: {updatedAt: {gte}}`` sorted by ``updatedAt`` ascending and paged,
  so an incremental fetch costs calls in proportion to what changed; with ``createdAt`` (a
  create whose answer was lost looks there for the issue it may have made). Every issue read
  comes with its ``cycle`` (the sprint it is planned in) and whether it has ``children`` (one
  is enough: an issue with sub-issues is their epic).
- ``Issue`` (by identifier, or by id, which a move to another team keeps; with ``trashed``:
  an issue in Linear's trash is NOT_FOUND, as a deleted one),
  ``IssueState`` (with ``archivedAt``: an archived issue is restored, ``IssueUnarchive``,
  before a reopen, as Linear edits none until restored), ``IssueDescription``, ``LabelsNamed``.
- ``UpdateIssue`` (``issueUpdate``: title, description, estimate, stateId, sortOrder),
  ``CreateIssue`` (``issueCreate``), ``MoveIssues`` (up to 50 aliased ``issueUpdate(cycleId)``
  in one request), ``CreateCycle``, ``UpdateCycle`` (dates, ``completedAt``), ``Cycle``,
  ``TeamCycles``, ``CycleUnfinished``, ``CycleRolled`` (a cycle Linear closed at its end:
  the open issues it rolled over, ``uncompletedIssuesUponClose``), ``CreateWebhook``
  (``webhookCreate`` with Timebox's secret, for an admin's key).
"""

from __future__ import annotations

import json
from typing import Any

from gql import GraphQLRequest, gql

KEYS_PAGE = 250  # identifiers per page when only the order is wanted
NESTED = 20  # labels and relations read per issue (each multiplies the query's complexity)
BACKLOG_STATES = ("backlog", "unstarted")
DONE_STATES = ("completed", "canceled", "duplicate")


_ISSUE_FIELDS = f"""
fragment IssueFields on Issue {{
  id identifier url title description estimate priority sortOrder updatedAt
  state {{ id name type }}
  assignee {{ id name displayName email }}
  parent {{ identifier }}
  children(first: 1) {{ nodes {{ id }} }}
  cycle {{ id number name }}
  labels(first: {NESTED}) {{ nodes {{ name }} }}
  inverseRelations(first: {NESTED}) {{ nodes {{ type issue {{ identifier }} }} }}
}}
"""
_CYCLE_FIELDS = """
fragment CycleFields on Cycle {
  id number name description startsAt endsAt completedAt isActive isFuture isPast
}
"""
_BACKLOG_FILTER = (
    "{team: {id: {eq: $teamId}}, state: {type: {in: "
    + json.dumps(list(BACKLOG_STATES))
    + "}}, cycle: {null: true}}"
)
_OPEN_FILTER = (
    "{team: {id: {eq: $teamId}}, state: {type: {nin: " + json.dumps(list(DONE_STATES)) + "}}}"
)


def _open_issues(name: str, fields: str) -> GraphQLRequest:
    """A query of every issue of the team that is not done, in a cycle or not, in the manual
    order (what ``backlog_keys()`` and ``rank()`` read): ``fields`` of each."""
    return gql(
        f"""
query {name}($teamId: ID!, $first: Int!, $after: String) {{
  issues(filter: {_OPEN_FILTER}, sort: [{{manual: {{order: Ascending}}}}],
         first: $first, after: $after) {{
    nodes {{ {fields} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
    )


VIEWER = gql("query Viewer { viewer { id name displayName email } }")
TEAM_SETTINGS = gql(
    """
query TeamSettings($key: String!) {
  teams(filter: {key: {eq: $key}}, first: 1) {
    nodes {
      id key name timezone cyclesEnabled cycleDuration
      issueEstimationType issueEstimationAllowZero issueEstimationExtended
      states(first: 50) { nodes { id name type position } }
    }
  }
}
"""
)
# The same settings asked for by the team's id, which a change of the team's key keeps.
TEAM_SETTINGS_BY_ID = gql(
    """
query TeamSettingsById($id: String!) {
  team(id: $id) {
    id key name timezone cyclesEnabled cycleDuration
    issueEstimationType issueEstimationAllowZero issueEstimationExtended
    states(first: 50) { nodes { id name type position } }
  }
}
"""
)
BACKLOG_ISSUES = gql(
    _ISSUE_FIELDS
    + f"""
query BacklogIssues($teamId: ID!, $first: Int!, $after: String) {{
  issues(filter: {_BACKLOG_FILTER}, sort: [{{manual: {{order: Ascending}}}}],
         first: $first, after: $after) {{
    nodes {{ ...IssueFields }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
)
BACKLOG_KEYS = _open_issues("BacklogKeys", "identifier")
BACKLOG_ORDER = _open_issues("BacklogOrder", "identifier sortOrder")
CHANGED_ISSUES = gql(
    _ISSUE_FIELDS
    + """
query ChangedIssues($teamId: ID!, $since: DateTimeOrDuration!, $first: Int!, $after: String) {
  issues(filter: {team: {id: {eq: $teamId}}, updatedAt: {gte: $since}},
         sort: [{updatedAt: {order: Ascending}}], first: $first, after: $after) {
    nodes { ...IssueFields createdAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""
)
# Lists leave trashed issues out; one asked for by key (or by its id) may be in the trash.
ISSUE = gql(
    _ISSUE_FIELDS
    + "query Issue($id: String!) { issue(id: $id) { ...IssueFields createdAt trashed } }"
)
ISSUE_STATE = gql(
    "query IssueState($id: String!) { issue(id: $id) { id identifier sortOrder "
    "archivedAt trashed state { id type } } }"
)
# An archived issue (Linear archives closed ones after the team's period) cannot be edited
# until it is restored from the archive: a reopen restores it first.
ISSUE_UNARCHIVE = gql(
    "mutation IssueUnarchive($id: String!) { issueUnarchive(id: $id) { success } }"
)
ISSUE_DESCRIPTION = gql(
    "query IssueDescription($id: String!) { issue(id: $id) { id description } }"
)
# ``$filter``: ``{or: [{name: {eqIgnoreCase: …}}, …]}`` (``labels_filter``): a label is
# its name in any case, as Linear holds one label of a name whatever its case.
LABELS_NAMED = gql(
    """
query LabelsNamed($filter: IssueLabelFilter!) {
  issueLabels(filter: $filter, first: 50) { nodes { id name team { id } } }
}
"""
)


def labels_filter(names: list[str]) -> dict[str, Any]:
    """``LabelsNamed``'s filter: the labels with any of ``names``, in any case."""
    return {"or": [{"name": {"eqIgnoreCase": name}} for name in names]}


UPDATE_ISSUE = gql(
    """
mutation UpdateIssue($id: String!, $input: IssueUpdateInput!) {
  issueUpdate(id: $id, input: $input) { success issue { id identifier updatedAt } }
}
"""
)
CREATE_ISSUE = gql(
    """
mutation CreateIssue($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}
"""
)
CREATE_CYCLE = gql(
    _CYCLE_FIELDS
    + """
mutation CreateCycle($input: CycleCreateInput!) {
  cycleCreate(input: $input) { success cycle { ...CycleFields } }
}
"""
)
UPDATE_CYCLE = gql(
    _CYCLE_FIELDS
    + """
mutation UpdateCycle($id: String!, $input: CycleUpdateInput!) {
  cycleUpdate(id: $id, input: $input) { success cycle { ...CycleFields } }
}
"""
)
CYCLE = gql(_CYCLE_FIELDS + "query Cycle($id: String!) { cycle(id: $id) { ...CycleFields } }")
TEAM_CYCLES = gql(
    _CYCLE_FIELDS
    + """
query TeamCycles($teamId: ID!, $after: String) {
  cycles(filter: {team: {id: {eq: $teamId}}, isPast: {eq: false}}, first: 50, after: $after) {
    nodes { ...CycleFields }
    pageInfo { hasNextPage endCursor }
  }
}
"""
)
CYCLE_UNFINISHED = gql(
    f"""
query CycleUnfinished($id: String!, $after: String) {{
  cycle(id: $id) {{
    id
    issues(filter: {{state: {{type: {{nin: ["completed", "canceled", "duplicate"]}}}}}},
           first: {KEYS_PAGE}, after: $after) {{
      nodes {{ identifier }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""
)
# What Linear rolled over when it closed a cycle at its end (its "move to next cycle"
# automation): the issues open then and still open, with the cycle each is in now.
CYCLE_ROLLED = gql(
    f"""
query CycleRolled($id: String!, $after: String) {{
  cycle(id: $id) {{
    id
    uncompletedIssuesUponClose(
      filter: {{state: {{type: {{nin: ["completed", "canceled", "duplicate"]}}}}}},
      first: {KEYS_PAGE}, after: $after) {{
      nodes {{ identifier cycle {{ id }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""
)

CREATE_WEBHOOK = gql(
    """
mutation CreateWebhook($input: WebhookCreateInput!) {
  webhookCreate(input: $input) { success webhook { id enabled } }
}
"""
)

DELETE_WEBHOOK = gql(
    """
mutation DeleteWebhook($id: String!) {
  webhookDelete(id: $id) { success }
}
"""
)


def move_issues_document(count: int) -> GraphQLRequest:
    """``MoveIssues``: ``count`` aliased ``issueUpdate(id, {cycleId})`` in one request (a null
    ``cycleId`` takes the issues out of their cycle)."""
    names = ", ".join(f"$k{n}: String!" for n in range(count))
    fields = "\n".join(
        f"  i{n}: issueUpdate(id: $k{n}, input: {{cycleId: $cycleId}}) {{ success }}"
        for n in range(count)
    )
    return gql(f"mutation MoveIssues($cycleId: String, {names}) {{\n{fields}\n}}")
