"""Bad input end to end, property-based: fuzzed slash commands, buttons and form submissions sent
to the real app, signed as Slack signs them, must never get an HTTP 500, a traceback or the
apology. Whatever a person can send gets their answer or guidance on what to send instead;
the apology with a reference id is for our own failures, and a typo is not one.

The fuzzing shares one running app, built once for the module on its own event loop (setting
up a busy channel is the slow part); hypothesis's examples run inside the tests and use no
function-scoped fixture, which hypothesis could not reset between examples. State from earlier
examples is part of what later ones meet, as on a real channel. `TIMEBOX_FUZZ_EXAMPLES=400`
hunts deeper than the 25 examples per surface of a normal run; CI replays fixed examples.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import shutil
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.emulator.driver import Ack, _elements
from bot.emulator.stack import LocalStack
from bot.runtime.clock import ManualClock
from handlers.commands import COMMANDS
from storage.db import Database
from tests.app.test_ready_slack import READY
from tests.conftest import CHANNEL, DEV1, DEV2, PEOPLE, PO, SM
from tests.domain.test_fuzz_parsers import COMMAND_TEXT, MARKUP, NUMBERISH, WORD

T = TypeVar("T")
E2E = settings(
    max_examples=int(os.environ.get("TIMEBOX_FUZZ_EXAMPLES", 25)),  # more for a deeper hunt
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
APOLOGY = "Sorry, something went wrong on my side"


class Recorded(logging.Handler):
    """Log records at ERROR and above: an unhandled error is logged before the apology."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Harness:
    """One running app on its own event loop, and what the user saw of each request."""

    stack: LocalStack
    run: Callable[[Awaitable[T]], T]
    errors: Recorded
    modals: list[dict[str, Any]] = field(default_factory=list)
    # Buttons of a meeting as they were before it ended (an ended meeting's cards lose them):
    # a person may still click one from an old client, so they are fuzzed too.
    stale: list[tuple[Any, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def check(self, send: Callable[[], Awaitable[Ack]], what: str) -> Ack:
        """Sends one request and fails on a non-200 ack, the apology, a traceback, an error
        log or a payload Slack would refuse."""
        emulator = self.stack.emulator
        calls, logged = len(emulator.calls), len(self.errors.records)
        ack = self.run(send())
        assert ack.status == 200, f"{what}: HTTP {ack.status}"
        seen = json.dumps([c.args for c in emulator.calls[calls:]], ensure_ascii=False)
        seen += ack.text
        assert APOLOGY not in seen, f"{what}: answered with the apology"
        assert "Traceback" not in seen, f"{what}: a traceback reached the user"
        errors = [r.getMessage() for r in self.errors.records[logged:]]
        assert errors == [], f"{what}: logged {errors}"
        assert emulator.problems == [], f"{what}: {emulator.problems}"
        return ack


@contextmanager
def harness(template: Path, tmp: Path) -> Iterator[Harness]:
    loop = asyncio.new_event_loop()
    shutil.copy(template, tmp / "timebox.db")
    db = Database(f"sqlite:///{tmp / 'timebox.db'}")
    stack = LocalStack(db, ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
    for user, (name, real_name, tz) in PEOPLE.items():
        stack.emulator.add_user(user, name, real_name=real_name, tz=tz)
    stack.emulator.add_channel(CHANNEL, "team-a", members=[*PEOPLE, "UBOT"])
    errors = Recorded()
    logging.getLogger().addHandler(errors)
    loop.run_until_complete(stack.start())
    try:
        yield Harness(stack, loop.run_until_complete, errors)
    finally:
        logging.getLogger().removeHandler(errors)
        loop.run_until_complete(stack.stop())
        loop.run_until_complete(db.dispose())
        loop.close()


def command(h: Harness, name: str, text: str, user: str = PO) -> Ack:
    return h.check(
        lambda: h.stack.driver.command(name, text, user=user, channel=CHANNEL), f"{name} {text!r}"
    )


def latest(h: Harness, user: str) -> Any:
    return [e for e in h.stack.emulator.ephemerals(CHANNEL, user) if not e.deleted][-1]


def click(h: Harness, label: str, user: str, message: Any = None) -> None:
    h.check(
        lambda: h.stack.driver.click(
            label, user=user, message=message, channel=None if message else CHANNEL
        ),
        f"click {label}",
    )


def keep_modal(h: Harness, user: str, submit: dict[str, Any] | None = None) -> None:
    """Remembers the modal just opened, to submit fuzzed versions of it later; then submits
    it with `submit` (as the meeting needs it), or closes it."""
    view = h.stack.emulator.open_view(user)
    assert view is not None, "a modal opened"
    h.modals.append(copy.deepcopy(view.view))
    if submit is None:
        h.stack.emulator.close_view(view.id)
    else:
        h.check(lambda: h.stack.driver.submit(view, submit, user=user), "submit")


def set_up_a_busy_channel(h: Harness) -> None:
    """Roles, items, a refinement and a planning meeting, a poker round, every form opened."""
    command(h, "/timebox", f"roles po <@{PO}|paula>")
    command(h, "/timebox", f"roles sm <@{SM}|sam>")
    for title in ("Export invoices", "Dark mode", "Audit log", "Spike on search"):
        command(h, "/backlog", f"add {title}", DEV1)
    for number in (1, 2):
        command(h, "/backlog", f"edit {number}")
        view = h.stack.emulator.open_view(PO)
        if number == 1:
            h.modals.append(copy.deepcopy(view.view))
        h.check(lambda v=view: h.stack.driver.submit(v, READY, user=PO), "ready")
    command(h, "/backlog", "import")
    keep_modal(h, PO)
    for text in ("roles", "settings"):
        command(h, "/timebox", text)
        click(h, f"Edit {text}", PO, latest(h, PO))
        keep_modal(h, PO)
    command(h, "/ready", "dor")
    click(h, "Edit Definition of Ready", PO, latest(h, PO))
    keep_modal(h, PO)
    command(h, "/refine", "agenda")
    agenda = latest(h, PO)
    for label in ("Edit lengths and purposes", "Replace with YAML"):
        click(h, label, PO, agenda)
        keep_modal(h, PO)
    for text in ("", "show 1", "health", "2"):
        command(h, "/backlog", text)
    command(h, "/ready", "")
    command(h, "/poker", "", SM)
    command(h, "/poker", "3", SM)
    click(h, "Vote with a reason", DEV1)
    keep_modal(h, DEV1)
    command(h, "/planning", "start", SM)
    click(h, "Write the sprint goal", PO)
    keep_modal(h, PO)
    for label in ("Choose items", "Days off & focus", "Tasks"):
        command(h, "/planning", "next", SM)
        click(h, label, SM)
        keep_modal(h, SM, {} if label == "Choose items" else None)
    command(h, "/planning", "next", SM)  # commit
    h.stale = [
        (container, copy.deepcopy(block), copy.deepcopy(element))
        for container, block, element in interactive(h)
        if element["action_id"].startswith("sprint_")
    ]
    command(h, "/planning", "end", SM)  # its cards lose their buttons; the copies above stay
    command(h, "/refine", "start 45m", SM)
    click(h, "Set the session goal", SM)
    keep_modal(h, SM)
    command(h, "/refine", "next", SM)  # triage cards
    command(h, "/refine", "next", SM)  # deep dive
    command(h, "/refine", "next", SM)  # wrap-up
    click(h, "Add action item", SM)
    keep_modal(h, SM)


@pytest.fixture(scope="module")
def busy(migrated_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """Built once for the module's fuzzing: setting the channel up is the slow part."""
    with harness(migrated_template, tmp_path_factory.mktemp("fuzz")) as h:
        set_up_a_busy_channel(h)
        yield h


USERS = st.sampled_from([PO, SM, DEV1, DEV2])


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_fuzzed_command_text_gets_an_answer_or_guidance(busy: Harness, name: str) -> None:
    @E2E
    @given(text=COMMAND_TEXT, wire=st.booleans(), user=USERS)
    def check(text: str, wire: bool, user: str) -> None:
        # Slack escapes what a person typed; mentions they picked arrive as markup.
        sent = busy.stack.driver.escape(text) if wire else text
        command(busy, name, sent[:4000], user)

    check()


def mutations(original: str | None) -> st.SearchStrategy[str | None]:
    """Values a stale, replayed or hand-made payload could carry for this element."""
    values: list[st.SearchStrategy[str | None]] = [
        st.none(),
        st.just(""),
        NUMBERISH,
        WORD,
        st.text(max_size=40),
        st.sampled_from(["99999999999999999999", "-1", "0", "1.5", "null", "[]", "{}", "[1]"]),
    ]
    if original:
        parts = original.split(":")
        values.append(
            st.lists(st.one_of(NUMBERISH, WORD), min_size=1, max_size=len(parts) + 1).map(":".join)
        )
        try:
            decoded = json.loads(original)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            scalar = st.one_of(st.none(), st.booleans(), st.integers(), NUMBERISH, WORD)
            values.append(
                st.dictionaries(st.sampled_from([*decoded, "x"]), scalar, max_size=4).map(
                    lambda d, base=decoded: json.dumps({**base, **d})
                )
            )
            values.append(
                st.sampled_from(sorted(decoded)).map(
                    lambda k, base=decoded: json.dumps({x: v for x, v in base.items() if x != k})
                )
            )
    return st.one_of(*values)


def interactive(h: Harness) -> list[tuple[Any, dict[str, Any], dict[str, Any]]]:
    """Every button and select on screen in the channel, the bot's DMs and ephemerals."""
    em = h.stack.emulator
    containers = [m for m in em.messages(CHANNEL) if not m.deleted]
    containers += [e for e in em.ephemerals(CHANNEL) if not e.deleted]
    found = []
    for container in containers:
        for block, element in _elements(container.blocks):
            if element.get("type") in ("button", "static_select", "datepicker", "overflow"):
                found.append((container, block, element))
    return found + h.stale


def test_fuzzed_buttons_and_selects_get_an_answer_or_guidance(busy: Harness) -> None:
    elements = interactive(busy)
    kinds = {e["action_id"].split(":")[0] for _, _, e in elements}
    assert {"backlog_open", "item_edit", "poker_reveal", "triage_top", "sprint_goal"} <= kinds

    @E2E
    @given(data=st.data(), user=USERS)
    def check(data: st.DataObject, user: str) -> None:
        container, block, element = data.draw(st.sampled_from(elements), label="element")
        driver = busy.stack.driver
        action = driver._action(block, element)
        kind = element["type"]
        if kind == "button":
            action["text"] = element.get("text")
            action["value"] = data.draw(mutations(element.get("value")), label="value")
        elif kind == "datepicker":
            action["selected_date"] = data.draw(
                st.one_of(st.none(), NUMBERISH, WORD, st.just("2026-13-45")), label="date"
            )
        else:
            options = element.get("options") or []
            original = options[0]["value"] if options else None
            value = data.draw(mutations(original), label="option")
            action["selected_option"] = (
                None
                if value is None
                else {"text": {"type": "plain_text", "text": "x"}, "value": value}
            )
        busy.check(
            lambda: driver._block_actions(container, user, action),
            f"{element['action_id']} {action}",
        )

    check()


def state_strategy(h: Harness, view: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Values a person could enter in each input of the form (the Slack client enforces
    required fields, lengths and number ranges, so those hold)."""
    entries: dict[tuple[str, str], st.SearchStrategy[Any]] = {}
    people = sorted(h.stack.emulator.users)
    for block, element in _elements(view.get("blocks") or []):
        if block.get("type") != "input":
            continue
        kind, key = element["type"], (block["block_id"], element["action_id"])
        options = [o for o in element.get("options") or []]
        if kind == "plain_text_input":
            limit = int(element.get("max_length") or 3000)
            text = st.one_of(
                st.text(max_size=limit),
                st.lists(st.one_of(WORD, MARKUP), max_size=10).map(" ".join),
                st.lists(st.one_of(WORD, MARKUP), max_size=10).map("\n".join),
            ).map(lambda t, n=limit: t[:n])
            entries[key] = text.map(lambda t, k=kind: {"type": k, "value": t or None})
        elif kind == "number_input":
            low = float(element.get("min_value") or 0)
            high = float(element.get("max_value") or 10**6)
            number = st.floats(min_value=low, max_value=high, allow_nan=False)
            if not element.get("is_decimal_allowed"):
                number = st.integers(min_value=int(low), max_value=int(high))
            entries[key] = st.one_of(st.none(), number.map(lambda n: f"{n:g}")).map(
                lambda v, k=kind: {"type": k, "value": v}
            )
        elif kind == "static_select":
            entries[key] = st.one_of(
                st.none(), st.sampled_from(options) if options else st.none()
            ).map(lambda o, k=kind: {"type": k, "selected_option": o})
        elif kind in ("checkboxes", "multi_static_select"):
            entries[key] = (
                st.lists(st.sampled_from(options), unique_by=lambda o: o["value"])
                if options
                else st.just([])
            ).map(lambda o, k=kind: {"type": k, "selected_options": o})
        elif kind == "users_select":
            entries[key] = st.one_of(st.none(), st.sampled_from([*people, "U0NOBODY"])).map(
                lambda u, k=kind: {"type": k, "selected_user": u}
            )
        elif kind == "multi_users_select":
            entries[key] = st.lists(st.sampled_from([*people, "U0NOBODY"]), max_size=4).map(
                lambda u, k=kind: {"type": k, "selected_users": u}
            )
    keys = list(entries)
    return st.tuples(*(entries[k] for k in keys)).map(
        lambda values: _nest(dict(zip(keys, values, strict=True)))
    )


def _nest(flat: dict[tuple[str, str], Any]) -> dict[str, dict[str, Any]]:
    nested: dict[str, dict[str, Any]] = {}
    for (block_id, action_id), entry in flat.items():
        nested.setdefault(block_id, {})[action_id] = entry
    return nested


GARBAGE_METADATA = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "{", "[]", "null", "5", '{"channel": 5}', '{"channel": "C0NONE"}']),
    st.dictionaries(
        st.sampled_from(["channel", "number", "meeting", "sprint", "round", "kind", "x"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers())),
    ).map(json.dumps),
)


def test_fuzzed_form_submissions_get_an_answer_or_guidance(busy: Harness) -> None:
    callbacks = {m["callback_id"] for m in busy.modals}
    assert {"item_edit", "backlog_import", "roles_edit", "settings_edit", "dor_edit"} <= callbacks
    assert {"agenda_edit", "agenda_yaml", "poker_reason", "meeting_goal", "meeting_note"} <= (
        callbacks
    )
    assert {"sprint_goal", "sprint_select", "sprint_capacity", "sprint_tasks"} <= callbacks

    @E2E
    @given(data=st.data(), user=USERS, garbage=st.booleans())
    def check(data: st.DataObject, user: str, garbage: bool) -> None:
        view = copy.deepcopy(data.draw(st.sampled_from(busy.modals), label="modal"))
        view["state"] = {"values": data.draw(state_strategy(busy, view), label="state")}
        if garbage:
            view["private_metadata"] = data.draw(GARBAGE_METADATA, label="metadata")
        driver = busy.stack.driver
        payload = driver._common("view_submission", user)
        payload.update(trigger_id=busy.stack.emulator.new_trigger_id(user), view=view)
        payload["response_urls"] = []
        busy.check(
            lambda: driver._send_interaction(payload),
            f"submit {view['callback_id']} {view['private_metadata']!r} {view['state']}",
        )

    check()


SHARED_FILES = [
    ("mac.csv", b"Summary,Story Points\rOld Mac line ends,3\r"),
    ("latin1.csv", "Summary\nCaf\xe9 cr\xe8me\n".encode("latin-1")),
    ("huge.csv", b'Summary\n"' + b"x" * 200_000 + b'"\nafter it\n'),
    ("nul.csv", b"Summary\nnul\x00byte\n"),
    ("deep.yml", b"sections: " + b"[" * 5_000),  # YAML that is no agenda is left alone
    ("month.yml", b"name: x\nsections: 2026-13-45\n"),
    ("int.yml", b"name: !!int x\n"),
    ("bool.yml", b"kind: !!bool x\n"),
    ("list.yml", b"name: x\nsections:\n  - - kind: planning\n"),
]


@pytest.mark.parametrize(("name", "content"), SHARED_FILES, ids=[n for n, _ in SHARED_FILES])
async def test_shared_files_that_cannot_be_read_get_a_reason(
    slack: LocalStack, name: str, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """A CSV or agenda file shared in the channel is imported, or refused with the reason."""
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
    _, ack = await slack.driver.share_file(PO, CHANNEL, name, content, name.split(".")[1])
    assert ack.status == 200
    [answer] = [m for m in slack.emulator.messages(CHANNEL) if name in m.text]
    assert APOLOGY not in answer.text
    assert any(word in answer.text for word in ("Imported", "not taken", "refused", "Refused"))
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
