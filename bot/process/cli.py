"""`timebox`: run the bot, try it in a local sandbox, or apply the database migrations."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys

from dotenv import load_dotenv

from bot.runtime.config import ConfigError, configure_logging, load_settings


def _check_tracker_settings() -> None:
    """``TIMEBOX_SECRET_KEY`` and ``TIMEBOX_TRACKER_HOSTS`` are read where they are used, from
    the environment: a ``.env`` fills them in there as it fills every other setting, and a
    bad one stops start-up (ConfigError) rather than the first connect to a tracker. Their
    modules (the tracker clients', cryptography) are loaded here only when one is set: start-up
    loads nothing its first answer does not need (tests/process/test_start.py)."""
    load_dotenv(".env", override=False)
    if os.environ.get("TIMEBOX_TRACKER_HOSTS", "").strip():
        from bot.trackers.hosts import HOSTS_VARIABLE, HostRefused, parse_allowed_hosts

        try:
            parse_allowed_hosts(os.environ.get(HOSTS_VARIABLE))
        except HostRefused as error:
            raise ConfigError(str(error)) from error
    if os.environ.get("TIMEBOX_SECRET_KEY", "").strip():
        from bot.runtime.secrets import SecretBox, SecretKeyError

        try:
            SecretBox.from_env()
        except SecretKeyError as error:
            raise ConfigError(str(error)) from error


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="timebox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)"
    )
    commands.add_parser("migrate", help="apply database migrations and exit")
    if argv[:1] not in (["run"], ["migrate"]):  # the sandbox's code is not loaded to run
        from bot.sandbox import add_sandbox_command

        add_sandbox_command(commands)
    args = parser.parse_args(argv)
    if args.command == "sandbox":  # needs no Slack app, so no settings
        from bot.sandbox import run_sandbox

        return run_sandbox(args)

    try:
        settings = load_settings()
        _check_tracker_settings()
    except ConfigError as error:
        print(f"timebox: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)

    if args.command == "migrate":
        from storage.db import Database

        async def migrate() -> None:
            db = Database(settings.database_url)
            await db.migrate()
            await db.dispose()

        asyncio.run(migrate())
        print("timebox: database is up to date")
        return 0

    # What start-up builds (modules, the app, its listeners) lives as long as the process:
    # the garbage collector's passes over it are skipped until serve() has frozen it.
    gc.disable()
    from bot.process.server import serve

    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
