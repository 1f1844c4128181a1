"""Block Kit validation with Slack's own limits.

Slack refuses a payload that breaks a Block Kit rule (``invalid_blocks`` for messages,
``invalid_arguments`` for views), and the real error only shows up in production. The
emulator runs these checks on every payload the bot sends so a test fails on the spot.

``slack_sdk.models`` knows the structure of each block but checks few limits, and only one
level deep; this module walks the whole payload, applies the limits Slack documents, and
adds whatever ``slack_sdk``'s validators say about a block it found nothing wrong with.

Every problem reads like Slack's own: ``"<what> [json-pointer:/blocks/0/text/text]"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View as SdkView

Surface = Literal["message", "modal", "home"]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_ID = 255
MAX_SELECT_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_OPTION_DESCRIPTION = 75
MAX_PLACEHOLDER = 150
MAX_OVERFLOW_OPTIONS = 5
MAX_CHOICE_OPTIONS = 10  # checkboxes, radio_buttons
MAX_VIEW_TITLE = 24
MAX_VIEW_BUTTON = 24  # submit / close
MAX_PRIVATE_METADATA = 3000
MAX_INPUT_LABEL = 2000
MAX_INPUT_HINT = 2000
MAX_TEXT_INPUT_LENGTH = 3000
MAX_IMAGE_ALT = 2000
MAX_MARKDOWN_BLOCK_TEXT = 12_000

WARNING = "warning"
MISSING_FALLBACK_TEXT = (
    "blocks were sent without a top-level `text`: notifications and screen readers get no"
    " fallback (Slack warns missing_text)"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a payload; ``pointer`` is a JSON pointer into it."""

    message: str
    pointer: str
    severity: Literal["error", "warning"] = "error"

    @property
    def is_warning(self) -> bool:
        return self.severity == WARNING

    def __str__(self) -> str:
        prefix = "warning: " if self.is_warning else ""
        return f"{prefix}{self.message} [json-pointer:{self.pointer}]"


# Which block types each surface accepts (Slack's "Available in surfaces"): modals and the Home
# tab take the same ones.
_VIEW_BLOCKS = frozenset(
    {
        "actions",
        "context",
        "divider",
        "header",
        "image",
        "input",
        "rich_text",
        "section",
        "video",
    }
)
_BLOCKS_BY_SURFACE: dict[Surface, frozenset[str]] = {
    "message": frozenset(
        {
            "actions",
            "context",
            "context_actions",
            "divider",
            "file",
            "header",
            "image",
            "input",
            "markdown",
            "rich_text",
            "section",
            "table",
            "video",
        }
    ),
    "modal": _VIEW_BLOCKS,
    "home": _VIEW_BLOCKS,
}

_SELECT_TYPES = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
_ACTIONS_ELEMENTS = _SELECT_TYPES | {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
    "rich_text_input",
    "plain_text_input",
}
_ACCESSORY_ELEMENTS = _SELECT_TYPES | {
    "button",
    "checkboxes",
    "datepicker",
    "image",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
}
_INPUT_ELEMENTS = _SELECT_TYPES | {
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "file_input",
    "number_input",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "timepicker",
    "url_text_input",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}$")


