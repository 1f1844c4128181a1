"""A file shared in a team's channel, across its Slack calls: files.info, the checks that need
no download (a direct message, the kind, the size), the download, then the import or the
agenda, and the answer in the file's thread (privately to the sharer for a file too big, or
one shared in a direct message, which has no team: as a command typed there is answered).

What a file changed (an import's report, an agenda saved) is recorded in the outbox with the
change and sent from there: one Slack refuses comes on the outbox's next try. A refusal,
which changes nothing, is answered directly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.backlog_csv import NotABacklog
from bot.domain.errors import UserError
from bot.runtime import outbox
from bot.runtime.services import Services
from bot.usecases import backlog as backlog_uc
from bot.usecases import files
from bot.usecases.team import InChannel
from bot.usecases.unit import Actor
from handlers import outbox as slack_outbox
from handlers.asked import is_direct_message
from handlers.blocks import backlog as backlog_blocks
from handlers.blocks import team as team_blocks
from handlers.common import in_channel
from handlers.file_download import TooBig, fetch
from handlers.render import render

Download = Callable[[], Awaitable[bytes]]
"""The shared file's bytes, read when it is called (after the checks that need no download)."""

Answer = str | Sequence[outbox.Post] | None
"""Why the file was not taken (said directly: nothing changed), the posts recorded with what
it changed (sent from the outbox), or nothing to say."""

COMMANDS = {"csv": "/backlog import", "agenda": "/refine agenda"}
"""The command that does in a channel what a file of each kind does there."""


async def file_shared(svc: Services, client: AsyncWebClient, actor: Actor, file_id: str) -> None:
    """One share of a file: each copy of its event acts as the share (`SharedFile.acting`),
    so a copy (Slack may send two, with two event ids) changes nothing and says nothing."""
    info = (await client.files_info(file=file_id))["file"]
    shared = files.SharedFile.of(info, _thread(info, actor))
    if shared is None:
        return
    actor = shared.acting(actor)
    if is_direct_message(actor.channel):  # nothing read, nothing stored: a DM is no team
        answer = team_blocks.channel_only(COMMANDS[shared.kind])
        await client.chat_postEphemeral(channel=actor.channel, user=actor.user, **answer)
        return
    member = in_channel(client, {"channel_id": actor.channel})  # the file's channel

    async def download() -> bytes:
        return await fetch(str(info.get("url_private_download") or ""), client, shared)

    try:
        if problem := shared.too_big():
            raise TooBig(problem)  # before the download
        take = _agenda if shared.kind == "agenda" else _backlog
        answer = await take(svc, actor, shared, member, download)
    except TooBig as error:
        if await files.first_refusal(svc, actor):
            text = backlog_blocks.file_too_big(shared.name, error.message)
            await client.chat_postEphemeral(channel=actor.channel, user=actor.user, text=text)
        return
    if isinstance(answer, str) and await files.first_refusal(svc, actor):
        await client.chat_postMessage(
            channel=actor.channel, thread_ts=shared.thread_ts, text=answer
        )
    elif answer:
        await slack_outbox.send_all(svc, client, answer)


async def _backlog(
    svc: Services, actor: Actor, shared: files.SharedFile, member: InChannel, download: Download
) -> Answer:
    """The import's report, recorded with it; why a file meant for the backlog was not taken,
    and what to do instead; or None for someone's spreadsheet that is not a backlog (left
    alone)."""
    try:
        return await backlog_uc.import_file(svc, actor, await download(), member, shared)
    except NotABacklog as error:
        return render("import_refused.md.j2", problem=error.message, source=shared.name)


async def _agenda(
    svc: Services, actor: Actor, shared: files.SharedFile, member: InChannel, download: Download
) -> Answer:
    """The agenda saved, recorded with it; why an agenda was refused (the sharer's role is
    checked first), in the file's thread, where the channel saw the file and sees it did not
    become the agenda; or None for YAML that is no agenda (left alone, nothing said)."""
    try:
        return await files.take_agenda(svc, actor, await download(), member, shared)
    except TooBig:
        raise
    except UserError as error:
        return render("agenda_refused.md.j2", problem=error.message, source=shared.name)


def _thread(info: dict[str, Any], actor: Actor) -> str | None:
    """The message that shared the file in the channel, the latest when the file was shared
    there more than once: the answer goes in its thread, and it names the share."""
    shares = info.get("shares") or {}
    share = shares.get("public", {}) | shares.get("private", {})
    stamps = [str(s["ts"]) for s in share.get(actor.channel) or [] if s.get("ts")]
    return max(stamps, key=_ts_order, default=None)


def _ts_order(ts: str) -> tuple[int, ...]:
    """A message ts (`1700000000.000100`) as numbers, compared exactly (not as a float)."""
    return tuple(int(part) if part.isdecimal() else 0 for part in ts.split(".", 1))
