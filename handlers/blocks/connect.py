"""Block Kit of a channel's tracker connection: the choice of tracker, each tracker's form,
its outcome, its status, and the key (PROJ-123, owner/repo#12, linked) an item shows wherever
it is listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.domain import tracker_sync
from bot.usecases.tracker import REFUSED_SHOWN
from bot.usecases.tracker_connect import (
    NAMES,
    Connected,
    ConnectionShown,
    Disconnected,
    NotConnected,
    Renewed,
)
from handlers.blocks.kit import button, context, message, metadata_json, mrkdwn_notice, section
from handlers.render import Mrkdwn, render
from storage.models import BacklogItem, TrackerConnection, TrackerLink, loaded_link

CALLBACK = "tracker_connect"
CHOOSE = "tracker_choose_"  # + the kind: a button of the choice


def choice_message(kinds: list[str], connection: TrackerConnection | None = None) -> dict[str, Any]:
    """Which tracker: a button each (the form of that tracker opens); on top, the channel's
    `connection`, if any, which connecting another replaces."""
    text = render(
        "tracker_choose.md.j2",
        connection=connection,
        tracker=tracker_sync.tracker_name(connection.kind) if connection else "",
        word=tracker_sync.board_word(connection.kind, connection.board_id) if connection else "",
    )
    buttons = [button(NAMES[kind], f"{CHOOSE}{kind}", kind) for kind in kinds]
    return message([section(text), ActionsBlock(block_id="tracker_choose", elements=buttons)], text)


@dataclass(frozen=True)
class _Field:
    """One input of a connect form: its block id, label, placeholder and longest value."""

    block: str
    label: str
    placeholder: str
    max_length: int
    optional: bool = False
    multiline: bool = False
    secret: bool = False  # never put back into a form sent again

    def block_kit(self, typed: str = "", hint: str | None = None) -> InputBlock:
        """The input, holding what was ``typed`` when the form comes back (``connect_modal``)."""
        element = PlainTextInputElement(
            action_id="value",
            placeholder=self.placeholder,
            max_length=self.max_length,
            multiline=self.multiline or None,  # left out of the view unless multiline
            initial_value=typed[: self.max_length] or None,
        )
        return InputBlock(
            block_id=self.block,
            label=self.label,
            optional=self.optional,
            element=element,
            hint=hint,
        )


# Each tracker's form: what Timebox works on there, what the secret is called, and the inputs.
_FORMS: dict[str, tuple[str, str, tuple[_Field, ...]]] = {
    # Repository, optional project, a token or an App's key, estimate field, API address.
    "github": (
        "the project's backlog (or the repository's open issues)",
        "token",
        (
            _Field("repo", "Repository", "owner/name", 200),
            _Field(
                "project",
                "Project number",
                "the number in …/projects/<number> (empty: the repository alone)",
                12,
                optional=True,
            ),
            _Field(
                "token",
                "Token or App private key",
                "a fine-grained token, or a GitHub App's private key (.pem)",
                3000,
                multiline=True,
                secret=True,
            ),
            _Field("app_id", "GitHub App id", "only with an App's private key", 20, optional=True),
            _Field(
                "estimate_field",
                "Estimate field",
                "the project's number field for estimates (Estimate; made if missing)",
                100,
                optional=True,
            ),
            _Field(
                "api_url",
                "API address",
                "https://api.github.com (Enterprise Server: https://<host>/api/v3)",
                255,
                optional=True,
            ),
        ),
    ),
    # API key, team key, optional API address.
    "linear": (
        "the team's backlog",
        "key",
        (
            _Field(
                "api_key", "API key", "Settings > Security & access > API keys", 500, secret=True
            ),
            _Field("team", "Team key", "ENG (the letters before an issue's number)", 10),
            _Field("api_url", "API address", "https://api.linear.app/graphql", 255, optional=True),
        ),
    ),
    # Site, account email, API token, board, optional JQL filter and criteria field.
    "jira": (
        "the board's backlog",
        "token",
        (
            _Field("site", "Jira site", "https://your-site.atlassian.net", 255),
            _Field("email", "Account email", "you@example.com", 255),
            _Field(
                "token", "API token", "id.atlassian.com > Security > API tokens", 500, secret=True
            ),
            _Field("board", "Board number", "the number in …/boards/<number>", 12),
            _Field("jql", "Only issues matching (JQL)", "labels = mobile", 500, optional=True),
            _Field(
                "acceptance",
                "Acceptance criteria field",
                "customfield_10042 (empty: a section of the description)",
                64,
                optional=True,
            ),
        ),
    ),
}


def connect_modal(
    channel_id: str,
    team_id: int,
    kind: str,
    typed: dict[str, str] | None = None,
    refused: NotConnected | None = None,
    private_metadata: str | None = None,
) -> dict[str, Any]:
    """The private form of one tracker (Jira's for a kind without one of its own); all share a
    callback, the kind is in the metadata. Sent back after the tracker ``refused`` it: what
    the tracker said on top, each input holding what was ``typed`` but the secret, which is
    asked for again (never put back into a view), and the form's ``private_metadata``."""
    form = kind if kind in _FORMS else "jira"
    works_on, secret, fields = _FORMS[form]
    typed = typed or {}
    again = f"Paste the {secret} again: Timebox never puts it back into a form."
    top = (
        render(
            "tracker_refused.md.j2",
            problems=refused.problems,
            tracker=refused.tracker,
            again=True,
        )
        if refused is not None
        else (
            f"Timebox works on {works_on} and writes back what the team decides. The {secret} is "
            "checked at once, kept encrypted, and never shown again."
        )
    )
    return View(
        type="modal",
        callback_id=CALLBACK,
        title=f"Connect {NAMES[form]}",
        submit="Connect",
        close="Cancel",
        private_metadata=private_metadata
        or metadata_json(channel=channel_id, team=team_id, kind=form),
        blocks=[
            section(top),
            *(
                field.block_kit(
                    "" if field.secret else typed.get(field.block, ""),
                    again if field.secret and refused is not None else None,
                )
                for field in fields
            ),
        ],
    ).to_dict()


def checking_view(kind: str, private_metadata: str) -> dict[str, Any]:
    """What the form turns into while the tracker is asked (its answer may take seconds):
    no inputs; the form comes back with the problems, or the view says it is connected."""
    return _outcome_view(NAMES.get(kind, NAMES["jira"]), private_metadata, state="checking")


def connected_view(connected: Connected, private_metadata: str) -> dict[str, Any]:
    """The form's end once connected: the details (the webhook's secret among them) are in the
    private message, which stays; nothing secret is put in a view."""
    connection = connected.connection
    return _outcome_view(
        connected.tracker,
        private_metadata,
        state="connected",
        word=tracker_sync.board_word(connection.kind, connection.board_id),
        name=connection.board_name,
    )


def stopped_view(kind: str, private_metadata: str) -> dict[str, Any]:
    """The form's end when the connect stopped on something else than the tracker's answer
    (the channel's roles changed, no key for tokens at rest...): said privately."""
    return _outcome_view(NAMES.get(kind, NAMES["jira"]), private_metadata, state="stopped")


def _outcome_view(tracker: str, private_metadata: str, **said: Any) -> dict[str, Any]:
    text = render("tracker_checking.md.j2", tracker=tracker, **said)
    return View(
        type="modal",
        callback_id=CALLBACK,
        title=f"Connect {tracker}",
        close="Close",
        private_metadata=private_metadata,
        blocks=[section(text)],
    ).to_dict()


CREDENTIALS = {
    "api_token": "API token",
    "token": "token",
    "app": "GitHub App's private key",
    "api_key": "API key",
}
"""A connection's credential (``credential_kind``) in words; anything else is a token."""


def connected_message(connected: Connected) -> dict[str, Any]:
    if isinstance(connected, Renewed):
        return renewed_message(connected)
    secret = connected.webhook_secret
    return mrkdwn_notice(
        render(
            "tracker_connected.md.j2",
            connection=connected.connection,
            tracker=tracker_sync.tracker_name(connected.connection.kind),
            path=connected.webhook_path,
            url=connected.webhook_url,
            secret=secret.reveal() if secret is not None else "",
            added=connected.webhook_added,
            made=connected.webhook_made,
            webhooks=connected.webhooks,
            matching=connected.matching,
            **sync_every(),
        )
    )


def renewed_message(renewed: Renewed) -> dict[str, Any]:
    """Connected again to the same board: the new credential taken, the webhook unchanged (no
    secret shown: the one shown at connection still holds)."""
    connection = renewed.connection
    return mrkdwn_notice(
        render(
            "tracker_renewed.md.j2",
            connection=connection,
            renewed=renewed,
            tracker=renewed.tracker,
            word=tracker_sync.board_word(connection.kind, connection.board_id),
            credential=CREDENTIALS.get(connection.credential_kind, "token"),
            path=renewed.webhook_path,
            url=renewed.webhook_url,
            webhooks=renewed.webhooks,
            **sync_every(),
        )
    )


def refused_message(refused: NotConnected) -> dict[str, Any]:
    return mrkdwn_notice(
        render(
            "tracker_refused.md.j2",
            problems=refused.problems,
            tracker=refused.tracker,
            kind=refused.kind,
            again=False,
        )
    )


@dataclass(frozen=True)
class FailingCount:
    """The items whose writes fail, as the status counts them: `retrying` (after an error:
    an outage, say), `refused` by the tracker for good (someone must act), and `either`: those
    not read to tell (``tracker.FAILING_READ``)."""

    retrying: int = 0
    refused: int = 0
    either: int = 0

    @classmethod
    def of(cls, shown: ConnectionShown) -> FailingCount:
        read = shown.failing_items
        retrying = sum(1 for item in read if item.retrying)
        return cls(retrying, len(read) - retrying, max(shown.failing - len(read), 0))


def status_message(shown: ConnectionShown) -> dict[str, Any]:
    connection = shown.connection
    status = (shown.state or connection.status) if connection else ""
    return mrkdwn_notice(
        render(
            "tracker_status.md.j2",
            connection=connection,
            shown=shown,
            status=status,
            failing=FailingCount.of(shown),
            named=shown.failing_items[:REFUSED_SHOWN],
            tracker=NAMES.get(connection.kind, "Jira") if connection else "",
            word=tracker_sync.board_word(connection.kind, connection.board_id)
            if connection
            else "",
            every=retry_every(round(tracker_sync.REFUSED_RETRY / 60)),
            outage_every=retry_every(round(tracker_sync.MAX_RETRY / 60)),
            **sync_every(),
        )
    )


def sync_every() -> dict[str, Any]:
    """How often the syncs bring the tracker's changes, for the texts: `minutes` (the
    regular sync) and `reconcile` (deletions and the order, in ``retry_every``'s words)."""
    return {
        "minutes": int(tracker_sync.SYNC_EVERY.total_seconds() // 60),
        "reconcile": retry_every(round(tracker_sync.RECONCILE_EVERY.total_seconds() / 60)),
    }


def retry_every(minutes: int) -> str:
    """How often a broken connection's work is tried again, in words: "hour", "30 minutes"
    (the channel's notice of the break and the status say it alike)."""
    return "hour" if minutes == 60 else f"{minutes} minutes"


def disconnected_message(gone: Disconnected) -> dict[str, Any]:
    word = tracker_sync.board_word(gone.kind, gone.board_id)
    return mrkdwn_notice(render("tracker_disconnected.md.j2", gone=gone, word=word))


def disconnect_told(gone: Disconnected) -> dict[str, Any]:
    """The channel's news of a disconnect: who, from which board, and the changes that were
    waiting for the tracker, not sent (``news.tell_channel``)."""
    word = tracker_sync.board_word(gone.kind, gone.board_id)
    return mrkdwn_notice(render("tracker_disconnect_told.md.j2", gone=gone, word=word))


def tracker_of(link: TrackerLink) -> str:
    """The name of the tracker an item is linked to (the link is all an item's view has
    loaded): the kind the sync keeps with it; for a link kept before it did, from its key and
    address (owner/repo#12 is GitHub's, a linear.app address Linear's, else Jira's)."""
    kind = (link.remote or {}).get("tracker")
    if isinstance(kind, str) and kind:
        return tracker_sync.tracker_name(kind)
    if link.key and "#" in link.key:
        return "GitHub"
    if link.url and "linear.app/" in link.url:
        return "Linear"
    return "Jira"


def item_blocks(item: BacklogItem) -> list[Block]:
    """What an item's view shows of its issue: the key (linked), type, status, assignee, the
    tracker's description, and a write not yet in the tracker (named), or refused by it (a
    warning); nothing for an item only Timebox has."""
    link = loaded_link(item)
    if link is None or link.connection_id is None:
        return []
    blocks: list[Block] = []
    tracker = tracker_of(link)
    if link.key:
        blocks.append(section(render("tracker_item.md.j2", link=link, tracker=tracker)))
    pending = _pending_notice(link, tracker)
    if pending:
        emoji = ":warning:" if _refused(link) else ":hourglass_flowing_sand:"
        blocks.append(context(render("notice.md.j2", emoji=emoji, text=pending)))
    return blocks


def item_link(item: BacklogItem) -> str:
    """The item's key linked to its issue, its status there, and whether a write to the
    tracker is pending ("not yet in GitHub: retrying"); empty for an item only Timebox has."""
    link = loaded_link(item)
    if link is None or link.connection_id is None:
        return ""
    pending = _pending_notice(link, tracker_of(link))
    if not link.key and not pending:
        return ""
    return render("tracker_link.md.j2", link=link, pending=pending, refused=_refused(link))


def _refused(link: TrackerLink) -> bool:
    """The tracker refused the item's last write for good and nothing waits: a warning to act
    on, not the hourglass of a change on its way."""
    return link.pending <= 0 and bool(link.error)


def _pending_notice(link: TrackerLink, tracker: str) -> Mrkdwn | None:
    """What an item says while writes to its tracker (named: "GitHub") wait, or None when all
    is written: a linked item's change is not yet there ("its change is not yet in GitHub:
    sending"), an item still being created is not there at all ("not yet in GitHub:
    retrying (…)"); one whose last write the tracker refused for good says so, in its words."""
    if link.pending <= 0 and not link.error:
        return None
    said = render(
        "tracker_pending.md.j2" if link.pending > 0 else "tracker_write_refused.md.j2",
        linked=bool(link.key),
        pending=link.pending,
        error=link.error,
        tracker=tracker,
    )
    return Mrkdwn(said)
