"""Files a person shares in a team's channel: a backlog CSV joins the backlog, a YAML file
that is an agenda becomes the team's agenda of its kind.

What can be decided before the download is decided first: the file's kind and its size (a
file over the limit is not downloaded, and the sharer is told the limit). A file is then read
in a worker thread, never on the event loop, so one big file does not hold up everyone else's
requests; only a file that is what it says (a backlog, an agenda) is answered, and only then
is the sharer's role for an agenda checked: someone's docker-compose.yml is left alone. What
the file changed is told in its thread through the outbox, recorded with the change
(bot/usecases/backlog.py does the same for an import's report).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

import yaml

from agendas.agenda import KINDS, Agenda, looks_like_agenda, require_fits
from agendas.agenda import parse as parse_agenda
from bot.domain.backlog_csv import MAX_FILE_BYTES
from bot.runtime import outbox
from bot.runtime.services import Services
from bot.usecases import meetings, news
from bot.usecases.team import InChannel, member_work
from bot.usecases.unit import Actor

MAX_AGENDA_BYTES = 100_000
"""An agenda is a page of YAML; a file larger than this is not one (and PyYAML, pure Python,
would take seconds to read it)."""


@dataclass(frozen=True)
class AgendaSaved:
    """A shared YAML file saved as the team's agenda, as news for the file's thread (worded
    by the app)."""

    agenda: Agenda
    source: str


@dataclass(frozen=True)
class SharedFile:
    kind: str
    """"csv" (a backlog, perhaps) or "agenda" (any YAML file: an agenda, perhaps)."""
    name: str
    size: int
    file_id: str = ""
    thread_ts: str | None = None
    """The message that shared it in the channel, in whose thread what it changed is told."""

    @classmethod
    def of(cls, info: dict[str, Any], thread_ts: str | None = None) -> SharedFile | None:
        """The file Slack's files.info describes, if it is one Timebox reads: one stored in
        Slack, not a remote file (Google Drive...), which lives at its service's address."""
        if info.get("is_external") or info.get("mode") == "external":
            return None
        name = str(info.get("name") or "")
        size = info.get("size")
        size = size if isinstance(size, int) else 0
        shared = {"file_id": str(info.get("id") or ""), "thread_ts": thread_ts}
        if name.lower().endswith((".yml", ".yaml")):
            return cls("agenda", name, size, **shared)
        if info.get("filetype") == "csv" or name.lower().endswith(".csv"):
            return cls("csv", name, size, **shared)
        return None

    def acting(self, actor: Actor) -> Actor:
        """The sharer, acting as this share: the request's identity is the file in the message
        that shared it, not the event's id, so the copies Slack may send of one share's
        `file_shared` (each with an event id of its own) act once, and a copy changes and tells
        nothing (Replayed); the same file shared again (another message) acts anew. A share
        whose message is unknown keeps the event's identity."""
        if not self.file_id or self.thread_ts is None:
            return actor
        return replace(actor, request=f"file:{self.file_id}:{self.thread_ts}")

    def key(self, actor: Actor) -> str:
        """The outbox key of what this share tells: one per share (the same file shared again
        is told again), the same for every copy of its event (`acting`)."""
        request = self.acting(actor).request
        return request if self.thread_ts is not None else f"file:{self.file_id}:{request}"

    @property
    def limit(self) -> int:
        return MAX_AGENDA_BYTES if self.kind == "agenda" else MAX_FILE_BYTES

    def too_big(self) -> str | None:
        """Why the file is not read, in plain words, when it is over the limit of its kind."""
        if self.size <= self.limit:
            return None
        what = "an agenda file" if self.kind == "agenda" else "a backlog CSV"
        advice = (
            "An agenda is a short YAML file: `/refine agenda` shows one to start from."
            if self.kind == "agenda"
            else "Split it into smaller files and share them one at a time."
        )
        return f"it is {_size(self.size)}, and I read {what} of up to {_size(self.limit)}. {advice}"


async def take_agenda(
    svc: Services, actor: Actor, data: bytes, in_channel: InChannel, shared: SharedFile
) -> list[outbox.Post] | None:
    """A downloaded YAML file: None when it is no agenda (looks_like_agenda), left alone as an
    unrelated spreadsheet is, so nothing is said of it, not even who may change agendas. An
    agenda from someone outside the team or without the role is refused (NotAllowed); else it
    replaces the team's agenda (`replace_agenda`)."""
    text = data.decode("utf-8-sig", errors="replace")
    if not await asyncio.to_thread(looks_like_agenda, text):
        return None
    async with member_work(svc, actor, in_channel) as work:
        await work.require(("po", "sm"), "change agendas")
    return await replace_agenda(svc, actor, text, in_channel, shared)


async def replace_agenda(
    svc: Services, actor: Actor, text: str, in_channel: InChannel, shared: SharedFile
) -> list[outbox.Post]:
    """A shared YAML file becomes the team's agenda of its kind, if it is a valid agenda
    (AgendaError otherwise, naming the line at fault) and a sprint planning's fits the team's
    planning timebox (`require_fits`); the PO's or a Scrum Master's, as `/refine agenda` saves
    it. Its "saved" is recorded in the outbox with it, for the file's thread: the posts to
    send at once."""
    agenda = await asyncio.to_thread(read_agenda, text)  # its kind is one of KINDS
    async with member_work(svc, actor, in_channel, once=True) as work:
        require_fits(agenda, work.team.sprint_weeks)
        await meetings.adopt_agenda(work, agenda)
        saved, key = AgendaSaved(agenda, shared.name), shared.key(actor)
        return await news.record_for_channel(
            work.store, work.team, key, work.now, saved, shared.thread_ts
        )


async def first_refusal(svc: Services, actor: Actor) -> bool:
    """Whether a refusal of this share (the actor as `SharedFile.acting` makes it) is to be said:
    a refusal changes nothing, so nothing else records it, and a copy of the share's event
    would say it again. It is recorded as the share's act, in its own transaction."""
    if not actor.request:
        return True
    async with svc.db.transaction() as store:
        return await store.first_act(actor.request, svc.clock.now())


def read_agenda(text: str) -> Agenda:
    """The agenda in a YAML file; its `kind` says which (refinement when it does not)."""
    try:
        kind = (yaml.safe_load(text) or {}).get("kind", "refinement")
    except Exception:  # PyYAML raises more than YAMLError on broken files
        kind = "refinement"  # parse_agenda below says what is wrong with the file
    if kind not in KINDS:
        kind = "refinement"
    return parse_agenda(text, kind)


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1000))} kB"
