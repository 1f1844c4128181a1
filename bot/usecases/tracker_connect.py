"""Connecting a channel to a tracker board, looking at the link, ending it, and the board's
webhooks: what a Product Owner or Scrum Master does before the sync engine (bot.usecases.tracker)
keeps the backlog in step.

The form is checked against the tracker at once (credentials, board, estimation field) and
refused in plain words; the token is kept encrypted (TIMEBOX_SECRET_KEY) or not at all. A
webhook call only schedules a sync: what changed is read from the tracker, never from the body.
"""

from __future__ import annotations

import logging
import secrets as random_secrets
from dataclasses import dataclass, field

from bot.domain import tracker_sync as rules
from bot.domain.errors import UserError
from bot.domain.trackers import TrackerError
from bot.runtime.secrets import (
    MISSING_KEY,
    Secret,
    SecretBox,
    SecretDecryptError,
    SecretKeyError,
)
from bot.runtime.services import Services
from bot.usecases.team import InChannel, member_work
from bot.usecases.tracker import (
    KIND_IMPORT,
    KIND_SYNC,
    PUSH_DOWN,
    ROLES,
    WEBHOOK_PATH,
    BoardSpec,
    _ids,
    _open,
    tag,
)
from bot.usecases.unit import Actor, team_work
from storage.models import Team, TrackerConnection

log = logging.getLogger(__name__)


def _box() -> SecretBox:
    """The key for tokens at rest; without it nothing is stored (plain words)."""
    try:
        return SecretBox.from_env()
    except SecretKeyError as error:
        why = "" if str(error) == MISSING_KEY else f" ({error})"
        raise UserError(
            f"Timebox cannot keep a Jira token safely here: the operator must {MISSING_KEY} "
            f"(the key that encrypts them). Nothing was stored.{why}"
        ) from None


# -- connecting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectForm:
    site: str
    email: str
    token: Secret
    board: str
    jql: str = ""
    acceptance_field: str = ""


@dataclass
class Connected:
    connection: TrackerConnection
    webhook_path: str
    webhook_secret: Secret  # shown once, to register the webhook in Jira
    notices: list[str] = field(default_factory=list)


@dataclass
class NotConnected:
    problems: list[str]  # plain words, one per problem
    notices: list[str] = field(default_factory=list)


@dataclass
class ConnectionShown:
    connection: TrackerConnection | None
    linked: int = 0
    pending: int = 0
    failing: int = 0
    webhook_path: str = ""


@dataclass
class Disconnected:
    site: str
    board_name: str
    unlinked: int
    notices: list[str] = field(default_factory=list)


@dataclass
class FormOpened:
    team_id: int  # the form names it: a submission from another team is refused
    notices: list[str] = field(default_factory=list)


async def _nobody(channel: str, user: str) -> bool:
    """No way to ask Slack who is in the channel: only people with a role in it belong."""
    return False


async def connect_form(
    svc: Services, actor: Actor, in_channel: InChannel | None = None
) -> FormOpened:
    """May the actor connect this channel (the PO or the Scrum Master)? Someone outside it
    never (not even as the first PO of a channel with no roles yet)."""
    async with member_work(svc, actor, in_channel or _nobody, once=True) as work:
        await work.require(ROLES, "connect this channel to Jira")
        return FormOpened(work.team.id, work.notices)


