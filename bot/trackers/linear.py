"""Linear as a ``Tracker``: one team, over Linear's GraphQL API (``gql`` on aiohttp).

A Linear team plays the part of a Jira board: its issues in a backlog or unstarted state and
in no cycle are the backlog, in Linear's manual order (``sort: [{manual: {order: Ascending}}]``,
the ``sortOrder`` a team drags in its backlog view); a sprint is a cycle (created with its
dates, its ``description`` holding the goal); ``estimate`` is the team's estimate on its own
scale; "blocks" relations are the dependencies. Keys are Linear identifiers (``ENG-123``).
An issue's ``sortOrder`` is its ``rank`` token (a reorder changes it); what an Issue
webhook's removal or reorder hints at is read by bot.domain.tracker_webhooks.

The parts: ``linear_api`` calls Linear (credentials, ``gql``, the rate-limit budget, refusals in
words), ``linear_queries`` holds the GraphQL documents (what each operation is for),
``linear_mapping`` reads Linear's JSON as a team, issues and sprints; this module is the
``Tracker``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Unpack

from gql import GraphQLRequest

from bot.domain import trackers
from bot.trackers.checks import BoardCheck, lacking
from bot.trackers.http import (
    ClientOptions,
    format_time,
    next_cursor,
    parse_time,
    snapshot_fields,
)
from bot.trackers.linear_api import (
    DEFAULT_API_URL,
    Budget,
    IssueMissing,
    LinearApi,
    LinearApiKey,
    LinearCredential,
    LinearOAuthToken,
    ReferenceGone,
)
from bot.trackers.linear_mapping import (
    TYPE_LABELS,
    TeamConfig,
    WorkflowState,
    allowed_estimates,
    issue_of,
    rank_token,
    scale_estimate,
    sprint_of,
)
from bot.trackers.linear_queries import (
    BACKLOG_ISSUES,
    BACKLOG_KEYS,
    BACKLOG_ORDER,
    CHANGED_ISSUES,
    CREATE_CYCLE,
    CREATE_ISSUE,
    CREATE_WEBHOOK,
    CYCLE,
    CYCLE_ROLLED,
    CYCLE_UNFINISHED,
    DELETE_WEBHOOK,
    DONE_STATES,
    ISSUE,
    ISSUE_DESCRIPTION,
    ISSUE_STATE,
    ISSUE_UNARCHIVE,
    KEYS_PAGE,
    LABELS_NAMED,
    TEAM_CYCLES,
    TEAM_SETTINGS,
    TEAM_SETTINGS_BY_ID,
    UPDATE_CYCLE,
    UPDATE_ISSUE,
    VIEWER,
    labels_filter,
    move_issues_document,
)
from bot.trackers.markdown import body_after, join_body
from bot.trackers.markdown import split_body as split_criteria

__all__ = [  # what other modules import from here (some live in linear_api, linear_mapping)
    "DEFAULT_API_URL",
    "LinearApiKey",
    "LinearOAuthToken",
    "LinearTeam",
    "allowed_estimates",
    "rank_token",
    "split_criteria",
]

BATCH = 50  # issues moved in or out of a cycle per request (aliased mutations)
TEAM_SETTINGS_AGE = timedelta(hours=1)  # team settings kept longer are read again
SPREAD = 1.0  # sortOrders this far apart are well clear of each other (``rank``)


def _room(low: float, high: float) -> bool:
    """Whether a float halfway between two sortOrders lies well inside them: their gap is
    more than a millionth of their size, far above a float's precision."""
    middle = (low + high) / 2
    return low < middle < high and high - low > 1e-6 * max(1.0, abs(low), abs(high))


