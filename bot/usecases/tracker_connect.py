"""Connecting a channel to a tracker (a Jira board, a GitHub project or repository, a Linear
team), looking at the link, ending it, and the tracker's webhooks: what a Product Owner or
Scrum Master does before the sync engine (bot.usecases.tracker) keeps the backlog in step.

Each tracker has its form (``ConnectForm`` for Jira, ``GitHubForm``, ``LinearForm``); each is
checked against the tracker at once (credentials, board, estimate field) and refused in plain
words; the token is kept encrypted (TIMEBOX_SECRET_KEY) or not at all. Connecting again to the
same board with a new credential (one revoked or expired) keeps the connection and all that
waits on it, and only changes the credential. A webhook call (``/trackers/<kind>/<token>``,
signed as that tracker signs: bot.domain.tracker_webhooks) only schedules a sync: what changed
is read from the tracker, never from the body.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import secrets as random_secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from bot.domain import tracker_outage as outage
from bot.domain import tracker_sprints, tracker_webhooks, tracker_writes
from bot.domain import tracker_sync as rules
from bot.domain.calendar import local_today
from bot.domain.errors import UserError
from bot.domain.teams import Roles
from bot.domain.trackers import TrackerError, TrackerProblem
from bot.runtime.secrets import (
    MISSING_KEY,
    Secret,
    SecretBox,
    SecretDecryptError,
    SecretKeyError,
)
from bot.runtime.services import Services
from bot.usecases import sprints, tracker_unhook
from bot.usecases.calendar import public_url
from bot.usecases.news import tell_channel
from bot.usecases.team import InChannel, member_work
from bot.usecases.tracker import (
    KIND_IMPORT,
    KIND_SYNC,
    KIND_WRITE,
    OPENERS,
    PUSH_DOWN,
    ROLES,
    BoardSpec,
    FailingItem,
    after_webhook,
    connection_lock,
    failing_items,
    hurry,
    job_ids,
    open_tracker,
    tag,
    working_again,
)
from bot.usecases.tracker_held import again_prefix, held_since
from bot.usecases.tracker_pull import kept_links
from bot.usecases.unit import Actor, Work, team_work
from storage.models import Team, TrackerConnection
from storage.repositories import Store

log = logging.getLogger(__name__)

KINDS = ("jira", "github", "linear")
NAMES = rules.TRACKER_NAMES
ANY_TRACKER = "Jira, GitHub or Linear"


TAKEN = (
    "This {tracker} {board} is connected to another Timebox channel already: one {board} "
    "feeds one backlog, or the two would undo each other's changes. Connect another one, or "
    "have that channel run `/timebox disconnect` first."
)


def webhook_path(kind: str, token: str) -> str:
    """Where a tracker's webhooks for one connection go."""
    return f"/trackers/{kind}/{token}"


def webhook_url(svc: Services, path: str) -> str | None:
    """The webhook's full address, when Timebox knows where it is reached from outside
    (TIMEBOX_PUBLIC_URL, else the origin of SLACK_REDIRECT_URI) and serves webhooks there
    (not in Socket Mode); None when it does not (its texts then say what gives it)."""
    settings = svc.settings
    if settings.socket_mode or not (settings.public_url or settings.redirect_uri):
        return None
    return public_url(svc) + path


def serves_webhooks(svc: Services) -> bool:
    """Whether a tracker's webhooks can reach Timebox: not in Socket Mode, where it serves no
    web address at all (changes made in the tracker then come with the syncs alone)."""
    return not svc.settings.socket_mode


def _box(kind: str) -> SecretBox:
    """The key for tokens at rest; without it nothing is stored (plain words)."""
    try:
        return SecretBox.from_env()
    except SecretKeyError as error:
        why = "" if str(error) == MISSING_KEY else f" ({error})"
        raise UserError(
            f"Timebox cannot keep a {NAMES.get(kind, kind)} token safely here: the operator "
            f"must {MISSING_KEY} (the key that encrypts them). Nothing was stored.{why}"
        ) from None


# -- connecting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectForm:
    """The Jira form."""

    site: str
    email: str
    token: Secret
    board: str
    jql: str = ""
    acceptance_field: str = ""

    kind = "jira"


