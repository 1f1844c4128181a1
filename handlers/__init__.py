"""Slack listeners, one module per surface, each with a `register(app)`."""

from slack_bolt.async_app import AsyncApp


def register(app: AsyncApp) -> None:
    from handlers import actions, commands, errors, events, home, views

    for surface in (commands, actions, views, events, home, errors):
        surface.register(app)
