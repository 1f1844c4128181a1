"""The command line every benchmark takes: its options, then its `main` run to the end."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any


def run(main: Callable[..., Awaitable[Any]], doc: str | None, **options: float) -> None:
    """Runs `main(**options)`, each option read from the command line as `--name` (`--per-minute`
    for `per_minute`), of its default's type; `doc`'s first line is the help's description."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    for name, default in options.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    asyncio.run(main(**vars(parser.parse_args())))
