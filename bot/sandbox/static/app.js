// The sandbox page: one person's view of a Slack workspace with Timebox installed.
//
// It polls /api/state for what the current person sees and sends what they do to the
// sandbox, which turns it into the signed requests Slack would send to the bot.
import { colorFor, h, initials } from "./dom.js";
import { renderBlocks } from "./blocks.js";
import { formatDate, mrkdwn, plainHtml } from "./mrkdwn.js";
import { renderModal } from "./modal.js";

const POLL_MS = 1000;
const $ = (id) => document.getElementById(id);

const S = {
  meta: null,
  me: null,
  screen: null,
  version: null,
  skew: 0, // sandbox time minus this browser's time, in seconds
  place: { kind: "channel", id: null }, // or { kind: "app", tab: "home" | "messages" }
  thread: null, // { channel, ts }
  modal: null,
  modalErrors: "",
  drawn: { main: "", thread: "" },
  autocomplete: { items: [], index: 0 },
  online: true,
  session: null, // the ts of this page load: private messages from before it are gone
  highlight: null, // the ts of the message a permalink opened
};

// -- talking to the sandbox -----------------------------------------------------------------

async function api(path, body) {
  const init = body === undefined
    ? {}
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, init);
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) throw new Error(data?.error || `the sandbox answered HTTP ${response.status}`);
  return data;
}

async function refresh(force = false) {
  const me = S.me;
  const since = force || S.version === null ? "" : `&since=${S.version}`;
  let data;
  try {
    data = await api(`/api/state?user=${encodeURIComponent(me)}${since}`);
  } catch (error) {
    setOnline(false);
    return;
  }
  setOnline(true);
  if (me !== S.me) return; // the person was switched while we asked
  S.skew = data.now - Date.now() / 1000;
  if (data.unchanged || (S.version !== null && data.version < S.version)) return; // stale
  S.screen = withoutOldPrivate(data);
  S.version = data.version;
  render();
}

// Slack keeps private (ephemeral) answers only until its client reloads: so does the page.
const tsKey = (ts) => String(ts).split(".").map(Number);
function tsBefore(a, b) {
  const [as, au] = tsKey(a);
  const [bs, bu] = tsKey(b);
  return as < bs || (as === bs && au < bu);
}

function isOldPrivate(m) {
  return (m.kind === "ephemeral" || m.kind === "notice") && S.session && tsBefore(m.ts, S.session);
}

function withoutOldPrivate(screen) {
  for (const c of screen.conversations) {
    c.messages = c.messages.filter((m) => !isOldPrivate(m));
    for (const m of c.messages) m.replies = (m.replies || []).filter((r) => !isOldPrivate(r));
  }
  return screen;
}

function setOnline(online) {
  if (online === S.online) return;
  S.online = online;
  document.body.classList.toggle("offline", !online);
  if (!online) toast("The sandbox is not answering. Is `timebox sandbox` still running?", "error");
}

