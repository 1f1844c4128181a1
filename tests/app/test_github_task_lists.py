"""Dependencies read from an issue's Markdown body (bot/trackers/markdown.py ``references``, used
by the GitHub client for both a project and a plain repository): only what the issue says to
its readers counts. GitHub's issue templates carry their guidance in HTML comments, which
GitHub does not show (``<!-- e.g. Blocked by #123 -->``), and people paste examples in fenced
code; neither says that this issue is blocked. Unchecked task-list items (``- [ ] #12``) are
dependencies in a bulleted list, and GitHub renders ``1. [ ] #12`` as the same task list."""

from __future__ import annotations

from bot.trackers.github_mapping import issue_of

REPO = "acme/shop"


def blocked_by(body: str) -> tuple[str, ...]:
    raw = {"number": 7, "title": "Pay by card", "body": body, "state": "open"}
    return issue_of(raw, REPO, estimate_labels=True).blocked_by


def test_a_real_blocked_by_line_and_an_unchecked_task_still_count():
    body = "Card payments.\n\nBlocked by #12\n\n- [ ] #13\n- [x] #14"
    assert blocked_by(body) == ("acme/shop#12", "acme/shop#13")


def test_an_issue_template_comment_is_no_dependency():
    body = (
        "<!-- Say what blocks this issue, e.g. Blocked by #123 -->\n"
        "Card payments at checkout.\n"
        "<!--\n- [ ] #124\n-->"
    )
    assert blocked_by(body) == ()


def test_an_example_in_fenced_code_is_no_dependency():
    body = "Write the dependency like this:\n\n```\nBlocked by #12\n- [ ] #13\n```\n"
    assert blocked_by(body) == ()


def test_an_unchecked_task_in_an_ordered_list_is_a_dependency():
    assert blocked_by("Steps:\n\n1. [ ] #12\n2. [x] #13") == ("acme/shop#12",)
