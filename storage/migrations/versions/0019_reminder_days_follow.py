"""reminder days follow the working days: a reminder set without days (the column held the
Monday-to-Friday default) follows the team's working days, as `/ready remind` says; a team
whose reminder days were its working days takes them from there from now on"""

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"


def upgrade() -> None:
    op.execute(sa.text("UPDATE teams SET remind_days = '' WHERE remind_days = working_days"))


def downgrade() -> None:
    op.execute(sa.text("UPDATE teams SET remind_days = working_days WHERE remind_days = ''"))
