"""What leaves Slack as a file, and the team's checklist, through the real app: a Markdown export
(which a viewer may render as HTML) shows titles and goals as typed, never as markup; a checklist
question asked twice is kept once."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import cmd, setup
from tests.app.test_ready_slack import make_team, ready
from tests.app.test_sprint_points_slack import uploads
from tests.conftest import CHANNEL, DEV1, PO

HTML = "<b>bold</b> & <!channel>"
SHOWN = "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;!channel&gt;"


async def test_the_backlog_in_markdown_shows_html_in_titles_as_typed(slack):
    await slack.driver.command(
        "/backlog", "add " + slack.driver.escape(f"Dark mode {HTML}"), user=DEV1, channel=CHANNEL
    )
    await slack.driver.command("/backlog", "export md", user=PO, channel=CHANNEL)
    [markdown] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    content = slack.emulator.files[markdown.files[0]["id"]].content.decode()
    assert f"| Dark mode {SHOWN} |" in content, content
    assert f"## #1 Dark mode {SHOWN}" in content
    assert "<b>" not in content and "<!channel>" not in content


async def test_the_backlog_in_markdown_shows_links_and_images_in_titles_as_typed(slack):
    """A viewer renders `[text](url)` as a link and `![alt](url)` as an image it fetches (a
    tracking pixel for whoever opens the file): a title's brackets are escaped, shown as typed."""
    typed = "Refunds [docs](javascript:alert(1)) ![i](http://x.test/y.png)"
    await slack.driver.command("/backlog", f"add {typed}", user=DEV1, channel=CHANNEL)
    await slack.driver.command("/backlog", "export md", user=PO, channel=CHANNEL)
    [markdown] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    content = slack.emulator.files[markdown.files[0]["id"]].content.decode()
    shown_as_typed = r"Refunds \[docs\](javascript:alert(1)) !\[i\](http://x.test/y.png)"
    assert f"## #1 {shown_as_typed}" in content, content
    assert "[docs](" not in content and "![i](" not in content


async def test_the_sprint_in_markdown_shows_html_in_its_goal_and_tasks_as_typed(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    goal = slack.driver.escape(f"By the end we expect PDF invoices {HTML}")
    await cmd(slack, "/planning", "goal " + goal, PO)
    await cmd(slack, "/planning", "commit team")
    await cmd(slack, "/sprint", "task 1 add " + slack.driver.escape(f"Write {HTML} 2h"), DEV1)
    await cmd(slack, "/sprint", "export md", DEV1)
    [(_, data)] = uploads(slack, "sprint-1.md")
    content = data.decode()
    assert f"- Goal: By the end we expect PDF invoices {SHOWN}" in content, content
    assert f"- [ ] Write {SHOWN}, 2h" in content, content
    assert "<b>" not in content and "<!channel>" not in content


async def test_a_checklist_question_asked_twice_is_kept_once(slack):
    await make_team(slack, ["Export invoices"])
    await slack.driver.click("Edit Definition of Ready", user=PO, message=await ready(slack, "dor"))
    twice = "UX has reviewed it\nux has  reviewed it.\nIs it tested?\nUX has reviewed it"
    await slack.driver.submit(slack.emulator.open_view(PO), {"Team checklist": twice}, user=PO)
    dor = shown(await ready(slack, "dor"))
    assert dor.count("has reviewed it") == 1, dor
    assert "UX has reviewed it" in dor and "Is it tested?" in dor


async def test_the_backlogs_files_name_owners_by_their_names_not_slack_ids(slack):
    """A file leaves Slack, where an id like U0DIANA means nothing."""
    await slack.driver.command("/backlog", "add Export invoices", user=DEV1, channel=CHANNEL)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [item] = await store.all_items(team.id, include_closed=False)
        item.owner = DEV1
    for fmt in ("csv", "md"):
        await slack.driver.command("/backlog", f"export {fmt}", user=PO, channel=CHANNEL)
        shared = [m for m in slack.emulator.messages(CHANNEL) if m.files][-1]
        content = slack.emulator.files[shared.files[0]["id"]].content.decode()
        assert "Diana Dev" in content and DEV1 not in content, (fmt, content)
