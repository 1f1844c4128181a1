"""The product backlog end to end: signed Slack requests in, Web API calls out, via the emulator."""

from __future__ import annotations

import codecs
import json
from typing import Any

from sqlalchemy import text

from bot.emulator.stack import LocalStack
from tests.conftest import CHANNEL, DEV1, PO, SM

JIRA_CSV = (
    "Summary,Issue Type,Story Points,Description,Acceptance Criteria,Priority\n"
    'Export invoices,Story,5,By exporting we expect fewer tickets,"PDF\nCSV",High\n'
    ",Bug,3,,,Low\n"
    "Dark mode,Story,lots,,,Low\n"
)


def shown(message: Any) -> str:
    """Everything a person would read in a message (text and every block), as Slack shows it."""
    raw = message.text + json.dumps(message.blocks, ensure_ascii=False)
    return raw.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def last_ephemeral(slack: LocalStack, user: str = PO) -> Any:
    ephemerals = [e for e in slack.emulator.ephemerals(CHANNEL, user) if not e.deleted]
    assert ephemerals, f"{user} saw no private answer"
    return ephemerals[-1]


async def backlog(slack: LocalStack, text: str = "", user: str = PO) -> Any:
    """Runs `/backlog text`; returns the private answer, if the command gave one."""
    before = len(slack.emulator.ephemerals(CHANNEL, user))
    ack = await slack.driver.command("/backlog", text, user=user, channel=CHANNEL)
    assert ack.status == 200 and ack.text == "", "slash commands are acked empty at once"
    after = slack.emulator.ephemerals(CHANNEL, user)
    return after[-1] if len(after) > before else None


def file_shared(file: dict[str, Any], **extra: str) -> dict[str, Any]:
    """The file_shared event of `file`, shared by the PO in the team's channel."""
    return {
        "type": "file_shared",
        "file_id": file["id"],
        "user_id": PO,
        "channel_id": CHANNEL,
        "file": {"id": file["id"]},
        **extra,
    }


async def add(slack: LocalStack, *titles: str) -> None:
    for title in titles:
        await backlog(slack, "add " + slack.driver.escape(title), user=DEV1)


async def name_po(slack: LocalStack, po: str = PO) -> None:
    """The team is set up with its Product Owner (nobody becomes one by acting first)."""
    await slack.driver.command("/timebox", f"roles po <@{po}>", user=po, channel=CHANNEL)


async def test_any_member_adds_items_that_land_at_the_bottom_as_new(slack):
    answer = await backlog(slack, "add Export invoices as PDF", user=DEV1)
    assert "Added *#1* Export invoices as PDF as the first item of the backlog." in answer.text
    second = await backlog(slack, "add Second item", user=DEV1)
    assert "Added *#2* Second item at the bottom of the backlog (position 2)." in second.text
    listing = await backlog(slack)
    rows = [b for b in listing.blocks if b.get("block_id", "").startswith("item-")]
    assert [b["block_id"] for b in rows] == ["item-1", "item-2"]
    assert "*1.* *#1* Export invoices as PDF" in rows[0]["text"]["text"]
    assert "Story · unestimated · :warning: not ready" in rows[0]["text"]["text"]
    assert rows[0]["accessory"]["text"]["text"] == "Open"
    assert slack.emulator.messages(CHANNEL) == [], "answers are private, the channel stays quiet"


async def test_control_sequences_in_titles_are_shown_as_typed_and_ping_nobody(slack):
    await add(slack, "<!channel> & <@U123> <!here>")
    await backlog(slack, "show 1")
    for call in slack.emulator.calls:
        sent = json.dumps(call.args)
        for sequence in ("<!channel>", "<!here>", "<@U123>"):
            assert sequence not in sent, f"{sequence} reached Slack unescaped in {call.method}"
    detail = last_ephemeral(slack)
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;!here&gt;" in json.dumps(detail.blocks)
    assert "#1 <!channel> & <@U123> <!here>" in shown(detail), "shown as typed"


