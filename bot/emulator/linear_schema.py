"""Linear's GraphQL schema in the emulator, and what it reads off a request's document:
``SCHEMA`` (built from ``linear.graphql``, a subset of Linear's published schema), the
operation a request names (``find_operation``) and the query's complexity as Linear's rate-limiting
documentation counts it (``query_complexity``). The root fields are bound to the emulator's
resolvers in linear_resolvers.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    build_schema,
    get_named_type,
    is_leaf_type,
)

from bot.emulator.linear_filters import DEFAULT_PAGE

# A subset of Linear's schema (packages/sdk/src/schema.graphql of linear/linear), in
# linear.graphql next to this module (shipped as package data): every name and type there is
# Linear's own; what Timebox does not use is left out.
SDL = resources.files("bot.emulator").joinpath("linear.graphql").read_text(encoding="utf-8")

SCHEMA: GraphQLSchema = build_schema(SDL)


def find_operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs: the one named ``name``, else the document's only one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in operations if o.name and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


def query_complexity(
    document: Any, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> float:
    """A query's cost as Linear's rate-limiting documentation counts it: 0.1 a property, 1 an
    object, a connection's children multiplied by its ``first``/``last`` (50 when absent)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = SCHEMA.mutation_type if operation.operation.value == "mutation" else SCHEMA.query_type
    assert root is not None

    def size(node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = argument.value
                if isinstance(value, IntValueNode):
                    return int(value.value)
                if isinstance(value, VariableNode):
                    given = variables.get(value.name.value)
                    if isinstance(given, int):
                        return given
        return DEFAULT_PAGE

    def cost(selection_set: SelectionSetNode | None, parent: GraphQLObjectType) -> float:
        total = 0.0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                definition = parent.fields.get(selection.name.value)
                if definition is None:
                    continue
                kind = get_named_type(definition.type)
                if is_leaf_type(kind):
                    total += 0.1
                elif isinstance(kind, GraphQLObjectType):
                    inner = cost(selection.selection_set, kind)
                    if kind.name.endswith("Connection"):
                        total += size(selection) * inner
                    else:
                        total += 1 + inner
            elif isinstance(selection, InlineFragmentNode):
                target = (
                    SCHEMA.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                if isinstance(target, GraphQLObjectType):
                    total += cost(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    target = SCHEMA.get_type(fragment.type_condition.name.value)
                    if isinstance(target, GraphQLObjectType):
                        total += cost(fragment.selection_set, target)
        return total

    return cost(operation.selection_set, root)
