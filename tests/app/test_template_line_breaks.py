"""No template swallows a line break: the environment trims the newline after a block tag
(`trim_blocks`), so a line of text that ends in one (`… {% endif %}`) runs into the next line of
text when shown. Such a line ends in `{% endif +%}` to keep its break; a next line that opens
with a tag (`{% if … %} · more`) is read as continuing the line on purpose."""

from __future__ import annotations

import re
from pathlib import Path

from tests.app.test_template_text import templates

TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}")
TRIMMED = ("%}", "#}")
KEPT = ("+%}", "-%}", "+#}", "-#}")
BRANCH = re.compile(r"\{%-?\s*(else|elif|endmacro|macro)\b")


def swallowed(path: Path) -> list[str]:
    """`file:line` for each line that shows text, ends in a trimming tag, and is followed by a
    line that opens with text, after any lines of tags alone (trimmed whole, they keep no
    break either)."""
    lines = path.read_text().split("\n")
    found = []
    for number, line in enumerate(lines, 1):
        end = line.rstrip()
        if not end.endswith(TRIMMED) or end.endswith(KEPT) or not TAG.sub("", end).strip():
            continue
        following = next((n for n in lines[number:] if TAG.sub("", n).strip() or not n), "")
        between = lines[number : lines.index(following, number)] if following else []
        last = (TAG.findall(end) or [end])[-1]  # the tag that ends the line
        if any(BRANCH.search(n) for n in [last, *between]):
            continue  # what follows is another branch's (or macro's) text, not shown after it
        if following.strip() and not following.lstrip().startswith(("{%", "{#")):
            found.append(f"{path.name}:{number}")
    return found


def test_no_template_runs_a_line_of_text_into_the_next():
    assert [found for path in templates() for found in swallowed(path)] == []


def test_the_rule_finds_a_swallowed_break_and_lets_kept_and_continued_lines_pass(tmp_path):
    template = tmp_path / "sample.md.j2"
    template.write_text(
        "Tasks: {% if n %}{{ n }}{% endif %}\n"
        "Next line\n"
        "Kept: {% if n %}{{ n }}{% endif +%}\n"
        "Next line\n"
        "Continued{% for x in xs %} {{ x }}{% endfor %}\n"
        "{% if more %} · more{% endif %}\n"
        "{% if alone %}\n"
        "Text\n"
        "{% endif %}\n"
    )
    # 6: its break is lost too, the lone `{% if alone %}` line trimmed whole before `Text`
    assert swallowed(template) == ["sample.md.j2:1", "sample.md.j2:6"]


def test_the_rule_finds_a_break_swallowed_after_an_opening_tag_or_a_whole_if_else(tmp_path):
    template = tmp_path / "sample.md.j2"
    template.write_text(
        "Matched by their keys.{% if waiting %}\n"
        "{{ waiting }} changes were not sent.{% endif %}\n"
        "Either: {% if a %}one{% else %}the other{% endif %}\n"
        "Next line\n"
        "First branch{% if b %}, more{% else %}\n"
        "Second branch\n"
        "{% endif %}\n"
    )
    # 1: the tracker_disconnected bug (`{% if … %}` ends the line of text); 2: its `endif`;
    # 3: an `{% else %}` inside the line is not a branch ending it (5's is)
    assert swallowed(template) == ["sample.md.j2:1", "sample.md.j2:2", "sample.md.j2:3"]
