// Block Kit, drawn the way the Slack client draws it, for messages, the Home tab and modals.
//
// ctx carries who is looking (me, tz, now), lookups (person, channelName, people, channels)
// and act(container, block, element, value): what happens when an element is used.
import { h } from "./dom.js";
import { plainHtml, textHtml } from "./mrkdwn.js";

export function renderBlocks(blocks, ctx, container, inputField) {
  const root = h("div", { class: "bk-blocks" });
  for (const block of blocks || []) {
    const node = renderBlock(block, ctx, container, inputField);
    if (node) root.append(node);
  }
  return root;
}

function renderBlock(block, ctx, container, inputField) {
  switch (block.type) {
    case "header":
      return h("div", { class: "bk-header", html: plainHtml(block.text) });
    case "section":
      return section(block, ctx, container);
    case "context":
      return h(
        "div",
        { class: "bk-context" },
        (block.elements || []).map((el) =>
          el.type === "image"
            ? h("img", { class: "bk-context-img", src: imageUrl(el), alt: el.alt_text || "" })
            : h("span", { class: "bk-context-text", html: textHtml(el, ctx) }),
        ),
      );
    case "divider":
      return h("hr", { class: "bk-divider" });
    case "actions":
      return h(
        "div",
        { class: "bk-actions" },
        (block.elements || []).map((el) => element(el, block, ctx, container)),
      );
    case "image":
      return h(
        "figure",
        { class: "bk-image" },
        block.title ? h("figcaption", { html: plainHtml(block.title) }) : null,
        image(imageUrl(block), block.alt_text),
      );
    case "input":
      return inputField ? inputField(block) : null;
    case "rich_text":
      return h("div", { class: "bk-rich" }, (block.elements || []).map((el) => richElement(el, ctx)));
    case "file":
      return h("div", { class: "bk-file" }, `📄 file ${block.external_id || ""}`);
    case "video":
      return h("a", { class: "mk-link", href: block.title_url || block.video_url, target: "_blank" },
        `▶ ${block.title?.text || "video"}`);
    default:
      return h("div", { class: "bk-unknown" }, `(a ${block.type} block, which the sandbox does not draw)`);
  }
}

function section(block, ctx, container) {
  const body = h("div", { class: "bk-section-body" });
  if (block.text) body.append(h("div", { class: "bk-text", html: textHtml(block.text, ctx) }));
  if (block.fields?.length) {
    body.append(
      h("div", { class: "bk-fields" }, block.fields.map((f) => h("div", { class: "bk-field", html: textHtml(f, ctx) }))),
    );
  }
  const node = h("div", { class: "bk-section" }, body);
  if (block.accessory) {
    const accessory = block.accessory.type === "image"
      ? h("img", { class: "bk-accessory-img", src: imageUrl(block.accessory), alt: block.accessory.alt_text || "" })
      : element(block.accessory, block, ctx, container);
    node.append(h("div", { class: "bk-accessory" }, accessory));
  }
  return node;
}

/** An image's address; a file hosted by "Slack" is served by the sandbox page itself. */
function imageUrl(obj) {
  if (obj.image_url) return obj.image_url;
  const file = obj.slack_file || {};
  const id = file.id || (file.url || "").match(/\/files\/(F\w+)/)?.[1];
  return id ? `/files/${id}/image` : "";
}

function image(src, alt) {
  const img = h("img", { src, alt: alt || "", loading: "lazy" });
  img.addEventListener("error", () => img.replaceWith(h("div", { class: "bk-image-missing" }, `🖼 ${alt || "image"}`)));
  return img;
}

function richElement(el, ctx) {
  const inline = (items) => (items || []).map((item) => {
    if (item.type === "text") {
      const s = item.style || {};
      let node = document.createTextNode(item.text);
      for (const [flag, tag] of [["code", "code"], ["bold", "b"], ["italic", "i"], ["strike", "s"]]) {
        if (s[flag]) node = h(tag, { class: flag === "code" ? "mk-code" : null }, node);
      }
      return node;
    }
    if (item.type === "link") return h("a", { class: "mk-link", href: item.url, target: "_blank" }, item.text || item.url);
    if (item.type === "user") return h("span", { class: "mk-mention" }, `@${ctx.person(item.user_id)?.real_name || item.user_id}`);
    if (item.type === "emoji") return item.unicode ? String.fromCodePoint(...item.unicode.split("-").map((c) => parseInt(c, 16))) : `:${item.name}:`;
    return item.text || "";
  });
  if (el.type === "rich_text_list") {
    const tag = el.style === "ordered" ? "ol" : "ul";
    return h(tag, { class: "bk-rich-list" }, (el.elements || []).map((s) => h("li", {}, inline(s.elements))));
  }
  if (el.type === "rich_text_preformatted") return h("pre", { class: "mk-pre" }, inline(el.elements));
  if (el.type === "rich_text_quote") return h("span", { class: "mk-quote" }, inline(el.elements));
  return h("div", {}, inline(el.elements));
}

