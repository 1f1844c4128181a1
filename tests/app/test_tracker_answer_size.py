# ruff: noqa: F811  (the tracker fixtures are imported from their own tests)
"""QA pass 47: a tracker's answer has a size cap; one larger is refused, not read whole.

The clients read every answer into memory (``response.text()``, then ``json.loads``), bounded
only by the 30-second timeout: a tracker host (or whatever answers for it: a self-hosted Jira
or GitHub Enterprise the operator lists, a proxy in front of it) answering a few hundred
megabytes in that time takes that much memory in a worker shared by every team, several
times over with the retries. The largest real answers (a page of 100 Jira issues with their
descriptions) are a few megabytes; 40 MiB is refused, with Content-Length and without
(chunked), with a plain error that names the tracker and is not retried."""

from __future__ import annotations

import json
import logging

import pytest
from aiohttp import web

from bot.domain import trackers
from tests.app.test_jira_client import jira, make_client  # noqa: F401
from tests.app.test_linear_client import linear  # noqa: F401
from tests.app.test_linear_client import make_client as make_linear  # noqa: F401
from tests.app.trackers import collect

HUGE = 40 << 20  # bytes


def padded(data: dict, size: int = HUGE) -> bytes:
    """``data`` as JSON, padded with one string field to ``size`` bytes: a valid answer."""
    text = json.dumps({**data, "pad": ""})
    return (text[:-2] + "x" * (size - len(text)) + '"}').encode()


def huge_answer(
    data: dict, chunked: bool, sent: list[int] | None = None, size: int = HUGE
) -> web.Response:
    """``data`` padded to a valid answer of ``size`` bytes: whole with its Content-Length
    (``padded``), or chunked, made as it goes (1 MiB a chunk, its size added to ``sent``
    as it is handed to the server)."""
    if not chunked:
        return web.Response(status=200, body=padded(data, size), content_type="application/json")
    head, tail = json.dumps({**data, "pad": ""})[:-2].encode(), b'"}'

    def made():
        yield head
        left = size - len(head) - len(tail)
        for at in range(0, left, 1 << 20):
            yield b"x" * min(left - at, 1 << 20)
        yield tail

    async def pieces():
        for piece in made():
            if sent is not None:
                sent.append(len(piece))
            yield piece

    return web.Response(status=200, body=pieces(), content_type="application/json")


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_jira_answer_over_the_cap_is_refused(jira, make_client, monkeypatch, chunked):
    """The backlog's page comes back as 40 MiB of valid JSON (an empty page padded): the read
    fails with a TrackerError that says the answer was too large, and it is not asked again."""
    fault_answer = jira._fault_answer

    def big(call, fault):
        if fault.status == 299:
            call.status = 200
            return huge_answer({"issues": [], "startAt": 0, "maxResults": 100}, chunked)
        return fault_answer(call, fault)

    monkeypatch.setattr(jira, "_fault_answer", big)
    jira.seed(3)
    jira.fail_next(299, route="board.backlog", times=10)
    client = make_client()
    with pytest.raises(trackers.TrackerError) as refused:
        await collect(trackers.iter_backlog(client))
    assert "Jira" in refused.value.message and "too large" in refused.value.message
    assert len(jira.calls_to("board.backlog")) == 1, "a too large answer is not asked again"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_linear_answer_over_the_cap_is_refused(
    linear, make_linear, monkeypatch, caplog, chunked
):
    """Linear alike, though gql reads its answers: an answer of 40 MiB to the team's look-up
    is refused as too large (the check says so among its problems), a warning names Linear's
    address, and it is not asked again. Chunked, the read stops past the cap: the server never
    gets to send the end of the answer."""
    server_error = linear._server_error
    sent: list[int] = []
    size = 8 * HUGE if chunked else HUGE  # chunked: made as it goes, so it costs no memory

    def big(call, status):
        if status == 299:
            call.status = 200
            return huge_answer({"data": {"teams": {"nodes": []}}}, chunked, sent, size)
        return server_error(call, status)

    monkeypatch.setattr(linear, "_server_error", big)
    caplog.set_level(logging.WARNING, logger="bot.trackers.http")
    linear.fail_next(299, times=10)
    client = make_linear()
    problems = await client.check()
    assert [p.message for p in problems if "too large" in p.message], problems
    assert [p.message for p in problems if "Linear" in p.message and "MiB" in p.message]
    assert len(linear.calls) == 1, "a too large answer is not asked again"
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.trackers.http"]
    assert [m for m in logged if m.startswith(f"Linear at {linear.api_url}")], logged
    if chunked:
        assert sum(sent) < size, f"the read stopped past the cap, not at the end: {sum(sent)}"
