"""WSJF at its edges, through the item form and `/backlog priority`: an estimate of 0 is no job
size to divide by, and says so; a small WSJF shows its digits (3 over 1000 is 0.003, not 0);
the suggestion says how the Product Owner applies it."""

from __future__ import annotations

from tests.app.test_backlog_slack import add, backlog, name_po, shown
from tests.app.test_priority_slack import edit, rows, timebox
from tests.conftest import DEV1


def wsjf(estimate: str) -> dict[str, str]:
    return {
        "Estimate (story points)": estimate,
        "Business value": "1",
        "Time criticality": "1",
        "Risk reduction / opportunity enablement": "1",
    }


async def test_an_estimate_of_zero_and_a_small_wsjf(slack):
    await add(slack, "Free lunch", "Huge job", "Normal")
    await name_po(slack)
    await timebox(slack, "settings priority wsjf")
    for number, estimate in ((1, "0"), (2, "1000"), (3, "3")):
        await edit(slack, number, wsjf(estimate), user=DEV1)

    listing = rows(await backlog(slack))
    assert "WSJF 0.003" in listing[2], listing[2]
    assert "WSJF 1 " in listing[3] or listing[3].endswith("WSJF 1"), listing[3]

    text = shown(await backlog(slack, "priority", user=DEV1))
    assert "#1 (needs an estimate above 0 (the job size))" in text, text
    assert "#1 (needs an estimate (the job size))" not in text
    assert "#2 Huge job · 0.003" in text, text
    assert "· 0 ·" not in text and "· 0\\n" not in text
    assert "until the Product Owner applies it with *Apply this order* below" in text, text
