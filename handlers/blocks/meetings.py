"""Block Kit for timeboxed meetings: the agenda message, timers, each section's cards (sprint
planning's too), notes in the thread, minutes, agendas and their forms."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    Option,
    StaticSelectElement,
    UserSelectElement,
)

from agendas import engine, refinement
from agendas import planning as plan
from agendas.agenda import Agenda, Timebox
from agendas.refinement import MOSCOW, PLACEMENTS
from bot.domain.backlog import ITEM_TYPES
from bot.domain.ceremonies import PLANNING_PER_WEEK
from bot.domain.readiness import DefinitionOfReady, gaps
from bot.domain.sprints import committed_by, last_day
from bot.usecases.files import AgendaSaved
from bot.usecases.meetings import EXTEND_MINUTES, AgendaShown, Note
from bot.usecases.planning import Committed, PlanChanged
from handlers.blocks import kit
from handlers.blocks import review as review_blocks
from handlers.blocks import sprints as sprint_blocks
from handlers.blocks.kit import button, context, message, mrkdwn_notice, section, sections
from handlers.blocks.ready import fix_button
from handlers.render import escape, fit, plain, render, slack_date
from storage.models import BacklogItem, Meeting, Team

BAR = 20


@dataclass(frozen=True)
class DeepDiveRef:
    """A deep-dive card's item and place, kept to redraw the card when the item changes."""

    number: int
    position: int
    total: int


def _ref(meeting: Meeting) -> str:
    """Button value: the meeting and the section the click was made in."""
    return f"{meeting.id}:{meeting.section}"


def may_add_five(meeting: Meeting, at: datetime) -> bool:
    """Whether "+5 min" would be taken at `at`: a sprint planning whose timebox has less than
    five minutes left refuses it, so it is not offered."""
    room = engine.extension_room(meeting, at)
    return room is None or room >= EXTEND_MINUTES


def controls(meeting: Meeting, alarm: int | None = None, *, extend: bool = True) -> ActionsBlock:
    """The clock's buttons; a time-up's (`alarm`: `engine.alarm_of`) name that alarm too, so
    its +5 extends once however many click it. `extend` False: no "+5 min" (`may_add_five`)."""
    ref = _ref(meeting) if alarm is None else f"{_ref(meeting)}:{alarm}"
    pause = (
        button("Resume", "meeting_resume", ref)
        if meeting.status == "paused"
        else button("Pause", "meeting_pause", ref)
    )
    last = engine.last_section(meeting)
    return ActionsBlock(
        block_id=f"controls-{meeting.id}",
        elements=[
            button("Finish" if last else "Next section", "meeting_next", ref, style="primary"),
            *([button("+5 min", "meeting_extend", ref)] if extend else []),
            pause,
            button("End meeting", "meeting_end", ref, style="danger"),
        ],
    )


def agenda_message(meeting: Meeting, now: datetime) -> dict[str, Any]:
    """The one message that shows where the meeting stands; updated at every change."""
    actual = {entry["section"]: entry["actual"] for entry in meeting.log}
    rows = [
        {
            **s,
            "actual": actual.get(i),
            "extended": engine.extended(meeting, i),
            "overrun": round(engine.overrun(meeting, i)),
        }
        for i, s in enumerate(engine.sections(meeting))
    ]
    left_minutes = engine.time_left(meeting, now).total_seconds() / 60
    left = math.ceil(left_minutes) if left_minutes >= 0 else -math.ceil(-left_minutes)
    progress = engine.progress(meeting, now)
    status = render(
        "agenda_status.md.j2",
        meeting=meeting,
        bar=_bar(progress),
        progress=progress,
        total=int(progress.total),
        added=progress.added,
        planned=int(progress.planned),
        actual=engine.ran(meeting) if meeting.status == "ended" else 0,
        auto_ended=engine.auto_ended(meeting),
        purpose=engine.current(meeting).get("purpose") if meeting.status != "ended" else "",
    )
    title = meeting.agenda["name"] + _about(meeting)
    title += " · ended" if meeting.status == "ended" else ""
    blocks: list[Block] = [
        HeaderBlock(text=fit(escape(title), 150)),
        section(
            render(
                "agenda.md.j2", meeting=meeting, sections=rows, left=left, overdue=left_minutes < 0
            )
        ),
        context(status),
    ]
    if meeting.status != "ended":
        blocks.append(controls(meeting, extend=may_add_five(meeting, now)))
    return message(blocks, escape(meeting.agenda["name"]))


