"""One site, one spelling: however a site URL is typed (case, default port, dot segments,
repeated slashes, trailing dots and slashes, escapes), the host policy gives back one normal
form, so that a board named by its site cannot be taken twice under two spellings. A user name,
password, query or fragment is refused with the address to type instead."""

from __future__ import annotations

import pytest

from bot.trackers.hosts import LINEAR_CLOUD, HostPolicy, HostRefused, normal_site

LISTED = HostPolicy.allowing("127.0.0.1:8081", "jira.corp.example", "[::1]:9000")


@pytest.mark.parametrize(
    "spelling",
    [
        "http://127.0.0.1:8081/jira",
        "http://127.0.0.1:8081/jira/",
        "HTTP://127.0.0.1:8081/jira",
        "http://127.0.0.1:8081//jira//",
        "http://127.0.0.1:8081/./jira/.",
        "http://127.0.0.1:8081/jira/x/..",
        "http://127.0.0.1:8081/jira/x/../",
        "http://127.0.0.1:8081/x/../jira",
        "http://127.0.0.1:8081/../jira",
        "http://127.0.0.1:8081/%6a%69%72%61",
        "http://127.0.0.1:8081/jira/%2E%2E/jira",
        "  http://127.0.0.1:8081/jira?#  ",
    ],
)
def test_every_spelling_of_a_listed_site_gives_one_normal_form(spelling: str) -> None:
    assert LISTED.check_url(spelling) == "http://127.0.0.1:8081/jira"


@pytest.mark.parametrize(
    "spelling",
    [
        "https://jira.corp.example",
        "https://JIRA.Corp.Example",
        "https://jira.corp.example.",
        "https://jira.corp.example.:443/",
        "https://jira.corp.example:443//",
        "https://jira.corp.example/jira/..",
    ],
)
def test_host_case_trailing_dot_default_port_and_dot_segments_name_one_site(
    spelling: str,
) -> None:
    assert LISTED.check_url(spelling) == "https://jira.corp.example"


def test_the_default_port_of_http_is_dropped_and_another_port_kept() -> None:
    assert LISTED.check_url("http://jira.corp.example:80/a") == "http://jira.corp.example/a"
    assert LISTED.check_url("http://jira.corp.example:8080/a") == (
        "http://jira.corp.example:8080/a"
    )


def test_an_ipv6_address_is_written_in_its_short_form() -> None:
    assert LISTED.check_url("http://[0:0:0:0:0:0:0:1]:9000/") == "http://[::1]:9000"


def test_escapes_of_plain_characters_are_decoded_and_the_others_upper_cased() -> None:
    assert normal_site("https://h.example/%7Eteam/a%2fb/%c3%a4") == (
        "https",
        "h.example",
        443,
        "/~team/a%2Fb/%C3%A4",
    )
    assert normal_site("https://h.example/ä")[3] == "/%C3%A4"


def test_a_cloud_site_spelled_otherwise_is_the_same_cloud_site() -> None:
    cloud = HostPolicy()
    for spelling in (
        "https://ACME.atlassian.net.",
        "https://acme.atlassian.net:443//",
        "https://acme.atlassian.net/x/..",
    ):
        assert cloud.check_url(spelling) == "https://acme.atlassian.net"
    assert cloud.check_url("https://API.linear.app/./graphql/", LINEAR_CLOUD) == (
        "https://api.linear.app/graphql"
    )


@pytest.mark.parametrize(
    ("spelling", "says"),
    [
        (
            "http://bob:pw@127.0.0.1:8081/jira",
            "must not contain a user name or password (the form asks for the credentials on "
            "their own): type it as http://127.0.0.1:8081/jira",
        ),
        (
            "http://bob@127.0.0.1:8081/jira",
            "must not contain a user name or password (the form asks for the credentials on "
            "their own): type it as http://127.0.0.1:8081/jira",
        ),
        (
            "http://127.0.0.1:8081/jira/?next=/admin",
            "must not have a query (?…) or fragment (#…): type it as http://127.0.0.1:8081/jira",
        ),
        (
            "http://127.0.0.1:8081/jira#board",
            "must not have a query (?…) or fragment (#…): type it as http://127.0.0.1:8081/jira",
        ),
        ("http://./jira", "'.' is not a host name"),
    ],
)
def test_userinfo_query_and_fragment_are_refused_with_what_to_type(
    spelling: str, says: str
) -> None:
    with pytest.raises(HostRefused) as refused:
        LISTED.check_url(spelling)
    assert says in str(refused.value)


def test_the_refusal_never_repeats_a_password_or_a_query() -> None:
    for spelling in ("http://bob:s3cret@127.0.0.1:8081", "http://127.0.0.1:8081/?token=s3cret"):
        with pytest.raises(HostRefused) as refused:
            LISTED.check_url(spelling)
        assert "s3cret" not in str(refused.value)
