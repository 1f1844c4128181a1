"""`/timebox roles` sets several roles in one command, each role word followed by its people or
user groups, as people setting a team up type it (QA: `roles po @ines sm @marcus dev @kenji
@bea @arjun` was refused with "`sm  dev` is not a mention"). Its usage line is the same in help
and in every mistake it answers."""

from __future__ import annotations

from bot.domain.commands import usage
from tests.app.test_backlog_slack import shown
from tests.app.test_team_setup_slack import team_rows, timebox
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM

LINE = "/timebox roles [po @name ...] [sm @name ...] [dev @name|@group ...]"
DESIGN = "S0DESIGN"


def mention(user: str) -> str:
    return f"<@{user}|{user.lower()}>"


async def test_one_command_names_the_whole_team(slack):
    typed = f"po {mention(PO)} sm {mention(SM)} dev {mention(DEV1)} {mention(DEV2)}"
    answer = await timebox(slack, f"roles {typed}", DEV3)  # anyone, while there is no PO
    assert "not a mention" not in answer.text
    team, roles = await team_rows(slack)
    assert roles == sorted([(PO, "po"), (SM, "sm"), (DEV1, "dev"), (DEV2, "dev")])
    assert team.timezone == "Europe/Berlin", "the new PO's zone, not the typist's"
    assert f"<@{PO}>" in shown(answer) and f"<@{DEV2}>" in shown(answer)


async def test_groups_and_a_role_typed_twice(slack):
    slack.emulator.add_usergroup(DESIGN, "design-team", [DEV1, DEV2], name="Design team")
    await timebox(slack, f"roles po {mention(PO)}", PO)
    typed = f"dev <!subteam^{DESIGN}|@design-team> sm {mention(SM)} dev {mention(DEV3)}"
    await timebox(slack, f"roles {typed}", PO)
    _, roles = await team_rows(slack)
    assert roles == sorted([(PO, "po"), (SM, "sm"), (DESIGN, "dev"), (DEV3, "dev")])
    await timebox(slack, "roles dev", PO)  # nobody: everyone else again, the others kept
    _, roles = await team_rows(slack)
    assert roles == [(PO, "po"), (SM, "sm")]


async def test_mistakes_name_the_word_and_show_the_one_usage_line(slack):
    assert usage("/timebox", "roles") == LINE
    for typed, problem in (
        (f"po {mention(PO)} sm dev {mention(DEV1)}", "Name at least one Scrum Master after `sm`."),
        (f"po {mention(PO)} ines", "`ines` is not a mention"),
        (f"boss {mention(PO)}", "`boss` is not a role: `po`, `sm` or `dev`."),
    ):
        answer = await timebox(slack, f"roles {typed}", PO)
        assert problem in answer.text and f"Usage: `{LINE}`" in shown(answer), answer.text
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is None or team.roles == [], "nothing half-set"
    helped = shown(await timebox(slack, "help", PO))
    assert LINE in helped