async function pollForever() {
  for (;;) {
    await refresh();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function run(what, label) {
  try {
    return await what();
  } catch (error) {
    toast(`${label}: ${error.message}`, "error");
    return null;
  } finally {
    await refresh(true);
  }
}

// -- who and what -------------------------------------------------------------------------

const now = () => Date.now() / 1000 + S.skew;

function person(id) {
  if (id === S.meta.bot.id) return { id, real_name: S.meta.bot.name, is_bot: true };
  if (id === "USLACKBOT") return { id, real_name: "Slackbot", is_bot: true };
  return S.meta.people.find((p) => p.id === id);
}

function myZone() {
  return person(S.me)?.tz || "UTC";
}

function ctx() {
  return {
    me: S.me,
    tz: myZone(),
    now,
    person,
    people: S.meta.people,
    channels: S.meta.channels,
    channelName: (id) => S.meta.channels.find((c) => c.id === id)?.name,
    act: (container, block, el, value) => act(container, block, el, value),
    openUrl,
  };
}

// -- permalinks: a link to a message of this workspace opens it here ------------------------

function permalinkOf(url) {
  let u;
  try { u = new URL(url, window.location.href); } catch { return null; }
  const m = u.pathname.match(/^\/archives\/([A-Z0-9]+)\/p(\d+)(\d{6})$/);
  if (!m) return null;
  const slack = S.meta && u.hostname === `${S.meta.workspace.domain}.slack.com`;
  if (u.origin !== window.location.origin && !slack) return null;
  return { channel: m[1], ts: `${m[2]}.${m[3]}`, thread: u.searchParams.get("thread_ts") };
}

function openUrl(url) {
  const link = permalinkOf(url);
  if (link) showPermalink(link);
  else window.open(url, "_blank", "noopener");
}

function showPermalink(link, remember = true) {
  const c = conversation(link.channel);
  if (!c) {
    toast("That message is in a conversation you are not in.", "error");
    return;
  }
  if (remember) {
    const url = new URL(window.location.href);
    url.pathname = `/archives/${link.channel}/p${link.ts.replace(".", "")}`;
    url.searchParams.delete("thread_ts");
    if (link.thread) url.searchParams.set("thread_ts", link.thread);
    window.history.pushState(null, "", url);
  }
  S.place = c.is_im ? { kind: "app", tab: "messages" } : { kind: "channel", id: c.id };
  S.thread = link.thread && link.thread !== link.ts ? { channel: c.id, ts: link.thread } : null;
  S.highlight = link.ts;
  S.drawn = { main: "", thread: "" };
  render();
  const found = [...document.querySelectorAll(".msg[data-ts]")].find((n) => n.dataset.ts === link.ts);
  if (found) found.scrollIntoView({ block: "center" });
  else toast("That message is not there any more.", "info");
}

function act(container, block, el, value, typed) {
  return run(
    () => api("/api/action", {
      user: S.me, container, block_id: block.block_id, action_id: el.action_id, value, typed,
    }),
    "That did not work",
  );
}

function conversation(id) {
  return S.screen?.conversations.find((c) => c.id === id);
}

function currentConversationId() {
  if (S.place.kind === "channel") return S.place.id;
  return S.place.tab === "messages" ? S.screen?.dm : null;
}

// -- drawing ------------------------------------------------------------------------------

function avatar(who, size = "") {
  if (who?.is_bot) {
    const slackbot = who.id === "USLACKBOT";
    return h("span", { class: `avatar ${size} ${slackbot ? "avatar-slackbot" : "avatar-bot"}`, "aria-hidden": "true" }, slackbot ? "✱" : "⏱");
  }
  return h(
    "span",
    { class: `avatar ${size}`, style: `background:${colorFor(who?.id || "?")}`, "aria-hidden": "true" },
    initials(who?.real_name || who?.name),
  );
}

function render() {
  if (!S.screen) return;
  renderSwitcher();
  renderSidebar();
  renderMain();
  renderThread();
  renderModalLayer();
  renderClock();
}

function renderSwitcher() {
  const me = person(S.me);
  $("me-avatar").replaceWith(Object.assign(avatar(me, "avatar-sm"), { id: "me-avatar" }));
  $("sidebar-foot").replaceChildren(
    avatar(me, "avatar-sm"),
    h("span", {}, h("b", {}, me.real_name), " ", h("span", { class: "muted handle" }, me.handle),
      h("br"), h("span", { class: "muted" }, `${me.title} · ${me.tz}`)),
  );
}

function renderSidebar() {
  const list = $("channel-list");
  list.replaceChildren(
    ...S.meta.channels.map((c) =>
      h("li", {},
        h("button", {
          type: "button",
          class: `sidebar-item${S.place.kind === "channel" && S.place.id === c.id ? " active" : ""}`,
          onclick: () => go({ kind: "channel", id: c.id }),
        }, h("span", { class: "hash" }, "#"), ` ${c.name}`))),
  );
  $("app-link").classList.toggle("active", S.place.kind === "app");
}

function go(place) {
  S.place = place;
  S.thread = null;
  S.highlight = null;
  if (window.location.pathname !== "/") {
    const url = new URL(window.location.href);
    url.pathname = "/";
    url.searchParams.delete("thread_ts");
    window.history.pushState(null, "", url);
  }
  S.drawn.main = "";
  if (place.kind === "app") {
    run(() => api("/api/app-home", { user: S.me, tab: place.tab }), "Could not open Timebox");
  }
  render();
  $("composer-input").focus();
}

function renderMain() {
  const head = $("main-head");
  const tabs = $("tabs");
  const composer = $("composer");
  const input = $("composer-input");
  let key;
  let body;
  if (S.place.kind === "channel") {
    const c = conversation(S.place.id);
    head.replaceChildren(
      h("div", { class: "main-title" }, h("span", { class: "hash" }, "#"), ` ${c.name}`),
      h("div", { class: "main-sub" }, `${c.members} members · ${c.topic}`),
    );
    tabs.hidden = true;
    composer.hidden = false;
    input.placeholder = `Message #${c.name} — type / for commands`;
    key = JSON.stringify([S.me, c.id, c.messages]);
    body = () => [channelIntro(c), ...messageList(c.messages)];
  } else {
    head.replaceChildren(
      h("div", { class: "main-title" }, h("span", { class: "app-icon" }, "⏱"), " Timebox ", h("span", { class: "app-badge" }, "APP")),
      h("div", { class: "main-sub" }, "Runs your team's backlog refinement and sprint planning"),
    );
    tabs.hidden = false;
    for (const tab of tabs.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.tab === S.place.tab);
    if (S.place.tab === "home") {
      composer.hidden = true;
      const home = S.screen.home;
      key = JSON.stringify([S.me, "home", home?.hash]);
      body = () => [
        home
          ? h("div", { class: "home" }, renderBlocks(home.view.blocks, ctx(), { kind: "home" }))
          : h("div", { class: "empty" }, "Timebox has not published a Home tab for you yet."),
      ];
    } else {
      const dm = conversation(S.screen.dm);
      composer.hidden = false;
      input.placeholder = "Slash commands work here, e.g. /backlog (this app's messages are read-only)";
      key = JSON.stringify([S.me, dm.id, dm.messages]);
      body = () => [
        h("div", { class: "intro" }, h("div", { class: "intro-title" }, "Your messages with Timebox"),
          h("p", {}, "Timebox writes to you here when something is only for you.")),
        ...messageList(dm.messages),
      ];
    }
  }
  if (key === S.drawn.main) return;
  S.drawn.main = key;
  const scroller = $("scroller");
  const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  $("messages").replaceChildren(...body());
  if (atBottom || S.place.tab === "home") scroller.scrollTop = S.place.tab === "home" ? 0 : scroller.scrollHeight;
}

function channelIntro(c) {
  return h(
    "div",
    { class: "intro" },
    h("div", { class: "intro-title" }, `#${c.name}`),
    h("p", {}, "This is a sandbox: Timebox runs on this computer against a pretend Slack. ",
      "Type ", h("code", { class: "mk-code" }, "/backlog"), " below to see the team's product backlog, ",
      "switch people at the top right, and move the clock to see timers fire."),
    h("p", { class: "handles" }, "Mention people with @ and their handle: ",
      ...S.meta.people.flatMap((p, i) => [i ? ", " : "", h("b", {}, p.handle), ` (${p.display_name || p.real_name}, ${p.title})`]),
      "."),
  );
}

function messageList(messages) {
  const out = [];
  let lastDay = null;
  for (const message of messages) {
    const day = formatDate(Number(message.ts), "{date_long_pretty}", myZone(), now());
    if (day !== lastDay) {
      out.push(h("div", { class: "day-divider" }, h("span", {}, day)));
      lastDay = day;
    }
    out.push(messageNode(message, false));
  }
  return out;
}

function messageNode(m, inThread) {
  const privateToMe = m.kind === "ephemeral" || m.kind === "notice";
  const author = m.kind === "notice" ? person("USLACKBOT") : person(m.user) || { id: m.user, real_name: m.user };
  const container = m.kind === "ephemeral"
    ? { kind: "ephemeral", channel: m.channel, ts: m.ts }
    : { kind: "message", channel: m.channel, ts: m.ts };
  const zone = myZone();
  const content = m.blocks?.length
    ? renderBlocks(m.blocks, ctx(), container)
    : h("div", { class: "msg-text", html: mrkdwn(m.text, ctx()) });
  const replies = m.replies || [];
  return h(
    "div",
    { class: `msg${privateToMe ? " msg-ephemeral" : ""}${m.ts === S.highlight ? " msg-highlight" : ""}`, "data-ts": m.ts },
    avatar(author),
    h(
      "div",
      { class: "msg-body" },
      privateToMe ? h("div", { class: "only-you" }, "👁 Only visible to you") : null,
      h(
        "div",
        { class: "msg-head" },
        h("span", { class: "msg-author" }, author.real_name),
        author.is_bot && author.id !== "USLACKBOT" ? h("span", { class: "app-badge" }, "APP") : null,
        h("span", { class: "msg-time", title: formatDate(Number(m.ts), "{date_long} at {time_secs}", zone, now()) },
          formatDate(Number(m.ts), "{time}", zone, now())),
        m.edited ? h("span", { class: "muted" }, "(edited)") : null,
      ),
      content,
      files(m.files),
      attachments(m.attachments),
      reactions(m.reactions),
      !inThread && replies.length
        ? h("button", { type: "button", class: "thread-link", onclick: () => openThread(m) },
          ...[...new Set(replies.map((r) => r.user))].slice(0, 4).map((u) => avatar(person(u), "avatar-xs")),
          h("b", {}, `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`),
          h("span", { class: "muted" }, ` Last reply ${formatDate(Number(replies[replies.length - 1].ts), "{date_short_pretty} at {time}", zone, now())}`))
        : null,
    ),
  );
}

function files(list) {
  if (!list?.length) return null;
  return h("div", { class: "files" }, list.map((f) => {
    if ((f.mimetype || "").startsWith("image/")) {
      return h("a", { href: f.url, target: "_blank", class: "file-image" }, h("img", { src: f.url, alt: f.title || f.name }));
    }
    const size = f.size > 1024 ? `${Math.round(f.size / 1024)} KB` : `${f.size} B`;
    return h("a", { href: f.url, target: "_blank", class: "file-card" },
      h("span", { class: "file-icon" }, (f.filetype || "file").slice(0, 4).toUpperCase()),
      h("span", {}, h("b", {}, f.title || f.name), h("br"), h("span", { class: "muted" }, `${(f.filetype || "").toUpperCase()} · ${size}`)));
  }));
}

function attachments(list) {
  if (!list?.length) return null;
  return list.map((a) => h(
    "div",
    { class: "attachment", style: `border-color:${a.color ? (a.color.startsWith("#") ? a.color : `#${a.color}`) : "#ddd"}` },
    a.pretext ? h("div", { html: mrkdwn(a.pretext, ctx()) }) : null,
    a.title ? h("div", { class: "attachment-title" }, a.title) : null,
    a.text ? h("div", { html: mrkdwn(a.text, ctx()) }) : null,
    a.blocks ? renderBlocks(a.blocks, ctx(), {}) : null,
    (a.fields || []).map((f) => h("div", { class: "bk-field" }, h("b", {}, f.title), h("div", { html: mrkdwn(f.value, ctx()) }))),
    a.footer ? h("div", { class: "muted" }, a.footer) : null,
  ));
}

function reactions(list) {
  if (!list?.length) return null;
  return h("div", { class: "reactions" }, list.map((r) =>
    h("span", { class: "reaction", html: `${plainHtml(`:${r.name}:`)} ${r.count}` })));
}

// -- threads ------------------------------------------------------------------------------

function openThread(message) {
  S.thread = { channel: message.channel, ts: message.ts };
  S.drawn.thread = "";
  renderThread();
}

function renderThread() {
  const pane = $("thread");
  const c = S.thread && conversation(S.thread.channel);
  const parent = c?.messages.find((m) => m.ts === S.thread.ts);
  if (!parent) {
    pane.hidden = true;
    S.drawn.thread = "";
    return;
  }
  pane.hidden = false;
  const key = JSON.stringify([S.me, parent]);
  if (key === S.drawn.thread) return;
  const opening = !S.drawn.thread;
  const old = pane.querySelector(".thread-body");
  const atBottom = old && old.scrollHeight - old.scrollTop - old.clientHeight < 40;
  S.drawn.thread = key;
  const input = h("textarea", { rows: 2, class: "thread-input", placeholder: "Reply…", "aria-label": "Reply in thread" });
  const send = async () => {
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    await run(() => api("/api/message", { user: S.me, channel: parent.channel, text, thread_ts: parent.ts }), "Not sent");
  };
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); }
  });
  pane.replaceChildren(
    h("div", { class: "thread-head" },
      h("div", {}, h("b", {}, "Thread"), h("span", { class: "muted" }, c.is_im ? "  Timebox" : `  #${c.name}`)),
      h("button", { type: "button", class: "modal-x", "aria-label": "Close thread", onclick: () => { S.thread = null; renderThread(); } }, "×")),
    h("div", { class: "thread-body" },
      messageNode(parent, true),
      h("div", { class: "thread-count" }, `${parent.replies.length} ${parent.replies.length === 1 ? "reply" : "replies"}`),
      ...parent.replies.map((r) => messageNode(r, true))),
    h("div", { class: "thread-composer" }, input),
  );
  // As Slack: a thread opens at its latest reply, and follows new ones while you are there.
  const body = pane.querySelector(".thread-body");
  const marked = [...body.querySelectorAll(".msg[data-ts]")].find((n) => n.dataset.ts === S.highlight);
  if (marked && opening) marked.scrollIntoView({ block: "center" });
  else if (opening || atBottom) body.scrollTop = body.scrollHeight;
}

