"""No control sequence a person types ever reaches Slack as markup.

`<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<#C…>` and `<!subteam^S…>` (with or without a
`|label`) ping or link when Slack renders them. A team's whole life in Timebox runs below with
those sequences typed into every field a person fills in (item fields by command, form and CSV,
goals, action items, vote reasons, renegotiation reasons, review answers, agendas by YAML and
form, task titles, even file names and mistyped arguments), both as Slack sends typed text in a
slash command (`&lt;!channel&gt;`, which the bot reads back as `<!channel>`) and raw (as in
forms, files, and markup Slack itself puts in a command). Then every request the bot made to
Slack is searched for the sequences.

One thing is left out on purpose: the initial values of a form's inputs. Slack shows them as
plain text inside an editable field, never as markup, and they must be exactly what the person
typed, or each save of the form would escape the text once more (`&amp;lt;` …).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, roles

# The ids below belong to nobody in the test workspace, so the bot has no reason of its own
# to ever write them: any of them in a request to Slack is the user's text leaking through.
PINGS = (
    "<!channel> <!here> <!everyone> <@U0EVIL> <#C0EVIL> <!subteam^S0EVIL> "
    "<@U0EVIL|boss> <#C0EVIL|general> <!subteam^S0EVIL|@admins> <!here|here>"
)
NO_MENTIONS = "<!channel> <!here> <!everyone> <#C0EVIL|general> <!subteam^S0EVIL|@admins>"
LEAK = re.compile(r"<(?:!channel|!here|!everyone|@U0EVIL|#C0EVIL|!subteam\^S0EVIL)[|>]")


def without_form_values(value: Any) -> Any:
    """The request with input elements' initial values left out (see the module docstring)."""
    if isinstance(value, dict):
        inner = {k: without_form_values(v) for k, v in value.items()}
        if value.get("type") in ("plain_text_input", "rich_text_input"):
            inner.pop("initial_value", None)
        return inner
    if isinstance(value, list):
        return [without_form_values(v) for v in value]
    return value


def leaks(slack: LocalStack) -> list[str]:
    found = []
    for call in slack.emulator.calls:
        if call.method == "upload":  # a file's content: shown as a file, never as markup
            continue
        sent = json.dumps(without_form_values(call.args), ensure_ascii=False)
        found += [
            f"{call.method}: …{sent[max(0, m.start() - 60) : m.end() + 20]}…"
            for m in LEAK.finditer(sent)
        ]
    return found


async def cmd(slack: LocalStack, command: str, text: str, user: str = PO) -> None:
    ack = await slack.driver.command(command, text, user=user, channel=CHANNEL)
    assert ack.status == 200


async def both(slack: LocalStack, command: str, before: str, user: str = PO, raw: str = PINGS):
    """The command with the sequences as Slack sends typed text, then as markup."""
    await cmd(slack, command, f"{before} {slack.driver.escape(PINGS)}".strip(), user)
    await cmd(slack, command, f"{before} {raw}".strip(), user)


async def submit(slack: LocalStack, user: str, values: dict[str, Any]) -> None:
    view = slack.emulator.open_view(user)
    assert view is not None, "a form is open"
    ack = await slack.driver.submit(view, values, user=user)
    assert ack.status == 200 and not (ack.json or {}).get("errors"), ack.text


async def fill(
    slack: LocalStack, label: str, user: str, values: dict[str, Any], message: Any = None
) -> None:
    """Clicks the button `label` (on `message`, else the newest one in the channel), then
    submits the form it opened with `values`."""
    if message is None:
        await slack.driver.click(label, user=user, channel=CHANNEL)
    else:
        await slack.driver.click(label, user=user, message=message)
    await submit(slack, user, values)


def thread_of(slack: LocalStack, words: str) -> list[Any]:
    [top] = [m for m in slack.emulator.messages(CHANNEL) if words in m.text and not m.thread_ts][
        -1:
    ]
    return slack.emulator.thread(CHANNEL, top.ts)


