"""Templates write no bare `<` into Slack's mrkdwn.

In Slack a `<…>` is a control sequence (a mention, a channel, a link), so a hint like
"`/refine goal <text>`" loses its word there. Template text (what Jinja copies as it is, not
`{{ … }}` output, which render.py escapes, nor `{# … #}` comments) may open only a sequence the
bot means: `<@`, `<#`, `<!`, `<http`, or a link whose address is an expression (`<{{ url }}|…>`).
A placeholder is written `{{ "<n>" }}`, so render.py escapes it.
"""

from __future__ import annotations

import re
from pathlib import Path

from handlers.render import TEMPLATE_DIRS, environment

SLACK_SEQUENCE = re.compile(r"<(?:[@#!]|http)")


def bare_angles(path: Path) -> list[str]:
    """`file:line: text` for each `<` in the template's literal text that opens no Slack
    sequence the bot means."""
    tokens = list(environment().lex(path.read_text()))
    found = []
    for index, (line, kind, text) in enumerate(tokens):
        if kind != "data":
            continue
        follows = tokens[index + 1][1] if index + 1 < len(tokens) else None
        for match in re.finditer("<", text):
            at = match.start()
            if SLACK_SEQUENCE.match(text, at):
                continue
            if at == len(text) - 1 and follows == "variable_begin":
                continue  # <{{ link.url }}|label>: a link to an address the bot computed
            where = line + text.count("\n", 0, at)
            found.append(f"{path.name}:{where}: {text[at : at + 20].splitlines()[0]}")
    return found


def templates() -> list[Path]:
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.j2"))


def test_no_template_writes_a_bare_angle_bracket_into_mrkdwn():
    assert len(templates()) > 50, "the templates were found"
    assert [found for path in templates() for found in bare_angles(path)] == []


def test_the_rule_finds_placeholders_and_lets_slack_sequences_and_escaped_text_pass(tmp_path):
    template = tmp_path / "sample.md.j2"
    template.write_text(
        "{# a comment may say <n> #}Hi <@{{ user }}> in <#{{ channel }}>, <!here>.\n"
        "See <https://example.com|docs> or <{{ link.url }}|{{ link.key }}>.\n"
        '{% if a < b %}`/backlog show {{ "<n>" }}`{% endif %}\n'
        "`/refine goal <text>` then\n"
        "`/sprint task 1 <task> owner @name|me` and a < b\n"
    )
    assert bare_angles(template) == [
        "sample.md.j2:4: <text>` then",
        "sample.md.j2:5: <task> owner @name|m",
        "sample.md.j2:5: < b",
    ]