def _about(meeting: Meeting) -> str:
    """The sprint the meeting is about, for its card's title (a planning's, as it began:
    agendas.planning.sprint_named); nothing for a meeting about no sprint."""
    sprint = meeting.data.get("sprint")
    if not sprint:
        return ""
    starts, ends = date.fromisoformat(sprint["starts_on"]), date.fromisoformat(sprint["ends_on"])
    return f" · Sprint {sprint['number']}, {starts:%d %b} to {ends:%d %b}"


def _bar(progress: engine.Progress) -> str:
    """BAR cells for the planned meeting and more for its extensions, so that an extension
    lengthens the bar and empties no cell of it; past twice the planned length the bar stops
    growing and is drawn to scale again (its cells may then empty). Filled as far as the
    agenda has come or the minutes run beside it say, whichever is further: sections skipped
    fill it, and a meeting over its time is never shown part done."""
    per_minute = BAR / max(progress.planned, progress.total / 2, 1)
    cells = round(progress.total * per_minute)
    filled = min(round(max(progress.done, progress.elapsed) * per_minute), cells)
    return "▓" * filled + "░" * (cells - filled)


def warning(meeting: Meeting, left_minutes: int) -> dict[str, Any]:
    title = engine.current(meeting)["title"]
    return mrkdwn_notice(render("timer_warning.md.j2", left=left_minutes, title=title))


def time_up(meeting: Meeting) -> dict[str, Any]:
    """Time-up, with its buttons and when Timebox ends the meeting if nobody does."""
    title, ends = engine.current(meeting)["title"], engine.forgotten_at(meeting)
    extend = may_add_five(meeting, meeting.section_ends_at)  # as the alarm rings
    text = render("timer_up.md.j2", title=title, ends=ends, extend=extend)
    alarm = controls(meeting, engine.alarm_of(meeting), extend=extend)
    return message([section(text), alarm], text)


def timer_message(meeting: Meeting, event: str, minutes: int) -> dict[str, Any]:
    """A section timer's post: its warning (`minutes` left) or its time-up."""
    return warning(meeting, minutes) if event == "warn" else time_up(meeting)


def note(said: Note) -> dict[str, Any]:
    """A step's note in the meeting thread (the clock, the goal, an action item)."""
    if said.what == "goal":
        return mrkdwn_notice(render("goal_set.md.j2", goal=said.goal))
    if said.what == "action":
        return mrkdwn_notice(render("action_added.md.j2", action=said.action))
    return mrkdwn_notice(
        render("meeting_note.md.j2", note=said, user=said.user, number=said.number)
    )


def goal_answer(goal: str) -> dict[str, Any]:
    return mrkdwn_notice(render("goal_set.md.j2", goal=goal))


def action_answer(action: Any) -> dict[str, Any]:
    return mrkdwn_notice(render("action_added.md.j2", action=action))


def already_running(refusal: engine.AlreadyRunning) -> dict[str, Any]:
    """A start refused: the running meeting, who facilitates it, and its own commands."""
    return mrkdwn_notice(render("meeting_running.md.j2", refusal=refusal))


def ended(meeting: Meeting) -> dict[str, Any]:
    """The channel hears that the meeting ended (its minutes are in its thread), and how long
    it ran when Timebox ended it because nobody did."""
    text = render(
        "meeting_ended.md.j2",
        name=meeting.agenda["name"],
        auto_ended=engine.auto_ended(meeting),
        ran=engine.ran(meeting),
        planned=int(engine.planned(meeting)),
    )
    return {"text": text}


