// Slack's mrkdwn, rendered the way the Slack client shows it.
//
// Text arrives in Slack's wire format: a literal "<", ">" or "&" is sent as &lt; &gt; &amp;,
// so a real "<" always opens a reference (<@U1>, <#C1>, <!here>, <!date^…>, <url|label>).
// Everything a person wrote ends up HTML-escaped; only the markup built here is HTML.
import { escapeHtml } from "./dom.js";
import { emojify } from "./emoji.js";

const ENTITIES = { amp: "&", lt: "<", gt: ">" };

/** Slack's three entities decoded, in one pass (so "&amp;lt;" stays "&lt;" as text). */
export function decode(text) {
  return String(text ?? "").replace(/&(amp|lt|gt);/g, (_, name) => ENTITIES[name]);
}

/** A plain_text object's text as HTML: entities decoded, emoji if asked, newlines kept. */
export function plainHtml(obj) {
  const text = typeof obj === "string" ? obj : obj?.text ?? "";
  let html = escapeHtml(decode(text));
  if (typeof obj === "string" || obj?.emoji !== false) html = emojify(html);
  return html.replace(/\n/g, "<br>");
}

/** A text object (plain_text or mrkdwn) as HTML. */
export function textHtml(obj, ctx) {
  if (!obj) return "";
  if (obj.type === "mrkdwn") return obj.verbatim ? verbatimHtml(obj.text, ctx) : mrkdwn(obj.text, ctx);
  return plainHtml(obj);
}

function verbatimHtml(text, ctx) {
  // verbatim: no auto-linking of bare names, but references and formatting still apply
  return mrkdwn(text, ctx);
}

export function mrkdwn(text, ctx) {
  const source = String(text ?? "");
  const parts = [];
  let last = 0;
  for (const match of source.matchAll(/```([\s\S]*?)```/g)) {
    parts.push(inlineCodeAndText(source.slice(last, match.index), ctx));
    const code = match[1].replace(/^\n/, "");
    parts.push(`<pre class="mk-pre">${escapeHtml(decode(code))}</pre>`);
    last = match.index + match[0].length;
  }
  parts.push(inlineCodeAndText(source.slice(last), ctx));
  return parts.join("");
}

function inlineCodeAndText(text, ctx) {
  if (!text) return "";
  const out = [];
  let last = 0;
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    out.push(formatted(text.slice(last, match.index), ctx));
    out.push(`<code class="mk-code">${escapeHtml(decode(match[1]))}</code>`);
    last = match.index + match[0].length;
  }
  out.push(formatted(text.slice(last), ctx));
  return out.join("");
}

const BOLD = /(^|[^\w*])\*(?!\s)([^*\n]*?[^\s*])\*(?![\w*])/g;
const ITALIC = /(^|[^\w_])_(?!\s)([^_\n]*?[^\s_])_(?![\w_])/g;
const STRIKE = /(^|[^\w~])~(?!\s)([^~\n]*?[^\s~])~(?![\w~])/g;

function formatted(text, ctx) {
  if (!text) return "";
  const refs = [];
  const marked = text.replace(/<([^<>\n]*)>/g, (_, inner) => {
    refs.push(reference(inner, ctx));
    return `\u0001${refs.length - 1}\u0002`;
  });
  let html = escapeHtml(decode(marked));
  html = html.replace(BOLD, "$1<b>$2</b>").replace(ITALIC, "$1<i>$2</i>").replace(STRIKE, "$1<s>$2</s>");
  html = emojify(html);
  html = quotes(html);
  return html.replace(/\u0001(\d+)\u0002/g, (_, i) => refs[Number(i)]);
}

function quotes(html) {
  // "> text" at the start of a line is a quote; consecutive lines form one quote block
  const lines = html.split("\n");
  const out = [];
  let quote = [];
  const flush = () => {
    if (quote.length) out.push(`<span class="mk-quote">${quote.join("<br>")}</span>`);
    quote = [];
  };
  for (const line of lines) {
    const m = line.match(/^&gt;\s?(.*)$/);
    if (m) quote.push(m[1]);
    else {
      flush();
      out.push(line + "\n");
    }
  }
  flush();
  return out.join("").replace(/\n$/, "").replace(/\n/g, "<br>");
}