class _Checker:
    """Walks one payload and collects problems; also tracks ids that must be unique."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.problems: list[Problem] = []
        self._block_ids: set[str] = set()
        self._action_ids: set[str] = set()

    def add(
        self,
        message: str,
        pointer: str,
        severity: Literal["error", "warning"] = "error",
    ) -> None:
        self.problems.append(Problem(message, pointer, severity))

    # -- primitives ---------------------------------------------------------------------

    def text_object(
        self,
        obj: Any,
        ptr: str,
        *,
        max_len: int | None = None,
        plain_only: bool = False,
        min_len: int = 1,
    ) -> None:
        if not isinstance(obj, Mapping):
            self.add("must be a text object", ptr)
            return
        kind = obj.get("type")
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if kind not in allowed:
            self.add(f"text object type must be one of {', '.join(allowed)}", f"{ptr}/type")
        text = obj.get("text")
        if not isinstance(text, str):
            self.add("missing required field: text", ptr)
            return
        if len(text) < min_len:
            self.add(f"must be more than {min_len - 1} characters", f"{ptr}/text")
        if max_len is not None and len(text) > max_len:
            self.add(f"must be less than {max_len + 1} characters (is {len(text)})", f"{ptr}/text")

    def string(self, value: Any, ptr: str, max_len: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.add("missing required field", ptr)
            return
        if not isinstance(value, str):
            self.add("must be a string", ptr)
        elif len(value) > max_len:
            self.add(f"must be less than {max_len + 1} characters (is {len(value)})", ptr)

    def block_id(self, value: Any, ptr: str) -> None:
        self._unique_id("block_id", value, ptr, self._block_ids, "block_id must be unique")

    def action_id(self, value: Any, ptr: str) -> None:
        self._unique_id("action_id", value, ptr, self._action_ids, "unique within a block")

    def _unique_id(self, name: str, value: Any, ptr: str, seen: set[str], rule: str) -> None:
        """An optional id, which must not repeat one in `seen` (`rule` says where)."""
        if value is None:
            return
        self.string(value, ptr, MAX_ID)
        if isinstance(value, str):
            if value in seen:
                self.add(f"duplicate {name} {value!r}: {rule}", ptr)
            seen.add(value)

    def items(
        self, value: Any, ptr: str, *, max_items: int, min_items: int = 1, required: bool = True
    ) -> list[Any]:
        if value is None:
            if required:
                self.add("missing required field", ptr)
            return []
        if not isinstance(value, list):
            self.add("must be an array", ptr)
            return []
        if len(value) < min_items:
            self.add(f"must have at least {min_items} items", ptr)
        if len(value) > max_items:
            self.add(f"no more than {max_items} items allowed (has {len(value)})", ptr)
        return value

    def option(self, opt: Any, ptr: str, *, text_plain_only: bool = True) -> None:
        if not isinstance(opt, Mapping):
            self.add("must be an option object", ptr)
            return
        self.text_object(
            opt.get("text"), f"{ptr}/text", max_len=MAX_OPTION_TEXT, plain_only=text_plain_only
        )
        self.string(opt.get("value"), f"{ptr}/value", MAX_OPTION_VALUE, required=True)
        if opt.get("description") is not None:
            self.text_object(
                opt["description"],
                f"{ptr}/description",
                max_len=MAX_OPTION_DESCRIPTION,
                plain_only=text_plain_only,
            )
        self.string(opt.get("url"), f"{ptr}/url", MAX_URL)

    def confirm(self, obj: Any, ptr: str) -> None:
        if obj is None:
            return
        if not isinstance(obj, Mapping):
            self.add("must be a confirmation dialog object", ptr)
            return
        self.text_object(obj.get("title"), f"{ptr}/title", max_len=100, plain_only=True)
        self.text_object(obj.get("text"), f"{ptr}/text", max_len=300)
        self.text_object(obj.get("confirm"), f"{ptr}/confirm", max_len=30, plain_only=True)
        self.text_object(obj.get("deny"), f"{ptr}/deny", max_len=30, plain_only=True)

    # -- elements -----------------------------------------------------------------------

    def element(self, el: Any, ptr: str, allowed: frozenset[str], where: str) -> None:
        if not isinstance(el, Mapping):
            self.add("must be an element object", ptr)
            return
        kind = el.get("type")
        if kind not in allowed:
            self.add(f"element type {kind!r} is not allowed in {where}", f"{ptr}/type")
            return
        self.action_id(el.get("action_id"), f"{ptr}/action_id")
        self.confirm(el.get("confirm"), f"{ptr}/confirm")
        if el.get("placeholder") is not None:
            self.text_object(
                el["placeholder"], f"{ptr}/placeholder", max_len=MAX_PLACEHOLDER, plain_only=True
            )
        if kind == "button":
            self.text_object(
                el.get("text"), f"{ptr}/text", max_len=MAX_BUTTON_TEXT, plain_only=True
            )
            self.string(el.get("value"), f"{ptr}/value", MAX_BUTTON_VALUE)
            self.string(el.get("url"), f"{ptr}/url", MAX_URL)
            if el.get("style") not in (None, "primary", "danger"):
                self.add("style must be primary or danger", f"{ptr}/style")
        elif kind == "overflow":
            for i, opt in enumerate(
                self.items(el.get("options"), f"{ptr}/options", max_items=MAX_OVERFLOW_OPTIONS)
            ):
                self.option(opt, f"{ptr}/options/{i}")
        elif kind in ("static_select", "multi_static_select"):
            self.static_options(el, ptr)
        elif kind in ("checkboxes", "radio_buttons"):
            options = self.items(el.get("options"), f"{ptr}/options", max_items=MAX_CHOICE_OPTIONS)
            for i, opt in enumerate(options):
                self.option(opt, f"{ptr}/options/{i}", text_plain_only=False)
            self.initial_in_options(el, options, ptr)
        elif kind in ("plain_text_input", "email_text_input", "url_text_input"):
            self.string(el.get("initial_value"), f"{ptr}/initial_value", MAX_TEXT_INPUT_LENGTH)
            for key in ("min_length", "max_length"):
                value = el.get(key)
                if value is not None and (
                    not isinstance(value, int) or not 0 <= value <= MAX_TEXT_INPUT_LENGTH
                ):
                    self.add(
                        f"{key} must be an integer from 0 to {MAX_TEXT_INPUT_LENGTH}",
                        f"{ptr}/{key}",
                    )
        elif kind == "number_input":
            if not isinstance(el.get("is_decimal_allowed"), bool):
                self.add("missing required field: is_decimal_allowed", ptr)
        elif kind == "datepicker":
            date = el.get("initial_date")
            if date is not None and not (isinstance(date, str) and _DATE.match(date)):
                self.add("initial_date must be YYYY-MM-DD", f"{ptr}/initial_date")
        elif kind == "timepicker":
            value = el.get("initial_time")
            if value is not None and not (isinstance(value, str) and _TIME.match(value)):
                self.add("initial_time must be HH:mm", f"{ptr}/initial_time")
        elif kind == "image":
            self.image_fields(el, ptr)

    def static_options(self, el: Mapping[str, Any], ptr: str) -> None:
        has_options, has_groups = el.get("options") is not None, el.get("option_groups") is not None
        if has_options == has_groups:
            self.add("must provide exactly one of options or option_groups", ptr)
        options: list[Any] = []
        if has_options:
            options = self.items(el["options"], f"{ptr}/options", max_items=MAX_SELECT_OPTIONS)
            for i, opt in enumerate(options):
                self.option(opt, f"{ptr}/options/{i}")
        if has_groups:
            groups = self.items(
                el["option_groups"], f"{ptr}/option_groups", max_items=MAX_SELECT_OPTIONS
            )
            for g, group in enumerate(groups):
                if not isinstance(group, Mapping):
                    self.add("must be an option group", f"{ptr}/option_groups/{g}")
                    continue
                gptr = f"{ptr}/option_groups/{g}"
                self.text_object(
                    group.get("label"), f"{gptr}/label", max_len=MAX_OPTION_TEXT, plain_only=True
                )
                grouped = self.items(
                    group.get("options"), f"{gptr}/options", max_items=MAX_SELECT_OPTIONS
                )
                for i, opt in enumerate(grouped):
                    self.option(opt, f"{gptr}/options/{i}")
                options.extend(grouped)
        self.initial_in_options(el, options, ptr)

    def initial_in_options(self, el: Mapping[str, Any], options: Sequence[Any], ptr: str) -> None:
        """Slack refuses an initial option that is not one of the options."""
        values = {o.get("value") for o in options if isinstance(o, Mapping)}
        initial = el.get("initial_option")
        initials = [initial] if initial is not None else list(el.get("initial_options") or [])
        key = "initial_option" if initial is not None else "initial_options"
        for i, opt in enumerate(initials):
            if not isinstance(opt, Mapping) or opt.get("value") not in values:
                self.add(
                    "initial option must exactly match one of the options",
                    f"{ptr}/{key}" + ("" if initial is not None else f"/{i}"),
                )

    def image_fields(self, obj: Mapping[str, Any], ptr: str) -> None:
        if obj.get("image_url") is None and obj.get("slack_file") is None:
            self.add("must provide image_url or slack_file", ptr)
        self.string(obj.get("image_url"), f"{ptr}/image_url", MAX_URL)
        self.string(obj.get("alt_text"), f"{ptr}/alt_text", MAX_IMAGE_ALT, required=True)

    # -- blocks -------------------------------------------------------------------------

    def blocks(self, blocks: Any, ptr: str, max_blocks: int) -> None:
        if not isinstance(blocks, list):
            self.add("must be an array of blocks", ptr)
            return
        if len(blocks) > max_blocks:
            self.add(f"no more than {max_blocks} items allowed (has {len(blocks)})", ptr)
        for i, block in enumerate(blocks):
            before = len(self.problems)
            bptr = f"{ptr}/{i}"
            self.block(block, bptr)
            if len(self.problems) == before and isinstance(block, Mapping):
                self.sdk_block(block, bptr)

    def block(self, block: Any, ptr: str) -> None:
        # Slack wants an action_id unique within its block, not across the whole message.
        self._action_ids = set()
        if not isinstance(block, Mapping):
            self.add("must be a block object", ptr)
            return
        kind = block.get("type")
        if not isinstance(kind, str):
            self.add("missing required field: type", ptr)
            return
        if kind not in _BLOCKS_BY_SURFACE[self.surface]:
            known = set().union(*_BLOCKS_BY_SURFACE.values())
            what = "unknown block type" if kind not in known else "block type not allowed here"
            self.add(f"{what} {kind!r} (surface: {self.surface})", f"{ptr}/type")
            return
        self.block_id(block.get("block_id"), f"{ptr}/block_id")
        handler = getattr(self, f"block_{kind}", None)
        if handler is not None:
            handler(block, ptr)

    def block_section(self, block: Mapping[str, Any], ptr: str) -> None:
        text, fields = block.get("text"), block.get("fields")
        if text is None and fields is None:
            self.add("must define either `text` or `fields`", ptr)
        if text is not None:
            self.text_object(text, f"{ptr}/text", max_len=MAX_SECTION_TEXT)
        if fields is not None:
            for i, field in enumerate(
                self.items(fields, f"{ptr}/fields", max_items=MAX_SECTION_FIELDS)
            ):
                self.text_object(field, f"{ptr}/fields/{i}", max_len=MAX_FIELD_TEXT)
        if block.get("accessory") is not None:
            self.element(
                block["accessory"], f"{ptr}/accessory", _ACCESSORY_ELEMENTS, "a section accessory"
            )

    def block_header(self, block: Mapping[str, Any], ptr: str) -> None:
        self.text_object(block.get("text"), f"{ptr}/text", max_len=MAX_HEADER_TEXT, plain_only=True)

    def block_context(self, block: Mapping[str, Any], ptr: str) -> None:
        for i, el in enumerate(
            self.items(block.get("elements"), f"{ptr}/elements", max_items=MAX_CONTEXT_ELEMENTS)
        ):
            eptr = f"{ptr}/elements/{i}"
            if isinstance(el, Mapping) and el.get("type") == "image":
                self.image_fields(el, eptr)
            else:
                self.text_object(el, eptr)

    def block_actions(self, block: Mapping[str, Any], ptr: str) -> None:
        for i, el in enumerate(
            self.items(block.get("elements"), f"{ptr}/elements", max_items=MAX_ACTIONS_ELEMENTS)
        ):
            self.element(el, f"{ptr}/elements/{i}", _ACTIONS_ELEMENTS, "an actions block")

    def block_input(self, block: Mapping[str, Any], ptr: str) -> None:
        self.text_object(
            block.get("label"), f"{ptr}/label", max_len=MAX_INPUT_LABEL, plain_only=True
        )
        if block.get("hint") is not None:
            self.text_object(block["hint"], f"{ptr}/hint", max_len=MAX_INPUT_HINT, plain_only=True)
        if block.get("element") is None:
            self.add("missing required field: element", ptr)
        else:
            self.element(block["element"], f"{ptr}/element", _INPUT_ELEMENTS, "an input block")

    def block_image(self, block: Mapping[str, Any], ptr: str) -> None:
        self.image_fields(block, ptr)
        if block.get("title") is not None:
            self.text_object(block["title"], f"{ptr}/title", max_len=2000, plain_only=True)

    def block_markdown(self, block: Mapping[str, Any], ptr: str) -> None:
        self.string(block.get("text"), f"{ptr}/text", MAX_MARKDOWN_BLOCK_TEXT, required=True)

    def sdk_block(self, block: Mapping[str, Any], ptr: str) -> None:
        """What slack_sdk's models say, for the rules this module does not spell out."""
        try:
            parsed = Block.parse(dict(block))
            if parsed is None:
                return
            parsed.validate_json()
            for suffix, el in _elements_of(block):
                element = BlockElement.parse(dict(el)) if isinstance(el, Mapping) else None
                if element is not None:
                    try:
                        element.validate_json()
                    except SlackObjectFormationError as exc:
                        self.add(str(exc), f"{ptr}/{suffix}")
        except SlackObjectFormationError as exc:
            self.add(str(exc), ptr)
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            self.add(f"malformed block ({exc})", ptr)