// -- modals -------------------------------------------------------------------------------

function renderModalLayer() {
  const modal = S.screen.modal;
  const root = $("modal-root");
  if (!modal) {
    if (S.modal) root.replaceChildren();
    S.modal = null;
    return;
  }
  const errors = JSON.stringify(modal.errors || {});
  if (S.modal && S.modal.key === `${modal.id}:${modal.view.hash}`) {
    if (errors !== S.modalErrors) S.modal.setErrors(modal.errors);
    S.modalErrors = errors;
    return;
  }
  S.modalErrors = errors;
  const container = { kind: "view", view_id: modal.id };
  S.modal = renderModal(modal, ctx(), {
    act: (block, el, value) => act(container, block, el, value, S.modal.collect()),
    submit: async () => {
      if (Object.keys(S.modal.validate()).length) return;
      await run(() => api("/api/submit", { user: S.me, view_id: modal.id, typed: S.modal.collect() }), "Not submitted");
    },
    close: () => run(() => api("/api/close", { user: S.me, view_id: modal.id }), "Could not close"),
  });
  root.replaceChildren(S.modal.node);
  // The input with focus_on_load gets the cursor (Slack allows one per view); else the first.
  const wanted = (modal.view.blocks || []).find((b) => b.element?.focus_on_load);
  const where = wanted
    ? S.modal.node.querySelector(`[data-block-id="${CSS.escape(wanted.block_id)}"]`)
    : S.modal.node;
  (where || S.modal.node).querySelector("input:not([type=checkbox]):not([type=radio]), textarea, select, input")?.focus();
}