@dataclass(frozen=True)
class GitHubForm:
    """The GitHub form: a repository, optionally a project of its owner; a fine-grained token,
    or a GitHub App's private key (with ``app_id``); an API address (GitHub's by default, or
    an Enterprise Server's ``https://<host>/api/v3``); the project's number field for
    estimates (``Estimate`` by default)."""

    repo: str
    token: Secret
    project: str = ""
    app_id: str = ""
    api_url: str = ""
    estimate_field: str = ""

    kind = "github"


@dataclass(frozen=True)
class LinearForm:
    """The Linear form: an API key, the team's key (ENG), optionally the API address."""

    api_key: Secret
    team: str
    api_url: str = ""

    kind = "linear"


Form = ConnectForm | GitHubForm | LinearForm


@dataclass(frozen=True)
class _Planned:
    """A form read into what opens the tracker and what is stored with the connection."""

    spec: BoardSpec
    credential_kind: str
    account: str


@dataclass
class Connected:
    connection: TrackerConnection
    webhook_path: str
    # Shown once, to register the webhook in the tracker; None when renewed (``Renewed``).
    webhook_secret: Secret | None
    webhook_added: str | None = None  # Timebox added its webhook itself (or tried to)
    webhook_made: bool = False  # it did add it: nobody adds one by hand
    webhook_url: str | None = None  # its full address, when known (``webhook_url``)
    webhooks: bool = True  # a webhook can reach Timebox (``serves_webhooks``)
    # items whose keys a disconnect of this board left: matched again (``kept_links``)
    matching: int = 0

    @property
    def tracker(self) -> str:
        return NAMES.get(self.connection.kind, self.connection.kind)


@dataclass
class Renewed(Connected):
    """Connected again to the board it was connected to, with a new credential: the same
    connection, so its webhook (token and secret) stays as the tracker's admin set it and
    nothing is shown to change there. ``waiting``: Timebox's changes not yet in the tracker,
    now due; ``back``: it was broken and works again (its channel is told so, once)."""

    waiting: int = 0
    back: bool = False


@dataclass
class NotConnected:
    problems: list[str]  # plain words, one per problem
    kind: str = "jira"

    @property
    def tracker(self) -> str:
        return NAMES.get(self.kind, self.kind)


@dataclass
class ConnectionShown:
    connection: TrackerConnection | None
    linked: int = 0
    pending: int = 0
    failing: int = 0
    webhook_path: str = ""
    state: str = ""  # tracker_writes.connection_state: in step, or what is behind
    sprints: list[str] = field(default_factory=list)  # "Sprint 3 not yet in Jira: retrying (…)"
    webhook_url: str | None = None  # its full address, when known (``webhook_url``)
    webhooks: bool = True  # a webhook can reach Timebox (``serves_webhooks``)
    # its address (which holds its token) is shown to the PO and Scrum Master alone
    webhook_shown: bool = True
    behind_since: datetime | None = None  # the tracker's changes not all in since (``BEHIND``)
    held_back: list[str] = field(default_factory=list)  # issues whose change failed to apply
    sync_failing: bool = False  # a sync (or import) row retried after failing: none come in
    failing_items: list[FailingItem] = field(default_factory=list)  # a few of them, named


@dataclass
class Disconnected:
    site: str
    board_name: str
    unlinked: int
    kind: str = "jira"
    board_id: int = 0
    on_backlog: int = 0  # of the unlinked items, those on the backlog (not done, archived, planned)
    waiting: int = 0  # Timebox's changes not yet in the tracker, not sent
    webhook_removed: str | None = None  # the webhook Timebox added, removed (or tried to)
    by: str = ""  # who disconnected it (the channel is told: ``disconnect``)

    @property
    def tracker(self) -> str:
        return NAMES.get(self.kind, self.kind)


@dataclass
class FormOpened:
    team_id: int  # the form names it: a submission from another team is refused
    kind: str | None = None  # None: the choice of tracker comes first
    # with the choice: the channel's connection, which connecting another replaces
    connection: TrackerConnection | None = None


async def _nobody(channel: str, user: str) -> bool:
    """No way to ask Slack who is in the channel: only people with a role in it belong."""
    return False


def available_kinds() -> list[str]:
    """The trackers this Timebox can open (their openers registered: bot/trackers/wiring.py)."""
    return [kind for kind in KINDS if kind in OPENERS]


def _doing(kind: str | None) -> str:
    return f"connect this channel to {NAMES.get(kind or '', ANY_TRACKER)}"