async def test_the_list_pages_within_slacks_limits(slack):
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        from bot.domain.backlog import ItemFields

        for n in range(1, 46):
            await store.add_item(team, ItemFields(title=f"Item {n}"), PO, slack.clock.now())
    first = await backlog(slack)
    assert len(first.blocks) <= 50
    assert "45 items · page 1 of 3" in shown(first)
    await slack.driver.click("Next ▶", user=PO, message=first)
    second = last_ephemeral(slack)
    assert second.ts == first.ts and second.replaced, "paging replaces the list in place"
    assert "*21.* *#21* Item 21" in shown(second) and "#20 " not in shown(second)
    await slack.driver.click("Next ▶", user=PO, message=second)
    third = last_ephemeral(slack)
    assert "*45.* *#45* Item 45" in shown(third) and "Next" not in shown(third)


async def test_open_shows_the_item_with_readiness_and_history(slack):
    await add(slack, "Dark mode", "Export invoices")
    await name_po(slack)
    await backlog(slack, "move 2 top")
    listing = await backlog(slack)
    await slack.driver.click("Open", user=PO, message=listing)  # the first row: #2
    detail = last_ephemeral(slack)
    assert detail.blocks[0]["text"]["text"] == "#2 Export invoices"
    assert "*Position:* 1" in shown(detail)
    assert (
        "*Not ready:* no value hypothesis or description; no acceptance criteria; not estimated"
        in shown(detail)
    )
    assert f"<@{PO}> moved from position 2 to 1" in shown(detail)
    assert f"<@{DEV1}> created" in shown(detail) and "<!date^" in shown(detail)


async def test_edit_modal_saves_every_field_and_the_item_becomes_ready(slack):
    await add(slack, "Export invoices")
    await backlog(slack, "edit 1")
    view = slack.emulator.open_view(PO)
    assert view is not None and view.callback_id == "item_edit"
    await slack.driver.submit(
        view,
        {
            "Title": "Export invoices as PDF",
            "Value hypothesis": "By exporting invoices we expect 20% fewer support tickets",
            "Type": "Bug",
            "Acceptance criteria": "- PDF has the logo\n- totals match",
            "Dependencies": "[x] billing API\n[ ] legal review",
            "Estimate (story points)": "5",
            "Owner": DEV1,
            "Epic": "Billing",
            "Labels": "finance, pdf",
        },
        user=PO,
    )
    assert slack.emulator.open_view(PO) is None, "a valid form closes"
    saved = last_ephemeral(slack)
    assert "Saved *#1* Export invoices as PDF: changed title, hypothesis, type" in saved.text
    assert "Not ready yet: depends on legal review, not resolved." in saved.text
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        item = await store.item(team.id, 1)
        assert (item.type, item.estimate, item.owner, item.epic) == ("bug", 5.0, DEV1, "Billing")
        assert item.acceptance_criteria == ["PDF has the logo", "totals match"]
        assert item.labels == ["finance", "pdf"]
        assert item.dependencies == [
            {"text": "billing API", "resolved": True},
            {"text": "legal review", "resolved": False},
        ]
    # The one-click fix: open the item, press Edit, tick the dependency; it turns ready.
    await backlog(slack, "show 1")
    await slack.driver.click("Edit", user=PO, message=last_ephemeral(slack))
    await slack.driver.submit(
        slack.emulator.open_view(PO),
        {"Dependencies": "[x] billing API\n[x] legal review"},
        user=PO,
    )
    assert "It is ready for sprint planning." in last_ephemeral(slack).text
    await backlog(slack)
    assert ":white_check_mark: ready" in shown(last_ephemeral(slack))


