"""Block Kit of the backlog: the list, an item, its form, import and health."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)

from bot.domain import priority
from bot.domain.backlog import (
    FORM_LABELS,
    FORM_MAX,
    ITEM_TYPES,
    SCORE,
    STATUS_NAMES,
    TITLE_MAX,
    Page,
    form_digests,
    form_texts,
    settled_link,
    status_of,
)
from bot.domain.backlog_csv import ImportReport
from bot.domain.backlog_health import Health
from bot.domain.readiness import DefinitionOfReady, blocked_by, gaps, points, points_unit
from bot.domain.tracker_sync import PLURAL_FIELDS, READ_ONLY
from bot.usecases.backlog import (
    FileImported,
    ItemAdded,
    ItemShown,
    Moved,
    PriorityShown,
    Saved,
)
from handlers.blocks import connect as connect_blocks
from handlers.blocks import kit
from handlers.blocks.kit import HEADER_MAX, button, context, message, mrkdwn_notice, section
from handlers.render import Mrkdwn, escape, fit, mention, plain, render
from storage.models import BacklogItem, ItemEvent, loaded_link


def backlog_page(
    page: Page, channel_id: str, dor: DefinitionOfReady, scheme: str | None = None
) -> dict[str, Any]:
    """A page of the list; each row with its MoSCoW and, under a scoring `scheme`, its score.
    A page asked for that the backlog does not have (``Page.asked``: past the last page, or
    before the first) is the nearest one, opened by a line saying so."""
    rows: list[Block] = []
    ready = 0
    for offset, item in enumerate(page.items):
        item_gaps = gaps(item, dor)
        ready += not item_gaps
        text = render(
            "backlog_row.md.j2",
            item=item,
            position=page.first_position + offset,
            type_name=ITEM_TYPES[item.type],
            gaps=item_gaps,
            blocked=blocked_by(item),
            tracker=Mrkdwn(connect_blocks.item_link(item)),
            score=priority.score(item, scheme) if scheme else None,
            scheme=priority.SCHEMES.get(scheme or ""),
        )
        rows.append(
            section(
                text,
                accessory=button("Open", "backlog_open", str(item.number)),
                block_id=f"item-{item.number}",
            )
        )
    summary = render("backlog_summary.md.j2", page=page, channel_id=channel_id, ready=ready)
    blocks: list[Block] = [HeaderBlock(text="Product backlog")]
    if page.total and page.asked != page.number:  # past the last page: the last one, saying so
        blocks.append(section(render("backlog_no_page.md.j2", page=page)))
    blocks += [context(summary), *rows]
    paging = []
    if page.number > 1:
        paging.append(button("◀ Previous", "backlog_prev", str(page.number - 1)))
    if page.number < page.count:
        paging.append(button("Next ▶", "backlog_next", str(page.number + 1)))
    if paging:
        blocks.append(ActionsBlock(block_id="paging", elements=paging))
    return message(blocks, f"Product backlog: {item_count(page.total)}")


def item_message(shown: ItemShown) -> dict[str, Any]:
    """An item's message: its fields, readiness, position, recent history and buttons; after
    a change, opened by a line saying what it did (and what the item's issue will do)."""
    lead = None
    if shown.did is not None:
        link = loaded_link(shown.item)
        moved_to = (link.remote or {}).get("moved_to") if link is not None else None
        if link is not None and link.connection_id is None:
            link = None  # kept from a connection since undone: its issue follows no more
        lead = render(
            "item_changed.md.j2",
            item=shown.item,
            did=shown.did,
            finished=shown.finished,
            position=shown.position,
            tracker=connect_blocks.tracker_of(link) if link else None,
            key=link.key if link else None,
            moved_to=moved_to,
        )
    return item_detail(shown.item, shown.position, shown.history, shown.dor, lead)


def added_message(added: ItemAdded) -> dict[str, Any]:
    text = render("item_added.md.j2", item=added.item, position=added.position)
    return message(
        [section(text, accessory=button("Edit", "item_edit", str(added.item.number)))], text
    )


def moved_notice(moved: Moved) -> dict[str, Any]:
    return mrkdwn_notice(render("item_moved.md.j2", moved=moved))


def owner_outside_notice(saved: Saved) -> dict[str, Any]:
    """To the submitter: the owner they chose is not in the team's channel."""
    text = render("item_owner_outside.md.j2", owner=saved.owner_outside, item=saved.item)
    return mrkdwn_notice(text)


def saved_notice(saved: Saved) -> dict[str, Any]:
    """What the item form saved; it names the fields it took over from someone else's change
    made while the form was open, with the value they had set."""
    replaced = [_replaced(name, value) for name, value in saved.replaced.items()]
    return mrkdwn_notice(
        render(
            "item_saved.md.j2",
            item=saved.item,
            changed=saved.changed,
            gaps=saved.gaps,
            replaced=replaced,
        )
    )


# The item form's fields as the confirmation names them, and the scoring inputs of any scheme.
FIELD_NAMES = {
    "hypothesis": "value hypothesis",
    "acceptance_criteria": "acceptance criteria",
    "priority": "MoSCoW priority",
    "checklist": "team checklist",
} | {
    SCORE + name: label.lower()
    for inputs in priority.INPUTS.values()
    for name, label in inputs.items()
}


def _replaced(name: str, value: Any) -> dict[str, Any]:
    """A field someone else had changed: its name, and the value they set when it is short
    enough to quote (None otherwise)."""
    to: str | None = None
    if name == "estimate":
        to = "none" if value is None else points_unit(value)
    elif name == "owner":
        to = mention(value)
    elif name == "type":
        to = ITEM_TYPES.get(value, str(value))
    elif name in ("title", "epic", "priority") or name.startswith(SCORE):
        to = "none" if value is None else fit(str(value), 60)
    return {"name": FIELD_NAMES.get(name, name), "to": to}


def import_report(report: ImportReport, source: str | None = None) -> str:
    """The import's outcome: what came in, and each refused row with its reason."""
    return render("import_report.md.j2", report=report, source=source)


def file_imported(told: FileImported) -> dict[str, Any]:
    """A shared file's import report, as chat.postMessage's arguments (its thread is the use
    case's to say)."""
    return {"text": import_report(told.report, told.source)}


def archived_notice(numbers: Sequence[int]) -> dict[str, Any]:
    return mrkdwn_notice(render("backlog_archived.md.j2", numbers=numbers))


def export_comment(user: str) -> str:
    return render("backlog_exported.md.j2", user=user)


def item_count(count: int, noun: str = "item") -> str:
    """A count as a person writes it: 1 item, 2 items (`noun`: 1 stale item...)."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


def export_title(count: int) -> str:
    return f"Product backlog ({item_count(count)})"


def file_too_big(source: str, problem: str) -> str:
    return render("import_too_big.md.j2", source=source, problem=problem)


def item_detail(
    item: BacklogItem,
    position: int | None,
    history: Sequence[ItemEvent],
    dor: DefinitionOfReady,
    lead: str | None = None,
) -> dict[str, Any]:
    """The item's blocks, under `lead` (Slack markup) when given."""
    status = status_of(item)
    facts = render(
        "item_facts.md.j2",
        item=item,
        type_name=ITEM_TYPES[item.type],
        status_name=STATUS_NAMES[status],
        position=position,
    ).splitlines()
    extra = render("item_body.md.j2", item=item)
    labels = ", ".join(item.labels)
    tags = " · ".join(
        t
        for t in (
            f"epic: {item.epic}" if item.epic else "",
            f"labels: {labels}" if labels else "",
            f"priority: {item.priority}" if item.priority else "",
        )
        if t
    )
    blocks: list[Block] = [section(lead)] if lead else []
    blocks += [
        # Slack decodes &amp; &lt; &gt; in plain text too, so escaping keeps titles as typed.
        HeaderBlock(text=fit(escape(f"#{item.number} {item.title}"), HEADER_MAX)),
        SectionBlock(fields=[MarkdownTextObject(text=f) for f in facts]),
        *[section(line) for line in readiness(item, dor)],
        section(extra),
    ]
    if tags:
        blocks.append(context(render("notice.md.j2", emoji=":label:", text=tags)))
    blocks += connect_blocks.item_blocks(item)  # its Jira issue, if it has one
    actions = [button("Edit", "item_edit", str(item.number), style="primary")]
    done = button("Mark done", "item_done", str(item.number))
    if status in ("new", "open"):
        actions += [
            button("Move to top", "item_top", str(item.number)),
            done,
            button("Archive", "item_archive", str(item.number), style="danger"),
        ]
    elif status == "sprint":  # done in its sprint; it leaves the sprint by /sprint remove only
        actions.append(done)
    else:
        actions.append(button("Restore", "item_restore", str(item.number)))
    actions.append(button("Estimates", "poker_history", str(item.number)))  # planning poker
    blocks.append(ActionsBlock(block_id=f"item-actions-{item.number}", elements=actions))
    if history:
        blocks.append(context(render("item_history.md.j2", lines=_history(history[:8]))))
    return message(blocks, lead or escape(f"#{item.number} {item.title}"))


def readiness(item: BacklogItem, dor: DefinitionOfReady) -> list[str]:
    """The item's readiness line, or none for a done item: whether it could be planned is moot
    once it is done (an item in a sprint still says, as it may have been taken unready)."""
    if item.status == "done":
        return []
    return [render("item_readiness.md.j2", gaps=gaps(item, dor))]


def _history(events: Sequence[ItemEvent]) -> list[tuple[ItemEvent, tuple[str, bool] | None]]:
    """Each history line with the linked item it only followed (an item waiting for #n, when
    #n is done or restored), which it says happened rather than who "edited" it."""
    return [
        (event, settled_link(event.changes or {}) if event.action == "edited" else None)
        for event in events
    ]


def _lines_input(
    block_id: str, label: str, texts: dict[str, str], key: str, **field: Any
) -> InputBlock:
    """An optional multi-line field of the item form, holding what the item's `key` field
    may; `field` as for `kit.text_input` (hint, placeholder)."""
    return kit.text_input(
        block_id,
        label,
        optional=True,
        multiline=True,
        initial=texts[key],
        max_length=FORM_MAX[key],
        **field,
    )


def edit_modal(
    item: BacklogItem,
    channel_id: str,
    dor: DefinitionOfReady,
    focus: str | None = None,
    *,
    scheme: str | None,
    sets_priority: bool,
) -> dict[str, Any]:
    """The item form; `focus` puts the cursor on the field a readiness fix is about; a team's
    scoring `scheme` adds its inputs. The MoSCoW priority is an input only for whoever may set
    it (`sets_priority`: the Product Owner); anyone else sees it as a line."""
    type_options = [Option(value=key, label=label) for key, label in ITEM_TYPES.items()]
    initial_type = next(o for o in type_options if o.value == item.type)
    owner = UserSelectElement(action_id="value", placeholder="Who looks after it")
    if item.owner:
        owner.initial_user = item.owner
    estimate = None if item.estimate is None else points(item.estimate)
    texts = form_texts(item)
    owned = _from_tracker(item)
    blocks: list[Block] = [
        *[context(line) for line in readiness(item, dor)],
        kit.text_input("title", "Title", initial=fit(item.title, TITLE_MAX), max_length=TITLE_MAX),
        _lines_input(
            "hypothesis",
            "Value hypothesis",
            texts,
            "hypothesis",
            hint="By doing … we expect … (the value, not the task)",
            placeholder="By doing … we expect …",
        ),
        InputBlock(
            block_id="type",
            label="Type",
            hint=owned.get("type"),
            element=StaticSelectElement(
                action_id="value", options=type_options, initial_option=initial_type
            ),
        ),
        _lines_input(
            "acceptance", "Acceptance criteria", texts, "acceptance_criteria", hint="One per line."
        ),
        _lines_input(
            "dependencies",
            "Dependencies",
            texts,
            "dependencies",
            hint="One per line: #14 for item 14 of this backlog, words for anything else; "
            "start with [x] when resolved, [ ] when still open.",
            placeholder="[ ] #14 payment API contract",
        ),
        kit.number_input(
            "estimate",
            "Estimate (story points)",
            optional=True,
            decimal=True,
            low=0,
            high=1000,
            initial=estimate,
        ),
        _moscow_input(item) if sets_priority else _moscow_line(item),
        *_score_inputs(item, scheme),
        InputBlock(block_id="owner", label="Owner", optional=True, element=owner),
        kit.text_input(
            "epic", "Epic", optional=True, initial=item.epic, max_length=120, hint=owned.get("epic")
        ),
        kit.text_input(
            "labels",
            "Labels",
            hint=" ".join(("Separated by commas.", owned.get("labels", ""))).strip(),
            optional=True,
            initial=texts["labels"],
            max_length=FORM_MAX["labels"],
        ),
    ]
    if dor.questions:
        options = [Option(value=q.id, label=plain(q.text, 75)) for q in dor.questions]
        ticked = [key for key, done in (item.checklist or {}).items() if done]
        blocks.append(
            kit.checkboxes_input("checklist", "Team checklist", options, ticked, optional=True)
        )
    blocks = [_read_only_if_too_long(block, texts) for block in blocks]
    for block in blocks:
        if focus and isinstance(block, InputBlock) and block.block_id == focus:
            block.element.focus_on_load = True
    # The team the form is for: a submission from any other team is refused. What it shows,
    # a digest a field: a submission changes only what its submitter changed.
    where = {
        "channel": channel_id,
        "number": item.number,
        "team": item.team_id,
        "shown": form_digests(item, dor, scheme),
    }
    return kit.modal("item_edit", f"Edit #{item.number}", blocks, **where)


def _from_tracker(item: BacklogItem) -> dict[str, str]:
    """The hints under the fields of a linked item that its tracker owns and Timebox does not
    write (`READ_ONLY`): said before a change is typed, which saving would refuse
    (`refuse_tracker_owned`: its issue holds them). None for an item only Timebox has."""
    link = loaded_link(item)
    if link is None or link.connection_id is None or not link.key:
        return {}
    tracker = connect_blocks.tracker_of(link)
    hint = partial(render, "item_from_tracker.md.j2", tracker=tracker, key=link.key)
    return {name: hint(plural=name in PLURAL_FIELDS) for name in READ_ONLY}


def _moscow_input(item: BacklogItem) -> InputBlock:
    """MoSCoW (the Product Owner's); a priority that is no MoSCoW (from Jira, say) is kept as
    an option of its own, so that saving the form does not lose it."""
    options = [Option(value=key, label=label) for key, label in priority.MOSCOW.items()]
    key = priority.moscow_key(item.priority)
    initial = next((o for o in options if o.value == key), None)
    if item.priority and key is None:
        initial = Option(value=f"={item.priority}", label=plain(item.priority, 75))
        options.append(initial)
    element = StaticSelectElement(
        action_id="value", placeholder="None yet", options=options, initial_option=initial
    )
    hint = "Set by the Product Owner."
    return InputBlock(block_id="moscow", label="MoSCoW", optional=True, hint=hint, element=element)


def _moscow_line(item: BacklogItem) -> Block:
    """The MoSCoW priority, for someone who may not change it: said, not asked."""
    key = priority.moscow_key(item.priority)
    shown = priority.MOSCOW[key] if key else item.priority
    return context(render("item_moscow_line.md.j2", priority=shown))


def _score_inputs(item: BacklogItem, scheme: str | None) -> list[Block]:
    """The inputs of the team's scoring scheme, each on its scale."""
    if scheme is None:
        return []
    scale = priority.SCALES[scheme]
    hint = (
        "Modified Fibonacci: 1 (least) to 20 (most). WSJF = their sum over the estimate."
        if scheme == "wsjf"
        else "1 (least) to 10 (most). Opportunity = importance + (importance - satisfaction)."
    )
    found: list[Block] = []
    for name, label in priority.INPUTS[scheme].items():
        options = [Option(value=str(n), label=str(n)) for n in scale]
        given = (item.scores or {}).get(name)
        initial = next((o for o in options if o.value == str(given)), None)
        element = StaticSelectElement(
            action_id="value", placeholder="Not scored", options=options, initial_option=initial
        )
        found.append(
            InputBlock(
                block_id=f"score-{scheme}-{name}",
                label=label,
                optional=True,
                hint=hint,
                element=element,
            )
        )
    return found


_FORM_BLOCKS = {
    "hypothesis": "hypothesis",
    "acceptance": "acceptance_criteria",
    "dependencies": "dependencies",
    "labels": "labels",
}


def _read_only_if_too_long(block: Block, texts: dict[str, str]) -> Block:
    """An input whose text is longer than the input takes (an item kept from before imports
    checked this) would make views.open fail: the form shows a shortened, read-only part of
    it instead, and saving leaves that field as it is."""
    name = _FORM_BLOCKS.get(str(getattr(block, "block_id", "")))
    if name is None or len(texts[name]) <= FORM_MAX[name]:
        return block
    text = render(
        "item_read_only.md.j2",
        label=FORM_LABELS[name],
        text=texts[name],
        length=len(texts[name]),
        limit=FORM_MAX[name],
    )
    return section(text, block_id=f"{block.block_id}-read-only")


def import_modal(channel_id: str, team_id: int) -> dict[str, Any]:
    most = 3000  # what Slack lets a person type or paste into one text input
    blocks = [
        section(
            "Paste CSV with a header line, or cells copied from a spreadsheet. Jira's export "
            "names work: *Summary* (or Title), Description, Acceptance Criteria, Story Points, "
            "Issue Type, Priority, Labels. Items land at the bottom, in file order; a title "
            "already open on the backlog is not added again."
        ),
        kit.text_input(
            "csv",
            "CSV",
            multiline=True,
            max_length=most,
            placeholder="Summary,Story Points,Issue Type",
            hint=f"Slack takes up to {most:,} characters here. For a larger "
            "backlog, share the .csv file in the channel instead: it is imported the same way.",
        ),
    ]
    where = {"channel": channel_id, "team": team_id}
    return kit.modal("backlog_import", "Import backlog items", blocks, submit="Import", **where)


def health_message(
    health: Health, team_id: int, budget: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`/backlog health`; its button names the team it was shown for, and when: it archives
    the items stale then (not one touched since, nor one gone stale since)."""
    blocks: list[Block] = [
        HeaderBlock(text="Backlog health"),
        section(render("health.md.j2", health=health)),
    ]
    if budget:
        blocks.append(section(render("refinement_budget.md.j2", b=budget)))
    if health.stale:
        blocks.append(
            ActionsBlock(
                elements=[
                    button(
                        f"Archive {item_count(len(health.stale), 'stale item')}",
                        "archive_stale",
                        f"{team_id}:{int(health.at.timestamp())}",
                        style="danger",
                    )
                ]
            )
        )
    return message(blocks, "Backlog health")


PRIORITY_ROWS = 20
"""Rows of each column the suggestion shows (a section field holds 2,000 characters)."""
FORMULAS = {
    "wsjf": "WSJF = (business value + time criticality + risk reduction) / estimate",
    "opportunity": "opportunity = importance + (importance - satisfaction, if above 0)",
}


def priority_message(shown: PriorityShown) -> dict[str, Any]:
    """`/backlog priority`: the suggested order beside the real one, the items that lack
    inputs, and (when they differ) "Apply this order", naming the team and the order."""
    suggestion, items = shown.suggestion, shown.items
    name = priority.SCHEMES[suggestion.scheme]
    now = {number: position for position, number in enumerate(suggestion.current, start=1)}

    def column(title: str, order: list[int], scored: bool) -> str:
        rows = []
        for position, number in enumerate(order[:PRIORITY_ROWS], start=1):
            note = ""
            if scored:
                value = suggestion.scores[number].value
                note = "not scored" if value is None else points(value)
                if now[number] != position:
                    note += f" · now {now[number]}"
            rows.append(
                {"position": position, "number": number, "title": items[number].title, "note": note}
            )
        more = max(len(order) - PRIORITY_ROWS, 0)
        return fit(render("priority_order.md.j2", title=title, rows=rows, more=more), 2000)

    changes = sum(a != b for a, b in zip(suggestion.current, suggestion.suggested, strict=True))
    summary = render(
        "priority_summary.md.j2",
        scheme=name,
        total=len(suggestion.current),
        changes=changes,
        lacking=suggestion.lacking,
        moved=shown.moved,
    )
    blocks: list[Block] = [HeaderBlock(text=f"Suggested order: {name}"), section(summary)]
    if suggestion.current:
        blocks.append(
            SectionBlock(
                block_id="priority-columns",
                fields=[
                    MarkdownTextObject(text=column(title, order, scored))
                    for title, order, scored in (
                        ("Suggested", suggestion.suggested, True),
                        ("Now", suggestion.current, False),
                    )
                ],
            )
        )
        blocks.append(context(FORMULAS[suggestion.scheme]))
    if suggestion.changes:
        value = f"{shown.team_id}:{suggestion.fingerprint}"
        apply = button("Apply this order", "priority_apply", value, style="primary")
        blocks.append(ActionsBlock(block_id="priority-actions", elements=[apply]))
    return message(blocks, f"Suggested order: {name}")