async def connect_form(
    svc: Services, actor: Actor, in_channel: InChannel | None = None, kind: str | None = None
) -> FormOpened:
    """May the actor connect this channel (the PO or the Scrum Master), to ``kind`` or, with
    none, to the tracker they choose next? Someone outside it never (not even as the first PO
    of a channel with no roles yet)."""
    async with member_work(svc, actor, in_channel or _nobody, once=True) as work:
        await work.require(ROLES, _doing(kind))
        if kind is not None and kind not in available_kinds():
            raise UserError(f"This Timebox cannot connect to {NAMES.get(kind, kind)} yet.")
        connection = await work.store.connection(work.team.id) if kind is None else None
        return FormOpened(work.team.id, kind, connection)


def _plan_jira(form: ConnectForm) -> tuple[list[str], _Planned | None]:
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
        return problems, None
    spec = BoardSpec(
        "jira",
        form.site,
        int(board_id),
        form.email.strip(),
        form.token,
        form.jql.strip(),
        form.acceptance_field.strip() or None,
    )
    return [], _Planned(spec, "api_token", spec.email)


REPO = re.compile(r"^[\w.-]+/[\w.-]+$")  # owner/name (the form checks it before the ack too)


def _plan_github(form: GitHubForm) -> tuple[list[str], _Planned | None]:
    problems: list[str] = []
    repo = form.repo.strip().removeprefix("https://github.com/").strip("/")
    if not REPO.match(repo):
        problems.append(f"`{form.repo}` is not a repository: give it as owner/name (acme/shop).")
    project = form.project.strip().removeprefix("#")
    if project and not project.isdigit():
        problems.append(
            f"`{form.project}` is not a project number: it is the number in the project's "
            "address (…/projects/<number>)."
        )
    app_id = form.app_id.strip()
    if app_id and not app_id.isdigit():
        problems.append(f"`{form.app_id}` is not a GitHub App id (a number, on the App's page).")
    if not form.token:
        problems.append(
            "Paste a fine-grained token (Settings > Developer settings > Fine-grained tokens), "
            "or a GitHub App's private key with its App id."
        )
    elif app_id and "PRIVATE KEY" not in form.token.reveal():
        problems.append("With an App id, paste the App's private key (the whole .pem file).")
    if problems:
        return problems, None
    options = {"estimate_field": form.estimate_field.strip() or "Estimate"}
    if app_id:
        options["app_id"] = app_id
    spec = BoardSpec(
        "github",
        form.api_url.strip() or "https://api.github.com",
        int(project or 0),
        repo,
        form.token,
        options=options,
    )
    return [], _Planned(spec, "app" if app_id else "token", repo)


def _plan_linear(form: LinearForm) -> tuple[list[str], _Planned | None]:
    problems: list[str] = []
    team = form.team.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{1,10}", team):
        problems.append(
            f"`{form.team}` is not a team key: it is the short name before an issue's number "
            "(ENG in ENG-123)."
        )
    if not form.api_key:
        problems.append("Paste a Linear API key (Settings > Security & access > API keys).")
    if problems:
        return problems, None
    spec = BoardSpec(
        "linear", form.api_url.strip() or "https://api.linear.app/graphql", 0, team, form.api_key
    )
    return [], _Planned(spec, "api_key", team)


def _plan(form: Form) -> tuple[list[str], _Planned | None]:
    if isinstance(form, GitHubForm):
        return _plan_github(form)
    if isinstance(form, LinearForm):
        return _plan_linear(form)
    return _plan_jira(form)


