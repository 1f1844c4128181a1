"""An agenda YAML file shared in the team's channel is checked before it becomes the agenda,
and what the file says is what the meeting does (QA 9, files a team shares). Before:

- `sections:` given twice got no answer at all: YAML keeps the last list, the line finder the
  first, and the check crashed on the mismatch (ValueError), so the listener died silently;
  now a key given twice, at any level, is refused in the file's thread with its line;
- sections of 10 and 20 minutes, without `minutes:`, made a refinement of 240 minutes (the
  sprint planning's 2 hours per sprint week), each section stretched eightfold; now the
  meeting lasts their sum;
- a sprint planning's agenda adding up to more than the team's planning timebox was saved
  ("is now this channel's agenda") and squeezed into it at `/planning start` without a word;
  now it is refused, naming both lengths;
- `purpse:` in a section was dropped without a word; now it is named with `purpose`;
- "…, 1 sections." now reads "…, 1 section.".
"""

from __future__ import annotations

from agendas.agenda import for_team, is_custom
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, name_po, shown
from tests.app.test_import_real_files import bot_replies
from tests.conftest import CHANNEL, PO


def said(slack: LocalStack, name: str) -> list[str]:
    """The bot's answers that name the file (in its thread)."""
    return [m.text for m in bot_replies(slack, name)]


def agenda_card(slack: LocalStack) -> str:
    """The text of the meeting's agenda message (the bot's last post in the channel)."""
    [*_, card] = [m for m in slack.emulator.messages(CHANNEL) if m.user == "UBOT"]
    return str(card.blocks)


async def agendas_of(slack: LocalStack) -> dict:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return dict(team.agendas or {})


async def share(slack: LocalStack, name: str, agenda: bytes) -> list[str]:
    await slack.driver.share_file(PO, CHANNEL, name, agenda, "yaml")
    return said(slack, name)


async def test_an_agenda_naming_sections_twice_is_refused_not_left_unanswered(slack):
    """YAML keeps the last `sections`, the line finder the first: zip(strict=True) raised
    ValueError, the listener died and the PO heard nothing in the file's thread."""
    await name_po(slack)
    agenda = (
        b"name: Twice\nsections:\n  - title: A\n    minutes: 10\n"
        b"sections:\n  - title: B\n    minutes: 5\n  - title: C\n    minutes: 5\n"
    )
    [answer] = await share(slack, "twice.yml", agenda)
    assert "not taken as an agenda" in answer and "line 5: `sections` is given twice" in answer
    [upload] = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    assert [m.thread_ts for m in bot_replies(slack, "twice.yml")] == [upload.ts]
    assert await agendas_of(slack) == {}, "the agenda stays as it was"


async def test_a_field_given_twice_inside_a_section_is_refused_with_its_line(slack):
    await name_po(slack)
    agenda = b"name: Q\nsections:\n  - title: A\n    minutes: 10\n    title: B\n"
    [answer] = await share(slack, "q.yml", agenda)
    assert "line 5: `title` is given twice" in answer, answer


async def test_an_agenda_of_section_minutes_runs_for_those_minutes_not_four_hours(slack):
    """Sections of 10 and 20 minutes and no `minutes:`: the refinement ran 240 minutes (the
    sprint planning's 2 hours per sprint week), each section stretched eightfold."""
    await name_po(slack)
    agenda = (
        b"name: Short\nsections:\n"
        b"  - title: Look\n    minutes: 10\n  - title: Pick\n    minutes: 20\n"
    )
    [saved] = await share(slack, "short.yml", agenda)
    assert "is now this channel's agenda" in saved and "2 sections." in saved, saved
    await slack.driver.command("/refine", "agenda", user=PO, channel=CHANNEL)
    view = shown(last_ephemeral(slack, PO))
    assert "Short* · 30 min" in view and "Look* · 10 min" in view, "not 1000% of the meeting"
    await slack.driver.command("/refine", "start", user=PO, channel=CHANNEL)
    card = agenda_card(slack)
    assert "*Look* · 10 min" in card and "Pick · 20 min" in card, card


def planning_agenda(name: str, why: int, what: int) -> bytes:
    """A sprint planning agenda of two sections of fixed minutes."""
    return (
        f"name: {name}\nkind: planning\nsections:\n"
        f"  - title: Why\n    minutes: {why}\n  - title: What\n    minutes: {what}\n"
    ).encode()


async def test_a_planning_agenda_longer_than_the_planning_timebox_is_not_saved_silently(slack):
    """Sections adding up to 300 minutes for a two-week sprint (at most 240) were saved with
    "is now this channel's agenda", then squeezed to 240 at `/planning start` without a word."""
    await name_po(slack)
    [answer] = await share(slack, "plan.yml", planning_agenda("Long planning", 100, 200))
    assert "not taken as an agenda" in answer, answer
    assert "lasts 300 minutes" in answer and "at most 240 minutes" in answer, answer
    assert "planning" not in await agendas_of(slack), "the built-in planning agenda stays"


async def test_a_planning_agenda_within_the_timebox_is_saved_at_its_length(slack):
    await name_po(slack)
    [saved] = await share(slack, "plan.yml", planning_agenda("Short planning", 40, 80))
    assert "is now this channel's agenda for planning" in saved, saved
    planning = for_team(await agendas_of(slack), "planning")
    assert planning.name == "Short planning" and planning.minutes == 120


async def test_a_misspelled_section_field_is_named_not_dropped(slack):
    """`purpse:` in a section was dropped without a word: the section had no purpose."""
    await name_po(slack)
    agenda = b"name: Q\nsections:\n  - title: A\n    minutes: 10\n    purpse: decide what is next\n"
    [answer] = await share(slack, "q.yml", agenda)
    assert "not taken as an agenda" in answer, answer
    assert "line 5: `purpse` is no field of sections[1]: write `purpose`" in answer, answer


async def test_an_agenda_of_one_section_says_one_section(slack):
    await name_po(slack)
    [saved] = await share(slack, "one.yml", b"name: One\nsections:\n  - {title: A, minutes: 15}\n")
    assert saved.endswith("*One*, 1 section. `/refine agenda` shows it."), saved
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        assert is_custom(team, "refinement")
