"""Modals and Home tabs, a mixin on the workspace: the trigger_ids that open a modal,
views.open, views.push, views.update and views.publish with each user's stack of modals, what
Slack does with the bot's answer to a view_submission (errors, update, push, clear, close),
and what tests read of them (the open modal, the stack, the Home tab).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.emulator.blockcheck import view_problems
from bot.emulator.slack_records import SlackFailure, View, fill_ids, slack_bool, state_ids
from bot.emulator.slack_workspace import SlackWorkspace

TRIGGER_TTL = 3.0  # seconds a trigger_id can be exchanged for a modal
MAX_VIEW_STACK = 3


@dataclass
class Trigger:
    """A trigger_id handed out with an interaction: one modal within ``TRIGGER_TTL``."""

    id: str
    user: str
    issued: float
    used: bool = False


class SlackViews(SlackWorkspace):
    """views.open, views.push, views.update, views.publish, and the modals' life after."""

    views: dict[str, View]
    _stacks: dict[str, list[str]]
    _homes: dict[str, str]
    _triggers: dict[str, Trigger]
    _acking: dict[str, list[dict[str, Any]]]  # view id: views.update calls held until its ack

    # -- triggers ------------------------------------------------------------------------

    def new_trigger_id(self, user: str) -> str:
        """A trigger_id as Slack puts in an interaction payload, valid for 3 s of ``now()``."""
        number = self._next_number()
        digest = hashlib.sha1(f"trigger:{number}".encode()).hexdigest()[:32]
        trigger_id = f"{number}.{int(self.epoch())}.{digest}"
        self._triggers[trigger_id] = Trigger(trigger_id, user, self.epoch())
        return trigger_id

    def _exchange_trigger(self, trigger_id: Any, *, consume: bool) -> Trigger:
        trigger = self._triggers.get(str(trigger_id)) if trigger_id else None
        if trigger is None:
            raise SlackFailure("invalid_trigger_id")
        if trigger.used:
            raise SlackFailure("exchanged_trigger_id")
        if self.epoch() - trigger.issued > TRIGGER_TTL:
            raise SlackFailure("expired_trigger_id")
        if consume:
            trigger.used = True
        return trigger

    # -- what tests read -----------------------------------------------------------------

    def open_view(self, user: str) -> View | None:
        """The top-most open modal of ``user``."""
        stack = self._stacks.get(user) or []
        return self.views[stack[-1]] if stack else None

    def view_stack(self, user: str) -> list[View]:
        return [self.views[v] for v in self._stacks.get(user) or []]

    def home(self, user: str) -> dict[str, Any] | None:
        """The Home tab view last published for ``user``."""
        view_id = self._homes.get(user)
        return self.views[view_id].view if view_id else None

    def home_view(self, user: str) -> View | None:
        view_id = self._homes.get(user)
        return self.views[view_id] if view_id else None

    # -- views ---------------------------------------------------------------------------

    def _view_dict(
        self,
        view_id: str,
        spec: Mapping[str, Any],
        *,
        previous: str | None,
        root: str | None,
        state: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        view_hash = self._new_hash()
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec["type"],
            "blocks": fill_ids(list(spec.get("blocks") or []), view_id + view_hash),
            "private_metadata": spec.get("private_metadata") or "",
            "callback_id": spec.get("callback_id") or "",
            "state": {"values": state or {}},
            "hash": view_hash,
            "title": copy.deepcopy(spec.get("title")),
            "clear_on_close": slack_bool(spec.get("clear_on_close")),
            "notify_on_close": slack_bool(spec.get("notify_on_close")),
            "close": copy.deepcopy(spec.get("close")),
            "submit": copy.deepcopy(spec.get("submit")),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": self.app_id,
            "external_id": spec.get("external_id") or "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _new_view(
        self,
        user: str,
        spec: Mapping[str, Any],
        *,
        previous: str | None = None,
        root: str | None = None,
    ) -> View:
        view_id = self.new_id("V")
        view = View(view_id, user, self._view_dict(view_id, spec, previous=previous, root=root))
        self.views[view_id] = view
        self._notify("view", view)
        return view

    def _replace_view(self, view: View, spec: Mapping[str, Any]) -> None:
        """views.update / response_action update: same id, new content and hash; values the
        user typed survive where block_id and action_id are unchanged (as in Slack)."""
        old_state = view.view.get("state", {}).get("values", {})
        fresh = self._view_dict(
            view.id, spec, previous=view.previous_view_id, root=view.root_view_id
        )
        kept = state_ids(fresh["blocks"])
        fresh["state"]["values"] = {
            b: {a: v for a, v in actions.items() if (b, a) in kept}
            for b, actions in old_state.items()
            if any((b, a) in kept for a in actions)
        }
        view.view = fresh
        view.errors = None
        self._notify("view", view)

    def _modal_spec(self, where: str, args: Mapping[str, Any]) -> dict[str, Any]:
        spec = args.get("view")
        self._check_view(where, spec)
        if not isinstance(spec, dict):
            raise SlackFailure("invalid_arguments")
        if spec.get("type") != "modal":
            raise SlackFailure(
                "invalid_arguments",
                response_metadata={
                    "messages": ["[ERROR] view type must be modal [json-pointer:/view/type]"]
                },
            )
        return spec

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        self._exchange_trigger(args.get("trigger_id"), consume=False)
        spec = self._modal_spec("views.open", args)
        trigger = self._exchange_trigger(args.get("trigger_id"), consume=True)
        for view_id in self._stacks.get(trigger.user, []):
            self.views[view_id].open = False
        view = self._new_view(trigger.user, spec)
        self._stacks[trigger.user] = [view.id]
        return {"view": view.view}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        self._exchange_trigger(args.get("trigger_id"), consume=False)
        spec = self._modal_spec("views.push", args)
        trigger = self._exchange_trigger(args.get("trigger_id"), consume=True)
        return {"view": self.push_view(trigger.user, spec).view}

    def push_view(self, user: str, spec: Mapping[str, Any]) -> View:
        """Put a modal on top of the user's stack (views.push, response_action push)."""
        stack = self._stacks.setdefault(user, [])
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackFailure("push_limit_reached")
        if not stack:
            self.report_problem("views.push", f"no modal is open for {user}: use views.open")
        view = self._new_view(
            user, spec, previous=stack[-1] if stack else None, root=stack[0] if stack else None
        )
        stack.append(view.id)
        return view

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view: View | None = None
        if args.get("view_id"):
            view = self.views.get(str(args["view_id"]))
        elif args.get("external_id"):
            view = next(
                (
                    v
                    for v in self.views.values()
                    if v.open and v.view.get("external_id") == args["external_id"]
                ),
                None,
            )
        if view is None or not view.open:
            raise SlackFailure("not_found")
        if args.get("hash") and args["hash"] != view.hash:
            raise SlackFailure("hash_conflict")
        spec = args.get("view")
        self._check_view("views.update", spec)
        if not isinstance(spec, dict) or spec.get("type") != view.type:
            raise SlackFailure("invalid_arguments")
        if view.id in self._acking:  # sent after the ack, which Slack has read first
            self._acking[view.id].append(spec)
            return {"view": view.view}
        self._replace_view(view, spec)
        return {"view": view.view}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = args.get("user_id")
        if not isinstance(user, str) or user not in self.users:
            raise SlackFailure("user_not_found")
        spec = args.get("view")
        self._check_view("views.publish", spec)
        if not isinstance(spec, dict) or spec.get("type") != "home":
            raise SlackFailure(
                "invalid_arguments",
                response_metadata={
                    "messages": ["[ERROR] view type must be home [json-pointer:/view/type]"]
                },
            )
        existing = self.home_view(user)
        if existing is not None:
            if args.get("hash") and args["hash"] != existing.hash:
                raise SlackFailure("hash_conflict")
            self._replace_view(existing, spec)
            return {"view": existing.view}
        view = self._new_view(user, spec)
        self._homes[user] = view.id
        return {"view": view.view}

    def close_view(self, view_id: str, *, clear: bool = False) -> None:
        """Close a modal (and those above it); ``clear`` closes the user's whole stack."""
        view = self.views[view_id]
        stack = self._stacks.get(view.user, [])
        if view_id not in stack:
            return
        cut = 0 if clear else stack.index(view_id)
        for closed in stack[cut:]:
            self.views[closed].open = False
            self._notify("view", self.views[closed])
        del stack[cut:]

    def awaiting_ack(self, view_id: str) -> None:
        """A submission of the view is on its way to the bot: a ``views.update`` of the view
        the bot sends after acking (by then on its way) is applied after the ack, as Slack
        reads them, even when it reaches the emulator first (``apply_view_response``)."""
        self._acking[view_id] = []

    def apply_view_response(self, view: View, status: int, body: Any) -> None:
        """Do what Slack does with the bot's answer to a view_submission.

        Empty 200 closes the modal; ``response_action`` errors / update / push / clear act as
        documented; anything else leaves the modal open with Slack's generic error (and is
        recorded as a problem). Then the ``views.update`` calls held meanwhile.
        """
        try:
            self._apply_view_response(view, status, body)
        finally:
            for spec in self._acking.pop(view.id, []):
                if view.open:
                    self._replace_view(view, spec)

    def _apply_view_response(self, view: View, status: int, body: Any) -> None:
        where = f"view_submission ack ({view.callback_id or view.id})"
        if status != 200:
            self.report_problem(
                where,
                f"{f'HTTP {status}' if status else 'no ack'}: Slack shows 'We had some trouble"
                " connecting' and keeps the modal open",
            )
            return
        if body is None or body == "":
            self.close_view(view.id)
            return
        if not isinstance(body, dict):
            self.report_problem(where, f"body is not a JSON object: {body!r}")
            return
        action = body.get("response_action")
        if action == "errors":
            errors = body.get("errors")
            inputs = {b.get("block_id") for b in view.blocks if b.get("type") == "input"}
            if not isinstance(errors, dict) or not errors:
                self.report_problem(where, "response_action errors needs an errors object")
                return
            for block_id in errors:
                if block_id not in inputs:
                    self.report_problem(
                        where,
                        f"errors names {block_id!r}, which is not an input block of this view",
                    )
            view.errors = {str(k): str(v) for k, v in errors.items()}
            self._notify("view", view)
        elif action in ("update", "push"):
            spec = body.get("view")
            problems = self._record(f"{where} {action}", view_problems(spec))
            if problems or not isinstance(spec, dict) or spec.get("type") != "modal":
                if not problems:
                    self.report_problem(where, f"response_action {action} needs a modal view")
                return
            if action == "update":
                self._replace_view(view, spec)
            else:
                try:
                    self.push_view(view.user, spec)
                except SlackFailure:
                    self.report_problem(where, "push_limit_reached: at most 3 modals")
        elif action == "clear":
            self.close_view(view.id, clear=True)
        else:
            self.report_problem(where, f"unknown response_action {action!r}")

    def set_view_value(
        self, view_id: str, block_id: str, action_id: str, value: dict[str, Any]
    ) -> None:
        """Record what the user entered in a modal element (kept in ``view.state.values``)."""
        values = self.views[view_id].view.setdefault("state", {}).setdefault("values", {})
        values.setdefault(block_id, {})[action_id] = value