async def connect(
    svc: Services,
    actor: Actor,
    form: Form,
    form_team: int,
    in_channel: InChannel | None = None,
) -> Connected | NotConnected:
    """Checks the site, the credentials and the board at once, then keeps the connection
    (the token encrypted) and starts the import. Refused in plain words otherwise, and
    without a key for tokens at rest nothing is stored. Connecting again to the board the
    channel is connected to (``_board_key``) renews the credential in place (``_renew``);
    another board replaces the connection (the old one's own webhook removed, as a
    disconnect removes it). A webhook this connect added that no stored connection keeps (a
    refusal after it, or a renewal) is removed again (``_unhook_fresh``)."""
    kind = form.kind
    box = _box(kind)
    async with member_work(svc, actor, in_channel or _nobody) as work:
        _require_same_team(work.team, form_team)
        await work.require(ROLES, _doing(kind))
        old = await work.store.connection(work.team.id)
        old_id, old_board = (old.id, _board_of(old)) if old is not None else (0, None)
    problems, planned = _plan(form)
    if planned is None:
        return NotConnected(problems, kind)
    spec = planned.spec
    try:
        tracker = open_tracker(spec)
    except TrackerError as refused:  # the site is not one Timebox may call
        return NotConnected([_without_retry(refused.message)], kind)
    hook_secret = Secret(random_secrets.token_urlsafe(32))
    hook_token = random_secrets.token_urlsafe(24)
    registered: str | None = None
    made = False
    fresh = ""  # the webhook this connect adds: removed again unless the connection keeps it
    try:
        found = await tracker.check()
        snapshot = tracker.snapshot()
        site = getattr(tracker, "site", None) or spec.site
        board = _board_key(
            kind, site, spec.board_id, spec.email, spec.jql, spec.acceptance_field, snapshot
        )
        same = board == old_board
        if not found and not same:
            async with svc.db.transaction() as store:
                found = await _taken(store, board, form_team)
        if not found and not same:  # a renewed connection keeps the webhook it has
            registered, fresh, made = await _add_webhook(
                svc, tracker, kind, hook_token, hook_secret
            )
    except TrackerError as error:
        return NotConnected([_without_retry(error.message)], kind)
    finally:
        await tracker.aclose()
    if found:
        return NotConnected([_without_retry(p.message) for p in found], kind)
    # A write of this process running with the old credential ends first (its row is then
    # free to be made due): see ``_renew``.
    held = connection_lock(old_id) if same else contextlib.nullcontext()
    kept = False  # the new connection, and so its webhook, stored
    try:
        async with held, team_work(svc, actor, once=True) as work:
            _require_same_team(work.team, form_team)
            await work.require(ROLES, _doing(kind))
            old = await work.store.connection(work.team.id)
            if old is not None and _board_of(old) == board:
                renewed = await _renew(work, old, planned, box.encrypt(spec.token), snapshot)
                renewed.webhook_url = webhook_url(svc, renewed.webhook_path)
                renewed.webhooks = serves_webhooks(svc)
                return renewed
            if old is not None:  # its own webhook is removed with it, as a disconnect does
                await _mark_board(work.store, old)
                await tracker_unhook.schedule(work.store, tracker_unhook.removal(old), work.now)
                await work.store.remove_connection(old)
            matched = await kept_links(work.store, work.team.id, _board_identity(board))
            connection = await work.store.add_connection(
                TrackerConnection(
                    team_id=work.team.id,
                    kind=kind,
                    site=site,
                    board_id=spec.board_id,
                    board_key=_board_identity(board),
                    board_name=_board_name(snapshot, spec.board_id),
                    jql=spec.jql,
                    credential_kind=planned.credential_kind,
                    account=planned.account,
                    secret=box.encrypt(spec.token),
                    estimation_field=_estimate_field(snapshot),
                    acceptance_field=spec.acceptance_field,
                    # the webhook Timebox added: removed again when the connection ends
                    board={**snapshot, "webhook_id": fresh} if fresh else snapshot,
                    webhook_token=hook_token,
                    webhook_secret=box.encrypt(hook_secret),
                    watermark=work.now - rules.WATERMARK_MARGIN,
                    imported=0,
                    status="importing",
                    connected_by=work.user,
                    connected_at=work.now,
                )
            )
            if connection is None:  # another channel's, connected since `_taken` looked
                raise _BoardTaken
            await work.store.push_unlinked_down(work.team.id, PUSH_DOWN)
            await work.store.schedule_once(
                KIND_IMPORT,
                f"{KIND_IMPORT}:{tag(connection)}:0",
                work.now,
                {**job_ids(connection), "cursor": None, "page": 0, "reconnect": bool(matched)},
            )
            log.info("team %s connected to %s %s board %s", work.team.id, kind, site, spec.board_id)
            path = webhook_path(kind, connection.webhook_token)
            kept = True
            return Connected(
                connection,
                path,
                hook_secret,
                registered,
                made,
                webhook_url(svc, path),
                webhooks=serves_webhooks(svc),
                matching=len(matched),
            )
    except _BoardTaken:  # all of it undone: the channel's own connection, removed above, stays
        return NotConnected([problem.message for problem in _taken_problem(board)], kind)
    except Exception:  # refused (roles changed, a copy of the request) or the database failed
        kept = False
        raise
    finally:
        if fresh and not kept:  # nothing keeps it: it would call a Timebox that answers 401
            await _unhook_fresh(svc, spec, box, fresh)


