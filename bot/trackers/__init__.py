"""Issue trackers a channel's backlog can sync with.

``base`` is the interface and its plain records (no Slack, no SQL, no HTTP) with the
credentials; ``jira``, ``github`` and ``linear`` are the clients, which call their APIs by the
retry rules of ``http``; ``adf`` converts Jira's rich text to plain text and back, ``markdown``
reads and writes the acceptance criteria of GitHub's and Linear's bodies; ``hosts`` decides which
sites Timebox may call; ``wiring`` puts the clients into a running app.
"""