async def connect(
    svc: Services,
    actor: Actor,
    form: ConnectForm,
    form_team: int,
    in_channel: InChannel | None = None,
) -> Connected | NotConnected:
    """Checks the site, the credentials and the board at once, then keeps the connection
    (the token encrypted) and starts the import. Refused in plain words otherwise, and
    without a key for tokens at rest nothing is stored."""
    box = _box()
    async with member_work(svc, actor, in_channel or _nobody) as work:
        _require_same_team(work.team, form_team)
        await work.require(ROLES, "connect this channel to Jira")
        notices = list(work.notices)
    problems: list[str] = []
    board_id = form.board.strip().removeprefix("#")
    if not board_id.isdigit():
        problems.append(
            f"`{form.board}` is not a board number: it is the number in the board's address "
            "(…/boards/<number>)."
        )
    if "@" not in form.email:
        problems.append("The account email is the one you sign in to Jira with.")
    if not form.token:
        problems.append("Paste an API token (id.atlassian.com > Security > API tokens).")
    if problems:
        return NotConnected(problems, notices)
    spec = BoardSpec(
        "jira",
        form.site,
        int(board_id),
        form.email.strip(),
        form.token,
        form.jql.strip(),
        form.acceptance_field.strip() or None,
    )
    try:
        tracker = _open(spec)
    except TrackerError as refused:  # the site is not one Timebox may call
        return NotConnected([refused.message], notices)
    try:
        found = await tracker.check()
        snapshot = tracker.snapshot()
        site = getattr(tracker, "site", form.site)
    except TrackerError as error:
        return NotConnected([error.message], notices)
    finally:
        await tracker.aclose()
    if found:
        return NotConnected([p.message for p in found], notices)
    hook_secret = Secret(random_secrets.token_urlsafe(32))
    async with team_work(svc, actor, once=True) as work:
        _require_same_team(work.team, form_team)
        await work.require(ROLES, "connect this channel to Jira")
        old = await work.store.connection(work.team.id)
        if old is not None:
            await work.store.remove_connection(old)
        connection = await work.store.add_connection(
            TrackerConnection(
                team_id=work.team.id,
                kind="jira",
                site=site,
                board_id=spec.board_id,
                board_name=str(snapshot.get("name") or f"board {spec.board_id}"),
                jql=spec.jql,
                credential_kind="api_token",
                account=spec.email,
                secret=box.encrypt(form.token),
                estimation_field=snapshot.get("estimation_field"),
                acceptance_field=spec.acceptance_field,
                board=snapshot,
                webhook_token=random_secrets.token_urlsafe(24),
                webhook_secret=box.encrypt(hook_secret),
                watermark=work.now - rules.WATERMARK_MARGIN,
                imported=0,
                status="importing",
                connected_by=work.user,
                connected_at=work.now,
            )
        )
        await work.store.push_unlinked_down(work.team.id, PUSH_DOWN)
        await work.store.schedule_once(
            KIND_IMPORT,
            f"{KIND_IMPORT}:{tag(connection)}:0",
            work.now,
            {**_ids(connection), "cursor": None, "page": 0},
        )
        log.info("team %s connected to %s board %s", work.team.id, site, spec.board_id)
        return Connected(
            connection,
            WEBHOOK_PATH.format(token=connection.webhook_token),
            hook_secret,
            [*notices, *work.notices],
        )


async def connection_status(svc: Services, actor: Actor) -> ConnectionShown:
    async with team_work(svc, actor) as work:
        connection = await work.store.connection(work.team.id)
        if connection is None:
            return ConnectionShown(None)
        linked, pending, failing = await work.store.count_links(connection.id)
        return ConnectionShown(
            connection,
            linked,
            pending,
            failing,
            WEBHOOK_PATH.format(token=connection.webhook_token),
        )


async def disconnect(
    svc: Services, actor: Actor, in_channel: InChannel | None = None
) -> Disconnected:
    """Ends the channel's connection (PO or Scrum Master): the items stay, unlinked."""
    async with member_work(svc, actor, in_channel or _nobody, once=True) as work:
        await work.require(ROLES, "disconnect this channel from Jira")
        connection = await work.store.connection(work.team.id)
        if connection is None:
            raise UserError("This channel is not connected to Jira. `/timebox connect` does it.")
        site, name = connection.site, connection.board_name
        unlinked = await work.store.remove_connection(connection)
        return Disconnected(site, name, unlinked, work.notices)


def _require_same_team(team: Team, form_team: int) -> None:
    if team.id != form_team:
        raise UserError(
            "That form belongs to another channel's team, so I changed nothing. Use "
            "`/timebox connect` in this channel."
        )


# -- webhooks ----------------------------------------------------------------------------------


async def webhook(svc: Services, token: str, body: bytes, signature: str | None) -> bool:
    """A webhook call from Jira: with the right secret (``X-Hub-Signature``), the board is
    synced at once; anything else changes nothing (False: the caller answers 401)."""
    async with svc.db.transaction() as store:
        connection = await store.connection_by_token(token)
        if connection is None:
            return False
        try:
            secret = SecretBox.from_env().decrypt(connection.webhook_secret)
        except (SecretKeyError, SecretDecryptError):
            log.warning("a webhook for connection %s cannot be checked: no key", connection.id)
            return False
        if not rules.signature_ok(secret.reveal(), body, signature):
            return False
        now = svc.clock.now()
        await store.schedule_once(
            KIND_SYNC,
            f"{KIND_SYNC}:{tag(connection)}:hook:{now:%Y%m%dT%H%M%S}",
            now,
            _ids(connection),
        )
        return True