RETRY_PROMISE = re.compile(r"\s*(?:Timebox|It) will try again (?:later|then)\.")
"""What a tracker error of a sync says it does next (bot/trackers/http.py): a connect refused
tries nothing again, nothing being stored."""


def _without_retry(said: str) -> str:
    """A tracker error's words as a connect says them: without the retry a sync's error
    promises (a refused connect is sent again by the person, ``tracker_refused.md.j2`` says
    how; a webhook Timebox could not add is not tried again)."""
    return RETRY_PROMISE.sub("", said)


class _BoardTaken(Exception):
    """The database refused a board another channel's connection has (its unique
    ``board_key``): the transaction is undone."""


def _board_key(
    kind: str,
    site: str,
    board_id: int,
    account: str,
    jql: str,
    acceptance_field: str | None,
    snapshot: Mapping[str, Any],
) -> tuple[object, ...]:
    """What names the board a connection syncs, whoever signs in: the tracker, its site and
    board, and what narrows it (Jira's filter and criteria field; GitHub's repository, its
    ``account``, and estimate field; Linear's team, by its id when known: a key can be
    renamed). Jira's ``account`` is who signs in: a new token may be another person's."""
    if kind == "jira":
        scope: tuple[object, ...] = (jql.strip(), acceptance_field or "")
    elif kind == "github":
        scope = (account.lower(), str(snapshot.get("estimate_field") or ""))
    else:
        scope = (str(snapshot.get("team_id") or account.upper()),)
    return (kind, site.rstrip("/"), board_id, *scope)


async def _taken(store: Store, board: tuple[object, ...], team_id: int) -> list[TrackerProblem]:
    """The board refused when another channel's backlog syncs it already, whatever filter
    either takes of it: two backlogs writing one board would undo each other's changes, and
    each team would change the other's items. Which channel is not said: it may be another
    workspace's. (The unique ``board_key`` refuses it too, should two channels connect it at
    once: ``_BoardTaken``.)"""
    holder = await store.connection_on_board(_board_identity(board))
    return _taken_problem(board) if holder is not None and holder.team_id != team_id else []


def _taken_problem(board: tuple[object, ...]) -> list[TrackerProblem]:
    kind, board_id = str(board[0]), cast(int, board[2])
    said = TAKEN.format(tracker=rules.tracker_name(kind), board=rules.board_word(kind, board_id))
    return [TrackerProblem("board_taken", said)]


def _board_identity(board: tuple[object, ...]) -> str:
    """The ``board_key`` of a ``_board_key``: what names one board, the tracker, site and
    board, and GitHub's repository (a project number is its owner's) or Linear's team; not the
    filter, criteria or estimate field a connection takes of it. A digest (SHA-256, hex): a
    site and an account may each be 255 characters. Migration 0017 computes it alike."""
    named = 3 if board[0] == "jira" else 4
    return hashlib.sha256(json.dumps(board[:named]).encode()).hexdigest()


def _board_of(connection: TrackerConnection) -> tuple[object, ...]:
    """``_board_key`` of the board a connection is to."""
    return _board_key(
        connection.kind,
        connection.site,
        connection.board_id,
        connection.account,
        connection.jql,
        connection.acceptance_field,
        connection.board or {},
    )


