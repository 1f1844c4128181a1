"""The real app end to end: signed requests through the local Slack (and Jira) emulators."""
