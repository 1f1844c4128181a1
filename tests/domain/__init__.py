"""Pure rules and static checks: no database, no Slack; fast."""
