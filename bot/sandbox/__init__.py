"""The sandbox: Timebox in a browser, for newcomers without a Slack workspace.

One process runs the real bot in HTTP mode on a SQLite file, the Slack emulator the tests use,
and a page that looks and behaves like a Slack channel (see page.py and static/).
"""

from bot.sandbox.cli import add_sandbox_command, run_sandbox

__all__ = ["add_sandbox_command", "run_sandbox"]