// -- the composer and slash commands --------------------------------------------------------

function commandMatches(text) {
  const m = text.match(/^(\/\S*)$/);
  if (!m) return [];
  return S.meta.commands
    .filter((c) => c.command.startsWith(m[1].toLowerCase()))
    .map((c) => ({ kind: "command", ...c }));
}

const folded = (text) => String(text || "").normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();

/** The @word being typed at the cursor, or null. */
function mentionAt(input) {
  const before = input.value.slice(0, input.selectionStart ?? input.value.length);
  const m = before.match(/(^|\s)@([^\s@]*)$/);
  return m ? { query: folded(m[2]), start: before.length - m[2].length - 1 } : null;
}

/** The sandbox's people whose handle, display name or any part of their name starts so. */
function peopleMatches(input) {
  const at = mentionAt(input);
  if (!at) return [];
  return S.meta.people
    .filter((p) => [p.name, p.display_name, ...String(p.real_name || "").split(/\s+/)]
      .some((word) => folded(word).startsWith(at.query)))
    .map((p) => ({ kind: "person", ...p }));
}

function suggestionNode(item, selected, onPick) {
  const attrs = {
    role: "option",
    class: `ac-item${selected ? " selected" : ""}`,
    "aria-selected": selected ? "true" : "false",
    onmousedown: (e) => { e.preventDefault(); onPick(); },
  };
  if (item.kind === "person") {
    return h("li", attrs, avatar(item, "avatar-xs"), " ",
      h("b", {}, item.display_name || item.real_name), " ",
      h("span", { class: "muted" }, item.real_name), " ",
      h("span", { class: "ac-usage" }, item.handle || `@${item.name}`));
  }
  return h("li", attrs,
    h("div", {}, h("b", {}, item.command), " ", h("span", { class: "ac-usage" }, item.usage_hint)),
    h("div", { class: "muted" }, item.description));
}

