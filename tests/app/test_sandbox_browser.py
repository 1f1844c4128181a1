"""The sandbox page in a real browser: Debian's Chromium, driven by Playwright for Python.

It needs `pip install playwright` and `apt-get install chromium` (never `playwright install`:
Debian's Chromium is used as it is). Without either, every test here is skipped, saying why.
The scenario's screenshot lands in test-artifacts/sandbox.png for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.page import make_page
from bot.sandbox.seed import CHANNEL, DEVS, PO, SM
from bot.sandbox.server import Sandbox

CHROMIUM = Path(os.environ.get("TIMEBOX_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

async_api = pytest.importorskip(
    "playwright.async_api",
    reason="playwright is not installed: `.venv/bin/pip install playwright` to run the browser "
    "tests (they use Debian's Chromium; do not run `playwright install`)",
    exc_type=ImportError,  # a broken install is skipped with the same reason
)
if not CHROMIUM.exists():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (or set TIMEBOX_CHROMIUM)",
        allow_module_level=True,
    )
expect = async_api.expect
KENJI, BEA, ARJUN = DEVS


def _png(width: int, height: int) -> bytes:
    """A small grey PNG, like a chart the bot might upload."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png(2, 2)
DEMO_BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "Sprint review"}},
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "Notes are on <https://example.com/board|the board>."},
        "fields": [
            {"type": "mrkdwn", "text": "*Goal:* Invoices by card"},
            {"type": "mrkdwn", "text": "*Done:* 21 pts"},
        ],
        "accessory": {
            "type": "overflow",
            "action_id": "demo_more",
            "options": [
                {"text": {"type": "plain_text", "text": "Move to Friday"}, "value": "friday"},
                {"text": {"type": "plain_text", "text": "Cancel it"}, "value": "cancel"},
            ],
        },
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "by <@U0INES>"}]},
    {"type": "divider"},
    {"type": "image", "slack_file": {"id": "<chart>"}, "alt_text": "burndown"},
    {
        "type": "actions",
        "elements": [
            {"type": "datepicker", "action_id": "demo_day"},
            {
                "type": "static_select",
                "action_id": "demo_size",
                "placeholder": {"type": "plain_text", "text": "Room size"},
                "options": [
                    {"text": {"type": "plain_text", "text": "Small"}, "value": "s"},
                    {"text": {"type": "plain_text", "text": "Large"}, "value": "l"},
                ],
            },
        ],
    },
]


@pytest.fixture
async def sandbox_url(sandbox: Sandbox) -> AsyncIterator[str]:
    server = TestServer(make_page(sandbox), host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/"))
    finally:
        await server.close()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with async_api.async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Any, sandbox_url: str) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport={"width": 1360, "height": 860})
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    await open_as(tab, sandbox_url, PO.id)
    yield tab
    await context.close()
    assert errors == [], "the page's JavaScript failed"


async def open_as(tab: Any, url: str, user: str) -> None:
    await tab.goto(f"{url}?as={user}")
    await tab.wait_for_selector("body.ready")


async def run_command(tab: Any, text: str) -> None:
    composer = tab.get_by_label("Message or slash command")
    await composer.fill(text)
    await composer.press("Enter")


async def press(tab: Any, button: Any) -> None:
    """Clicks and waits until the sandbox has handed the click to the bot and it is done."""
    async with tab.expect_response(lambda response: "/api/action" in response.url):
        await button.click()


def last_message(tab: Any) -> Any:
    return tab.locator("#messages .msg").last


