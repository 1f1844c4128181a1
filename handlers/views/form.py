"""What every form submission needs: its fields, their text, errors shown under them, and the
listener that checks the form before its ack and answers after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import UserError
from handlers.asked import Asked, Listener, listening_as
from handlers.render import unmarked

T = TypeVar("T")


def fields(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{block_id: the input's state} for a submitted modal."""
    values = body["view"]["state"]["values"]
    return {block_id: next(iter(actions.values()), {}) for block_id, actions in values.items()}


def text(state: dict[str, dict[str, Any]], block: str) -> str:
    return (state.get(block, {}).get("value") or "").strip()


def required(block: str, message: str) -> Callable[[dict[str, Any]], str]:
    """The check of a form whose one text field must be filled in: its text, or `message`."""

    def check(body: dict[str, Any]) -> str:
        if not (value := text(fields(body), block)):
            raise FieldError(block, message)
        return value

    return check


class FieldErrors(UserError):
    """Mistakes shown under the form fields (blocks) they belong to: {block: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class FieldError(FieldErrors):
    """A mistake shown under the form field (block) it belongs to."""

    def __init__(self, block: str, message: str) -> None:
        super().__init__({block: message})
        self.block = block
        self.message = message


def submitted(
    check: Callable[[dict[str, Any]], T],
    *,
    before_ack: Callable[[Asked, T], Awaitable[None]] | None = None,
    meanwhile: Callable[[Asked, T], dict[str, Any]] | None = None,
) -> Callable[[Callable[[Asked, T], Awaitable[None]]], Listener]:
    """The listener of a form: `check(body)` reads what the form says before the ack, and
    FieldErrors it raises show under their fields (the form stays open, nothing typed is
    lost). `before_ack`, when given, may ask the database too (never Slack: no Web API call
    comes before an ack) and raise FieldErrors the same way. Otherwise the form closes (or,
    with `meanwhile`, shows the view it builds: a check that takes longer, such as a call to
    another service, then `views.update`s it by its id) and `handle(asked, what check
    returned)` answers."""

    def decorate(handle: Callable[[Asked, T], Awaitable[None]]) -> Listener:
        async def run(
            ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
        ) -> None:
            asked = Asked.of(body, client, context)
            try:
                given = check(body)
                if before_ack is not None:
                    await before_ack(asked, given)
            except FieldErrors as refused:
                errors = {block: unmarked(said) for block, said in refused.errors.items()}
                await ack(response_action="errors", errors=errors)
                return
            if meanwhile is None:
                await ack()
            else:
                await ack(response_action="update", view=meanwhile(asked, given))
            await handle(asked, given)

        return listening_as(handle, run)

    return decorate
