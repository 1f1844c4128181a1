"""commitment recorded by: the Scrum Master who recorded the Developers' commitment for the team
(`/planning commit team`), so the sprint's file names them as the announcement did; none for
sprints committed before (nobody kept it) or by the Developers themselves"""

from storage.migrations import schema

revision: str = "0020"
down_revision: str | None = "0019"


def changes() -> tuple[schema.Step, ...]:
    return (schema.Columns("sprints", schema.text("commitment_recorded_by", 32, nullable=True)),)


upgrade, downgrade = schema.reversible(changes)
