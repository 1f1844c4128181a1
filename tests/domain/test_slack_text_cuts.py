"""Text cut to a Slack field's limit: never inside an entity or Slack's own `<…>` markup."""

from __future__ import annotations

import re

from handlers.render import escape, fit

BROKEN_ENTITY = re.compile(r"&(?!(?:amp|lt|gt);)")


def test_a_cut_at_every_place_never_leaves_half_an_entity():
    text = escape("<&>" * 49)
    for limit in range(2, 40):
        cut = fit(text, limit)
        assert len(cut) <= limit and cut.endswith("…")
        assert not BROKEN_ENTITY.search(cut), (limit, cut)


def test_a_cut_never_leaves_half_a_mention_date_or_link():
    text = "Owner <@U012345|paula> on <!date^1700000000^{date}|2023-11-14> see <https://x.io|it>"
    for limit in range(2, len(text)):
        cut = fit(text, limit)
        assert len(cut) <= limit
        assert cut.count("<") == cut.count(">"), (limit, cut)


def test_text_within_the_limit_is_kept_as_is():
    assert fit("a &amp; b", 9) == "a &amp; b"
