"""Issue trackers a channel's backlog can sync with.

``base`` is the interface and its plain records (no Slack, no SQL, no HTTP); ``jira`` is Jira
Cloud over aiohttp; ``adf`` converts Jira's rich text to plain text and back; ``hosts`` decides
which sites Timebox may call.
"""
