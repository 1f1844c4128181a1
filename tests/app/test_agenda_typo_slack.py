"""A shared agenda with a misspelled key is refused in its thread, naming the key to fix
(README, `/refine agenda`). QA: `name:`, `minutes:` and `section:` (for `sections`) was left
alone without a word, as if it were someone's docker-compose.yml, so the PO never learned why
the agenda did not change. YAML that is clearly something else is still left alone."""

from __future__ import annotations

from agendas.agenda import looks_like_agenda
from tests.app.test_backlog_slack import name_po
from tests.app.test_shared_files_scope_slack import CI, COMPOSE
from tests.conftest import CHANNEL, PO

TYPO = b"name: Quick\nminutes: 30\nsection:\n  - title: Look\n    minutes: 10\n"


def refusals(slack) -> list[str]:
    return [m.text for m in slack.emulator.messages(CHANNEL) if "not taken as an agenda" in m.text]


async def test_a_misspelled_sections_key_is_refused_in_its_thread_with_the_key_to_use(slack):
    await name_po(slack)
    await slack.driver.share_file(PO, CHANNEL, "quick.yml", TYPO, "yaml")
    [refused] = refusals(slack)
    assert "quick.yml" in refused
    assert "line 3" in refused and "`section`" in refused and "`sections`" in refused, refused
    [share] = [m.ts for m in slack.emulator.messages(CHANNEL) if m.files]
    assert [m.thread_ts for m in slack.emulator.messages(CHANNEL) if m.text == refused] == [share]


async def test_a_misspelled_key_beside_sections_is_named_too(slack):
    """`minute:` was dropped without a word: the agenda ran at its default length."""
    await name_po(slack)
    agenda = b"name: Quick\nminute: 30\nsections:\n  - title: Look\n    minutes: 10\n"
    await slack.driver.share_file(PO, CHANNEL, "quick.yml", agenda, "yaml")
    [refused] = refusals(slack)
    assert "line 2" in refused and "`minute`" in refused and "`minutes`" in refused, refused


def test_yaml_that_is_clearly_something_else_is_still_no_agenda():
    assert looks_like_agenda(TYPO.decode())
    assert looks_like_agenda("name: Quick\nsection: []\n"), "a typo of the one key that matters"
    assert looks_like_agenda("name: Quick\nminutes: 30\nplan: []\n"), "two agenda keys"
    for other in (
        COMPOSE.decode(),
        CI.decode(),
        "name: shop\nversion: 1.0\nsections: []\n",  # a known foreign key wins over a typo
        "name: env\nchannels: [defaults]\ndependencies: [python]\n",  # a conda environment
        "name: Build\ndescription: Builds it\nruns:\n  using: node20\n",  # a GitHub action
        "name: x\nimage: y\nstages: [a]\nscript: [b]\n",
        "title: Notes\nitems: []\n",  # shares no key with an agenda
        "name: a\nb: 1\nc: 2\nd: 3\n",  # more unknown keys than a typo makes
    ):
        assert not looks_like_agenda(other), other