class LinearTeam(LinearApi, BoardCheck[trackers.TrackerUser, TeamConfig]):
    """One Linear team, reached with one credential."""

    name = "linear"

    def __init__(
        self,
        api_url: str,
        credential: LinearCredential,
        team_key: str,
        *,
        page_size: int = 50,
        team: TeamConfig | None = None,
        account: trackers.TrackerUser | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(**options)
        self.api = self._check_api_url(api_url or DEFAULT_API_URL)
        self.credential = credential
        self.team_key = (team_key or "").strip().upper()
        self.page_size = max(1, min(int(page_size), 100))
        self.budget = Budget()
        self._client = None
        self._session = None
        self._team = team
        self._account = account

    # -- account and team ----------------------------------------------------------------

    async def account(self, *, refresh: bool = False) -> trackers.TrackerUser:
        if self._account is None or refresh:
            data = await self._call(VIEWER, action="confirm which account this is")
            me = data.get("viewer") or {}
            self._account = trackers.TrackerUser(
                id=str(me.get("id") or ""),
                name=str(me.get("name") or me.get("displayName") or ""),
                email=me.get("email"),
            )
        return self._account

    async def team(self, *, refresh: bool = False) -> TeamConfig:
        """The team's settings, read once (``refresh``: again). Known, it is asked for by its
        id, which a change of the team's key (ENG to CORE) keeps; else by its key."""
        if self._team is None or refresh:
            if self._team is not None and self._team.id:
                data = await self._call(
                    TEAM_SETTINGS_BY_ID,
                    {"id": self._team.id},
                    action=f"read the settings of team {self._team.key}",
                    what=f"Team {self._team.key}",
                )
                nodes = [data.get("team") or {}]
            else:
                data = await self._call(
                    TEAM_SETTINGS,
                    {"key": self.team_key},
                    action=f"read the settings of team {self.team_key}",
                    what=f"Team {self.team_key}",
                )
                nodes = (data.get("teams") or {}).get("nodes") or []
            if not nodes:
                raise trackers.TrackerError(
                    f"Team {self.team_key} was not found in Linear, or the Linear account is "
                    "not a member of it.",
                    kind=trackers.TrackerErrorKind.NOT_FOUND,
                )
            raw = nodes[0]
            states = tuple(
                WorkflowState(
                    id=str(s.get("id") or ""),
                    name=str(s.get("name") or ""),
                    type=str(s.get("type") or ""),
                    position=float(s.get("position") or 0),
                )
                for s in (raw.get("states") or {}).get("nodes") or []
            )
            self._team = TeamConfig(
                id=str(raw.get("id") or ""),
                key=str(raw.get("key") or self.team_key),
                name=str(raw.get("name") or self.team_key),
                timezone=str(raw.get("timezone") or "UTC"),
                cycles_enabled=bool(raw.get("cyclesEnabled")),
                cycle_duration=float(raw.get("cycleDuration") or 2),
                estimation=str(raw.get("issueEstimationType") or "notUsed"),
                allow_zero=bool(raw.get("issueEstimationAllowZero")),
                extended=bool(raw.get("issueEstimationExtended")),
                states=states,
                read_at=self._now(),
            )
        return self._team

    async def _fresh_team(self) -> TeamConfig:
        """The team's settings, read again when kept for ``TEAM_SETTINGS_AGE`` or more (or
        since a time not known): a team changes its estimate scale or its workflow in Linear
        without telling anyone, and a snapshot kept since the connection would hold the old
        ones for good. Asked by the hourly look at the team and before an estimate is
        written; ``snapshot()`` then carries the new ``read_at``, so the connection keeps
        them."""
        team = await self.team()
        if team.read_at is None or self._now() - team.read_at >= TEAM_SETTINGS_AGE:
            team = await self.team(refresh=True)
        return team

    def snapshot(self) -> dict[str, Any]:
        """The team's settings and the account, as learnt (JSON); ``restore`` reads it."""
        out: dict[str, Any] = {}
        if self._team is not None:
            team = self._team
            out.update(
                snapshot_fields(
                    team, id="team_id", key="team_key", name="team_name", states=None, read_at=None
                ),
                states=[[s.id, s.name, s.type, s.position] for s in team.states],
            )
            if team.read_at is not None:
                out["read_at"] = format_time(team.read_at)
        if self._account is not None:
            out.update(
                account_id=self._account.id,
                account_name=self._account.name,
                account_email=self._account.email,
            )
        return out

    @staticmethod
    def restore(
        team_key: str, snapshot: Mapping[str, Any]
    ) -> tuple[TeamConfig | None, trackers.TrackerUser | None]:
        """A ``snapshot()`` as the ``team`` and ``account`` of a new client."""
        team = account = None
        if snapshot.get("team_id"):
            team = TeamConfig(
                id=str(snapshot["team_id"]),
                key=str(snapshot.get("team_key") or team_key),
                name=str(snapshot.get("team_name") or team_key),
                timezone=str(snapshot.get("timezone") or "UTC"),
                cycles_enabled=bool(snapshot.get("cycles_enabled", True)),
                cycle_duration=float(snapshot.get("cycle_duration") or 2),
                estimation=str(snapshot.get("estimation") or "notUsed"),
                allow_zero=bool(snapshot.get("allow_zero")),
                extended=bool(snapshot.get("extended")),
                states=tuple(
                    WorkflowState(str(s[0]), str(s[1]), str(s[2]), float(s[3]))
                    for s in snapshot.get("states") or []
                ),
                read_at=parse_time(snapshot.get("read_at")),
            )
        if snapshot.get("account_id"):
            account = trackers.TrackerUser(
                id=str(snapshot["account_id"]),
                name=str(snapshot.get("account_name") or ""),
                email=snapshot.get("account_email"),
            )
        return team, account

    async def _open(self) -> TeamConfig:
        self._team = None  # a check opens the team by the key it was given
        return await self.team(refresh=True)

    def _no_access(self, account: trackers.TrackerUser) -> str:
        who = account.email or account.name or "the Linear account"
        return (
            f"{who} cannot open team {self.team_key}: check the team's key (it "
            "starts its issues' identifiers, ENG in ENG-123) and that the account "
            "is a member of the team."
        )

    def _lacks(self, team: TeamConfig) -> list[trackers.TrackerProblem]:
        """What a team Timebox can open lacks for it: cycles, estimates, a completed status."""
        named = f"Team {team.name}"
        return lacking(
            (
                not team.cycles_enabled,
                "no_cycles",
                f"{named} does not use cycles, so sprints cannot be synced: in Linear open the "
                "team's settings > Cycles and turn them on.",
            ),
            (
                not team.estimates,
                "no_estimation_field",
                f"{named} does not estimate issues, so estimates cannot be synced: in Linear "
                "open the team's settings > Estimates and choose a scale.",
            ),
            (
                team.done_state() is None,
                "no_done_state",
                f"{named} has no completed status, so Timebox cannot mark issues done: add one "
                "in the team's settings > Workflow.",
            ),
        )

    # -- reading -------------------------------------------------------------------------

    async def _page(
        self, request: GraphQLRequest, variables: dict[str, Any], action: str
    ) -> tuple[list[Mapping[str, Any]], str | None]:
        data = await self._call(request, variables, action=action, what=f"Team {self.team_key}")
        connection = data.get("issues") or {}
        return list(connection.get("nodes") or []), next_cursor(connection)

    async def backlog_page(self, cursor: str | None = None) -> trackers.IssuePage:
        team = await self.team()
        nodes, after = await self._page(
            BACKLOG_ISSUES,
            {"teamId": team.id, "first": self.page_size, "after": cursor},
            f"read the backlog of team {team.key}",
        )
        return trackers.IssuePage(tuple(issue_of(n) for n in nodes), after)

    async def backlog_keys(self) -> list[str]:
        """The identifiers of every issue of the team that is not done (completed or canceled
        state types), those in cycles too, in Linear's manual order: 250 a call (Linear's
        largest page), identifiers only (the cheapest page there is: one object and one
        property an issue). A linked key missing from it is done, deleted or in another team
        (``issue()`` tells which)."""
        await self._fresh_team()  # the hourly look: the team's settings as they are now
        return [key for key, _ in await self._backlog_order(BACKLOG_KEYS)]

    async def _backlog_order(self, request: GraphQLRequest) -> list[tuple[str, float]]:
        """(identifier, sortOrder) of the team's open issues in manual order (sortOrder 0
        when ``request`` does not ask for it)."""
        team = await self.team()
        found: list[tuple[str, float]] = []
        cursor: str | None = None
        while True:
            nodes, cursor = await self._page(
                request,
                {"teamId": team.id, "first": KEYS_PAGE, "after": cursor},
                f"read the order of team {team.key}'s backlog",
            )
            found += [(str(n["identifier"]), float(n.get("sortOrder") or 0)) for n in nodes]
            if cursor is None:
                return found

    async def changes_page(self, since: datetime, cursor: str | None = None) -> trackers.IssuePage:
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        team = await self.team()
        nodes, after = await self._page(
            CHANGED_ISSUES,
            {
                "teamId": team.id,
                "since": format_time(since),
                "first": self.page_size,
                "after": cursor,
            },
            "search for changed issues",
        )
        return trackers.IssuePage.of_changes([issue_of(n) for n in nodes], since, after)

    async def issue(self, key: str, *, issue_id: str = "") -> trackers.TrackerIssue:
        """One issue as it is now; one in Linear's trash (deleted, restorable for 30 days, but
        in no list any more) is NOT_FOUND, as one deleted for good is. Asked for by its id
        when known (``issue_id``: its UUID, which never changes): an issue moved to another
        team has a new identifier (OPS-1 for ENG-1), and comes back under it; errors name
        ``key``, as the channel knows it."""
        data = await self._call(
            ISSUE, {"id": issue_id or key}, action=f"read {key}", what=f"Issue {key}"
        )
        raw = data.get("issue") or {}
        if raw.get("trashed"):
            raise trackers.TrackerError(
                f"Issue {key} was deleted in Linear (it is in the team's trash).",
                kind=trackers.TrackerErrorKind.NOT_FOUND,
            )
        return issue_of(raw)

    # -- writing -------------------------------------------------------------------------

    async def _update(self, key: str, values: dict[str, Any], action: str) -> None:
        await self._call(
            UPDATE_ISSUE,
            {"id": key, "input": values},
            action=action,
            what=f"Issue {key}",
        )

    async def update_issue(self, key: str, update: trackers.IssueUpdate) -> None:
        if update.empty:
            return
        values: dict[str, Any] = {}
        if update.summary is not trackers.KEEP:
            values["title"] = update.summary
        if update.estimate is not trackers.KEEP:
            team = await self._fresh_team()  # the scale the team estimates on now
            values["estimate"] = scale_estimate(team, key, update.estimate)  # type: ignore[arg-type]
        if update.changes_text:
            description, criteria = update.description, update.acceptance_criteria
            if description is trackers.KEEP or criteria is trackers.KEEP:
                data = await self._call(
                    ISSUE_DESCRIPTION, {"id": key}, action=f"read {key}", what=f"Issue {key}"
                )
                current = (data.get("issue") or {}).get("description")
                values["description"] = body_after(current, update)
            else:
                values["description"] = join_body(str(description), list(criteria))  # type: ignore[arg-type]
        await self._update(key, values, f"update {key}")

    async def mark_done(self, key: str) -> None:
        await self._set_state(key, "completed")

    async def close_not_planned(self, key: str) -> None:
        """To the team's first canceled state, which Linear's reports do not count as done;
        nothing if the issue is done or canceled already."""
        await self._set_state(key, "canceled")

    async def reopen(self, key: str) -> None:
        """A done issue back to the team's first backlog state (else its first unstarted one),
        as ``mark_done`` moves it to the first completed one; nothing if it is not done."""
        await self._set_state(key, "open")

    async def _set_state(self, key: str, to: str) -> None:
        """The issue moved to the team's state for `to` ("completed", "canceled", "open"),
        unless it is closed already (for a close) or open already (for "open"). One Linear
        archived (closed long ago) is restored from the archive first; one in the trash is
        NOT_FOUND, as ``issue()`` says. A state Linear no longer knows (the team reworked its
        workflow since its settings were read) has the settings read again and the move made
        once more with the state of now."""
        data = await self._call(ISSUE_STATE, {"id": key}, action=f"read {key}", what=f"Issue {key}")
        issue = data.get("issue") or {}
        current = (issue.get("state") or {}).get("type")
        if (current in DONE_STATES) == (to != "open"):
            return
        if issue.get("trashed"):
            raise trackers.TrackerError(
                f"Issue {key} was deleted in Linear (it is in the team's trash).",
                kind=trackers.TrackerErrorKind.NOT_FOUND,
            )
        if issue.get("archivedAt"):  # closed long ago: Linear edits it once restored
            await self._call(
                ISSUE_UNARCHIVE,
                {"id": str(issue.get("id") or key)},
                action=f"restore {key} from the team's archive",
                what=f"Issue {key}",
            )
        try:
            await self._move_state(await self.team(), key, to)
        except ReferenceGone as error:
            if error.entity != "workflowstate":
                raise
            await self._move_state(await self.team(refresh=True), key, to)

    async def _move_state(self, team: TeamConfig, key: str, to: str) -> None:
        target, kind, doing, action = {
            "completed": (team.done_state(), "completed", "marked done", f"mark {key} done"),
            "canceled": (team.canceled_state(), "canceled", "canceled", f"cancel {key}"),
            "open": (team.open_state(), "backlog", "reopened", f"reopen {key}"),
        }[to]
        if target is None:
            raise trackers.TrackerError(
                f"Team {team.name} has no {kind} status, so {key} cannot be {doing}: add "
                "one in the team's settings > Workflow.",
                kind=trackers.TrackerErrorKind.CONFIG,
            )
        await self._update(key, {"stateId": target.id}, action)

    async def rank(self, key: str, *, before: str | None = None, after: str | None = None) -> None:
        """A ``sortOrder`` halfway between the anchor and its neighbour in the team's manual
        order (its open issues, cycles included, as ``backlog_keys()`` lists them). When the
        two are too close for a float to hold a value between them (a gap halved some fifty
        times: each new item put second), room is made: the issues packed there are spread
        out up to the first one well clear of them (``_make_room``)."""
        place = trackers.Placement.of(key, before=before, after=after)
        anchor = place.anchor
        order = [(k, o) for k, o in await self._backlog_order(BACKLOG_ORDER) if k != key]
        position = next((n for n, (k, _) in enumerate(order) if k == anchor), None)
        if position is None:
            data = await self._call(
                ISSUE_STATE, {"id": anchor}, action=f"read {anchor}", what=f"Issue {anchor}"
            )
            value = float((data.get("issue") or {}).get("sortOrder") or 0)
            target = value - 1 if before is not None else value + 1
        else:
            at = position if before is not None else position + 1  # where `key` goes
            low = order[at - 1][1] if at > 0 else None
            high = order[at][1] if at < len(order) else None
            if low is None:
                target = (high or 0.0) - 1
            elif high is None:
                target = low + 1
            elif _room(low, high):
                target = (low + high) / 2
            else:
                await self._make_room(key, order, at, low, f"rank {key} {place}")
                return
        await self._update(key, {"sortOrder": target}, f"rank {key} {place}")

    async def _make_room(
        self, key: str, order: list[tuple[str, float]], at: int, low: float, action: str
    ) -> None:
        """``key`` put right after ``low`` (the ``sortOrder`` before index ``at`` of
        ``order``), with the issues packed next to it (``order[at:]``, up to the first at least
        ``SPREAD`` above ``low``) spread out evenly between: they keep their order, and every
        gap is wide again. The others are written first, ``key`` last."""
        end = next((n for n in range(at, len(order)) if order[n][1] - low >= SPREAD), len(order))
        packed = order[at:end]
        step = (order[end][1] - low) / (len(packed) + 2) if end < len(order) else SPREAD
        for n, (other, _) in enumerate(packed):
            await self._update(other, {"sortOrder": low + step * (n + 2)}, action)
        await self._update(key, {"sortOrder": low + step}, action)

    async def _label_ids(self, team: TeamConfig, names: Sequence[str]) -> list[str]:
        """The ids of the team's (else the workspace's) labels with these names, in any case
        ("frontend" is the team's "Frontend": Linear holds one label of a name whatever its
        case); names no label has are left out (Timebox does not create labels)."""
        wanted = list(dict.fromkeys(n for n in names if n))
        if not wanted:
            return []
        data = await self._call(
            LABELS_NAMED, {"filter": labels_filter(wanted)}, action="read the labels"
        )
        found: dict[str, str] = {}
        teams: set[str] = set()  # names a label of the team holds (it wins over the workspace's)
        for label in (data.get("issueLabels") or {}).get("nodes") or []:
            owner = (label.get("team") or {}).get("id")
            name = str(label.get("name") or "").lower()
            if owner == team.id and name not in teams:
                teams.add(name)
                found[name] = str(label.get("id"))
            elif owner is None and name not in found:
                found[name] = str(label.get("id"))
        ids = [found[n.lower()] for n in wanted if n.lower() in found]
        return list(dict.fromkeys(ids))

    async def create_issue(self, issue: trackers.NewIssue) -> trackers.IssueRef:
        team = await self.team()
        values: dict[str, Any] = {"teamId": team.id, "title": issue.summary}
        description = join_body(issue.description, issue.acceptance_criteria)
        if description:
            values["description"] = description
        if issue.estimate is not None and team.estimates:
            # An estimate off the scale is left for poker: the issue still lands.
            with contextlib.suppress(trackers.TrackerError):
                values["estimate"] = scale_estimate(team, issue.summary, issue.estimate)
        type_label = [issue.issue_type] if issue.issue_type.lower() in TYPE_LABELS else []
        label_ids = await self._label_ids(team, [*issue.labels, *type_label])
        if label_ids:
            values["labelIds"] = label_ids
        data = await self._call(
            CREATE_ISSUE,
            {"input": values},
            action=f"create the issue '{issue.summary}'",
            idempotent=False,
        )
        made = ((data.get("issueCreate") or {}).get("issue")) or {}
        return trackers.IssueRef(
            key=str(made.get("identifier") or ""),
            id=str(made.get("id") or ""),
            url=str(made.get("url") or ""),
        )

    async def create_webhook(self, url: str, secret: str, *, label: str = "Timebox") -> str:
        """Registers Timebox's webhook for the team's issues, signed with Timebox's own
        secret, so nobody copies a secret by hand; the webhook's id. Linear lets only a
        workspace admin do it: for anyone else this is FORBIDDEN, and an admin adds the URL
        under Settings > API > Webhooks instead."""
        team = await self.team()
        data = await self._call(
            CREATE_WEBHOOK,
            {
                "input": {
                    "url": url,
                    "secret": secret,
                    "teamId": team.id,
                    "resourceTypes": ["Issue"],
                    "label": label,
                }
            },
            action=f"add a webhook for team {team.key}",
            idempotent=False,
        )
        return str((((data.get("webhookCreate") or {}).get("webhook")) or {}).get("id") or "")

    async def delete_webhook(self, webhook_id: str) -> None:
        """Removes the webhook ``create_webhook`` made (a disconnect: its calls would be
        refused from then on); one already gone is fine."""
        try:
            await self._call(
                DELETE_WEBHOOK,
                {"id": webhook_id},
                action=f"remove webhook {webhook_id}",
                what=f"Webhook {webhook_id}",
            )
        except trackers.TrackerError as error:
            if error.kind is not trackers.TrackerErrorKind.NOT_FOUND:
                raise

    # -- cycles --------------------------------------------------------------------------

    async def sprint(self, sprint_id: str) -> trackers.TrackerSprint:
        data = await self._call(
            CYCLE, {"id": sprint_id}, action=f"read cycle {sprint_id}", what=f"Cycle {sprint_id}"
        )
        return sprint_of(data.get("cycle") or {})

    async def board_sprints(self) -> list[trackers.TrackerSprint]:
        """The team's cycles that are not over (future and active)."""
        team = await self.team()
        found: list[trackers.TrackerSprint] = []
        cursor: str | None = None
        while True:
            data = await self._call(
                TEAM_CYCLES,
                {"teamId": team.id, "after": cursor},
                action=f"list the cycles of team {team.key}",
                what=f"Team {team.key}",
            )
            connection = data.get("cycles") or {}
            found += [sprint_of(c) for c in connection.get("nodes") or []]
            cursor = next_cursor(connection)
            if not cursor:
                return [s for s in found if s.state is not trackers.SprintState.CLOSED]

    async def create_sprint(self, spec: trackers.SprintSpec) -> trackers.TrackerSprint:
        """A cycle with the sprint's dates (Linear needs both: without them, from now for the
        team's cycle length) and the goal as its description."""
        team = await self.team()
        start = spec.start or self._now()
        end = spec.end or start + timedelta(weeks=team.cycle_duration or 2)
        values: dict[str, Any] = {
            "teamId": team.id,
            "name": spec.name,
            "startsAt": format_time(start),
            "endsAt": format_time(end),
        }
        if spec.goal:
            values["description"] = spec.goal
        data = await self._call(
            CREATE_CYCLE,
            {"input": values},
            action=f"create the cycle '{spec.name}'",
            what=f"Team {team.key}",
            idempotent=False,
        )
        return sprint_of((data.get("cycleCreate") or {}).get("cycle") or {})

    async def _update_cycle(
        self, sprint_id: str, values: dict[str, Any], action: str
    ) -> trackers.TrackerSprint:
        data = await self._call(
            UPDATE_CYCLE,
            {"id": sprint_id, "input": values},
            action=action,
            what=f"Cycle {sprint_id}",
        )
        return sprint_of((data.get("cycleUpdate") or {}).get("cycle") or {})

    async def update_sprint(
        self, sprint: trackers.TrackerSprint, spec: trackers.SprintSpec
    ) -> trackers.TrackerSprint:
        """The goal as the cycle's description; its dates too while it has not begun (a
        cycle runs between its dates: moving them would start or end it)."""
        values: dict[str, Any] = {"description": spec.goal}
        if sprint.state is trackers.SprintState.FUTURE:
            if spec.start is not None:
                values["startsAt"] = format_time(spec.start)
            if spec.end is not None:
                values["endsAt"] = format_time(spec.end)
        return await self._update_cycle(sprint.id, values, f"plan cycle {sprint.id}")

    async def start_sprint(
        self, sprint_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> trackers.TrackerSprint:
        """A Linear cycle runs between its dates: starting it moves its start to now (or the
        sprint's start, if earlier) and its end to the sprint's."""
        current = await self.sprint(sprint_id)
        if current.state is trackers.SprintState.CLOSED:
            raise trackers.TrackerError(
                f"Linear did not start cycle {current.name or sprint_id}: it is completed.",
                kind=trackers.TrackerErrorKind.INVALID,
            )
        now = self._now()
        values: dict[str, Any] = {}
        if current.state is trackers.SprintState.FUTURE or (start is not None and start < now):
            values["startsAt"] = format_time(min(start or now, now))
        if end is not None:
            values["endsAt"] = format_time(end)
        if not values:
            return current
        sprint = await self._update_cycle(sprint_id, values, f"start cycle {sprint_id}")
        if sprint.state is not trackers.SprintState.ACTIVE:
            raise trackers.TrackerError(
                f"Linear did not start cycle {sprint.name or sprint_id}: it is "
                f"{sprint.state.value}.",
                kind=trackers.TrackerErrorKind.INVALID,
            )
        return sprint

    async def close_sprint(self, sprint_id: str) -> trackers.TrackerSprint:
        """Its unfinished issues go back to the backlog (as Jira does when a sprint closes),
        then the cycle is completed (``completedAt``). Linear closes a cycle by itself at its
        end, rolling its unfinished issues over to the next cycle: closed so already, those
        still open and in a cycle (``uncompletedIssuesUponClose``) go back to the backlog,
        where Timebox puts them. Repeating it changes nothing."""
        current = await self.sprint(sprint_id)
        if current.completed is not None:
            rolled = await self._cycle_keys(CYCLE_ROLLED, "uncompletedIssuesUponClose", sprint_id)
            await self.move_to_backlog([key for key, cycle in rolled if cycle])
            return current
        unfinished = await self._cycle_keys(CYCLE_UNFINISHED, "issues", sprint_id)
        await self.move_to_backlog([key for key, _ in unfinished])
        return await self._update_cycle(
            sprint_id, {"completedAt": format_time(self._now())}, f"complete cycle {sprint_id}"
        )

    async def _cycle_keys(
        self, request: GraphQLRequest, field: str, sprint_id: str
    ) -> list[tuple[str, str]]:
        """(identifier, id of the cycle it is in now, "" if none) of each issue of a cycle's
        ``field`` connection, every page of it."""
        found: list[tuple[str, str]] = []
        cursor: str | None = None
        while True:
            data = await self._call(
                request,
                {"id": sprint_id, "after": cursor},
                action=f"read the open issues of cycle {sprint_id}",
                what=f"Cycle {sprint_id}",
            )
            connection = ((data.get("cycle") or {}).get(field)) or {}
            found += [
                (str(n["identifier"]), str((n.get("cycle") or {}).get("id") or ""))
                for n in connection.get("nodes") or []
            ]
            cursor = next_cursor(connection)
            if not cursor:
                return found

    async def _move(self, cycle_id: str | None, keys: Sequence[str], action: str) -> None:
        """``keys`` into the cycle (out of any: None), ``BATCH`` a request. An issue Linear
        does not find (deleted there since) stops its batch there: the batch is sent again
        without it, so one deleted issue keeps no other out of the sprint (the hourly look
        at the team unlinks its item)."""
        for i in range(0, len(keys), BATCH):
            batch = list(keys[i : i + BATCH])
            while batch:
                variables: dict[str, Any] = {"cycleId": cycle_id}
                variables.update({f"k{n}": key for n, key in enumerate(batch)})
                try:
                    await self._call(
                        move_issues_document(len(batch)),
                        variables,
                        action=action,
                        aliases={f"i{n}": key for n, key in enumerate(batch)},
                    )
                except IssueMissing as missing:
                    batch.remove(missing.key)
                    continue
                break

    async def move_to_sprint(self, sprint_id: str, keys: Sequence[str]) -> None:
        await self._move(sprint_id, keys, f"move issues into cycle {sprint_id}")

    async def move_to_backlog(self, keys: Sequence[str]) -> None:
        await self._move(None, keys, "move issues out of their cycle")