function drawAutocomplete() {
  const input = $("composer-input");
  const list = $("autocomplete");
  const commands = commandMatches(input.value);
  const items = commands.length ? commands : peopleMatches(input);
  S.autocomplete.items = items;
  S.autocomplete.index = Math.min(S.autocomplete.index, Math.max(items.length - 1, 0));
  list.hidden = !items.length;
  list.setAttribute("aria-label", items[0]?.kind === "person" ? "People" : "Commands");
  list.replaceChildren(...items.map((item, i) =>
    suggestionNode(item, i === S.autocomplete.index, () => complete(item))));
  const typed = input.value.match(/^(\/\S+)\s/);
  const known = typed && S.meta.commands.find((c) => c.command === typed[1].toLowerCase());
  $("composer-hint").textContent = known ? `${known.command} ${known.usage_hint}` : "";
}

function complete(item) {
  const input = $("composer-input");
  if (item.kind === "person") {
    const at = mentionAt(input);
    const cursor = input.selectionStart ?? input.value.length;
    const start = at ? at.start : cursor;
    const mention = `@${item.name} `;
    input.value = input.value.slice(0, start) + mention + input.value.slice(cursor);
    input.setSelectionRange(start + mention.length, start + mention.length);
  } else {
    input.value = `${item.command} `;
  }
  input.focus();
  drawAutocomplete();
}