ITEM_FORM = {
    "Title": PINGS,
    "Value hypothesis": PINGS,
    "Acceptance criteria": f"- {PINGS}\n- {NO_MENTIONS}",
    "Dependencies": f"[x] {PINGS}\n[ ] {NO_MENTIONS}",
    "Estimate (story points)": "3",
    "Owner": DEV1,
    "Epic": PINGS[:120],
    "Labels": PINGS.replace(" ", ", ")[:500],
}
CSV = (
    "Summary,Description,Acceptance Criteria,Story Points,Issue Type,Priority,Labels,Epic,"
    "Dependencies\n"
    + ",".join(
        f'"{PINGS}"' if c not in (3, 4, 5) else v
        for c, v in enumerate(["", "", "", "5", "Story", "High", "", "", ""])
    )
    + "\n"
    + f'"{PINGS}",,,"{PINGS}",Story,,,,\n'  # refused: its points echo in the reason
    + f'"{PINGS}",,,,"{PINGS}",,,,\n'  # refused: its issue type echoes in the reason
)


def titled(source: str) -> str:
    """The CSV with its one good row's title its own: a title already open is not imported
    again."""
    return CSV.replace(f'\n"{PINGS}",', f'\n"{PINGS} {source}",', 1)


AGENDA_YAML = (
    f"name: '{PINGS}'\nminutes: 30\nsections:\n"
    f"  - title: '{PINGS[:80]}'\n    minutes: 10\n    purpose: '{PINGS}'\n"
    "    actions: [goal, triage]\n"
    f"  - title: '{NO_MENTIONS[:80]}'\n    minutes: 10\n    purpose: '{PINGS}'\n"
    "    actions: [deep_dive]\n"
    "  - title: Wrap\n    minutes: 10\n    actions: [wrapup]\n"
)