// -- interactive elements -------------------------------------------------------------------

export function optionsOf(el) {
  const out = [...(el.options || [])];
  for (const group of el.option_groups || []) out.push(...(group.options || []));
  return out;
}

function optionLabel(option) {
  return option?.text?.text ?? option?.value ?? "";
}

/** An interactive element; in a message or Home tab, using it sends block_actions at once. */
export function element(el, block, ctx, container) {
  const act = (value) => ctx.act(container, block, el, value);
  switch (el.type) {
    case "button": {
      const button = h(
        "button",
        {
          class: `bk-button${el.style ? ` bk-${el.style}` : ""}`,
          type: "button",
          "data-action-id": el.action_id,
          html: plainHtml(el.text),
        },
      );
      button.addEventListener("click", async () => {
        if (el.url) (ctx.openUrl || ((url) => window.open(url, "_blank", "noopener")))(el.url);
        if (el.confirm && !window.confirm(confirmText(el.confirm))) return;
        button.disabled = true;
        try { await act(); } finally { button.disabled = false; }
      });
      return button;
    }
    case "overflow":
      return overflow(el, act);
    case "static_select":
    case "external_select":
      return select(el, optionsOf(el).map((o) => [o.value, optionLabel(o)]), el.initial_option?.value, act);
    case "users_select":
      return select(el, ctx.people.map((p) => [p.id, p.real_name]), el.initial_user, act);
    case "conversations_select":
    case "channels_select":
      return select(el, ctx.channels.map((c) => [c.id, `#${c.name}`]), el.initial_conversation || el.initial_channel, act);
    case "datepicker":
      return h("input", { class: "bk-date", type: "date", value: el.initial_date || "", onchange: (e) => act(e.target.value) });
    case "timepicker":
      return h("input", { class: "bk-date", type: "time", value: el.initial_time || "", onchange: (e) => act(e.target.value) });
    case "checkboxes":
    case "radio_buttons":
      return choices(el, `${container.kind}-${block.block_id}-${el.action_id}`, ctx, (values) => act(el.type === "radio_buttons" ? values[0] : values));
    case "image":
      return h("img", { class: "bk-accessory-img", src: imageUrl(el), alt: el.alt_text || "" });
    default:
      return h("span", { class: "bk-unknown" }, `(${el.type})`);
  }
}

function confirmText(confirm) {
  return [confirm.title?.text, confirm.text?.text].filter(Boolean).join("\n\n");
}

export function select(el, options, initial, act) {
  const node = h(
    "select",
    { class: "bk-select", "data-action-id": el.action_id },
    h("option", { value: "", disabled: true, selected: !initial }, el.placeholder?.text || "Select an item"),
    options.map(([value, label]) => h("option", { value, selected: value === initial }, label)),
  );
  if (act) node.addEventListener("change", () => act(node.value));
  return node;
}

function overflow(el, act) {
  const menu = h("div", { class: "bk-overflow-menu", hidden: true });
  const button = h("button", { class: "bk-button bk-overflow", type: "button", title: "More actions", "aria-label": "More actions" }, "⋮");
  for (const option of el.options || []) {
    menu.append(
      h("button", {
        type: "button",
        class: "bk-overflow-option",
        onclick: async () => { menu.hidden = true; await act(option.value); },
        html: plainHtml(option.text),
      }),
    );
  }
  button.addEventListener("click", (e) => {
    e.stopPropagation();
    const open = menu.hidden;
    document.querySelectorAll(".bk-overflow-menu").forEach((m) => { m.hidden = true; });
    menu.hidden = !open;
  });
  return h("span", { class: "bk-overflow-wrap" }, button, menu);
}

/** Checkboxes or radio buttons; onChange gets the chosen values (null: not dispatched). */
export function choices(el, name, ctx, onChange, chosen) {
  const radio = el.type === "radio_buttons";
  const initial = chosen ?? (radio ? [el.initial_option?.value].filter(Boolean) : (el.initial_options || []).map((o) => o.value));
  const wrap = h("div", { class: "bk-choices", role: radio ? "radiogroup" : "group" });
  for (const option of el.options || []) {
    const input = h("input", {
      type: radio ? "radio" : "checkbox",
      name,
      value: option.value,
      checked: initial.includes(option.value),
    });
    input.addEventListener("change", () => {
      if (!onChange) return;
      const values = [...wrap.querySelectorAll("input:checked")].map((i) => i.value);
      onChange(values);
    });
    wrap.append(
      h(
        "label",
        { class: "bk-choice" },
        input,
        h(
          "span",
          {},
          h("span", { class: "bk-choice-text", html: textHtml(option.text, ctx) }),
          option.description ? h("span", { class: "bk-choice-desc", html: textHtml(option.description, ctx) }) : null,
        ),
      ),
    );
  }
  return wrap;
}

document.addEventListener("click", () => {
  document.querySelectorAll(".bk-overflow-menu").forEach((m) => { m.hidden = true; });
});