async def test_a_blank_title_is_refused_in_the_form_and_nothing_is_lost(slack):
    await add(slack, "Export invoices")
    await backlog(slack, "edit 1")
    view = slack.emulator.open_view(PO)
    ack = await slack.driver.submit(view, {"Title": "   ", "Epic": "Billing"}, user=PO)
    assert ack.json == {
        "response_action": "errors",
        "errors": {
            "title": "An item needs a title, e.g. \u201c/backlog add Export invoices as PDF\u201d."
        },
    }
    assert slack.emulator.open_view(PO) is not None, "the form stays open with what was typed"


async def test_only_the_po_orders_and_a_channel_without_one_is_offered_its_setup(slack):
    await add(slack, "A", "B", "C")
    # Issue 13, point 5: the first to order does not become the PO; the team is set up.
    offer = await backlog(slack, "move 3 top", user=PO)
    assert "This channel has no Scrum roles yet, so nobody can order the product backlog" in (
        offer.text
    )
    assert "Set up the team" in shown(offer)
    await name_po(slack)
    await backlog(slack, "move 3 top", user=PO)
    assert "Moved #3 from position 3 to 1." in last_ephemeral(slack).text
    refused = await backlog(slack, "move 1 top", user=DEV1)
    assert "Only the Product Owner can order the product backlog" in refused.text
    assert f"Ask <@{PO}>." in refused.text
    await backlog(slack, "move 2 before 3", user=PO)
    listing = await backlog(slack)
    order = [b["block_id"] for b in listing.blocks if b.get("block_id", "").startswith("item-")]
    assert order == ["item-2", "item-3", "item-1"]


async def test_archive_restore_and_done_keep_the_item_and_its_history(slack):
    await add(slack, "A", "B")
    await name_po(slack)
    await backlog(slack, "move 1 top", user=PO)
    detail = await backlog(slack, "remove 1", user=PO)
    assert "*Status:* Archived" in shown(detail)
    await slack.driver.click("Restore", user=PO, message=detail)
    assert "*Status:* Open" in shown(last_ephemeral(slack))
    await backlog(slack, "show 2", user=DEV1)
    await slack.driver.click("Mark done", user=DEV1, message=last_ephemeral(slack, DEV1))
    assert "*Status:* Done" in shown(last_ephemeral(slack, DEV1))
    listing = await backlog(slack)
    assert "#2 " not in shown(listing) and "1 item ·" in shown(listing)
    refused = await backlog(slack, "remove 1", user=DEV1)
    assert "Only the Product Owner" in refused.text


async def test_mistakes_get_guidance_and_write_nothing(slack):
    answer = shown(await backlog(slack, "frobnicate 3"))
    assert "`/backlog frobnicate` is not something I know" in answer
    assert "Usage: `/backlog help`" in answer
    answer = shown(await backlog(slack, "move 1 sideways"))
    assert "Usage: `/backlog move <n> top|bottom|up|down|<position>|before <m>`" in answer
    answer = shown(await backlog(slack, "show 99"))
    assert "There is no item #99" in answer
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        assert await store.count_active(team.id) == 0


async def test_an_unexpected_failure_apologises_with_a_reference_and_the_bot_lives_on(
    slack, caplog
):
    await add(slack, "A")
    async with slack.db.engine.begin() as conn:
        await conn.execute(text("DROP TABLE item_events"))
    answer = await backlog(slack, "show 1")
    assert "Sorry, something went wrong on my side" in answer.text
    reference = answer.text.split("`")[-2]
    logged = [r for r in caplog.records if r.name == "timebox.errors"]
    assert logged and f"ref={reference}" in logged[-1].getMessage()
    assert f"channel={CHANNEL}" in logged[-1].getMessage()
    assert logged[-1].exc_info is not None
    listing = await backlog(slack)
    assert "1 item · page 1 of 1" in shown(listing), "the next request is served as usual"