async def test_nothing_a_person_types_reaches_slack_as_a_ping_or_link(slack: LocalStack):
    await roles(slack)
    # Items: titles by command (#1, #2), every field by the form (#1), then CSV (#3...).
    await both(slack, "/backlog", "add", DEV1)
    await cmd(slack, "/backlog", "edit 1")
    await submit(slack, PO, ITEM_FORM)
    await cmd(slack, "/backlog", "import")
    await submit(slack, PO, {"csv": titled("pasted")})
    assert "Refused 2 rows" in last_ephemeral(slack).text
    await slack.driver.share_file(PO, CHANNEL, f"{PINGS}.csv", titled("shared").encode(), "csv")
    for text in ("", "show 1", "show 2", "health", "export md", "export csv"):
        await cmd(slack, "/backlog", text)
    await cmd(slack, "/ready", "dor")
    await fill(
        slack,
        "Edit Definition of Ready",
        PO,
        {"questions": f"{PINGS}?\n{NO_MENTIONS}?"},
        last_ephemeral(slack),
    )
    await cmd(slack, "/backlog", "edit 1")  # the team's questions, as checkboxes
    await submit(slack, PO, {})
    for text in ("", "1", "dor"):
        await cmd(slack, "/ready", text)
    # Mistakes echo what was typed.
    for command, before in (
        ("/backlog", "show"),
        ("/backlog", "move 1"),
        ("/backlog", ""),
        ("/timebox", "settings timezone"),
        ("/poker", "deck"),
        ("/poker", "async 1 until"),
        ("/refine", "start"),
        ("/ready", "remind at"),
        ("/sprint", ""),
    ):
        await both(slack, command, before)
    # Agendas: a YAML file shared, the YAML form, the lengths-and-purposes form.
    await slack.driver.share_file(PO, CHANNEL, f"{PINGS}.yml", AGENDA_YAML.encode(), "yaml")
    await cmd(slack, "/refine", "agenda")
    await fill(slack, "Replace with YAML", PO, {"yaml": AGENDA_YAML}, last_ephemeral(slack))
    await fill(
        slack,
        "Edit lengths and purposes",
        PO,
        {"purpose-0": PINGS, "purpose-1": NO_MENTIONS, "purpose-2": PINGS},
        last_ephemeral(slack),
    )
    await cmd(slack, "/refine", "agenda")
    # Planning poker, with reasons, revealed.
    await cmd(slack, "/poker", "1", SM)
    for voter in (DEV1, DEV2, DEV3):
        await fill(slack, "Vote with a reason", voter, {"card": "5", "reason": PINGS})
    await cmd(slack, "/poker", "history 1", SM)
    # A refinement session: goals, action items, triage, deep dive, minutes.
    await cmd(slack, "/refine", "start", SM)
    await both(slack, "/refine", "goal", SM)
    await fill(slack, "Set the session goal", SM, {"goal": PINGS})
    await both(slack, "/refine", "note", SM, raw=NO_MENTIONS)
    for _ in range(2):
        await cmd(slack, "/refine", "next", SM)
    await fill(slack, "Add action item", SM, {"text": PINGS})
    await cmd(slack, "/refine", "end", SM)
    await cmd(slack, "/refine", "history", SM)
    # Sprint planning: goal, unready item taken with a reason, tasks, commitment.
    await cmd(slack, "/planning", "start", SM)
    await both(slack, "/planning", "goal", PO)
    await fill(slack, "Write the sprint goal", PO, {"goal": PINGS, "one_thing": PINGS})
    await cmd(slack, "/planning", "next", SM)
    await fill(slack, "Choose items", SM, {"override": "2", "override_reason": PINGS})
    await both(slack, "/planning", "add 3", SM)
    await cmd(slack, "/planning", "next", SM)
    await cmd(slack, "/planning", "next", SM)
    await fill(slack, "Tasks", SM, {"tasks": f"{PINGS} 2h\n- {NO_MENTIONS}: 1.5 hours"})
    await cmd(slack, "/planning", "commit team", SM)
    # The sprint: renegotiated with reasons, shown, closed with a review answer.
    await both(slack, "/sprint", "add 4", PO)  # #4 is not ready: the PO takes it in
    await both(slack, "/sprint", "remove 4", DEV1)
    for text in ("", "tasks 1", "done 1", "export md"):
        await cmd(slack, "/sprint", text, DEV1)
    slack.clock.advance(timedelta(days=13))
    await cmd(slack, "/sprint", "close", SM)
    await submit(slack, SM, {"review": PINGS})
    # Reminders and the Home tab show titles too.
    await cmd(slack, "/ready", "remind at 09:30", PO)
    slack.clock.advance(timedelta(days=1))
    await slack.services.jobs.run_due()
    await slack.settle()
    await slack.driver.event({"type": "app_home_opened", "user": DEV1, "tab": "home"})

    sent = {c.method for c in slack.emulator.calls}
    assert {"chat.postMessage", "chat.postEphemeral", "chat.update", "response_url"} <= sent
    assert {"views.open", "views.publish"} <= sent
    shown = json.dumps([c.args for c in slack.emulator.calls], ensure_ascii=False)
    for escaped in ("&lt;!channel&gt;", "&lt;@U0EVIL|boss&gt;", "&lt;!subteam^S0EVIL|@admins&gt;"):
        assert escaped in shown, "the text is shown, escaped, not dropped"
    posted = [json.dumps(m.blocks) + m.text for m in slack.emulator.messages(CHANNEL)]
    for step in ("closed:", "Minutes of the", "Sprint 1 is committed", "renegotiated", "(5):"):
        [text] = [t for t in posted if step in t][-1:] or [""]
        assert "&lt;!channel&gt;" in text, f"the scenario reached {step!r}, user text escaped"
        assert "&amp;lt;" not in text, f"{step!r}: escaped once, never twice"
    found = leaks(slack)
    assert not found, f"{len(found)} leaks:\n" + "\n".join(found)
