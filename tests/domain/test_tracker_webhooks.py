"""What each tracker's webhook means, as plain functions: who signed it (Jira, GitHub, Linear
each their own way; Linear's must be fresh too) and what its body hints at for the sync (an
issue that may be gone, the board's order changed, or nothing more than "something changed")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.tracker_webhooks import (
    WEBHOOKS,
    github_elsewhere,
    github_hint,
    hint,
    jira_hint,
    linear_hint,
    sign,
    verified,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def body(event: Any) -> bytes:
    return json.dumps(event).encode()


def test_jira_and_github_sign_the_body_with_the_secret_each_in_its_header():
    signed = body({"webhookEvent": "jira:issue_updated"})
    for kind in ("jira", "github"):
        signature = sign(kind, "s3cret", signed)
        assert signature.startswith("sha256=") and len(signature) == 71
        assert verified(kind, "s3cret", signed, signature, NOW)
        assert verified(kind, "s3cret", signed, f" {signature} ", NOW)
        assert not verified(kind, "other", signed, signature, NOW)
        assert not verified(kind, "s3cret", signed + b" ", signature, NOW)
        assert not verified(kind, "s3cret", signed, None, NOW)
        assert not verified(kind, "", signed, sign(kind, "", signed), NOW)
    assert (WEBHOOKS["jira"].header, WEBHOOKS["github"].header) == (
        "X-Hub-Signature",
        "X-Hub-Signature-256",
    )


def test_a_linear_delivery_is_genuine_only_signed_and_sent_within_a_minute():
    def at(when: datetime) -> bytes:
        return body({"type": "Issue", "webhookTimestamp": int(when.timestamp() * 1000)})

    fresh, stale = at(NOW - timedelta(seconds=59)), at(NOW - timedelta(seconds=61))
    assert verified("linear", "s", fresh, sign("linear", "s", fresh).upper(), NOW)
    assert not sign("linear", "s", fresh).startswith("sha256=")
    assert not verified("linear", "s", stale, sign("linear", "s", stale), NOW), "a replay"
    assert not verified("linear", "s", b"{}", sign("linear", "s", b"{}"), NOW), "no timestamp"
    assert not verified("nosuch", "s", fresh, "x", NOW)


def test_jira_names_a_deleted_issue_and_a_rank_change():
    deleted = {"webhookEvent": "jira:issue_deleted", "issue": {"key": "TB-7"}}
    ranked = {
        "webhookEvent": "jira:issue_updated",
        "issue": {"key": "TB-7"},
        "changelog": {"items": [{"field": "Rank", "toString": "Ranked higher"}]},
    }
    assert jira_hint(deleted) == {"gone": ["TB-7"]}
    assert jira_hint(ranked) == {"keys": True}
    assert jira_hint({"webhookEvent": "jira:issue_updated"}) == {}
    odd = {"webhookEvent": "jira:issue_deleted", "issue": {"key": "TB-7; DROP"}}
    assert jira_hint(odd) == {}, "only a key Timebox could have linked"


def github_event(action: str, **extra: Any) -> dict[str, Any]:
    return {
        "action": action,
        "issue": {"number": 12, "title": "Pay"},
        "repository": {"full_name": "acme/shop"},
        **extra,
    }


def test_github_names_a_deleted_or_transferred_issue_and_a_reordered_project_item():
    assert github_hint(github_event("deleted")) == {"gone": ["acme/shop#12"]}
    moved_away = github_event("transferred", changes={"new_repository": {"full_name": "acme/api"}})
    assert github_hint(moved_away) == {"gone": ["acme/shop#12"]}, "its old key is gone"
    reordered = {"action": "reordered", "projects_v2_item": {"node_id": "PVTI_1"}}
    assert github_hint(reordered) == {"keys": True}
    for action in ("edited", "opened", "closed", "reopened", "labeled", "milestoned"):
        assert github_hint(github_event(action)) == {}, action
    for action in ("edited", "created", "deleted", "archived", "converted"):
        assert github_hint({"action": action, "projects_v2_item": {}}) == {}, action


def test_github_reads_nothing_from_what_is_not_an_issues_deletion():
    comment_gone = github_event("deleted", comment={"id": 9})  # an issue_comment delivery
    assert github_hint(comment_gone) == {}
    for issue in ({"number": "12"}, {"number": True}, {"number": 0}, {}, None, "12"):
        assert github_hint(github_event("deleted", issue=issue)) == {}, issue
    for repository in ({"full_name": "<!channel>"}, {"full_name": "acme"}, {}, None):
        assert github_hint(github_event("deleted", repository=repository)) == {}, repository
    assert github_hint({"action": "reordered"}) == {}
    assert github_hint({"action": "deleted", "milestone": {"number": 3}}) == {}


def test_linear_names_a_removed_issue_and_a_reorder_and_nothing_else():
    def issue_event(action: str, **extra: Any) -> dict[str, Any]:
        return {"action": action, "type": "Issue", "data": {"identifier": "ENG-7"}, **extra}

    assert linear_hint(issue_event("remove")) == {"gone": ["ENG-7"]}
    moved = issue_event("update", updatedFrom={"sortOrder": 2000.0, "updatedAt": "x"})
    assert linear_hint(moved) == {"keys": True}
    edited = issue_event("update", updatedFrom={"title": "Pay", "updatedAt": "x"})
    assert linear_hint(edited) == {}
    assert linear_hint(issue_event("create")) == {}
    assert linear_hint(issue_event("update")) == {}  # no updatedFrom
    assert linear_hint({**issue_event("remove"), "type": "Comment"}) == {}
    reordered_cycle = {**issue_event("update", updatedFrom={"sortOrder": 1}), "type": "Cycle"}
    assert linear_hint(reordered_cycle) == {}
    for data in ({"identifier": "<!channel>"}, {"identifier": 7}, {}, None, "ENG-7"):
        assert linear_hint({"action": "remove", "type": "Issue", "data": data}) == {}
    assert linear_hint(issue_event("update", updatedFrom=["sortOrder"])) == {}
    assert linear_hint({}) == {}


def test_each_kind_reads_its_own_body_and_nothing_that_is_not_an_object():
    jira_deleted = body({"webhookEvent": "jira:issue_deleted", "issue": {"key": "TB-7"}})
    assert hint("jira", jira_deleted) == {"gone": ["TB-7"]}
    assert hint("github", body(github_event("deleted"))) == {"gone": ["acme/shop#12"]}
    linear_removed = body({"action": "remove", "type": "Issue", "data": {"identifier": "ENG-7"}})
    assert hint("linear", linear_removed) == {"gone": ["ENG-7"]}
    assert hint("linear", jira_deleted) == {} and hint("jira", linear_removed) == {}
    assert hint("github", jira_deleted) == {}
    assert hint("nosuch", jira_deleted) == {}
    for odd in (b"not json", b"[]", b"7", b"\xff\xfe", b""):
        assert all(hint(kind, odd) == {} for kind in WEBHOOKS), odd


def test_a_github_project_item_delivery_about_another_project_is_elsewhere():
    """An organisation webhook hears every project's item events: only the connection's
    project's count; a connection that knows no project id yet takes them all."""
    mine, theirs = {"project_id": "PVT_mine"}, {"project_node_id": "PVT_theirs"}
    reordered = {"action": "reordered", "projects_v2_item": theirs}
    assert github_elsewhere(reordered, mine)
    assert hint("github", body(reordered), mine) is None
    own = {"action": "reordered", "projects_v2_item": {"project_node_id": "PVT_mine"}}
    assert hint("github", body(own), mine) == {"keys": True}
    assert not github_elsewhere(reordered, {}), "no project id known: not judged"
    assert not github_elsewhere(github_event("deleted"), mine), "an issue's event is no item's"
    assert hint("jira", body(reordered), mine) == {}, "only GitHub's deliveries are judged"
