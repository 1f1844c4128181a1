import json
from datetime import UTC, datetime
from tests.test_poker_polls_slack import setup_team, poker, polls, vote, shown, at, DEV1, DEV2, DEV3, PO, SM, OTHER
async def test_dbg(slack):
    await setup_team(slack, "Export invoices", "Dark mode")
    slack.emulator.add_channel(OTHER, "team-b", members=[DEV1, DEV2, DEV3, PO, SM, "UBOT"])
    await slack.driver.command("/backlog", "add Billing page", user=DEV1, channel=OTHER)
    await poker(slack, "async 1 for 24h")
    await poker(slack, "async 2 for 24h")
    await slack.driver.command("/poker", "async 1 for 24h", user=SM, channel=OTHER)
    await at(slack, datetime(2026, 3, 2, 21, 0, tzinfo=UTC))
    m = slack.emulator.dms(DEV3)[0]
    print(m.text); print(json.dumps(m.blocks, indent=1)[:3000])
