"""What the emulators record of each request they answer, for tests to read back
(``calls``, ``calls_to(route)``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class Recorded(Protocol):
    """A recorded call: ``route`` names what was called (a route, a Web API method, a
    GraphQL operation), as ``calls_to`` looks it up."""

    @property
    def route(self) -> str: ...


@dataclass(kw_only=True)
class TrackerCall:
    """What a tracker emulator (Jira, GitHub, Linear) records of each request alike: the
    answer as the client got it (``status``, ``response``), when, whose credentials, and what
    a planned delay did to it (``Faults`` sets ``held`` and ``dropped``)."""

    status: int = 0
    at: float = 0.0
    user: str | None = None  # who the credentials were for (an email, a login)
    response: Any = None
    held: float = 0.0  # seconds the request or its answer was held (``delay_next``)
    dropped: bool = False  # held, and the client hung up before the answer


@dataclass
class RestCall(TrackerCall):
    """One request to a REST emulator (Jira, GitHub): ``route`` is one of its route names
    (or ``unknown``)."""

    route: str
    method: str
    path: str
    query: dict[str, str]
    body: Any = None
