"""GraphQL errors as Linear words them: ``linear_error`` (a body's error with ``extensions``:
``code``, ``type``, ``userError``, ``userPresentableMessage``), the errors a resolver raises
(``entity_not_found``: "Entity not found", ``invalid_input``: INVALID_INPUT), RATELIMITED, and
graphql-core's own errors given Linear's extensions (``format_error``).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError


def linear_error(
    message: str,
    code: str,
    kind: str,
    *,
    user_message: str | None = None,
    user_error: bool = True,
) -> dict[str, Any]:
    """A GraphQL error as Linear words it (``extensions.code`` and ``extensions.type``)."""
    extensions: dict[str, Any] = {"code": code, "type": kind, "userError": user_error}
    if user_message:
        extensions["userPresentableMessage"] = user_message
    return {"message": message, "extensions": extensions}


def entity_not_found(kind: str) -> GraphQLError:
    return invalid_input(f"Entity not found: {kind}", f"Could not find referenced {kind}.")


def invalid_input(message: str, user_message: str | None = None) -> GraphQLError:
    """A resolver's INVALID_INPUT, shown to the user as ``user_message`` (else ``message``);
    graphql-core answers it with the extensions ``linear_error`` words."""
    worded = linear_error(
        message, "INVALID_INPUT", "invalid input", user_message=user_message or message
    )
    return GraphQLError(message, extensions=worded["extensions"])


def ratelimited_error() -> dict[str, Any]:
    return linear_error(
        "Rate limit exceeded",
        "RATELIMITED",
        "ratelimited",
        user_message="Too many requests: wait for the rate limit to reset and try again.",
    )


def format_error(error: GraphQLError) -> dict[str, Any]:
    """A graphql-core error as Linear answers it (validation errors get Linear's code)."""
    out = error.formatted
    extensions = dict(out.get("extensions") or {})
    if "code" not in extensions:  # a variable refused, or any other GraphQL error
        extensions.update(code="GRAPHQL_VALIDATION_FAILED", type="graphql error", userError=True)
    out["extensions"] = extensions
    return dict(out)
