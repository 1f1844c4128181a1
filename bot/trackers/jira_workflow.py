"""A Jira issue moved through its workflow, as the Jira client does it (``JiraWorkflow``, a
mixin of ``JiraCloud`` in bot/trackers/jira.py), and how a status says where an issue is.

- ``GET/POST /rest/api/3/issue/{key}/transitions``: moving an issue to a Done status, or back
  to a To Do one, by the first step there the workflow offers from where it is. The status is
  read first, so a repeat after a lost answer finds the move made and stops.
- A Done issue whose ``resolution`` (or status) is "Won't Do", "Duplicate", "Cannot Reproduce"
  and the like was closed without being delivered (``NOT_DONE``). Closing one so lists the
  steps with ``expand=transitions.fields`` (each step's screen, with the resolutions it offers)
  and posts a step to a Done status named "Won't Do" or the like (``WONT_DO``), else a step to
  Done with such a ``fields.resolution``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from bot.domain import trackers

WONT_DO = (
    "won't do",
    "won't fix",
    "declined",
    "rejected",
    "cancelled",
    "canceled",
    "abandoned",
    "obsolete",
    "incomplete",
)
"""The names of ``NOT_DONE`` that Timebox closes an issue with, best first: work the Product
Owner dropped. Never "Duplicate", "Cannot Reproduce" or "Not a bug": they would say something
untrue of it."""
NOT_DONE = frozenset({*WONT_DO, "duplicate", "cannot reproduce", "not a bug"})
"""Resolutions (Jira's own "Won't Do", "Duplicate", "Cannot Reproduce" and the older "Won't
Fix", "Incomplete"...) and Done-category status names that close an issue without delivering
it: closed as not planned."""
Step = tuple[Mapping[str, Any], dict[str, Any]]
"""A transition chosen (as ``GET /issue/{key}/transitions`` lists it) and the ``fields`` its
``POST`` sends."""
_T = TypeVar("_T")


class JiraWorkflow:
    """Done, reopened, closed as won't do: each a move through the issue's workflow. A mixin
    of ``JiraCloud``, which gives it ``_call`` (one call of Jira's API); it gives the client
    its calls about one issue (``_on_issue``, ``_read``)."""

    async def _call(self, method: str, path: str, **options: Any) -> tuple[int, Any]:
        raise NotImplementedError

    async def _on_issue(
        self, method: str, key: str, action: str, *, then: str = "", **options: Any
    ) -> Any:
        """One call about issue ``key`` (``/rest/api/3/issue/{key}``, followed by `then`, such
        as ``/transitions``), in whose errors the issue is named: the decoded JSON (or None).
        `options`: ``_call``'s."""
        path = f"/rest/api/3/issue/{key}{then}"
        _, raw = await self._call(method, path, action=action, what=f"Issue {key}", **options)
        return raw

    async def _read(self, key: str, fields: Sequence[str], action: str) -> dict[str, Any]:
        """Issue ``key`` with only ``fields`` (``GET /issue/{key}``)."""
        return await self._on_issue("GET", key, action, params={"fields": ",".join(fields)}) or {}

    async def mark_done(self, key: str) -> None:
        """To the first status of the DONE category the workflow offers from where the issue
        is (``GET`` then ``POST /issue/{key}/transitions``); nothing if it is done already.
        The move is not repeated after a lost answer: the next try reads the status first."""
        await self._transition(key, trackers.StatusCategory.DONE, "Done")

    async def reopen(self, key: str) -> None:
        """Back to the first status of the TO DO category the workflow offers from where the
        issue is, as ``mark_done`` moves it to Done; nothing if it is not done."""
        await self._transition(key, trackers.StatusCategory.TODO, "To Do")

    async def close_not_planned(self, key: str) -> None:
        """Closed as won't do, so Jira's reports do not count it delivered and ``issue(key)``
        reads ``not_planned``: by the step to a Done status named so ("Won't Do",
        "Cancelled"...), else by a step to Done whose screen offers such a resolution, with
        it. Never plain Done (that would count as delivered): with neither, a CONFIG error
        says what to do. Nothing if it is in a Done status already; after a lost answer the
        next try reads the status first, as ``mark_done``."""
        await self._move(
            key,
            to_done=True,
            choose=wont_do_step,
            stuck=lambda status: (
                f"Jira's workflow has no step from '{status}' that closes {key} as not done: "
                f"close {key} as Won't Do in Jira, or ask an admin to add a Won't Do "
                "resolution to the Done step."
            ),
            screens=True,
        )

    async def _transition(self, key: str, category: trackers.StatusCategory, words: str) -> None:
        """The issue moved to a status of `category` (`words`: how Jira names it) by the first
        transition there the workflow allows, unless it is where that move is for already:
        done for Done, not done for To Do."""

        def first(transitions: list[Mapping[str, Any]]) -> Step | None:
            target = next(
                (t for t in transitions if status_category(t.get("to")) is category), None
            )
            return None if target is None else (target, {})

        await self._move(
            key,
            to_done=category is trackers.StatusCategory.DONE,
            choose=first,
            stuck=lambda status: (
                f"Jira's workflow has no step from '{status}' to a {words} status for {key}: "
                f"move it to {words} in Jira (or ask an admin to allow the step)."
            ),
        )

    async def _move(
        self,
        key: str,
        *,
        to_done: bool,
        choose: Callable[[list[Mapping[str, Any]]], Step | None],
        stuck: Callable[[str], str],
        screens: bool = False,
    ) -> None:
        """What every move through the workflow does: the status read first (nothing if the
        issue is done already for a move to done, not done for one away: a repeat after a
        lost answer stops there), the transitions allowed from it listed (with their screens'
        fields when `screens`), and the one `choose` picks posted with the fields it gives;
        when it picks none, a CONFIG error in `stuck`'s words (given the status's name)."""
        raw = await self._read(key, ["status"], f"read the status of {key}")
        status = (raw.get("fields") or {}).get("status") or {}
        if (status_category(status) is trackers.StatusCategory.DONE) == to_done:
            return
        raw = await self._on_issue(
            "GET",
            key,
            f"read how {key} can move on",
            then="/transitions",
            params={"expand": "transitions.fields"} if screens else None,
        )
        step = choose(
            [
                t
                for t in (raw or {}).get("transitions") or []
                if isinstance(t, Mapping) and t.get("isAvailable", True) is not False
            ]
        )
        if step is None:
            raise trackers.TrackerError(
                stuck(str(status.get("name") or "its status")),
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        target, fields = step
        name = str((target.get("to") or {}).get("name") or target.get("name") or "its next status")
        await self._on_issue(
            "POST",
            key,
            f"move {key} to {name}",
            then="/transitions",
            body={
                "transition": {"id": str(target.get("id"))},
                **({"fields": fields} if fields else {}),
            },
            idempotent=False,
        )


def said(name: Any) -> str:
    """A status or resolution name as ``NOT_DONE`` spells it (lower case, a plain ')."""
    return " ".join(str(name or "").replace("\u2019", "'").lower().split())


def not_done(resolution: Any, status: Any) -> bool:
    """The issue's resolution (``{"name": "Won't Do"}``, or null) or its Done-category status
    says it was closed without being delivered (``NOT_DONE``)."""
    name = resolution.get("name") if isinstance(resolution, Mapping) else None
    return bool({said(name), said(status)} & NOT_DONE)


def status_category(status: Any) -> trackers.StatusCategory | None:
    """The category of a status (``statusCategory.key``), None if Jira named none we know."""
    key = (status.get("statusCategory") or {}).get("key") if isinstance(status, Mapping) else None
    try:
        return trackers.StatusCategory(key)
    except ValueError:
        return None


def wont_do(items: Sequence[_T], name: Callable[[_T], Any]) -> _T | None:
    """The item whose `name` comes first in ``WONT_DO``; None if no name is there."""
    ranked = [
        (WONT_DO.index(said(name(i))), n) for n, i in enumerate(items) if said(name(i)) in WONT_DO
    ]
    return items[min(ranked)[1]] if ranked else None


def wont_do_step(transitions: list[Mapping[str, Any]]) -> Step | None:
    """The step that closes an issue as not done, and the fields it sends: to a Done status
    named so ("Won't Do", "Cancelled"), with a won't-do resolution if its screen offers one;
    else the first step to Done whose screen offers such a resolution, with it."""
    done = [t for t in transitions if status_category(t.get("to")) is trackers.StatusCategory.DONE]
    named = wont_do(done, lambda t: (t.get("to") or {}).get("name"))
    for step in done if named is None else [named]:
        field = (step.get("fields") or {}).get("resolution") or {}
        offered = [v for v in field.get("allowedValues") or [] if isinstance(v, Mapping)]
        resolution = wont_do(offered, lambda r: r.get("name"))
        if resolution is not None:
            ref = (
                {"id": str(resolution["id"])}
                if resolution.get("id")
                else {"name": resolution["name"]}
            )
            return step, {"resolution": ref}
    return None if named is None else (named, {})