def ended_posts(meeting: Meeting) -> list[dict[str, Any]]:
    """What an ended meeting posts: its minutes in its thread, then the channel's notice
    (chat.postMessage's arguments but the channel)."""
    minutes = minutes_message(meeting.agenda["name"], meeting.minutes or {})
    return [{**minutes, "thread_ts": meeting.message_ts}, ended(meeting)]


# -- what a section opens ------------------------------------------------------------------------


def opened(meeting: Meeting, team: Team, contents: Sequence[Any]) -> list[dict[str, Any]]:
    """The posts for what the meeting's current section opens, in its thread."""
    return [payload for _, payload in opened_cards(meeting, team, contents)]


def opened_cards(
    meeting: Meeting, team: Team, contents: Sequence[Any]
) -> list[tuple[DeepDiveRef | None, dict[str, Any]]]:
    """`opened`'s posts, each with what its card is for when it is redrawn later (a deep
    dive's item, redrawn when the item changes), else None."""
    cards: list[tuple[DeepDiveRef | None, dict[str, Any]]] = []
    for content in contents:
        if isinstance(content, refinement.DeepDive) and content.items:
            total = len(content.items)
            for n, item in enumerate(content.items, start=1):
                card = deep_dive_card(meeting, item, team.channel_id, content.dor, n, total)
                cards.append((DeepDiveRef(item.number, n, total), card))
        else:
            cards += [(None, post) for post in _opened(meeting, team, content)]
    return cards


def _opened(meeting: Meeting, team: Team, content: Any) -> list[dict[str, Any]]:
    """The posts for one thing a section opens (deep-dive cards: `opened_cards`)."""
    match content:
        case refinement.Kickoff():
            return [kickoff(meeting, content.new_count, content.deep)]
        case refinement.TriageCard(item=None):
            return [triage_done(None, None, None)]
        case refinement.TriageCard(item=item) if item is not None:
            return [triage_card(meeting, item, content.position, content.total)]
        case refinement.DeepDive():
            return [mrkdwn_notice("Every item near the top is ready.")]
        case refinement.Wrapup():
            return [wrapup(meeting, content)]
        case plan.GoalSection():
            return [sprint_blocks.section_goal(content.sprint)]
        case plan.SelectionSection():
            return [
                sprint_blocks.section_selection(
                    content.sprint, content.proposal, content.forecast, content.over
                )
            ]
        case plan.StateSection(action="capacity", state=state):
            return [sprint_blocks.section_capacity(plan_status(state), state.sprint)]
        case plan.StateSection(action="breakdown", state=state):
            return [sprint_blocks.section_breakdown(state.sprint, state.items)]
        case plan.StateSection(action="commit", state=state):
            return [sprint_blocks.section_commit(state.sprint, plan_status(state))]
    return review_blocks.opened(meeting, content)


# -- sprint planning -----------------------------------------------------------------------------


def plan_status(state: plan.PlanState) -> str:
    return sprint_blocks.plan_status(
        state.sprint, state.items, state.capacity, state.closed_sprints
    )


def plan_changed(changed: PlanChanged) -> dict[str, Any]:
    """What changed in the plan, and where the plan stands now."""
    status = plan_status(changed.state)
    return mrkdwn_notice(render("planning_note.md.j2", note=changed.note, status=status))


def committed(done: Committed) -> dict[str, Any]:
    """The summary of a sprint just committed, for the channel: one message, which also says
    that the planning meeting the commitment ended has ended."""
    ended = done.ended is not None
    ends = last_day(done.team, done.sprint)
    text = render(
        "sprint_committed.md.j2",
        sprint=done.sprint,
        ends=ends,
        count=done.count,
        ended=ended,
        by=committed_by(done.sprint),
    )
    return mrkdwn_notice(text)


