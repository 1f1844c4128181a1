"""The GraphQL documents the GitHub client sends (bot/trackers/github.py), arguments always as
variables: ``PROJECT_QUERY`` (a project's fields, with the iteration field's iterations),
``ITEMS_QUERY`` (a page of its items in the project's order, each with its field values and its
issue), ``ORDER_QUERY`` (the same order, ids and times only), ``NODES_QUERY`` (items read in full
by id), ``ISSUE_ITEMS_QUERY`` (an issue's project items), ``REPOSITORY_QUERY``; and the
mutations, each one field with one ``$input`` (``_mutation``). The emulator
(bot/emulator/github_graphql.py) answers them by their root fields.
"""

from __future__ import annotations

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