async def test_list_the_backlog_open_an_item_edit_it_and_see_the_change(page):
    await page.get_by_label("Message or slash command").fill("/back")
    suggestion = page.get_by_role("listbox").get_by_role("option")
    await expect(suggestion).to_have_count(1)
    await expect(suggestion).to_contain_text("/backlog")
    await expect(suggestion).to_contain_text("add <title>")
    await run_command(page, "/backlog")
    listing = last_message(page)
    await expect(listing).to_contain_text("Only visible to you")
    await expect(listing).to_contain_text("Product backlog")
    await expect(listing).to_contain_text("12 items · page 1 of 1")

    row = listing.locator(".bk-section", has_text="Export invoices as PDF")
    await row.get_by_role("button", name="Open").click()
    detail = last_message(page)
    await expect(detail).to_contain_text("#4 Export invoices as PDF")
    await expect(detail).to_contain_text("no acceptance criteria")

    await detail.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Edit #4")
    await expect(dialog.get_by_label("Title")).to_have_value("Export invoices as PDF")
    await dialog.get_by_label("Acceptance criteria").fill(
        "- The PDF shows the company logo\n- Totals match the invoice"
    )
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog).to_be_hidden()
    await expect(last_message(page)).to_contain_text("changed acceptance criteria")

    await run_command(page, "/backlog show 4")
    item = last_message(page)
    await expect(item).to_contain_text("The PDF shows the company logo")
    await expect(item).to_contain_text("Totals match the invoice")
    await expect(item).not_to_contain_text("no acceptance criteria")
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "sandbox.png"))


async def test_a_form_error_shows_under_its_field_and_keeps_what_was_typed(page):
    await run_command(page, "/backlog edit 6")
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Title").fill("")
    await dialog.get_by_label("Epic").fill("Bulk editing")
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog.locator("[data-block-id=title] .bk-error")).to_have_text(
        "Please fill in this field."
    )
    await dialog.get_by_label("Title").fill("   ")
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog.locator("[data-block-id=title] .bk-error")).to_contain_text(
        "An item needs a title"
    )
    await expect(dialog.get_by_label("Epic")).to_have_value("Bulk editing")
    await page.screenshot(path=str(ARTIFACTS / "sandbox-modal.png"))


async def test_settings_and_roles_forms_use_selects_checkboxes_and_people_pickers(page):
    await run_command(page, "/timebox settings")
    await last_message(page).get_by_role("button", name="Edit settings").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Time zone").fill("Mars/Base")
    await dialog.get_by_label("Sprint length").select_option(label="3 weeks")
    await dialog.get_by_role("checkbox", name="Fri").uncheck()
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog.locator("[data-block-id=timezone] .bk-error")).to_contain_text(
        "is not a time zone I know"
    )
    await expect(dialog.get_by_role("checkbox", name="Fri")).not_to_be_checked()
    await dialog.get_by_label("Time zone").fill("Asia/Tokyo")
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog).to_be_hidden()
    settings = last_message(page)
    await expect(settings).to_contain_text("Sprint length: 3 weeks")
    await expect(settings).to_contain_text("Working days: Mon, Tue, Wed, Thu")
    await expect(settings).to_contain_text("Time zone: Asia/Tokyo")

    await run_command(page, "/timebox roles")
    await last_message(page).get_by_role("button", name="Edit roles").click()
    developers = dialog.locator("[data-block-id=dev]")
    await expect(developers).to_contain_text("Arjun Mehta")
    await developers.get_by_role("button", name="Remove Arjun Mehta").click()
    await dialog.get_by_role("button", name="Save").click()
    await expect(dialog).to_be_hidden()
    roles = last_message(page)
    await expect(roles).to_contain_text("Developers: @Kenji Sato, @Beatriz Costa")
    await expect(roles).not_to_contain_text("Arjun")


