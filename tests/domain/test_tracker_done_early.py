"""The tracker's status news for an item of a committed sprint, as the sprint carries it out
(rules.sprint_news): done there before the sprint's first day is no work done in it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import tracker_sync as rules
from storage.models import Sprint

MON_14_DEC = date(2026, 12, 14)


def sprint_from(starts: date) -> Sprint:
    return Sprint(
        team_id=1, number=5, status="active", starts_on=starts, ends_on=date(2026, 12, 25)
    )


def test_done_in_the_tracker_before_the_first_day_is_done_early() -> None:
    news = rules.sprint_news(rules.FINISHED, sprint_from(MON_14_DEC), date(2026, 12, 11))
    assert news == rules.DONE_EARLY


@pytest.mark.parametrize("today", [MON_14_DEC, date(2026, 12, 15)], ids=["first day", "after"])
def test_done_in_the_tracker_while_the_sprint_runs_finishes_it_there(today: date) -> None:
    assert rules.sprint_news(rules.FINISHED, sprint_from(MON_14_DEC), today) == rules.FINISHED


@pytest.mark.parametrize("news", [rules.REOPENED, rules.DROPPED])
def test_other_news_before_the_start_stands(news: str) -> None:
    assert rules.sprint_news(news, sprint_from(MON_14_DEC), date(2026, 12, 11)) == news


def test_the_reason_names_the_tracker_and_the_sprint() -> None:
    reason = rules.done_early_reason("ENG-7", "linear", 5)
    assert reason == "ENG-7 was done in Linear before sprint 5 began"
