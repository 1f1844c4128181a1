// A modal view drawn as a form: Slack's inputs, their hints, and errors under the fields.
//
// What the person types stays in the page until they submit; it is sent along with any
// button they press inside the modal, as Slack sends view.state with block_actions.
import { h } from "./dom.js";
import { choices, optionsOf, renderBlocks, select } from "./blocks.js";
import { plainHtml } from "./mrkdwn.js";

const TEXT_TYPES = new Set(["plain_text_input", "number_input", "email_text_input", "url_text_input"]);

function stateValue(entry) {
  if (!entry) return undefined;
  if ("value" in entry) return entry.value ?? "";
  if ("selected_option" in entry) return entry.selected_option?.value ?? "";
  if ("selected_options" in entry) return (entry.selected_options || []).map((o) => o.value);
  for (const key of ["selected_user", "selected_date", "selected_time", "selected_conversation", "selected_channel"]) {
    if (key in entry) return entry[key] ?? "";
  }
  for (const key of ["selected_users", "selected_conversations", "selected_channels"]) {
    if (key in entry) return entry[key] || [];
  }
  return undefined;
}

function initialValue(el) {
  switch (el.type) {
    case "static_select":
    case "external_select":
    case "radio_buttons":
      return el.initial_option?.value ?? "";
    case "multi_static_select":
    case "checkboxes":
      return (el.initial_options || []).map((o) => o.value);
    case "users_select": return el.initial_user ?? "";
    case "multi_users_select": return el.initial_users || [];
    case "conversations_select": return el.initial_conversation ?? "";
    case "channels_select": return el.initial_channel ?? "";
    case "datepicker": return el.initial_date ?? "";
    case "timepicker": return el.initial_time ?? "";
    default: return el.initial_value ?? "";
  }
}

/** A multi-select as removable chips plus an "add" menu. */
function chips(el, options, chosen, onChange) {
  let values = [...chosen];
  const wrap = h("div", { class: "bk-multi" });
  const draw = () => {
    wrap.replaceChildren();
    for (const value of values) {
      const label = options.find(([v]) => v === value)?.[1] ?? value;
      wrap.append(
        h("span", { class: "bk-chip" }, label,
          h("button", {
            type: "button", class: "bk-chip-x", "aria-label": `Remove ${label}`,
            onclick: () => { values = values.filter((v) => v !== value); draw(); onChange?.(values); },
          }, "×")),
      );
    }
    const rest = options.filter(([v]) => !values.includes(v));
    const adder = select(
      { action_id: el.action_id, placeholder: { text: values.length ? "Add another…" : el.placeholder?.text || "Choose…" } },
      rest, undefined, (value) => { values = [...values, value]; draw(); onChange?.(values); },
    );
    adder.classList.add("bk-multi-add");
    if (rest.length) wrap.append(adder);
  };
  draw();
  return { node: wrap, get: () => values };
}

function control(block, el, value, ctx, onChange) {
  const id = `in-${block.block_id}`;
  const placeholder = el.placeholder?.text || "";
  if (TEXT_TYPES.has(el.type)) {
    const attrs = {
      id, class: "bk-input", placeholder, value,
      maxlength: el.max_length || null,
      type: { email_text_input: "email", url_text_input: "url" }[el.type] || "text",
      inputmode: el.type === "number_input" ? (el.is_decimal_allowed ? "decimal" : "numeric") : null,
    };
    const node = el.multiline ? h("textarea", { ...attrs, type: null, rows: 3 }) : h("input", attrs);
    if (onChange) node.addEventListener("change", () => onChange(node.value));
    return { node, get: () => node.value };
  }
  switch (el.type) {
    case "static_select":
    case "external_select": {
      const node = select(el, optionsOf(el).map((o) => [o.value, o.text.text]), value, onChange);
      node.id = id;
      return { node, get: () => node.value };
    }
    case "users_select":
    case "conversations_select":
    case "channels_select": {
      const options = el.type === "users_select"
        ? ctx.people.map((p) => [p.id, p.real_name])
        : ctx.channels.map((c) => [c.id, `#${c.name}`]);
      const node = select(el, options, value, onChange);
      node.id = id;
      return { node, get: () => node.value };
    }
    case "multi_static_select":
      return chips(el, optionsOf(el).map((o) => [o.value, o.text.text]), value, onChange);
    case "multi_users_select":
      return chips(el, ctx.people.map((p) => [p.id, p.real_name]), value, onChange);
    case "multi_conversations_select":
    case "multi_channels_select":
      return chips(el, ctx.channels.map((c) => [c.id, `#${c.name}`]), value, onChange);
    case "checkboxes":
    case "radio_buttons": {
      const radio = el.type === "radio_buttons";
      const node = choices(el, id, ctx, onChange ? (v) => onChange(radio ? v[0] ?? "" : v) : null, radio ? [value].filter(Boolean) : value);
      const get = () => {
        const picked = [...node.querySelectorAll("input:checked")].map((i) => i.value);
        return radio ? picked[0] ?? "" : picked;
      };
      return { node, get };
    }
    case "datepicker":
    case "timepicker": {
      const node = h("input", { id, class: "bk-input bk-date", type: el.type === "datepicker" ? "date" : "time", value });
      if (onChange) node.addEventListener("change", () => onChange(node.value));
      return { node, get: () => node.value };
    }
    default:
      return { node: h("div", { class: "bk-unknown" }, `(${el.type} input)`), get: () => "" };
  }
}

