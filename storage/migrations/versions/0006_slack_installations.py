"""Slack installations: slack_sdk's installation and OAuth-state tables, for many workspaces"""

import sqlalchemy as sa
from alembic import op

from storage.migrations import schema

revision: str = "0006"
down_revision: str | None = "0005"


def _app_columns() -> list[sa.Column]:
    """What slack_bots and slack_installations share (slack_sdk 3.x's schema)."""
    return [
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        schema.text("client_id", 32),
        schema.text("app_id", 32),
        schema.text("enterprise_id", 32, nullable=True),
        schema.text("enterprise_name", 200, nullable=True),
    ]


def _bot_columns() -> list[sa.Column]:
    return [
        schema.text("bot_token", 200, nullable=True),
        schema.text("bot_id", 32, nullable=True),
        schema.text("bot_user_id", 32, nullable=True),
        schema.text("bot_scopes", 1000, nullable=True),
        schema.text("bot_refresh_token", 200, nullable=True),
        sa.Column("bot_token_expires_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "slack_installations",
        *_app_columns(),
        schema.text("enterprise_url", 200, nullable=True),
        schema.text("team_id", 32, nullable=True),
        schema.text("team_name", 200, nullable=True),
        *_bot_columns(),
        schema.text("user_id", 32),
        schema.text("user_token", 200, nullable=True),
        schema.text("user_scopes", 1000, nullable=True),
        schema.text("user_refresh_token", 200, nullable=True),
        sa.Column("user_token_expires_at", sa.DateTime(), nullable=True),
        schema.text("incoming_webhook_url", 200, nullable=True),
        schema.text("incoming_webhook_channel", 200, nullable=True),
        schema.text("incoming_webhook_channel_id", 200, nullable=True),
        schema.text("incoming_webhook_configuration_url", 200, nullable=True),
        schema.flag("is_enterprise_install"),
        schema.text("token_type", 32, nullable=True),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        schema.primary_key("slack_installations"),
    )
    op.create_index(
        "slack_installations_idx",
        "slack_installations",
        ["client_id", "enterprise_id", "team_id", "user_id", "installed_at"],
    )
    op.create_table(
        "slack_bots",
        *_app_columns(),
        schema.text("team_id", 32, nullable=True),
        schema.text("team_name", 200, nullable=True),
        *_bot_columns(),
        schema.flag("is_enterprise_install"),
        sa.Column("installed_at", sa.DateTime(), nullable=False),
        schema.primary_key("slack_bots"),
    )
    op.create_index(
        "slack_bots_idx",
        "slack_bots",
        ["client_id", "enterprise_id", "team_id", "installed_at"],
    )
    op.create_table(
        "slack_oauth_states",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        schema.text("state", 200),
        sa.Column("expire_at", sa.DateTime(), nullable=False),
        schema.primary_key("slack_oauth_states"),
    )


def downgrade() -> None:
    op.drop_table("slack_oauth_states")
    op.drop_index("slack_bots_idx", table_name="slack_bots")
    op.drop_table("slack_bots")
    op.drop_index("slack_installations_idx", table_name="slack_installations")
    op.drop_table("slack_installations")