def committed_posts(done: Committed) -> list[dict[str, Any]]:
    """What a recorded sprint posts: the planning meeting's minutes in its thread (if the
    commitment ended one), then the channel's summary, which says that it ended."""
    posts = [committed(done)]
    if done.ended is not None:
        minutes = minutes_message(done.ended.agenda["name"], done.ended.minutes or {})
        posts.insert(0, {**minutes, "thread_ts": done.ended.message_ts})
    return posts


# -- refinement sections -------------------------------------------------------------------------


def kickoff(meeting: Meeting, new_count: int, deep: Sequence[BacklogItem]) -> dict[str, Any]:
    text = render("kickoff.md.j2", facilitator=meeting.facilitator, new_count=new_count, deep=deep)
    return kit.with_buttons(
        text, [button("Set the session goal", "meeting_goal", _ref(meeting))], text
    )


def triage_card(meeting: Meeting, item: BacklogItem, position: int, total: int) -> dict[str, Any]:
    text = render(
        "triage_card.md.j2",
        item=item,
        position=position,
        total=total,
        type_name=ITEM_TYPES[item.type],
    )
    value = f"{meeting.id}:{item.number}"
    types = [Option(value=f"{value}:{key}", label=label) for key, label in ITEM_TYPES.items()]
    moscow = [Option(value=f"{value}:{key}", label=label) for key, label in MOSCOW.items()]
    current_type = next(o for o in types if o.value.endswith(f":{item.type}"))
    current_moscow = next((o for o in moscow if o.label == item.priority), None)
    selects = ActionsBlock(
        block_id=f"triage-pick-{item.number}",
        elements=[
            StaticSelectElement(
                action_id="triage_type",
                placeholder="Type",
                options=types,
                initial_option=current_type,
            ),
            StaticSelectElement(
                action_id="triage_moscow",
                placeholder="MoSCoW priority",
                options=moscow,
                initial_option=current_moscow,
            ),
        ],
    )
    placements = ActionsBlock(
        block_id=f"triage-place-{item.number}",
        elements=[
            button("Top", "triage_top", value),
            button("Keep", "triage_keep", value),
            button("Bottom", "triage_bottom", value),
            button("Archive", "triage_archive", value, style="danger"),
        ],
    )
    return message([section(text), selects, placements], f"Triage #{item.number}")


def triage_done(
    item: BacklogItem | None, placement: str | None, actor: str | None
) -> dict[str, Any]:
    decision = PLACEMENTS.get(placement or "")
    return mrkdwn_notice(render("triage_done.md.j2", item=item, decision=decision, actor=actor))


def deep_dive_card(
    meeting: Meeting,
    item: BacklogItem,
    channel_id: str,
    dor: DefinitionOfReady,
    position: int,
    total: int,
) -> dict[str, Any]:
    item_gaps = gaps(item, dor)
    text = render("deep_dive.md.j2", item=item, gaps=item_gaps, position=position, total=total)
    elements = [
        fix_button(channel_id, item, dor),
        button("Estimate", "meeting_estimate", f"{meeting.id}:{item.number}"),
        button("Open", "backlog_open", str(item.number)),
    ]
    return kit.with_buttons(text, elements, f"Deep dive #{item.number}")


def wrapup(meeting: Meeting, content: refinement.Wrapup) -> dict[str, Any]:
    """The wrap-up card; its date picker shows the next session's date once it is saved
    (redrawn when it is picked), and the text says it for everyone."""
    chosen = meeting.data.get("next_session")
    text = render(
        "wrapup.md.j2",
        became_ready=content.became_ready,
        actions=content.actions,
        next_session=_day(chosen) if chosen else "",
    )
    picker = DatePickerElement(
        action_id="meeting_next_session",
        placeholder="Next session",
        initial_date=chosen or content.suggested,
    )
    return message(
        [
            section(text),
            ActionsBlock(
                block_id=f"wrapup-{meeting.id}",
                elements=[
                    button("Add action item", "meeting_note", _ref(meeting)),
                    picker,
                    button("End meeting", "meeting_end", _ref(meeting), style="danger"),
                ],
            ),
        ],
        text,
    )


