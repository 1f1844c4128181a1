"""The layers hold: no import circle anywhere in the house, and the domain stays plain Python.

Imports are read from the source (module level and inside functions alike), so a circle hidden
by a late import is found too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "agendas", "storage")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str) -> Iterator[str]:
    """Every module of the house that `name` imports, anywhere in its source."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(f"{target}."):
                yield target


def _external(name: str) -> set[str]:
    """The top-level names of what `name` imports from outside the house too."""
    tops = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            tops |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            tops |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return tops


def _circles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    graph = {name: set(_imports(name)) for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return groups


def test_no_module_imports_itself_through_others() -> None:
    assert _circles() == []


def test_the_layers_import_only_downwards() -> None:
    """Each package names the packages it may use; an import upwards is a circle waiting."""
    below = {
        "bot.domain": {"bot.domain", "storage.models"},
        "storage": {"storage", "bot.domain"},
        "bot.runtime": {"bot.runtime", "storage"},
        "bot.usecases": {"bot.usecases", "bot.domain", "storage", "agendas", "bot.runtime"},
        "agendas": {"agendas", "bot.domain", "storage"},
        # Listeners and builders read models; the database is the use cases' to open.
        "handlers": {
            "handlers",
            "bot.usecases",
            "bot.domain",
            "bot.runtime",
            "agendas",
            "storage.models",
        },
    }
    wrong = []
    for name in MODULES:
        layer = next((layer for layer in below if name.startswith(layer)), None)
        if layer is None:
            continue
        for target in _imports(name):
            if not any(target == ok or target.startswith(f"{ok}.") for ok in below[layer]):
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_the_domain_knows_nothing_of_slack_or_sql_sessions() -> None:
    forbidden = ("slack_bolt", "slack_sdk", "sqlalchemy", "aiohttp", "storage.db")
    wrong = [
        f"{name} -> {imported}"
        for name in MODULES
        if name.startswith("bot.domain")
        for imported in _external(name)
        if imported.startswith(forbidden) or imported.startswith("storage.repositories")
    ]
    assert wrong == []


def _store_sessions(name: str) -> Iterator[int]:
    """Lines of `name` that reach past a store, or the database, to a session
    (`store.session`, `db.session()`)."""
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Attribute) and node.attr == "session":
            owner = node.value
            named = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if named in ("store", "db"):
                yield node.lineno


def test_listeners_and_builders_open_no_database() -> None:
    """Nothing in handlers reaches the database: no `services.db`, no `transaction()`; use
    cases open their unit of work (imports are checked above, attributes here)."""
    wrong = [
        f"{name}:{node.lineno} .{node.attr}"
        for name, path in MODULES.items()
        if name.startswith("handlers")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in ("db", "transaction")
    ]
    assert wrong == []


def test_sql_is_storages_alone() -> None:
    """Listeners, builders, use cases, rules and agendas reach the database only through
    storage's repositories: none imports SQLAlchemy or uses a store's session."""
    layers = ("handlers", "bot.usecases", "bot.domain", "agendas", "bot.trackers")
    above = [name for name in MODULES if name.startswith(layers)]
    wrong = [
        f"{name} -> {imported}"
        for name in above
        for imported in _external(name)
        if imported.startswith("sqlalchemy")
    ]
    wrong += [f"{name}:{line} store.session" for name in above for line in _store_sessions(name)]
    assert wrong == []


# Slack markup in a string built from data: paired *bold*, _italic_ or ~strike~, `code`, or a
# mention, channel, special mention or link (`<@`, `<#`, `<!`, `<http`).
_MARKUP = re.compile(r"(?<!\w)([*_~])[^\s*_~][^\n]*?\1(?!\w)|`[^`]+`|<[@#!]|<https?:")


def _built_text(node: ast.AST) -> str | None:
    """An f-string or a `+` of strings with each value as X; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _built_text(node.left), _built_text(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "X") + (right if right is not None else "X")
    return None


def test_slack_text_is_written_in_templates() -> None:
    """Listeners and Block Kit builders build no Slack markup around data: templates do, where
    the filters escape what people typed. render.py's filters are where markup is made."""
    wrong = []
    for name, path in MODULES.items():
        if not name.startswith("handlers") or name == "handlers.render":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.JoinedStr | ast.BinOp):
                text = _built_text(node)
                if text is not None and text != "X" and _MARKUP.search(text):
                    wrong.append(f"{name}:{node.lineno}")
    assert wrong == []


# What makes a function a listener: Bolt's (handlers/listener.py) and the starts built on it.
_LISTENER_DECORATORS = {"listener", "acked", "heard", "submitted"}
LISTENER_LINES = 25
MODULE_LINES = 1000


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def _is_listener(name: str, node: ast.AST) -> bool:
    """A listener, or the small function of a slash command's verb (it takes the `Asked`)."""
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    if any(_decorator_name(d) in _LISTENER_DECORATORS for d in node.decorator_list):
        return True
    first = node.args.args[0].annotation if node.args.args else None
    return name.startswith("handlers.commands") and ast.unparse(first or ast.Pass()) == "Asked"


def test_listeners_are_a_few_lines() -> None:
    """A listener parses, acks, calls one use case and renders: one that grows past
    LISTENER_LINES (decorators and docstring included) is deciding what the domain should."""
    found, long = 0, []
    for name, path in MODULES.items():
        if not name.startswith("handlers"):
            continue
        for node in ast.parse(path.read_text()).body:
            if _is_listener(name, node):
                found += 1
                first = min([d.lineno for d in node.decorator_list] + [node.lineno])
                if node.end_lineno - first + 1 > LISTENER_LINES:
                    long.append(f"{name}.{node.name}: {node.end_lineno - first + 1} lines")
    assert found > 50, "the listeners were not found: is the test still reading them?"
    assert long == []


def test_modules_stay_small() -> None:
    """A module of more than MODULE_LINES lines holds more than one thing: split it by what
    its parts hold, as the emulators and the tracker clients are."""
    long = [
        f"{name}: {lines} lines"
        for name, path in MODULES.items()
        if (lines := len(path.read_text().splitlines())) > MODULE_LINES
    ]
    assert long == []
