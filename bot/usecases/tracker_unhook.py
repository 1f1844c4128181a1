"""Removing a webhook Timebox added itself in a tracker (Linear, with a workspace admin's key)
once no connection keeps it: due work that survives a crash and is retried, so the tracker
is not left calling a Timebox that answers 401 forever.

The row is recorded in the transaction that ends the connection (a disconnect, or connecting
the channel to another board: ``schedule`` with ``removal(connection)``), or after a connect
that added a webhook and then stored nothing (``removal_of``, when removing it at once
failed). Its payload holds what opens the tracker again without the connection: the site,
board, account and the snapshot, and the credential as it is kept at rest, encrypted
(TIMEBOX_SECRET_KEY): decrypted only to open the client, never logged. A disconnect tries the
row at once for its answer (``remove_now``); the job runner runs it otherwise (``run``),
retried with the tracker writes' backoff (Retry-After on 429, else 10 s doubling to 15
minutes, hourly when refused) and given up, with a warning, after ``GIVE_UP`` of failures
(a credential revoked for good: the tracker's admin removes the webhook by hand). A webhook
already gone is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from bot.domain import tracker_writes
from bot.domain.trackers import TrackerError, TrackerErrorKind
from bot.runtime.scheduling import Due
from bot.runtime.secrets import Secret, SecretBox, SecretDecryptError, SecretKeyError
from bot.runtime.services import Services
from bot.usecases.tracker import BoardSpec, open_tracker
from storage.models import TrackerConnection
from storage.repositories import Store

log = logging.getLogger(__name__)

KIND = "tracker_unhook"
GIVE_UP = timedelta(days=7)  # of failures in a row: the credential will not come back


def own_webhook(connection: TrackerConnection) -> str:
    """The id of the webhook Timebox added itself for ``connection`` (kept in its ``board``);
    "" when it added none (one a tracker's admin added stays theirs)."""
    return str((connection.board or {}).get("webhook_id") or "")


def removal(connection: TrackerConnection) -> dict[str, Any] | None:
    """The payload of the row removing ``connection``'s own webhook (None: it has none), its
    credential as the connection keeps it (encrypted: nothing is decrypted here)."""
    hook_id = own_webhook(connection)
    if not hook_id:
        return None
    where = BoardSpec(
        connection.kind,
        connection.site,
        connection.board_id,
        connection.account,
        Secret(""),
        connection.jql,
        connection.acceptance_field,
        connection.board or {},
    )
    return removal_of(where, connection.secret, hook_id)


def removal_of(spec: BoardSpec, secret: str, hook_id: str) -> dict[str, Any]:
    """The payload of the row removing webhook ``hook_id`` of the tracker ``spec`` opens;
    ``secret``: its credential encrypted (``SecretBox.encrypt``), never ``spec``'s token."""
    return {
        "tracker": spec.kind,
        "site": spec.site,
        "board_id": spec.board_id,
        "account": spec.email,
        "jql": spec.jql or "",
        "acceptance_field": spec.acceptance_field,
        "snapshot": dict(spec.snapshot),
        "options": dict(spec.options),
        "secret": secret,
        "hook": hook_id,
        "attempt": 1,
    }


def key_of(payload: dict[str, Any]) -> str:
    """One row per webhook: its tracker, site and id."""
    site = hashlib.sha256(str(payload["site"]).encode()).hexdigest()[:8]
    return f"{KIND}:{payload['tracker']}:{site}:{payload['hook']}"


async def schedule(store: Store, payload: dict[str, Any] | None, now: datetime) -> str | None:
    """The removal recorded, due now, in the caller's transaction; its key (None: nothing to
    remove)."""
    if payload is None:
        return None
    key = key_of(payload)
    await store.schedule_once(KIND, key, now, payload)
    return key


def _spec(payload: dict[str, Any]) -> BoardSpec:
    """What opens the tracker, the credential decrypted; a missing or changed key is a CONFIG
    error in plain words (retried: the operator fixes the key)."""
    try:
        token = SecretBox.from_env().decrypt(str(payload["secret"]))
    except (SecretKeyError, SecretDecryptError) as error:
        raise TrackerError(str(error), kind=TrackerErrorKind.CONFIG) from None
    return BoardSpec(
        kind=str(payload["tracker"]),
        site=str(payload["site"]),
        board_id=int(payload.get("board_id") or 0),
        email=str(payload.get("account") or ""),
        token=token,
        jql=str(payload.get("jql") or ""),
        acceptance_field=payload.get("acceptance_field"),
        snapshot=dict(payload.get("snapshot") or {}),
        options=dict(payload.get("options") or {}),
    )


async def delete(spec: BoardSpec, hook_id: str) -> None:
    """Removes webhook ``hook_id`` (one already gone is fine); raises TrackerError."""
    client = open_tracker(spec)
    async with contextlib.aclosing(client):
        remove = getattr(client, "delete_webhook", None)
        if remove is None:  # a tracker whose webhooks Timebox never adds
            return
        try:
            await remove(hook_id)
        except TrackerError as error:
            if error.kind is not TrackerErrorKind.NOT_FOUND:
                raise


async def remove_now(svc: Services, key: str) -> TrackerError | None:
    """The removal ``key`` names, tried at once after the transaction that recorded it: None
    once removed (its row done), else why not (the row stays due: the job runner retries
    it)."""
    async with svc.db.transaction() as store:
        row = await store.scheduled(key)
        payload = dict(row.payload or {}) if row is not None and row.done_at is None else None
    if payload is None:
        return None
    try:
        await delete(_spec(payload), str(payload["hook"]))
    except TrackerError as error:
        log.warning("webhook %s not removed yet: %s", payload["hook"], error.message)
        return error
    except Exception as error:  # the row retries it: the disconnect is done all the same
        log.exception("webhook %s not removed yet", payload["hook"])
        return _own_problem(error)
    async with svc.db.transaction() as store:
        await store.finish_key(key, svc.clock.now(), "removed at once")
    return None


async def run(svc: Services, due: Due) -> str:
    """The job: the webhook removed, or the row due again later (``_again``)."""
    try:
        await delete(_spec(due.payload), str(due.payload["hook"]))
    except TrackerError as error:
        return await _again(svc, due, error)
    except Exception as error:  # a problem of Timebox's own: retried as the tracker's would be
        log.exception("webhook removal %s failed", due.key)
        return await _again(svc, due, _own_problem(error))
    return "removed"


def _own_problem(error: Exception) -> TrackerError:
    said = f"Timebox had a problem of its own ({type(error).__name__}); it tries again."
    return TrackerError(said, kind=TrackerErrorKind.UNAVAILABLE)


async def _again(svc: Services, due: Due, error: TrackerError) -> str:
    """The same row due again after the tracker writes' backoff, unless it has failed for
    ``GIVE_UP``: then it ends, and the log says so (the webhook stays at the tracker)."""
    now = svc.clock.now()
    attempt = int(due.payload.get("attempt", 1))
    since = datetime.fromisoformat(str(due.payload.get("failing_since") or now.isoformat()))
    if now - since >= GIVE_UP:
        log.warning(
            "webhook %s of %s not removed after %s of failures, given up: %s",
            due.payload.get("hook"),
            due.payload.get("tracker"),
            GIVE_UP,
            error.message,
        )
        return f"given up: {error.message}"[:500]
    delay = tracker_writes.retry_delay(
        attempt, retry_after=error.retry_after, retryable=error.retryable
    )
    payload = {**due.payload, "attempt": attempt + 1, "failing_since": since.isoformat()}
    payload["error"] = error.message
    async with svc.db.transaction() as store:
        await store.schedule(due.kind, due.key, now + timedelta(seconds=delay), payload)
    log.warning(
        "webhook removal %s failed (attempt %s, %s): trying again in %.0f s",
        due.key,
        attempt,
        error.kind.value,
        delay,
    )
    return f"retrying in {delay:.0f} s: {error.kind.value}"