async def _renew(
    work: Work,
    connection: TrackerConnection,
    planned: _Planned,
    secret: str,
    snapshot: dict[str, Any],
) -> Renewed:
    """The team's connection to this very board gets the new credential in place: its row,
    and so its links, sprint links, watermark, webhook and every change of Timebox's still on
    its way, stay (a new connection would drop them, and make the running sprint in the
    tracker a second time). A broken one works again and its channel is told once (the next
    call that succeeds finds it working); what waited for the hourly retry is due now, and a
    sync looks at once at what changed on the board meanwhile."""
    store, now = work.store, work.now
    connection.secret = secret
    connection.account = planned.account
    connection.credential_kind = planned.credential_kind
    hook_id = (connection.board or {}).get("webhook_id")  # the one Timebox added stays its own
    connection.board = {**snapshot, "webhook_id": hook_id} if hook_id else snapshot
    connection.board_name = _board_name(snapshot, connection.board_id)
    connection.estimation_field = _estimate_field(snapshot)
    connection.connected_by = work.user
    back = connection.status in ("error", outage.UNREACHABLE)
    # a broken one's waiting work is made due as it works again; a working one's retries too
    hurried = await working_again(store, connection, now) or await hurry(store, connection, now)
    connection.last_error = None
    if not await store.pending_jobs(f"{KIND_IMPORT}:{tag(connection)}:"):  # an import chains syncs
        await store.schedule_once(
            KIND_SYNC,
            f"{KIND_SYNC}:{tag(connection)}:renewed:{now:%Y%m%dT%H%M%S.%f}",
            now,
            {**job_ids(connection), "chain": True},
        )
    _, waiting, _ = await store.count_links(connection.id)
    log.info(
        "team %s renewed its %s connection %s (%s): %s jobs made due",
        connection.team_id,
        connection.kind,
        connection.id,
        planned.credential_kind,
        hurried,
    )
    path = webhook_path(connection.kind, connection.webhook_token)
    return Renewed(connection, path, None, waiting=waiting, back=back)


async def _add_webhook(
    svc: Services, tracker: object, kind: str, token: str, secret: Secret
) -> tuple[str | None, str, bool]:
    """A tracker that lets Timebox add its own webhook (Linear, with a workspace admin's key)
    gets it now, when the operator has said where Timebox is reached (TIMEBOX_PUBLIC_URL) and
    serves webhooks there (not in Socket Mode): nobody copies a secret by hand. What
    happened, in plain words (None: not tried), the webhook's id ("" if none), and whether
    it was added."""
    create = getattr(tracker, "create_webhook", None)
    public = getattr(svc.settings, "public_url", None)
    if create is None or not public or not serves_webhooks(svc):
        return None, "", False
    try:
        hook_id = await create(public.rstrip("/") + webhook_path(kind, token), secret.reveal())
    except TrackerError as error:
        return (
            (
                f"Timebox could not add its webhook in {NAMES.get(kind, kind)} "
                f"({_without_retry(error.message)}); changes come every "
                f"{int(rules.SYNC_EVERY.total_seconds() // 60)} minutes."
            ),
            "",
            False,
        )
    said = f"Timebox added its webhook in {NAMES.get(kind, kind)}: changes arrive at once."
    return said, str(hook_id or ""), True


async def _unhook_fresh(svc: Services, spec: BoardSpec, box: SecretBox, hook_id: str) -> None:
    """The webhook a connect added when no connection keeps it (the connect was refused, or
    renewed one that keeps its own): removed at once; failing that, as due work that retries
    (``tracker_unhook``), the credential in it encrypted. Never fails the connect's answer."""
    try:
        await tracker_unhook.delete(spec, hook_id)
        return
    except TrackerError as error:
        log.warning("webhook %s of %s not removed yet: %s", hook_id, spec.kind, error.message)
    except Exception:  # never in place of what refused the connect
        log.exception("webhook %s of %s not removed yet", hook_id, spec.kind)
    try:
        async with svc.db.transaction() as store:
            removal = tracker_unhook.removal_of(spec, box.encrypt(spec.token), hook_id)
            await tracker_unhook.schedule(store, removal, svc.clock.now())
    except Exception:
        log.exception("webhook %s of %s left at the tracker", hook_id, spec.kind)


def _board_name(snapshot: dict[str, object], board_id: int) -> str:
    """What the check learnt the board is called: a Jira board's or GitHub project's `name`, a
    Linear team's `team_name` (its snapshot keeps the team beside the account)."""
    name = snapshot.get("name") or snapshot.get("team_name") or f"board {board_id}"
    return str(name)[:200]


def _estimate_field(snapshot: dict[str, object]) -> str | None:
    """Where estimates are kept, as the status shows it: Jira's field id, a GitHub project's
    field id, or ``label`` for a plain repository."""
    for name in ("estimation_field", "estimate_field_id"):
        value = snapshot.get(name)
        if value:
            return str(value)[:64]
    if snapshot.get("repo") and not snapshot.get("project_number"):
        return "label"
    return None