def _day(iso: str) -> str:
    """A picked date as people read it: Monday 9 March 2026."""
    day = date.fromisoformat(iso)
    return f"{day:%A} {day.day} {day:%B %Y}"


def closed_card(blocks: Sequence[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """A card of an ended meeting (as Slack holds it) without its buttons, menus and date
    pickers, saying that the meeting has ended; None for a message with nothing to press."""
    kept: list[dict[str, Any]] = []
    changed = False
    for block in blocks:
        if block.get("type") == "actions":
            changed = True
            continue
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") != "image":
            block = {k: v for k, v in block.items() if k != "accessory"}
            changed = True
        kept.append(block)
    if not changed:
        return None
    return [*kept, context(render("card_closed.md.j2")).to_dict()]


def alarm_answered(blocks: Sequence[dict[str, Any]], said: Note, user: str) -> list[Any]:
    """A time-up (as Slack holds it) once its +5 was taken: that button gone, and who took
    the time; its Next, Pause and End stay (they name the section, and act once)."""
    kept = []
    for block in blocks:
        if block.get("type") == "actions":
            elements = [e for e in block["elements"] if e.get("action_id") != "meeting_extend"]
            block = {**block, "elements": elements}
        kept.append(block)
    answer = render("alarm_answered.md.j2", note=said, user=user)
    return [*kept, context(answer).to_dict()]


def minutes_message(
    name: str, minutes: dict[str, Any], held: datetime | None = None
) -> dict[str, Any]:
    """A meeting's minutes; `held`: when it began, said under them where they are read apart
    from the meeting's thread (the history's buttons), in each reader's time zone."""
    dated = [context(f"Held {slack_date(held)}")] if held is not None else []
    if "review" in minutes:
        text = review_blocks.minutes_text(name, minutes)
        return message([section(text), *dated], f"Minutes of the {escape(name)}")
    template = "planning_minutes.md.j2" if "sprint" in minutes else "minutes.md.j2"
    scheduled, chosen = minutes.get("next_scheduled"), minutes.get("next_session")
    text = render(
        template,
        name=name,
        m=minutes,
        placements=PLACEMENTS,
        next_scheduled=datetime.fromisoformat(scheduled) if scheduled else None,
        next_session=_day(chosen) if chosen else "",
    )
    # Split between lines where a section is full: a long plan's items are not cut off.
    return message([*sections(text), *dated], f"Minutes of the {escape(name)}")


HISTORY_TITLES = {
    "refinement": "Past refinement sessions",
    "planning": "Past sprint plannings",
    "review": "Past sprint reviews",
}


def history(
    meetings: Sequence[Meeting], kind: str = "refinement", zone: tzinfo = UTC
) -> dict[str, Any]:
    """The team's past meetings of a kind, a button for the minutes of each of the latest five:
    each its own action id (Slack refuses a block whose ids repeat), labelled by its day in the
    team's time zone, and its time too when two share a day."""
    title = HISTORY_TITLES[kind]
    blocks: list[Block] = [
        HeaderBlock(text=title),
        section(render("history.md.j2", meetings=meetings)),
    ]
    shown = [(m, m.started_at.astimezone(zone)) for m in meetings[:5] if m.minutes]
    days = Counter(local.date() for _, local in shown)
    buttons = [
        button(
            f"Minutes of {local:%d %b}" + (f" {local:%H:%M}" if days[local.date()] > 1 else ""),
            f"meeting_minutes_{n}",
            str(m.id),
        )
        for n, (m, local) in enumerate(shown)
    ]
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return message(blocks, title)


# -- agendas and forms -------------------------------------------------------------------------


def agenda_shown(shown: AgendaShown) -> dict[str, Any]:
    return agenda_view(shown.agenda, shown.custom, shown.channel, shown.timebox, shown.team_id)


def agenda_view(
    agenda: Agenda, custom: bool, channel_id: str, planned: Timebox, team_id: int | None = None
) -> dict[str, Any]:
    """The agenda, its total and each section's minutes as a start without a length runs them
    (`planned`), and its buttons, whose value names its team's channel and id."""
    text = render(
        "agenda_view.md.j2",
        agenda=agenda,
        custom=custom,
        planned=planned,
        per_week=PLANNING_PER_WEEK,
    )
    kind = agenda.kind
    ref = f"{kind}:{channel_id}" + (f":{team_id}" if team_id is not None else "")
    elements = [
        button("Edit lengths and purposes", "agenda_edit", ref),
        button("Replace with YAML", "agenda_yaml", ref),
    ]
    if custom:
        elements.append(
            button(
                "Back to the built-in agenda",
                "agenda_reset",
                ref,
                style="danger",
            )
        )
    return message(
        [
            section(text),
            ActionsBlock(elements=elements),
            context("Or share a `.yml` file like the built-in one in this channel."),
        ],
        escape(agenda.name),
    )


def agenda_modal(agenda: Agenda, channel_id: str, team_id: int | None = None) -> dict[str, Any]:
    blocks: list[Block] = []
    for index, s in enumerate(agenda.sections):
        label = plain(f"{index + 1}. {s.title}", 138)  # room for " (% of meeting)"
        minutes = agenda.minutes and s.minutes
        unit = "minutes" if agenda.minutes else "% of meeting"
        blocks += [
            kit.number_input(
                f"minutes-{index}",
                fit(f"{label} ({unit})", 150),
                decimal=False,
                low=1,
                high=480 if agenda.minutes else 100,
                initial=str(int(minutes) if minutes else round(s.minutes * 100)),
            ),
            kit.text_input(
                f"purpose-{index}",
                fit(f"{index + 1}. Purpose", 150),
                optional=True,
                multiline=True,
                max_length=500,
                initial=s.purpose,
            ),
        ]
    where = {"channel": channel_id, "kind": agenda.kind, "team": team_id}
    return kit.modal("agenda_edit", "Edit the agenda", blocks, **where)


def agenda_yaml_modal(
    agenda: Agenda, channel_id: str, team_id: int | None = None
) -> dict[str, Any]:
    field = kit.text_input(
        "yaml",
        "Agenda",
        hint="name, minutes, and sections with title, minutes or share, purpose, actions",
        multiline=True,
        max_length=3000,
        initial=fit(agenda.to_yaml(), 3000),
    )
    where = {"channel": channel_id, "kind": agenda.kind, "team": team_id}
    return kit.modal("agenda_yaml", "Agenda as YAML", [field], **where)


def goal_modal(meeting: Meeting, channel_id: str) -> dict[str, Any]:
    field = kit.text_input(
        "goal",
        "What is this session for?",
        max_length=300,
        initial=meeting.goal,
        placeholder="Get the top three payment stories ready for next sprint",
    )
    return kit.modal(
        "meeting_goal", "Session goal", [field], channel=channel_id, meeting=meeting.id
    )


def note_modal(meeting: Meeting, channel_id: str) -> dict[str, Any]:
    blocks = [
        kit.text_input("text", "What needs doing?", max_length=500),
        InputBlock(
            block_id="owner",
            label="Who follows up?",
            optional=True,
            element=UserSelectElement(action_id="value", placeholder="Owner"),
        ),
    ]
    where = {"channel": channel_id, "meeting": meeting.id}
    return kit.modal("meeting_note", "Action item", blocks, submit="Add", **where)


def agenda_saved(saved: AgendaSaved) -> dict[str, Any]:
    """A shared agenda file saved, in the file's thread."""
    return {"text": render("agenda_saved.md.j2", agenda=saved.agenda, source=saved.source)}
