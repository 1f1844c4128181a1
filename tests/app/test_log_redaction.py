"""Timebox's log handler masks the tracker credentials that carry no field name.

``logs.Redact`` masks a value by the name of its field (token=, "secret":, Authorization:)
or by a vendor's prefix (Slack's xox…, GitHub's ghp_…, Linear's lin_api_…). What a tracker
form takes, or what a client sends, also comes without either, in an error's text, a
traceback or a URL an exception quotes (``aiohttp.InvalidURL``, ``ClientResponseError``):

- a password in a URL's user info (``https://po%40acme.com:TOKEN@jira.corp/…``: the form
  refuses such a site address, quoting it, and a library quotes a URL whole);
- an Atlassian API token by its prefix (``ATATT3…``, every Jira Cloud token made since 2023),
  as GitHub's and Linear's are masked by theirs;
- a GitHub App's private key (PEM), pasted into the form's token field;
- a JSON Web Token (``eyJ….eyJ….sig``: the GitHub App's signed assertion, an OAuth access
  token) after ``Bearer`` with no Authorization before it.

Each line is written through ``logs.handler`` in both formats; the line around the secret
stays readable."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.runtime import logs

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjM0NSJ9.c2lnbmF0dXJlLWJ5dGVz"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)
ATLASSIAN = "ATATT3xFfGF0T4JkLm9_pQ-rStUvWxYz0123456789abcdEFGH=1A2B3C4D"

CASES = [
    (
        "InvalidURL: https://po%40acme.com:s3cr3t-Pa55@jira.corp.example:99999/rest",
        "s3cr3t-Pa55",
        "https://po%40acme.com:***@jira.corp.example:99999/rest",
    ),
    (f"Jira said 401 for {ATLASSIAN} (po@acme.com)", ATLASSIAN, "Jira said 401 for *** (po@"),
    (f"could not load the key:\n{PEM}\n(app 12345)", "MIIEpAIBAAKCAQEA", "(app 12345)"),
    (f"sent Bearer {JWT} to api.github.com", "c2lnbmF0dXJlLWJ5dGVz", "sent Bearer *** to"),
    (f"token was {JWT}", JWT, "token was ***"),
]


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize(("line", "secret", "kept"), CASES, ids=[str(i) for i in range(5)])
def test_a_credential_without_a_field_name_is_masked(
    fmt: str, line: str, secret: str, kept: str
) -> None:
    """The secret is gone from the message; the words around it stay."""
    out = io.StringIO()
    log = logging.getLogger("timebox.test.redaction")
    log.addHandler(logs.handler(fmt, out))
    log.propagate, log.level = False, logging.INFO
    try:
        log.warning("%s", line)
    finally:
        log.handlers.clear()
    written = out.getvalue()
    message = json.loads(written)["message"] if fmt == "json" else written
    assert secret not in message, message
    assert kept in message, message


def test_a_credential_in_a_traceback_is_masked() -> None:
    """The same in an error's text, where a library's exception quotes a URL whole."""
    out = io.StringIO()
    log = logging.getLogger("timebox.test.redaction.error")
    log.addHandler(logs.handler("text", out))
    log.propagate, log.level = False, logging.INFO
    try:
        try:
            raise ValueError(f"bad URL https://u:{ATLASSIAN}@jira.corp.example/")
        except ValueError:
            log.exception("connect failed")
    finally:
        log.handlers.clear()
    assert ATLASSIAN not in out.getvalue()
    assert "https://u:***@jira.corp.example/" in out.getvalue()


@pytest.mark.parametrize(
    "line",
    [
        "team 3 connected to jira https://acme.atlassian.net board 42",
        "mail po@acme.com about https://acme.atlassian.net/browse/TB-1",
        "ssh://git@github.com:acme/shop.git",
        "ATATT is not a token, nor is eyJ alone",
        "redirect to https://10.1.2.3:8080/login.jsp",
    ],
)
def test_plain_lines_stay_as_they_are(line: str) -> None:
    """What only looks near a secret (an e-mail address, a host and port, a word) is kept."""
    assert logs.redact(line) == line