async function send() {
  const input = $("composer-input");
  const text = input.value.trim();
  if (!text) return;
  const channel = currentConversationId();
  if (!channel) return;
  const isCommand = text.startsWith("/");
  if (!isCommand && S.place.kind === "app") {
    toast("Timebox's Messages tab is read-only: use a slash command here.", "info");
    return;
  }
  input.value = "";
  drawAutocomplete();
  autosize();
  const path = isCommand ? "/api/command" : "/api/message";
  await run(() => api(path, { user: S.me, channel, text }), isCommand ? "Command failed" : "Not sent");
  const scroller = $("scroller");
  scroller.scrollTop = scroller.scrollHeight;
}

function autosize() {
  const input = $("composer-input");
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

function wireComposer() {
  const input = $("composer-input");
  input.addEventListener("input", () => { S.autocomplete.index = 0; drawAutocomplete(); autosize(); });
  input.addEventListener("click", () => drawAutocomplete());
  input.addEventListener("keydown", (e) => {
    const { items } = S.autocomplete;
    if (items.length) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        S.autocomplete.index = (S.autocomplete.index + step + items.length) % items.length;
        drawAutocomplete();
        return;
      }
      const item = items[S.autocomplete.index];
      const typedWhole = item.kind === "command" && input.value === item.command;
      if (e.key === "Tab" || (e.key === "Enter" && !e.shiftKey && !typedWhole)) {
        e.preventDefault();
        complete(items[S.autocomplete.index]);
        return;
      }
      if (e.key === "Escape") { $("autocomplete").hidden = true; S.autocomplete.items = []; return; }
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  });
  $("composer").addEventListener("submit", (e) => { e.preventDefault(); send(); });
  $("file-input").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    const form = new FormData();
    form.append("user", S.me);
    form.append("channel", currentConversationId());
    form.append("file", file);
    await run(async () => {
      const response = await fetch("/api/upload", { method: "POST", body: form });
      if (!response.ok) throw new Error((await response.json()).error);
    }, "Upload failed");
  });
}