async def connection_status(svc: Services, actor: Actor) -> ConnectionShown:
    """The channel's connection as anyone in it sees it; the webhook's address, whose path is
    the connection's token, only as its PO or Scrum Master does (they add it in the tracker)."""
    async with team_work(svc, actor) as work:
        connection = await work.store.connection(work.team.id)
        if connection is None:
            return ConnectionShown(None)
        linked, pending, failing = await work.store.count_links(connection.id)
        held_back, since, sync_failing = await _behind(work.store, connection)
        shown = Roles.of(work.team).has(work.user, *ROLES)
        path = webhook_path(connection.kind, connection.webhook_token) if shown else ""
        return ConnectionShown(
            connection,
            linked,
            pending,
            failing,
            path,
            tracker_writes.connection_state(
                connection.status, pending, failing, behind=since is not None
            ),
            [
                *await _sprints_behind(work.store, work.team, connection, work.now),
                *await _sprint_closed_there(work.store, work.team, connection),
            ],
            webhook_url(svc, path) if shown else None,
            webhooks=serves_webhooks(svc),
            webhook_shown=shown,
            behind_since=since,
            held_back=held_back,
            sync_failing=sync_failing,
            failing_items=await failing_items(work.store, connection) if failing else [],
        )


async def _behind(
    store: Store, connection: TrackerConnection
) -> tuple[list[str], datetime | None, bool]:
    """The issues whose change failed to apply (asked for again meanwhile); since when the
    tracker's changes do not all come in: the first of those, or a sync (or import) row
    failing since then, retried (None: all come in); and whether such a row fails now."""
    held_back, since = held_since(await store.pending_jobs(again_prefix(connection)))
    rows = list(await store.pending_jobs(f"{KIND_SYNC}:{tag(connection)}:"))
    rows += await store.pending_jobs(f"{KIND_IMPORT}:{tag(connection)}:")
    failing = [
        datetime.fromisoformat(str(row.payload["failing_since"]))
        for row in rows
        if (row.payload or {}).get("failing_since")
    ]
    since = min([*failing, *([since] if since else [])], default=None)
    return held_back, since, bool(failing)


async def _sprints_behind(
    store: Store, team: Team, connection: TrackerConnection, now: datetime
) -> list[str]:
    """Each sprint whose write (commitment, scope change, close) has not landed yet, by name,
    with why it is retried: its items count it as pending, this says which sprint it is. A
    sprint committed ahead of its slot is made in the tracker at once and started there by a
    write due on the slot's first morning: that one is not behind, it says when it starts."""
    said = []
    tracker, today = rules.tracker_name(connection.kind), local_today(team, now)
    for job in await store.pending_jobs(f"{KIND_WRITE}:{tag(connection)}:s"):
        sprint = await store.sprint_by_id(int(str(job.payload.get("subject", "s0"))[1:] or 0))
        if sprint is None:
            continue
        name, error = tracker_sprints.sprint_name(sprint.number), job.payload.get("said")
        ahead = sprint.starts_on > today and job.due_at > now  # not a retry waiting its turn
        if not error and ahead and await store.sprint_link(sprint.id) is not None:
            day = sprint.starts_on
            said.append(f"{name} starts in {tracker} on {day:%a} {day.day} {day:%b}")
            continue
        said.append(f"{name} {tracker_writes.pending_text(1, error, tracker)}")
    return said


async def _sprint_closed_there(
    store: Store, team: Team, connection: TrackerConnection
) -> list[str]:
    """The running sprint, when its sprint in the tracker was closed there by someone
    (``tracker_sprints.CLOSED_THERE``): Timebox no longer writes its scope there, so an item
    added to it here stays out of the tracker's sprint; `/sprint close` ends it here."""
    sprint = await sprints.active(store, team)
    link = await store.sprint_link(sprint.id) if sprint is not None else None
    if sprint is None or link is None or link.connection_id != connection.id:
        return []
    if link.state != tracker_sprints.CLOSED_THERE:
        return []
    there, closing = tracker_sprints.sprint_there(connection.kind, connection.board_id)
    name = tracker_sprints.sprint_name(sprint.number)
    whose = "" if there == "sprint" else f"'s {there}"
    tracker = rules.tracker_name(connection.kind)
    return [
        f"{name}{whose} was {closing} in {tracker} while it runs here: Timebox no longer writes "
        f"its scope there (items added to it here, or taken out, stay as they are in "
        f"{tracker}). When it is over, `/sprint close` closes it here too."
    ]


