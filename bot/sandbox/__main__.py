"""`python -m bot.sandbox [--port 8080] [--fresh] [--db PATH]`."""

import sys

from bot.sandbox.cli import main

sys.exit(main())
