"""Where installations into many workspaces are kept: slack_sdk's own SQLAlchemy stores.

slack_sdk ships asynchronous variants of its SQLAlchemy installation and OAuth-state stores
(`AsyncSQLAlchemyInstallationStore`, `AsyncSQLAlchemyOAuthStateStore`, on an AsyncEngine), so
they run on our async engine as they are: no thread, no second (sync) engine, no driver that
only they would need, and the same pool and SQLite tuning as the rest of Timebox. Their tables
are in our metadata and migrations (storage/models.py, migration 0006); the stores never
create tables themselves.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore

from storage.db import Database
from storage.models import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES

STATE_SECONDS = 600  # an install must finish within 10 minutes of opening /slack/install


def installation_store(db: Database, client_id: str) -> AsyncSQLAlchemyInstallationStore:
    return AsyncSQLAlchemyInstallationStore(
        client_id=client_id,
        engine=db.engine,
        bots_table_name=SLACK_BOTS.name,
        installations_table_name=SLACK_INSTALLATIONS.name,
    )


def oauth_state_store(db: Database) -> AsyncSQLAlchemyOAuthStateStore:
    return AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_SECONDS, engine=db.engine, table_name=SLACK_OAUTH_STATES.name
    )