function isEmpty(value) {
  return value === "" || value === null || value === undefined || (Array.isArray(value) && !value.length);
}

/** What the Slack client refuses before sending anything, in the sandbox's words. */
function clientError(el, value) {
  if (TEXT_TYPES.has(el.type) && typeof value === "string" && value.trim()) {
    if (el.min_length && value.length < el.min_length) return `Enter at least ${el.min_length} characters.`;
    if (el.type === "number_input") {
      const number = Number(value.replace(",", "."));
      const whole = !el.is_decimal_allowed;
      if (!Number.isFinite(number) || (whole && !Number.isInteger(number))) {
        return whole ? "Enter a whole number." : "Enter a number.";
      }
      const low = el.min_value !== undefined ? Number(el.min_value) : null;
      const high = el.max_value !== undefined ? Number(el.max_value) : null;
      if ((low !== null && number < low) || (high !== null && number > high)) {
        return `Enter a number from ${el.min_value ?? "…"} to ${el.max_value ?? "…"}.`;
      }
    }
  }
  return null;
}

/**
 * The modal for screen.modal; handlers: {act(block, el, value), submit(), close()}.
 * Returns {node, key, collect(), validate(), setErrors(errors)}.
 */
export function renderModal(modal, ctx, handlers) {
  const view = modal.view;
  const stateValues = view.state?.values || {};
  const fields = new Map();

  const inputField = (block) => {
    const el = block.element || {};
    const fromState = stateValue(stateValues[block.block_id]?.[el.action_id]);
    const value = fromState !== undefined ? fromState : initialValue(el);
    const dispatch = block.dispatch_action ? (v) => handlers.act(block, el, v) : null;
    const input = control(block, el, value, ctx, dispatch);
    const error = h("div", { class: "bk-error", role: "alert", hidden: true });
    const node = h(
      "div",
      { class: "bk-input-block", "data-block-id": block.block_id },
      h("label", { class: "bk-label", for: `in-${block.block_id}` },
        h("span", { html: plainHtml(block.label) }),
        block.optional ? h("span", { class: "bk-optional" }, " (optional)") : null),
      input.node,
      block.hint ? h("div", { class: "bk-hint", html: plainHtml(block.hint) }) : null,
      error,
    );
    fields.set(block.block_id, { block, el, get: input.get, error, node });
    return node;
  };

  const container = { kind: "view", view_id: modal.id };
  const body = renderBlocks(view.blocks, { ...ctx, act: (_c, block, el, value) => handlers.act(block, el, value) }, container, inputField);

  const collect = () => Object.fromEntries([...fields].map(([id, f]) => [id, f.get()]));

  const setErrors = (errors) => {
    let first = null;
    for (const [id, field] of fields) {
      const message = errors?.[id];
      field.error.hidden = !message;
      field.error.textContent = message || "";
      field.node.classList.toggle("has-error", Boolean(message));
      if (message && !first) first = field.node;
    }
    first?.scrollIntoView({ block: "nearest" });
  };

  const validate = () => {
    const errors = {};
    for (const [id, field] of fields) {
      const value = field.get();
      if (isEmpty(value)) { // as the Slack client: spaces count as filled in; the app judges them
        if (!field.block.optional) errors[id] = "Please fill in this field.";
        continue;
      }
      const problem = clientError(field.el, value);
      if (problem) errors[id] = problem;
    }
    setErrors(errors);
    return errors;
  };

  const submit = view.submit
    ? h("button", { type: "button", class: "bk-button bk-primary modal-submit", html: plainHtml(view.submit) })
    : null;
  submit?.addEventListener("click", async () => {
    submit.disabled = true;
    try { await handlers.submit(); } finally { submit.disabled = false; }
  });
  const title = h("h2", { class: "modal-title", id: `title-${modal.id}`, html: plainHtml(view.title) });
  const node = h(
    "div",
    { class: "modal-backdrop" },
    h(
      "div",
      { class: "modal", role: "dialog", "aria-modal": "true", "aria-labelledby": `title-${modal.id}`, "data-view-id": modal.id },
      h("div", { class: "modal-head" },
        modal.has_previous ? h("button", { type: "button", class: "modal-x", "aria-label": "Back", onclick: handlers.close }, "‹") : null,
        title,
        h("button", { type: "button", class: "modal-x", "aria-label": "Close", onclick: handlers.close }, "×")),
      h("div", { class: "modal-body" }, body),
      h("div", { class: "modal-foot" },
        h("button", { type: "button", class: "bk-button modal-cancel", onclick: handlers.close, html: plainHtml(view.close || "Cancel") }),
        submit),
    ),
  );
  setErrors(modal.errors);
  return { node, key: `${modal.id}:${view.hash}`, collect, validate, setErrors };
}