async def test_import_by_form_reports_imported_and_refused_rows(slack):
    await backlog(slack, "import")
    view = slack.emulator.open_view(PO)
    await slack.driver.submit(view, {"CSV": JIRA_CSV}, user=PO)
    report = last_ephemeral(slack)
    assert "Imported 1 item (#1) at the bottom of the backlog" in report.text
    assert "• row 3: no Summary/Title" in report.text
    assert "• row 4: `lots` is not a number of story points" in report.text


async def test_a_csv_shared_in_the_channel_is_imported_once_even_if_redelivered(slack):
    file, ack = await slack.driver.share_file(PO, CHANNEL, "jira.csv", JIRA_CSV.encode())
    assert ack.status == 200
    replies = [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]
    assert len(replies) == 1 and "Imported 1 item (#1)" in replies[0].text
    assert "from jira.csv" in replies[0].text and replies[0].thread_ts is not None
    event = file_shared(file, event_ts="1.0")
    sent = ack.sent
    again = await slack.driver.event(event, retry_num=1, event_id=sent["event_id"])
    assert again.status == 200
    assert len([m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]) == 1
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        assert await store.count_active(team.id) == 1


async def test_export_posts_a_csv_that_imports_again(slack):
    await add(slack, "Export invoices", "Dark <mode> & more")
    ack = await slack.driver.command("/backlog", "export csv", user=PO, channel=CHANNEL)
    assert ack.status == 200
    [shared] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    data = slack.emulator.files[shared.files[0]["id"]].content
    assert data.startswith(codecs.BOM_UTF8), "Excel reads it as UTF-8 (Zoë, not ZoÃ«)"
    content = data.decode("utf-8-sig")
    assert content.splitlines()[0].startswith("Key,Summary,Description")
    assert "#2,Dark <mode> & more" in content
    await slack.driver.command("/backlog", "export md", user=PO, channel=CHANNEL)
    markdown = [m for m in slack.emulator.messages(CHANNEL) if m.files][-1]
    assert (
        slack.emulator.files[markdown.files[0]["id"]]
        .content.decode()
        .startswith("# Product backlog of #team-a")
    )


async def test_help_lists_every_command(slack):
    ack = await slack.driver.command("/timebox", "help", user=DEV1, channel=CHANNEL)
    assert ack.status == 200
    answer = shown(last_ephemeral(slack, DEV1))
    from bot.domain.commands import USAGE

    for verbs in USAGE.values():
        for line, _ in verbs.values():
            assert f"`{line}`" in answer


async def test_roles_are_shown_and_set_by_command_and_form(slack):
    ack = await slack.driver.command("/timebox", "roles", user=DEV1, channel=CHANNEL)
    assert ack.status == 200
    assert "This channel has no roles yet" in shown(last_ephemeral(slack, DEV1))
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
    await slack.driver.command("/timebox", f"roles sm <@{SM}|sam>", user=PO, channel=CHANNEL)
    roles = last_ephemeral(slack)
    assert f"*Product Owner:* <@{PO}>" in shown(roles) and f"*Scrum Master:* <@{SM}>" in shown(
        roles
    )
    await slack.driver.command("/timebox", f"roles po <@{DEV1}>", user=DEV1, channel=CHANNEL)
    assert "Only the Product Owner or Scrum Master" in last_ephemeral(slack, DEV1).text
    await slack.driver.click("Edit roles", user=SM, message=roles)
    await slack.driver.submit(slack.emulator.open_view(SM), {"Developers": [DEV1]}, user=SM)
    assert f"*Developers:* <@{DEV1}>" in shown(last_ephemeral(slack, SM))


