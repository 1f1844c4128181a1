"""Issue 15: what stands between a request and its ack, and what waits until after it.

- Bolt runs with `process_before_response=True`: it sends the ack as soon as the listener
  returns, and every listener returns once it has acked, its work going on in a task
  (handlers/listener.py). Bolt left to itself would look for the ack every 10 ms.
- The work after an ack waits for the end of start-up (`timebox run` answers its first
  request before it has loaded the tracker clients: bot/process/server.py).
- The request guard reads the body once, for itself and for Bolt; an interaction's escaped
  form data is decoded in C, exactly as `parse_qsl` decodes it.
"""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any
from urllib.parse import parse_qsl, quote_plus

import pytest
from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.emulator import SlackDriver
from bot.emulator.stack import SIGNING_SECRET, LocalStack
from bot.process.server import Refused, _form
from handlers.listener import listener, register_all, wrapped
from tests.conftest import CHANNEL, PO


async def test_every_listener_of_the_app_returns_to_bolt_once_it_has_acked(slack: LocalStack):
    """With process_before_response=True a listener that did not wear `listener` would hold
    its ack until its work ended: none of the app's does. Buttons and forms are one Bolt
    listener per table (`register_all`): Bolt tries its listeners one by one, at a cost."""
    functions = [registered.ack_function for registered in slack.app._async_listeners]
    assert [f.__name__ for f in functions if not wrapped(f)] == []
    assert len(functions) <= 16, "8 commands, a table of buttons and one of forms, events"


async def test_a_table_of_listeners_answers_each_id_with_its_first_listener(slack: LocalStack):
    """The button tables' order holds: of a pattern and an exact id both matching, the one
    registered first answers (as Bolt, trying one listener after another, would)."""
    answered: list[str] = []

    def answering(name: str) -> Any:
        @listener
        async def answer(
            ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
        ) -> None:
            await ack()
            answered.append(name)

        return answer

    table = {
        answering("pattern"): (re.compile(r"^probe_\d+$"),),
        answering("exact"): ("probe_1", "probe_x"),
        answering("later pattern"): (re.compile(r"^probe_"),),
    }
    register_all(slack.app.action, table)
    ids = ("probe_1", "probe_x", "probe_y")
    buttons = [
        {"type": "button", "text": {"type": "plain_text", "text": id_}, "action_id": id_}
        for id_ in ids
    ]
    posted = await slack.app.client.chat_postMessage(
        channel=CHANNEL, text="probes", blocks=[{"type": "actions", "elements": buttons}]
    )
    message = slack.emulator.find_message(CHANNEL, posted["ts"])
    for id_ in ids:
        assert (await slack.driver.click(id_, user=PO, message=message)).status == 200
    assert answered == ["pattern", "exact", "later pattern"]


async def test_an_ack_leaves_before_the_work_behind_it_ends(slack: LocalStack):
    """A listener that acks and then works on: Slack has the ack while the work still runs,
    which shutdown and tests still wait for (it is in flight)."""
    release = asyncio.Event()
    begun: list[str] = []
    done: list[str] = []

    @listener
    async def held(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        begun.append(body["text"])
        await release.wait()
        done.append(body["text"])

    slack.app.command("/held")(held)
    async with unsettled(slack) as driver:
        ack = await driver.command("/held", "the work", user=PO, channel=CHANNEL)
    assert ack.status == 200 and ack.text == ""
    for _ in range(5):  # a few turns of the loop: the work is under way
        await asyncio.sleep(0)
    assert (begun, done) == (["the work"], []), "acked, the work still running"
    assert slack.services.inflight.busy >= 1, "shutdown and tests wait for it"
    release.set()
    await slack.settle()
    assert done == ["the work"]


async def test_work_after_an_ack_waits_for_the_end_of_start_up(slack: LocalStack):
    """Until start-up is complete (`Services.started`), a command is acked at once and
    answered only after."""
    slack.services.started.clear()
    async with unsettled(slack) as driver:
        ack = await driver.command(
            "/backlog", "add Written before the answer", user=PO, channel=CHANNEL
        )
    assert ack.status == 200
    for _ in range(20):  # the loop runs on: nothing but the end of start-up is awaited
        await asyncio.sleep(0)
    assert slack.emulator.ephemerals(CHANNEL) == [], "no answer before start-up is complete"
    slack.services.started.set()
    await slack.settle()
    [answer] = slack.emulator.ephemerals(CHANNEL)
    assert "Written before the answer" in answer.text


def unsettled(slack: LocalStack) -> SlackDriver:
    """A driver that does not wait for the app's work after each request (the stack's does)."""
    url = f"{slack.url}/slack/events"
    return SlackDriver(slack.emulator, app_url=url, signing_secret=SIGNING_SECRET)


def _parsed(text: str) -> dict[str, str] | str:
    """What the guard made of form data before issue 15: parse_qsl, strictly."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except ValueError:
        return "refused"
    form = dict(pairs)
    return form if len(form) == len(pairs) else "refused"


def _read(text: str) -> dict[str, str] | str:
    try:
        return _form(text)
    except Refused:
        return "refused"


@pytest.mark.parametrize(
    "text",
    [
        "payload=" + quote_plus('{"a": "\\\\u00e9 é € <!channel> \\n", "b": [1, 2]}'),
        "payload=%7B%22a%22%3A+1%7D",
        "payload=%zz",  # a stray %: kept as it is
        "payload=%4",
        "payload=50%",
        "payload=%5Cx41%5Cu0041%5CN%7BDASH%7D",  # escapes of Python's own escapes
        "payload=\\x41\\u0041",
        "payload=%C3",  # half a UTF-8 character: refused
        "payload=%FF%FE",
        "payload=é%C3%A9",  # not ASCII
        "payload=a&payload=b",  # twice: refused
        "payload=a&user=b",
        "payload",  # no "=": refused
        "payload=",
        "command=%2Fbacklog&text=add+the+payload",
    ],
)
def test_the_guard_reads_form_data_exactly_as_parse_qsl_does(text: str):
    assert _read(text) == _parsed(text)


def test_the_guard_reads_random_form_data_exactly_as_parse_qsl_does():
    """Thousands of bodies made of escapes, stray %, backslashes, + and non-ASCII text."""
    pieces = [
        "%",
        "2",
        "5",
        "C",
        "3",
        "A",
        "z",
        "+",
        "\\",
        "x",
        "u",
        "N",
        "{",
        "}",
        "=",
        "&",
        "é",
        "a",
        "%C3%A9",
        "%5C",
        "%78",
        "%25",
        "%00",
        "%FF",
        "%e2%82%ac",
        " ",
    ]
    chosen = random.Random(15)
    for _ in range(20_000):
        text = "payload=" + "".join(chosen.choice(pieces) for _ in range(chosen.randint(0, 12)))
        assert _read(text) == _parsed(text), text