async def disconnect(
    svc: Services, actor: Actor, in_channel: InChannel | None = None
) -> Disconnected:
    """Ends the channel's connection (PO or Scrum Master): the items stay, unlinked. The
    channel is told who did, and how many changes waiting for the tracker were not sent
    (its Developers would otherwise go on believing their changes reach it)."""
    async with member_work(svc, actor, in_channel or _nobody, once=True) as work:
        connection = await work.store.connection(work.team.id)
        tracker = rules.tracker_name(connection.kind) if connection else "its tracker"
        await work.require(ROLES, f"disconnect this channel from {tracker}")
        if connection is None:
            raise UserError(
                "This channel is not connected to a tracker. `/timebox connect` does it."
            )
        site, name, kind = connection.site, connection.board_name, connection.kind
        board_id = connection.board_id
        listed = await work.store.all_items(work.team.id, include_closed=False)
        on_backlog = sum(  # with an issue: one still to be created there has no link to keep
            1
            for item in listed
            if (link := item.tracker_link) is not None
            and link.connection_id == connection.id
            and link.key
        )
        _, waiting, _ = await work.store.count_links(connection.id)
        key = f"tracker_disconnected:{tag(connection)}:{work.now.isoformat()}"
        await _mark_board(work.store, connection)
        # its own webhook's removal is due work recorded with the disconnect: a crash or a
        # failure after it cannot leave the webhook at the tracker
        hook = await tracker_unhook.schedule(
            work.store, tracker_unhook.removal(connection), work.now
        )
        unlinked = await work.store.remove_connection(connection)
        gone = Disconnected(site, name, unlinked, kind, board_id, on_backlog, waiting, by=work.user)
        await tell_channel(work.store, work.team, key, work.now, gone)
    if hook is not None:
        gone.webhook_removed = await _remove_webhook(svc, hook, kind)
    return gone


async def _mark_board(store: Store, connection: TrackerConnection) -> None:
    """Each link a disconnect leaves remembers the board it was on (``board`` in its
    ``remote``): connecting again to that board matches it by its key (``kept_links``),
    another board does not."""
    for item in await store.all_items(connection.team_id, include_closed=True):
        link = item.tracker_link
        if link is not None and link.connection_id == connection.id:
            link.remote = {**(link.remote or {}), "board": connection.board_key}


async def _remove_webhook(svc: Services, key: str, kind: str) -> str:
    """The webhook Timebox added, removed at once after the disconnect (its row, recorded
    with it, done); a failure is said, and the row retries (``tracker_unhook``)."""
    tracker = NAMES.get(kind, kind)
    error = await tracker_unhook.remove_now(svc, key)
    if error is not None:
        return (
            f"Timebox could not remove the webhook it added in {tracker} yet "
            f"({_without_retry(error.message)}): it keeps trying, or remove it there "
            f"(Settings > API > Webhooks)."
        )
    return f"Timebox removed the webhook it added in {tracker}."


def _require_same_team(team: Team, form_team: int) -> None:
    if team.id != form_team:
        raise UserError(
            "That form belongs to another channel's team, so I changed nothing. Use "
            "`/timebox connect` in this channel."
        )


# -- webhooks ----------------------------------------------------------------------------------


async def webhook(
    svc: Services, token: str, body: bytes, signature: str | None, *, kind: str
) -> bool:
    """A webhook call from a tracker (``kind``): signed with the connection's secret as that
    tracker signs (``signature`` is its header's value), the board is synced at once; anything
    else, a connection of another kind included, changes nothing (False: the caller answers
    401)."""
    async with svc.db.transaction() as store:
        connection = await store.connection_by_token(token)
        if connection is None or connection.kind != kind:
            return False
        try:
            secret = SecretBox.from_env().decrypt(connection.webhook_secret)
        except (SecretKeyError, SecretDecryptError):
            log.warning("a webhook for connection %s cannot be checked: no key", connection.id)
            return False
        now = svc.clock.now()
        if not tracker_webhooks.verified(kind, secret.reveal(), body, signature, now):
            return False
        await after_webhook(store, connection, body, now)
        return True