// -- the clock and the person ---------------------------------------------------------------

function renderClock() {
  if (!S.meta) return;
  const zone = myZone();
  const date = new Date(now() * 1000);
  const shown = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
  }).format(date);
  $("clock-now").textContent = `🕘 ${shown} · ${zone.split("/").pop().replace(/_/g, " ")}`;
}

function wireClock() {
  for (const button of document.querySelectorAll(".clock-btn")) {
    button.addEventListener("click", async () => {
      const body = button.dataset.tomorrow ? { tomorrow: true, user: S.me } : { minutes: Number(button.dataset.minutes), user: S.me };
      button.disabled = true;
      const result = await run(() => api("/api/clock", body), "The clock did not move");
      button.disabled = false;
      if (result) {
        S.skew = result.now - Date.now() / 1000;
        const when = formatDate(result.now, "{date_short_pretty} at {time}", myZone(), result.now);
        const jobs = result.jobs_ran === 1 ? "1 scheduled job ran" : `${result.jobs_ran} scheduled jobs ran`;
        toast(`Clock moved to ${when}. ${jobs}.`, "info");
        S.drawn.main = ""; // day dividers and "today" may have changed
        render();
      }
    });
  }
}

function wireSwitcher() {
  const switcher = $("user-switcher");
  switcher.replaceChildren(...S.meta.people.map((p) =>
    h("option", { value: p.id, selected: p.id === S.me }, `${p.real_name} (${p.handle}) — ${p.title}`)));
  switcher.addEventListener("change", () => switchTo(switcher.value));
}

function switchTo(user) {
  S.me = user;
  localStorage.setItem("timebox-sandbox-user", user);
  const url = new URL(window.location.href);
  url.searchParams.set("as", user);
  window.history.replaceState(null, "", url);
  S.version = null;
  S.thread = null;
  S.modal = null;
  S.drawn = { main: "", thread: "" };
  $("modal-root").replaceChildren();
  if (S.place.kind === "app") {
    run(() => api("/api/app-home", { user, tab: S.place.tab }), "Could not open Timebox");
  } else {
    refresh(true);
  }
}

// -- toasts -------------------------------------------------------------------------------

function toast(text, kind = "info") {
  const node = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  $("toasts").append(node);
  setTimeout(() => node.remove(), kind === "error" ? 8000 : 5000);
}

// -- start ---------------------------------------------------------------------------------

function wireLinks() {
  document.addEventListener("click", (e) => {
    const a = e.target.closest?.("a[href]");
    if (!a || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const link = permalinkOf(a.href);
    if (!link) return;
    e.preventDefault();
    showPermalink(link);
  });
  window.addEventListener("popstate", () => {
    const link = permalinkOf(window.location.href);
    if (link) showPermalink(link, false);
  });
}

async function start() {
  S.meta = await api("/api/meta");
  S.session = S.meta.session;
  const asked = new URL(window.location.href).searchParams.get("as");
  const remembered = localStorage.getItem("timebox-sandbox-user");
  const known = (id) => S.meta.people.some((p) => p.id === id);
  S.me = known(asked) ? asked : known(remembered) ? remembered : S.meta.default_user;
  S.place = { kind: "channel", id: S.meta.channels[0].id };
  $("workspace-name").textContent = S.meta.workspace.name;
  wireSwitcher();
  wireComposer();
  wireClock();
  $("app-link").addEventListener("click", () => go({ kind: "app", tab: "home" }));
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => go({ kind: "app", tab: tab.dataset.tab }));
  }
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && S.modal && document.activeElement?.closest(".modal")) {
      S.modal.node.querySelector(".modal-cancel")?.click();
    }
  });
  wireLinks();
  setInterval(renderClock, 1000);
  await refresh(true);
  const link = permalinkOf(window.location.href);
  if (link) showPermalink(link, false);
  document.body.classList.add("ready");
  pollForever();
}

start().catch((error) => toast(`The sandbox page could not start: ${error.message}`, "error"));
