"""Use cases: one function per thing a person does (add an item, cast a vote, commit a sprint).

Each opens its unit of work (`unit.team_work`: one transaction, the team it acts in, the clock
and who acts), asks the domain, and returns what happened for a listener to render. Nothing
here knows Slack; nothing outside `storage/` writes SQL.
"""