async def test_shared_files_images_and_thread_replies(page):
    csv = b"Summary,Story Points\nInvoice templates,3\nCredit notes,5\n"
    await page.set_input_files(
        "#file-input", files=[{"name": "more.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    shared = page.locator("#messages .msg", has_text="more.csv")
    await expect(shared.locator(".file-card")).to_contain_text("CSV")
    await shared.get_by_role("button", name=re.compile("1 reply")).click()
    thread = page.locator("#thread")
    await expect(thread).to_contain_text("Imported 2 items (#20–#21)")
    await thread.get_by_label("Reply in thread").fill("thanks, bot")
    await thread.get_by_label("Reply in thread").press("Enter")
    await expect(thread).to_contain_text("thanks, bot")
    await expect(shared).to_contain_text("2 replies")

    await page.set_input_files(
        "#file-input", files=[{"name": "burndown.png", "mimeType": "image/png", "buffer": PNG}]
    )
    image = page.locator("#messages .file-image img").last
    await expect(image).to_have_attribute("alt", "burndown.png")
    width = await image.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert width == 2, "the PNG is shown as an image, loaded from the sandbox"


async def test_block_kit_elements_are_drawn_and_send_block_actions(page, sandbox):
    actions: list[dict[str, Any]] = []

    async def heard(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        actions.append(body["actions"][0])

    for action_id in ("demo_more", "demo_day", "demo_size"):
        sandbox.stack.app.action(action_id)(heard)
    chart = sandbox.emulator.share_file(PO.id, CHANNEL, "burndown.png", PNG, "png")
    blocks = json.loads(json.dumps(DEMO_BLOCKS).replace("<chart>", chart["id"]))
    client = AsyncWebClient(token=sandbox.emulator.bot_token, base_url=sandbox.emulator.api_url)
    await client.chat_postMessage(channel=CHANNEL, text="Sprint review", blocks=blocks)

    message = page.locator("#messages .msg", has_text="Sprint review")
    await expect(message.locator(".bk-header")).to_have_text("Sprint review")
    await expect(message.locator(".bk-fields")).to_contain_text("Goal: Invoices by card")
    await expect(message.locator(".bk-context")).to_contain_text("by @Inés Álvarez")
    await expect(message.locator("hr.bk-divider")).to_have_count(1)
    chart_image = message.get_by_role("img", name="burndown")
    width = await chart_image.evaluate("img => img.decode().then(() => img.naturalWidth)")
    assert width == 2, "an image block's slack_file is shown from the sandbox"
    await expect(message.get_by_role("link", name="the board")).to_have_attribute(
        "href", "https://example.com/board"
    )
    await message.get_by_role("button", name="More actions").click()
    await message.get_by_role("button", name="Move to Friday").click()
    await message.locator("input[type=date]").fill("2026-03-06")
    await message.locator("select").select_option(label="Large")
    for _ in range(50):  # the page sends each one without waiting; allow it 5 s
        if len(actions) == 3:
            break
        await page.wait_for_timeout(100)
    assert [a["action_id"] for a in actions] == ["demo_more", "demo_day", "demo_size"]
    assert actions[0]["selected_option"]["value"] == "friday"
    assert actions[1]["selected_date"] == "2026-03-06"
    assert actions[2]["selected_option"]["value"] == "l"


async def test_ephemerals_are_per_person_and_the_clock_moves(page, sandbox_url):
    await run_command(page, "/backlog show 7")
    await expect(last_message(page)).to_contain_text("21 points: split it")
    await run_command(page, "/teleport 1")
    await expect(last_message(page)).to_contain_text("/teleport is not a command Timebox knows")

    await page.get_by_label("Viewing as").select_option(KENJI.id)
    await expect(page.locator("#sidebar-foot")).to_contain_text("Kenji Sato")
    await expect(page.locator("#messages .msg")).to_have_count(0)
    clock = page.locator("#clock-now")
    await expect(clock).to_have_text(re.compile(r"Mon, Mar 2, 5:\d\d PM · Tokyo"))
    await page.get_by_role("button", name="Tomorrow 09:00").click()
    await expect(clock).to_have_text(re.compile(r"Tue, Mar 3, 9:0\d AM · Tokyo"))
    await page.get_by_role("button", name="+1 hour").click()
    await expect(clock).to_have_text(re.compile(r"Tue, Mar 3, 10:0\d AM · Tokyo"))

    await page.get_by_role("button", name="Timebox").click()
    await expect(page.locator(".home")).to_contain_text("Show prices in the customer")


async def test_mrkdwn_is_drawn_as_slack_draws_it(page):
    html = await page.evaluate(
        """async () => {
          const { mrkdwn } = await import("/static/mrkdwn.js");
          const people = { U0KENJI: { real_name: "Kenji Sato" } };
          const ctx = {
            me: "U0KENJI", tz: "Asia/Tokyo", now: () => 1772438400,
            person: (id) => people[id], channelName: (id) => ({ C0TEAMDEMO: "team-demo" })[id],
          };
          const text = "*bold* _it_ ~gone~ `x<y` <https://example.com|a link> <@U0KENJI> "
            + "<#C0TEAMDEMO> <!here> &amp; &lt;b&gt; 2*3*4 :white_check_mark:\\n&gt; quoted\\n"
            + "```a *b*```<!date^1772445600^{date_short_pretty} at {time}|2026-03-02 10:00 UTC>";
          return mrkdwn(text, ctx);
        }"""
    )
    assert "<b>bold</b> <i>it</i> <s>gone</s>" in html
    assert '<code class="mk-code">x&lt;y</code>' in html
    assert 'href="https://example.com"' in html and ">a link</a>" in html
    assert ">@Kenji Sato</span>" in html and "mk-mention-me" in html
    assert ">#team-demo</span>" in html and ">@here</span>" in html
    assert "&amp; &lt;b&gt; 2*3*4 ✅" in html, "entities decoded once; no bold inside words"
    assert '<span class="mk-quote">quoted</span>' in html
    assert '<pre class="mk-pre">a *b*</pre>' in html
    assert ">Today at 7:00 PM</span>" in html, "10:00 UTC in Tokyo, relative to sandbox time"


async def test_planning_poker_round_with_three_voters(page, sandbox_url):
    """The issue's full scenario: start a round, vote as the three developers (which reveals
    it), accept."""
    await page.get_by_label("Viewing as").select_option(SM.id)
    await run_command(page, "/poker 1")
    board = page.locator("#messages .msg", has_text="Planning poker").last
    await expect(board).to_contain_text("Customers pay an invoice by card")
    for developer in (KENJI, BEA, ARJUN):
        await page.get_by_label("Viewing as").select_option(developer.id)
        await expect(page.locator("#sidebar-foot")).to_contain_text(developer.real_name)
        await press(page, board.get_by_role("button", name="5", exact=True))
    await page.get_by_label("Viewing as").select_option(SM.id)
    # The three are the team's developers: the last vote reveals the round, and the poll
    # shows it at its next redraw (pressing Reveal meanwhile raced that redraw).
    await expect(board).to_contain_text("Revealed")
    accept = page.locator("#messages, #thread").get_by_role("button", name=re.compile(r"^Accept 5"))
    if not await accept.count():  # the facilitator may decide in the round's thread
        await board.get_by_role("button", name=re.compile(r"\d+ repl")).click()
    await press(page, accept.first)  # done before the item is shown
    await run_command(page, "/backlog show 1")
    await expect(last_message(page)).to_contain_text("Estimate: 5 pts")


# -- issue 13, point 12 ------------------------------------------------------------------------


async def test_open_the_poll_opens_the_poll_message_inside_the_page(page, sandbox_url):
    await page.get_by_label("Viewing as").select_option(SM.id)
    await run_command(page, "/poker async 1 for 24h")
    await expect(page.locator("#messages .msg", has_text="Estimation poll")).to_have_count(1)
    await page.get_by_label("Viewing as").select_option(KENJI.id)
    await page.get_by_role("button", name="Timebox").click()
    link = page.locator(".home").get_by_role("link", name="open the poll")
    origin = sandbox_url.rstrip("/")
    await expect(link).to_have_attribute("href", re.compile(rf"^{re.escape(origin)}/archives/"))
    await link.click()
    await expect(page).to_have_url(re.compile(rf"/archives/{CHANNEL}/p\d+"))
    assert len(page.context.pages) == 1, "no tab opened on a slack.com address"
    poll = page.locator("#messages .msg.msg-highlight")
    await expect(poll).to_have_count(1)
    await expect(poll).to_contain_text("Estimation poll")
    await expect(poll).to_be_in_viewport()
    await expect(page.locator("#main-head")).to_contain_text("team-demo")

    await page.reload()  # the address alone opens the message too
    await page.wait_for_selector("body.ready")
    await expect(page.locator("#messages .msg.msg-highlight")).to_contain_text("Estimation poll")


async def test_at_offers_the_sandboxs_people_and_the_page_tells_their_handles(page, sandbox):
    intro = page.locator("#messages .intro")
    for person in (PO, SM, KENJI, BEA, ARJUN):
        await expect(intro).to_contain_text(f"@{person.name}")
    await expect(page.locator("#sidebar-foot")).to_contain_text("@ines")
    composer = page.get_by_label("Message or slash command")
    await composer.fill("/timebox roles sm @")
    people = page.get_by_role("listbox").get_by_role("option")
    await expect(people).to_have_count(5)
    await composer.press_sequentially("be")
    await expect(people).to_have_count(1)
    await expect(people).to_contain_text("Bea")  # the display name
    await expect(people).to_contain_text("Beatriz Costa")
    await expect(people).to_contain_text("@bea")  # the handle
    await composer.press("Enter")
    await expect(composer).to_have_value("/timebox roles sm @bea ")
    await composer.press("Enter")
    await expect(last_message(page)).to_contain_text("Beatriz Costa")
    async with sandbox.db.transaction() as store:
        from bot.domain.teams import Roles

        team = await store.team(sandbox.emulator.team_id, CHANNEL)
        assert Roles.of(team).sm == (BEA.id,)
    await composer.fill("thanks @kenj")
    await expect(people).to_have_count(1)
    await people.click()
    await expect(composer).to_have_value("thanks @kenji ")


async def test_a_form_opens_with_the_cursor_on_its_focus_on_load_input(page):
    await run_command(page, "/ready")
    report = last_message(page)
    row = report.locator(".bk-section", has_text="Export invoices as PDF")
    await row.get_by_role("button", name="Add criteria").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("Edit #4")
    focused = await page.evaluate(
        "() => document.activeElement.closest('[data-block-id]')?.dataset.blockId"
    )
    assert focused == "acceptance", "the cursor is where the item is missing something"
    await expect(dialog.get_by_label("Acceptance criteria")).to_be_focused()


async def test_a_thread_opens_at_its_latest_reply(page, sandbox):
    await sandbox.post(BEA.id, CHANNEL, "Who takes the invoice bug?")
    [parent] = [m for m in sandbox.emulator.messages(CHANNEL) if not m.thread_ts]
    for n in range(1, 31):
        await sandbox.post(KENJI.id if n % 2 else ARJUN.id, CHANNEL, f"reply {n}", parent.ts)
    shared = page.locator("#messages .msg", has_text="Who takes the invoice bug?")
    await shared.get_by_role("button", name=re.compile("30 replies")).click()
    thread = page.locator("#thread")
    await expect(thread.locator(".msg").last).to_contain_text("reply 30")
    await expect(thread.locator(".msg").last).to_be_in_viewport()
    await expect(thread.locator(".msg").first).not_to_be_in_viewport()


async def test_private_answers_fade_on_reload_as_slacks_do(page, sandbox):
    await sandbox.post(BEA.id, CHANNEL, "Morning all")
    await run_command(page, "/backlog show 4")
    await expect(last_message(page)).to_contain_text("Only visible to you")
    await page.reload()
    await page.wait_for_selector("body.ready")
    await expect(page.locator("#messages .msg", has_text="Morning all")).to_have_count(1)
    await expect(page.locator("#messages .msg-ephemeral")).to_have_count(0)
    await run_command(page, "/backlog show 5")
    await expect(page.locator("#messages .msg-ephemeral")).to_have_count(1)
    await expect(last_message(page)).to_contain_text("Show prices in the customer")


async def test_the_nudges_open_the_poll_button_stays_in_the_page(page):
    await page.get_by_label("Viewing as").select_option(SM.id)
    await run_command(page, "/poker async 1 for 2h")
    await page.get_by_role("button", name="+1 hour").click()  # half time: the nudge
    await page.get_by_label("Viewing as").select_option(KENJI.id)
    await page.get_by_role("button", name="Timebox").click()
    await page.get_by_role("button", name="Messages").click()
    nudge = page.locator("#messages .msg", has_text="Open the poll").last
    await nudge.get_by_role("button", name="Open the poll").click()
    await expect(page).to_have_url(re.compile(rf"/archives/{CHANNEL}/p\d+"))
    assert len(page.context.pages) == 1, "no tab opened on a slack.com address"
    poll = page.locator("#messages .msg.msg-highlight")
    await expect(poll).to_contain_text("Estimation poll")
    await expect(poll).to_be_in_viewport()
