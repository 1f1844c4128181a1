"""The vendor's own web page for an issue, as the tracker emulators serve it at the address they
put in an issue's ``url``/``html_url`` (Jira's ``/browse/<key>``, GitHub's
``/<owner>/<repo>/issues/<n>``, Linear's ``/<org>/issue/<identifier>``): a small read-only
HTML page, with no credentials asked (a browser has no API token), that shows the issue's key,
title, status, estimate and description. Each emulator marks the method that finds the issue
for a path with ``@issue_page``; ``add_issue_pages`` serves them, each value HTML-escaped here
and only here. An unknown issue is a 404 page.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

PAGE_STYLE = (
    "body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}"
    "dt{font-weight:bold}dd{margin:0 0 .75rem}pre{white-space:pre-wrap;font-family:inherit}"
)


@dataclass(frozen=True)
class IssueView:
    """What an issue's web page shows; the text as stored (escaped when written)."""

    key: str
    title: str
    status: str
    estimate: float | None = None
    description: str = ""


Finder = Callable[[web.Request], "IssueView | None"]
"""An issue page's work: the request (its path's ``match_info``) to the issue, or None."""

FinderT = TypeVar("FinderT", bound=Callable[..., Any])


def issue_page(path: str) -> Callable[[FinderT], FinderT]:
    """Marks an emulator's method ``(request) -> IssueView | None`` as the finder of the
    issue whose web page is at ``path`` (an aiohttp route pattern)."""

    def mark(finder: FinderT) -> FinderT:
        finder.issue_page = path  # type: ignore[attr-defined]
        return finder

    return mark


def add_issue_pages(app: web.Application, server: Any, vendor: str) -> None:
    """Serves (``GET``) each ``@issue_page`` of ``server`` on ``app``, titled for ``vendor``;
    added before an emulator's catch-all route, so that it is the page that answers."""
    for attr in dir(type(server)):
        path = getattr(getattr(type(server), attr), "issue_page", None)
        if path is not None:
            app.router.add_get(path, _page_handler(getattr(server, attr), vendor))


def _page_handler(finder: Finder, vendor: str) -> Callable[[web.Request], Any]:
    async def handle(request: web.Request) -> web.Response:
        return page_response(finder(request), vendor, request.path)

    return handle


def _estimate(value: float | None) -> str:
    return "None" if value is None else f"{value:g}"


def page_response(view: IssueView | None, vendor: str, path: str) -> web.Response:
    """The issue's page (200), or the vendor's page for an issue that is not there (404)."""
    if view is None:
        title = f"Not found · {vendor}"
        body = f"<h1>Issue not found</h1><p>There is no issue at {html.escape(path)}.</p>"
        return web.Response(status=404, text=_document(title, body), content_type="text/html")
    rows = [
        ("Key", view.key),
        ("Status", view.status),
        ("Estimate", _estimate(view.estimate)),
    ]
    fields = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(value)}</dd>" for name, value in rows
    )
    description = html.escape(view.description) if view.description else "No description"
    body = (
        f"<h1>{html.escape(view.title)}</h1><dl>{fields}</dl>"
        f"<h2>Description</h2><pre>{description}</pre>"
    )
    title = f"{view.key} {view.title} · {vendor}"
    return web.Response(text=_document(title, body), content_type="text/html")


def _document(title: str, body: str) -> str:
    """A whole page: ``title`` is text (escaped here), ``body`` HTML already escaped."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