async def test_settings_take_the_pos_time_zone_and_can_be_changed(slack):
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
    await slack.driver.command("/timebox", "settings", user=PO, channel=CHANNEL)
    settings = last_ephemeral(slack)
    assert "*Time zone:* Europe/Berlin" in shown(settings), "from the first PO's Slack profile"
    await slack.driver.command("/timebox", "settings sprint 3w", user=PO, channel=CHANNEL)
    assert "*Sprint length:* 3 weeks" in shown(last_ephemeral(slack))
    await slack.driver.command("/timebox", "settings timezone Mars/Base", user=PO, channel=CHANNEL)
    assert "is not a time zone I know" in last_ephemeral(slack).text
    await slack.driver.click("Edit settings", user=PO, message=settings)
    view = slack.emulator.open_view(PO)
    ack = await slack.driver.submit(view, {"Time zone": "Nowhere/Land"}, user=PO)
    assert "timezone" in ack.json["errors"]
    await slack.driver.submit(
        view,
        {"Time zone": "Asia/Tokyo", "Working days": ["Sun", "Mon", "Tue", "Wed", "Thu"]},
        user=PO,
    )
    final = shown(last_ephemeral(slack))
    assert "*Time zone:* Asia/Tokyo" in final and "*Working days:* Mon, Tue, Wed, Thu, Sun" in final


async def test_home_tab_shows_the_users_teams_and_unready_items(slack):
    await add(slack, "Export invoices")
    await backlog(slack, "edit 1", user=DEV1)
    await slack.driver.submit(slack.emulator.open_view(DEV1), {"Owner": DEV1}, user=DEV1)
    await slack.driver.event({"type": "app_home_opened", "user": DEV1, "tab": "home"})
    home = json.dumps(slack.emulator.home(DEV1))
    assert f"<#{CHANNEL}>" in home and "1 item on the backlog" in home
    assert "*#1* Export invoices" in home


async def test_every_manifest_command_is_answered_and_forged_requests_are_refused(slack):
    import yaml

    from tests.domain.test_manifest import ROOT

    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    for command in manifest["features"]["slash_commands"]:
        ack = await slack.driver.command(command["command"], "help", user=DEV1, channel=CHANNEL)
        assert ack.status == 200, command["command"]
    forged = await slack.driver.post_raw(
        "command=%2Fbacklog&text=add+x",
        {
            "X-Slack-Request-Timestamp": "1700000000",
            "X-Slack-Signature": "v0=forged",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert forged.status == 401


async def test_healthz_reports_the_database(slack):
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(f"{slack.url}/healthz") as response:
        assert response.status == 200
        answer = await response.json()
        assert (answer["ok"], answer["database"]) == (True, "ok")  # scheduler: test_logs.py


async def test_an_unreachable_response_url_falls_back_to_an_ephemeral_message(slack):
    """Some proxies and test rigs give a response_url nobody answers: the Web API still works."""
    import time
    from urllib.parse import urlencode

    fields = {
        "token": "x",
        "team_id": "T0TEAM",
        "team_domain": "t",
        "channel_id": CHANNEL,
        "channel_name": "team-a",
        "user_id": DEV1,
        "user_name": "diana",
        "command": "/backlog",
        "text": "add Reached anyway",
        "api_app_id": "A0TIMEBOX",
        "is_enterprise_install": "false",
        "response_url": "http://127.0.0.1:9/nobody-listens",
        "trigger_id": slack.emulator.new_trigger_id(DEV1),
    }
    body = urlencode(fields)
    stamp = str(int(time.time()))
    ack = await slack.driver.post_raw(
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": slack.driver.sign(body, stamp),
        },
    )
    assert ack.status == 200
    await slack.settle()
    answer = last_ephemeral(slack, DEV1)
    assert answer.source == "api" and "Added *#1* Reached anyway" in answer.text


async def test_a_product_owner_who_is_scrum_master_too_is_told_it_is_not_scrums_way(slack):
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
    assert "both Product Owner and Scrum Master" not in shown(last_ephemeral(slack, PO))
    await slack.driver.command("/timebox", f"roles sm <@{PO}|paula>", user=PO, channel=CHANNEL)
    said = shown(last_ephemeral(slack, PO))
    assert f"<@{PO}> is both Product Owner and Scrum Master. Scrum keeps the two apart" in said
    assert f"*Scrum Master:* <@{PO}>" in said, "set all the same"
