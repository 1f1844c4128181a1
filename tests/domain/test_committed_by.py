"""Who a committed sprint says committed it: the Developers who did themselves, and the Scrum
Master who recorded the commitment for the others, never counted among the committers."""

from __future__ import annotations

from bot.domain.sprints import CommittedBy, committed_by
from storage.models import Sprint


def sprint(themselves: list[str], recorder: str | None) -> Sprint:
    return Sprint(number=1, committed_by=themselves, commitment_recorded_by=recorder)


def test_a_scrum_master_records_for_the_developers_who_did_not_commit_themselves():
    by = committed_by(sprint(["UB", "UA"], "USM"))
    assert by == CommittedBy(("UB", "UA"), "USM") and by.for_whom == "the other Developers"
    alone = committed_by(sprint([], "USM"))
    assert alone.themselves == () and alone.for_whom == "the Developers"


def test_developers_who_all_committed_themselves_have_no_recorder():
    by = committed_by(sprint(["UA", "UB", "UC"], None))
    assert by.recorded_by is None and "USM" not in by.themselves
