"""Files, a mixin on the workspace: the bot's two-step upload (files.getUploadURLExternal,
``POST /upload/{file_id}``, files.completeUploadExternal sharing into conversations),
files.info, the download a bot token may make (``GET /files/{file_id}``, or a redirect a
test sets on the file: ``SlackFile.redirect_to``), and a person
sharing a file into a conversation (``share_file``).
"""

from __future__ import annotations

import mimetypes
from typing import Any

from aiohttp import web

from bot.emulator.slack_records import ApiCall, Channel, Message, SlackFailure, SlackFile
from bot.emulator.slack_workspace import SlackWorkspace


class SlackFiles(SlackWorkspace):
    """files.getUploadURLExternal, files.completeUploadExternal, files.info, uploads and
    downloads."""

    files: dict[str, SlackFile]

    def _new_file(
        self, name: str, user: str, *, title: str | None = None, filetype: str | None = None
    ) -> SlackFile:
        file_id = self.new_id("F")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return SlackFile(
            id=file_id,
            name=name,
            title=title or name,
            filetype=filetype or extension or "binary",
            mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream",
            user=user,
            created=int(self.epoch()),
            url_private=f"{self.url}/files/{file_id}",
        )

    def _share(self, file: SlackFile, channel: Channel, ts: str) -> None:
        if channel.id not in file.channels:
            file.channels.append(channel.id)
        scope = "private" if channel.is_private or channel.is_im or channel.is_mpim else "public"
        file.shares.setdefault(scope, {}).setdefault(channel.id, []).append(
            {
                "ts": ts,
                "channel_name": channel.name,
                "reply_users": [],
                "reply_count": 0,
                "team_id": self.team_id,
            }
        )

    def share_file(
        self,
        user: str,
        channel: str,
        name: str,
        content: bytes,
        filetype: str = "csv",
        *,
        title: str | None = None,
        initial_comment: str = "",
        thread_ts: str | None = None,
    ) -> dict[str, Any]:
        """A person uploads a file into a conversation: stores the file and the message that
        carries it, and returns the file object (send ``file_shared`` through the driver)."""
        target = self._channel(channel)
        file = self._new_file(name, user, title=title, filetype=filetype)
        file.content = bytes(content)
        file.length = len(file.content)
        self.files[file.id] = file
        ts = self.next_ts()
        self._share(file, target, ts)
        self._store(
            Message(
                ts=ts,
                channel=target.id,
                user=user,
                text=initial_comment,
                thread_ts=thread_ts,
                files=[file.to_slack()],
                team=self.team_id,
            )
        )
        self._notify("file", file)
        return file.to_slack()

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = args.get("filename")
        try:
            length = int(args.get("length"))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise SlackFailure("invalid_arguments") from exc
        if not filename:
            raise SlackFailure("invalid_arguments")
        file = self._new_file(str(filename), self.bot_user_id)
        file.length = length
        self.files[file.id] = file
        return {"upload_url": f"{self.url}/upload/{file.id}", "file_id": file.id}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        file = self.files.get(request.match_info["file_id"])
        call = ApiCall(
            method="upload", args={"file_id": request.match_info["file_id"]}, at=self.epoch()
        )
        self.calls.append(call)
        if file is None:
            call.http_status, call.error = 404, "file_not_found"
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            part = await reader.next()
            data = await part.read(decode=False) if part is not None else b""  # type: ignore[union-attr]
        else:
            data = await request.read()
        file.content = bytes(data)
        if file.length is not None and file.length != len(data):
            self.report_problem(
                "upload", f"{file.name}: declared length {file.length}, uploaded {len(data)} bytes"
            )
        call.args["bytes"] = len(data)
        call.ok, call.response = True, f"OK - {len(data)}"
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            raise SlackFailure("invalid_arguments")
        files: list[SlackFile] = []
        for item in items:
            file = self.files.get(str(item.get("id"))) if isinstance(item, dict) else None
            if file is None or file.content is None:
                raise SlackFailure("file_not_found")
            if item.get("title"):
                file.title = str(item["title"])
            files.append(file)
        targets: list[Channel] = []
        if args.get("channel_id"):
            targets.append(self._channel(args["channel_id"]))
        for ref in str(args.get("channels") or "").split(","):
            if ref.strip():
                targets.append(self._channel(ref.strip()))
        comment = args.get("initial_comment") or ""
        for channel in targets:
            ts = self.next_ts()
            for file in files:
                self._share(file, channel, ts)
            self._store(
                Message(
                    ts=ts,
                    channel=channel.id,
                    user=self.bot_user_id,
                    text=comment,
                    thread_ts=args.get("thread_ts") or None,
                    files=[f.to_slack() for f in files],
                    bot_id=self.bot_id,
                    app_id=self.app_id,
                    team=self.team_id,
                )
            )
        for file in files:
            self._notify("file", file)
        return {"files": [f.to_slack() for f in files]}

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        file = self.files.get(str(args.get("file")))
        if file is None or file.content is None:
            raise SlackFailure("file_not_found")
        return {"file": file.to_slack(), "comments": [], "response_metadata": {"next_cursor": ""}}

    async def _handle_download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        call = ApiCall(method="download", args={"file_id": file_id}, at=self.epoch())
        self.calls.append(call)
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        file = self.files.get(file_id)
        if token not in self._tokens:
            call.http_status, call.error = 403, "not_authed"
            return web.Response(status=403, text="not_authed", content_type="text/plain")
        if file is None or file.content is None:
            call.http_status, call.error = 404, "file_not_found"
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        call.ok = True
        if file.redirect_to is not None:
            call.http_status, call.response = 302, file.redirect_to
            return web.Response(status=302, headers={"Location": file.redirect_to})
        return web.Response(
            body=file.content,
            content_type=file.mimetype,
            headers={"Content-Disposition": f'attachment; filename="{file.name}"'},
        )
