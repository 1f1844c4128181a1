"""An issue body in Markdown (GitHub, Linear) as Timebox reads and writes it: the acceptance
criteria are the list under their title and nothing after it, so a paragraph after the list
stays in the description and survives writing the criteria back (read, write, read again)."""

from __future__ import annotations

from bot.trackers import linear
from bot.trackers.markdown import join_body, split_body

BODY = """Shoppers pay by card at checkout.

## Acceptance criteria
- Visa and Mastercard
- 3-D Secure

See the design.

## Notes
Ask finance about fees."""


def test_the_criteria_are_the_list_and_the_text_after_it_stays():
    description, criteria = split_body(BODY)
    assert criteria == ("Visa and Mastercard", "3-D Secure")
    assert description == (
        "Shoppers pay by card at checkout.\n\nSee the design.\n\n## Notes\nAsk finance about fees."
    )


def test_writing_the_criteria_back_keeps_every_line_of_the_description():
    description, _ = split_body(BODY)
    written = join_body(description, ("Visa", "Apple Pay"))
    assert "See the design." in written and "Ask finance about fees." in written
    assert split_body(written) == (description, ("Visa", "Apple Pay"))
    again = join_body(*split_body(written))
    assert again == written, "a second round trip changes nothing"
    assert split_body(join_body(description, ())) == (description, ())


def test_the_title_may_be_a_heading_a_bold_line_or_plain_text():
    for title in (
        "## Acceptance criteria",
        "### Acceptance Criteria:",
        "**Acceptance criteria**",
        "**Acceptance criteria:**",
        "__Acceptance criterion__",
        "Acceptance criteria:",
        "Acceptance criteria",
    ):
        body = f"Intro.\n\n{title}\n\n- One\n- Two\n\nAfter."
        assert split_body(body) == ("Intro.\n\nAfter.", ("One", "Two")), title


def test_a_list_ends_at_a_blank_line_before_text_or_at_text_that_is_no_item():
    loose = "## Acceptance criteria\n- One\n\n- Two\n\n1. Three\n\nAfter."
    assert split_body(loose) == ("After.", ("One", "Two", "Three"))
    wrapped = "## Acceptance criteria\n- One that goes\n  on a second line\n- Two\nAfter."
    assert split_body(wrapped) == ("After.", ("One that goes on a second line", "Two"))
    tasks = "Acceptance criteria\n- [ ] Visa\n- [x] Mastercard\n- [ ]\n## Next\nText"
    assert split_body(tasks) == ("## Next\nText", ("Visa", "Mastercard"))
    crlf = "Intro.\r\n\r\nAcceptance criteria:\r\n- One\r\n\r\nAfter.\r\n"
    assert split_body(crlf) == ("Intro.\n\nAfter.", ("One",))


def test_a_title_without_a_list_is_text_and_the_first_listed_one_counts():
    assert split_body("Acceptance criteria: to be agreed.") == (
        "Acceptance criteria: to be agreed.",
        (),
    )
    body = "## Acceptance criteria\nTo be agreed.\n\n## Acceptance criteria\n- One"
    assert split_body(body) == ("## Acceptance criteria\nTo be agreed.", ("One",))
    assert split_body("") == ("", ()) and split_body(None) == ("", ())
    assert split_body("- Not criteria\n- Just a list") == ("- Not criteria\n- Just a list", ())


def test_linear_reads_criteria_with_the_shared_reader():
    assert linear.split_criteria is split_body