def _elements_of(block: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    """The interactive elements of a block, each with its pointer suffix."""
    if block.get("type") == "actions":
        return [(f"elements/{i}", el) for i, el in enumerate(block.get("elements") or [])]
    if block.get("type") == "section" and block.get("accessory") is not None:
        return [("accessory", block["accessory"])]
    if block.get("type") == "input" and block.get("element") is not None:
        return [("element", block["element"])]
    return []


# -- public API ---------------------------------------------------------------------------


def message_problems(payload: Mapping[str, Any]) -> list[Problem]:
    """Problems in a chat.postMessage / postEphemeral / update or response_url payload."""
    checker = _Checker("message")
    text, blocks = payload.get("text"), payload.get("blocks")
    attachments = payload.get("attachments")
    if isinstance(text, str) and len(text) > MAX_MESSAGE_TEXT:
        checker.add(f"text must be at most {MAX_MESSAGE_TEXT} characters (is {len(text)})", "/text")
    elif text is not None and not isinstance(text, str):
        checker.add("text must be a string", "/text")
    if not text and not blocks and not attachments:
        checker.add("a message needs `text`, `blocks` or `attachments`", "/")
    if blocks is not None:
        checker.blocks(blocks, "/blocks", MAX_MESSAGE_BLOCKS)
        if blocks and not text:
            checker.add(MISSING_FALLBACK_TEXT, "/text", WARNING)
    return checker.problems


def view_problems(view: Any) -> list[Problem]:
    """Problems in a view for views.open / push / update / publish or a response_action."""
    if not isinstance(view, Mapping):
        return [Problem("view must be a JSON object", "/view")]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [Problem("type must be modal or home", "/view/type")]
    checker = _Checker(kind)
    if kind == "modal":
        checker.text_object(
            view.get("title"), "/view/title", max_len=MAX_VIEW_TITLE, plain_only=True
        )
        for key in ("submit", "close"):
            if view.get(key) is not None:
                checker.text_object(
                    view[key], f"/view/{key}", max_len=MAX_VIEW_BUTTON, plain_only=True
                )
        blocks = view.get("blocks")
        if (
            isinstance(blocks, list)
            and view.get("submit") is None
            and any(isinstance(b, Mapping) and b.get("type") == "input" for b in blocks)
        ):
            checker.add("a modal with input blocks must have a submit button", "/view/submit")
    else:
        for key in ("submit", "close"):
            if view.get(key) is not None:
                checker.add(f"a home tab cannot have {key}", f"/view/{key}")
    checker.string(view.get("private_metadata"), "/view/private_metadata", MAX_PRIVATE_METADATA)
    checker.string(view.get("callback_id"), "/view/callback_id", MAX_ID)
    checker.string(view.get("external_id"), "/view/external_id", MAX_ID)
    if view.get("blocks") is None:
        checker.add("missing required field: blocks", "/view")
    else:
        checker.blocks(view["blocks"], "/view/blocks", MAX_VIEW_BLOCKS)
    if not checker.problems:
        try:
            SdkView(**dict(view)).validate_json()
        except SlackObjectFormationError as exc:
            checker.add(str(exc), "/view")
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            checker.add(f"malformed view ({exc})", "/view")
    return checker.problems


def check_message(payload: Mapping[str, Any]) -> list[str]:
    """Human-readable problems in a message payload (warnings start with ``warning:``)."""
    return [str(p) for p in message_problems(payload)]


def check_view(view: Any) -> list[str]:
    """Human-readable problems in a view payload."""
    return [str(p) for p in view_problems(view)]


def is_warning(problem: str) -> bool:
    """True for problems Slack only warns about (the call still succeeds)."""
    return problem.startswith("warning: ")
