"""A meeting whose facilitator has left the channel is not stuck until a Scrum Master comes
(a team may have none): the next person of the team to step (next, extend, end...) takes it
over, the thread says who facilitates now, and the clock moves. While the facilitator is in
the channel, others are still refused."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_poker_presence_slack import leaves
from tests.app.test_refine_slack import agenda_message, refine, setup_team, thread
from tests.conftest import DEV1, PO


async def test_the_next_member_to_step_takes_over_from_a_facilitator_who_left(slack):
    await setup_team(slack)
    await refine(slack, "start", user=DEV1)
    await refine(slack, "next", user=PO)
    assert "Only the facilitator or a Scrum Master" in last_ephemeral(slack, PO).text
    leaves(slack, DEV1)
    await refine(slack, "next", user=PO)
    assert "*Triage new items* · 20 min" in shown(agenda_message(slack))
    said = [shown(m) for m in thread(slack)]
    assert any(f"<@{PO}> facilitates now" in text for text in said), said
    await refine(slack, "next", user=DEV1)  # back from a client that still shows the meeting
    assert "not a member of this channel" in last_ephemeral(slack, DEV1).text
