"""One request being answered, and the listeners that ack it at once and then answer.

Buttons, menus and slash commands all start the same way: ack, know who asks (the Actor), then
call a use case and answer. `acked` writes that start once; `slash_command` adds the dispatch
of a command's text to the small function of its verb. A form checks its input before the ack:
`submitted` in handlers/views/form.py. An event (Bolt acks those itself) reaches its handler
as a `Heard`: `heard`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import UserError
from bot.runtime.services import Services, services
from bot.usecases.team import InChannel
from bot.usecases.unit import Actor
from handlers.blocks import team as team_blocks
from handlers.common import actor, in_channel, open_form
from handlers.listener import listener
from handlers.render import from_slack
from handlers.reply import reply

Listener = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Asked:
    """A request being answered: the app's services, Slack's client, the payload, who asks."""

    svc: Services
    client: AsyncWebClient
    body: dict[str, Any]
    actor: Actor

    @classmethod
    def of(cls, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> Asked:
        return cls(services(context), client, body, actor(body, context))

    @property
    def text(self) -> str:
        """A slash command's text as its parser reads it: Slack's wire format decoded, once,
        here (handlers/render.from_slack)."""
        return from_slack(self.body.get("text", ""))

    @property
    def in_channel(self) -> InChannel:
        """For use cases that refuse people outside the channel (see bot/usecases/team.py)."""
        return in_channel(self.client, self.body)

    async def answer(self, payload: dict[str, Any], *, replace: bool = False) -> None:
        """Privately, to the person who asked."""
        await reply(self.client, self.body, payload, replace=replace)

    async def open_form(self, view: dict[str, Any]) -> None:
        await open_form(self.client, self.body, view)


def acked(handle: Callable[[Asked], Awaitable[None]]) -> Listener:
    """The listener of a request that is acked at once and answered after: `handle` gets the
    request as an `Asked`. The listener decorator (handlers/listener.py) does the rest."""

    async def run(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        await handle(Asked.of(body, client, context))

    return listening_as(handle, run)


@dataclass(frozen=True)
class Heard:
    """An event from the Events API (Bolt acks those itself): the request and Bolt's context."""

    body: dict[str, Any]
    client: AsyncWebClient
    context: AsyncBoltContext

    @property
    def event(self) -> dict[str, Any]:
        return self.body.get("event") or {}

    @property
    def svc(self) -> Services:
        return services(self.context)


def heard(handle: Callable[[Heard], Awaitable[None]]) -> Listener:
    """The listener of an event: `handle` gets it as a `Heard`."""

    async def run(body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
        await handle(Heard(body, client, context))

    return listening_as(handle, run)


def listening_as(handle: Callable[..., Any], run: Listener) -> Listener:
    """`run` as the app's listener (handlers/listener.py), named and documented as `handle`,
    the function it runs. Not `functools.wraps`: its __wrapped__ would show Bolt `handle`'s
    parameters instead of the ones Bolt must pass to `run`."""
    run.__name__, run.__qualname__ = handle.__name__, handle.__qualname__
    run.__doc__ = handle.__doc__
    return listener(run)


class Parsed(Protocol):
    @property
    def verb(self) -> str: ...


P = TypeVar("P", bound=Parsed)
# The small function of a command's verb: what to answer privately, or None if it answered.
Verb = Callable[[Asked, P], Awaitable[dict[str, Any] | None]]


def slash_command(parse: Callable[[str], P], verbs: Mapping[str, Verb[P]]) -> Listener:
    """A slash command's listener: acks, parses the text typed after the command, and runs the
    small function of its verb (the command's dispatch table). A verb that returns a payload
    has it answered privately; one that answers itself (or opens a form) returns None."""

    async def dispatch(asked: Asked) -> None:
        if await refused_in_direct_message(asked, parse):
            return
        parsed = parse(asked.text)
        answer = await verbs[parsed.verb](asked, parsed)
        if answer is not None:
            await asked.answer(answer)

    return acked(dispatch)


async def refused_in_direct_message(asked: Asked, parse: Callable[[str], Parsed]) -> bool:
    """A command typed in a direct message is answered that Timebox plans in a channel (True),
    unless it asks for its help: a DM has no team, and must not become one."""
    if is_direct_message(asked.actor.channel) and not _asks_help(parse, asked.text):
        await asked.answer(team_blocks.channel_only(asked.body.get("command") or "/timebox"))
        return True
    return False


def is_direct_message(channel: str) -> bool:
    """A direct message with the bot (D…): it has no team, its people are the two of them."""
    return channel.startswith("D")


def _asks_help(parse: Callable[[str], Parsed], text: str) -> bool:
    """The command asks for its help, the one thing a direct message can answer: every other
    verb reads or changes a channel's team (a DM would silently become a team of its own)."""
    try:
        return parse(text).verb == "help"
    except UserError:
        return False


async def show_help(asked: Asked, parsed: object) -> dict[str, Any]:
    """The `help` verb of the commands (but /poker's own): the command's own subcommands,
    what they do (`/timebox help`: every command)."""
    return team_blocks.help_message(asked.body.get("command"))
