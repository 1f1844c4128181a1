"""Issue trackers a channel's backlog can sync with.

``base`` is the interface and its plain records (no Slack, no SQL, no HTTP) with the
credentials; ``jira``, ``github`` and ``linear`` are the clients, which call their APIs by the
retry rules of ``http`` and word what their ``check()`` finds alike (``checks``). GitHub's
and Linear's are each in parts: the API calls with their credentials and rate limits
(``github_api`` with ``github_app``, ``linear_api``), the GraphQL documents
(``github_queries``, ``linear_queries``), the reading of their JSON as the domain's records
(``github_mapping``, ``linear_mapping``) and, for GitHub, a project's fields, items and
iterations (``github_project``). ``adf`` converts Jira's rich text to plain text and back,
``markdown`` reads and writes the acceptance criteria of GitHub's and Linear's bodies; ``hosts``
decides which sites Timebox may call; ``wiring`` puts the clients into a running app.
"""