function reference(inner, ctx) {
  const [target, ...labelParts] = inner.split("|");
  const label = labelParts.join("|");
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const person = ctx.person(id);
    const name = person ? person.real_name || person.name : label || id;
    const mine = id === ctx.me ? " mk-mention-me" : "";
    return `<span class="mk-mention${mine}" data-user="${escapeHtml(id)}">@${escapeHtml(decode(name))}</span>`;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const name = ctx.channelName(id) || label || id;
    return `<span class="mk-channel">#${escapeHtml(decode(name))}</span>`;
  }
  if (target.startsWith("!")) return special(target.slice(1), label, ctx);
  const url = decode(target);
  const text = label ? decode(label) : url.replace(/^mailto:/, "");
  if (!/^(https?:|mailto:)/i.test(url)) return escapeHtml(text);
  return `<a class="mk-link" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

function special(body, label, ctx) {
  const [kind, ...args] = body.split("^");
  if (kind === "here" || kind === "channel" || kind === "everyone") {
    return `<span class="mk-mention mk-broadcast">@${kind}</span>`;
  }
  if (kind === "subteam") {
    return `<span class="mk-mention">${escapeHtml(decode(label || "@group"))}</span>`;
  }
  if (kind === "date") {
    const [epoch, format, link] = args;
    const seconds = Number(epoch);
    if (!Number.isFinite(seconds) || !format) return escapeHtml(decode(label));
    const shown = formatDate(seconds, decode(format), ctx.tz, ctx.now());
    const full = formatDate(seconds, "{date_long} at {time}", ctx.tz, ctx.now());
    const html = `<span class="mk-date" title="${escapeHtml(full)}">${escapeHtml(shown)}</span>`;
    return link && /^https?:/i.test(link)
      ? `<a class="mk-link" href="${escapeHtml(link)}" target="_blank" rel="noopener noreferrer">${html}</a>`
      : html;
  }
  return escapeHtml(decode(label || `<!${body}>`));
}

// -- dates: <!date^epoch^format|fallback>, in the reader's own time zone -----------------------

function parts(date, tz, options) {
  const out = {};
  for (const p of new Intl.DateTimeFormat("en-US", { timeZone: tz, ...options }).formatToParts(date)) {
    out[p.type] = p.value;
  }
  return out;
}

function ordinal(day) {
  const n = Number(day);
  const suffix = n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";
  return `${n}${suffix}`;
}

function dayNumber(date, tz) {
  const p = parts(date, tz, { year: "numeric", month: "2-digit", day: "2-digit" });
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86400000;
}

function relativeDay(date, tz, now) {
  const diff = dayNumber(date, tz) - dayNumber(now, tz);
  return { 0: "today", "-1": "yesterday", 1: "tomorrow" }[diff];
}

function ago(seconds, nowSeconds) {
  const delta = Math.round(nowSeconds - seconds);
  const size = Math.abs(delta);
  const [amount, unit] =
    size < 60 ? [size, "second"] : size < 3600 ? [Math.round(size / 60), "minute"]
      : size < 86400 ? [Math.round(size / 3600), "hour"] : [Math.round(size / 86400), "day"];
  const words = `${amount} ${unit}${amount === 1 ? "" : "s"}`;
  return delta >= 0 ? `${words} ago` : `in ${words}`;
}

/** Slack's date tokens ({date_short_pretty}, {time}, {ago}…) for an epoch in time zone tz. */
export function formatDate(seconds, format, tz, nowSeconds) {
  const date = new Date(seconds * 1000);
  const now = new Date(nowSeconds * 1000);
  const p = parts(date, tz, {
    year: "numeric", month: "long", day: "numeric", weekday: "long",
    hour: "numeric", minute: "2-digit", second: "2-digit", hour12: true,
  });
  const n = parts(date, tz, { year: "numeric", month: "2-digit", day: "2-digit" });
  const monthShort = p.month.slice(0, 3);
  const tokens = {
    date_num: `${n.year}-${n.month}-${n.day}`,
    date: `${p.month} ${ordinal(p.day)}, ${p.year}`,
    date_short: `${monthShort} ${p.day}, ${p.year}`,
    date_long: `${p.weekday}, ${p.month} ${ordinal(p.day)}, ${p.year}`,
    time: `${p.hour}:${p.minute} ${p.dayPeriod}`,
    time_secs: `${p.hour}:${p.minute}:${p.second} ${p.dayPeriod}`,
    ago: ago(seconds, nowSeconds),
  };
  const relative = relativeDay(date, tz, now);
  tokens.date_pretty = relative || tokens.date;
  tokens.date_short_pretty = relative || tokens.date_short;
  tokens.date_long_pretty = relative || tokens.date_long;
  const out = format.replace(/\{(\w+)\}/g, (whole, name) => tokens[name] ?? whole);
  return out.charAt(0).toUpperCase() + out.slice(1);
}
