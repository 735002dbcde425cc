// earshot dashboard: draws the state sent by the server as SVG. No library,
// no build step. The state comes from /api/state once, then from /events.
"use strict";

const NS = "http://www.w3.org/2000/svg";
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const COLORS = { negative: "#d64545", neutral: "#a3aab8", positive: "#2f9e6e", other: "#dde1e8" };
// Each key's colour in the share-of-voice panel, in the order of the keys.
const KEY_COLORS = ["#3b4bd8", "#e08a00", "#139c9c", "#9b51e0", "#5d6b82", "#d6457a"];
const keyColor = (i) => KEY_COLORS[i % KEY_COLORS.length];

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function svg(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
const pad2 = (n) => String(n).padStart(2, "0");
// Times are shown in UTC, as the monitor prints them.
function fmtTime(s, withDay) {
  const d = new Date(s);
  if (isNaN(d) || d.getUTCFullYear() < 2000) return "—";
  const hm = pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes());
  return withDay === false ? hm : DAYS[d.getUTCDay()] + " " + hm;
}
// A time is set when it is after 2000: an open episode's end is Go's zero
// time, "0001-01-01T00:00:00Z".
function isSet(s) {
  const d = new Date(s);
  return !isNaN(d) && d.getUTCFullYear() >= 2000;
}
const pct = (x) => Math.round(100 * (x || 0)) + "%";
const num = (x) => Math.round(x).toLocaleString("en");
function clip(s, n) {
  s = (s || "").replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
// niceScale returns the top of a count axis and the step of its ticks:
// whole numbers of 1, 2 or 5 times a power of ten, at most four steps, so
// every tick label is the exact value at its line.
function niceScale(v) {
  const raw = Math.max(1, v) / 4;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw));
  return { max: Math.max(step, Math.ceil(v / step) * step), step };
}

const HOUR = 3600 * 1000;
const MIN_SLOTS = 24;

// frame returns the x scale shared by every chart of every key: from the
// earliest point of any key to the latest, so the keys line up.
function frame(keys) {
  let t0 = Infinity, t1 = -Infinity;
  for (const k of keys) {
    const pts = k.points || [];
    if (!pts.length) continue;
    t0 = Math.min(t0, Date.parse(pts[0].at));
    t1 = Math.max(t1, Date.parse(pts[pts.length - 1].at));
  }
  if (t0 === Infinity) return { t0: 0, slots: MIN_SLOTS };
  return { t0, slots: Math.max(MIN_SLOTS, Math.round((t1 - t0) / HOUR) + 1) };
}
const slotOf = (fr, at) => Math.round((Date.parse(at) - fr.t0) / HOUR);

function xAxis(g, fr, x, h) {
  for (let i = 0; i <= fr.slots; i++) {
    const t = new Date(fr.t0 + i * HOUR);
    if (t.getUTCHours() % 12 !== 0) continue;
    const xx = x(i);
    if (xx > h.right - 24) continue;
    g.appendChild(svg("line", { x1: xx, x2: xx, y1: h.top, y2: h.bottom, class: "grid" }));
    const label = t.getUTCHours() === 0 ? DAYS[t.getUTCDay()] + " " + pad2(t.getUTCDate()) : "12:00";
    // A label at the left edge starts at its line, clear of the y axis's
    // bottom label.
    const anchor = xx - labelWidth(label) / 2 < h.left ? "start" : "middle";
    g.appendChild(svg("text", { x: xx, y: h.bottom + 15, "text-anchor": anchor, class: "xtick" }, label));
  }
}

// Alert labels sit in rows above the plot, never over the bars: each is
// placed right of its marker (left of it near the right edge) in the first
// row where it overlaps no other label; one that fits nowhere is left out
// (its marker's tooltip still names it).
const LABEL_ROWS = 4, ROW_H = 14;
const labelWidth = (s) => 7 * s.length + 4; // generous for 11px bold text

function placeLabels(marks, left, right) {
  const rows = [];
  for (const m of marks) {
    const w = labelWidth(m.label);
    let x0 = m.x + 4, anchor = "start";
    if (x0 + w > right) { x0 = m.x - 4 - w; anchor = "end"; }
    if (x0 < left) continue;
    const x1 = x0 + w;
    let r = rows.findIndex((used) => used.every(([a, b]) => x1 + 6 <= a || x0 >= b + 6));
    if (r < 0 && rows.length < LABEL_ROWS) { rows.push([]); r = rows.length - 1; }
    if (r < 0) continue;
    rows[r].push([x0, x1]);
    m.row = r;
    m.tx = anchor === "start" ? x0 : x1;
    m.anchor = anchor;
  }
  return rows.length;
}

function volumeChart(key, alerts, fr) {
  const W = 760, L = 44, R = 12, B = 26;
  const pts = key.points || [];
  const bw = (W - L - R) / fr.slots;
  const x = (i) => L + i * bw;
  // Alert markers at the start of each episode of this key.
  const marks = [];
  for (const a of alerts.slice().reverse()) {
    if (a.tracked !== key.name) continue;
    const i = (Date.parse(a.start) - fr.t0) / HOUR;
    if (i < 0 || i > fr.slots) continue;
    const label = "⚠ " + shortKind(a);
    if (marks.some((m) => m.label === label && Math.abs(m.i - i) < 1)) continue;
    marks.push({ i, x: x(i), label, severity: a.severity, title: a.title });
  }
  marks.sort((a, b) => a.x - b.x);
  const rows = placeLabels(marks, L, W - R);
  const T = 14 + rows * ROW_H, H = 204 + T;
  const sc = niceScale(Math.max(1, ...pts.map((p) => p.posts)));
  const y = (v) => H - B - (v / sc.max) * (H - T - B);
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart volume", role: "img",
    "aria-label": `Posts per hour about ${key.name}, by sentiment` });
  const g = svg("g");
  for (let v = 0; v <= sc.max; v += sc.step) {
    const yy = y(v);
    g.appendChild(svg("line", { x1: L, x2: W - R, y1: yy, y2: yy, class: "grid" }));
    g.appendChild(svg("text", { x: L - 6, y: yy + 4, "text-anchor": "end", class: "ytick" }, v.toLocaleString("en")));
  }
  xAxis(g, fr, x, { top: T, bottom: H - B, left: L, right: W - R });
  g.appendChild(svg("text", { x: 12, y: (H - B + T) / 2, transform: `rotate(-90 12 ${(H - B + T) / 2})`,
    "text-anchor": "middle" }, "posts / hour"));
  const bars = svg("g", { class: "bars" });
  for (const p of pts) {
    const i = slotOf(fr, p.at);
    const stack = svg("g", { class: "stack", "data-posts": p.posts });
    let base = 0;
    const parts = [["negative", p.negative], ["neutral", p.neutral], ["positive", p.positive],
      ["other", p.posts - p.scored]];
    for (const [cls, n] of parts) {
      if (!n) continue;
      const y1 = y(base + n), y0 = y(base);
      stack.appendChild(svg("rect", { class: "bar " + cls, x: (x(i) + 1).toFixed(1), y: y1.toFixed(2),
        width: Math.max(1, bw - 2).toFixed(1), height: (y0 - y1).toFixed(2), fill: COLORS[cls] }));
      base += n;
    }
    if (!stack.childNodes.length) continue;
    stack.appendChild(svg("title", {}, `${fmtTime(p.at)}: ${p.posts} posts, ` +
      `${p.negative} negative, ${p.neutral} neutral, ${p.positive} positive`));
    bars.appendChild(stack);
  }
  g.appendChild(bars);
  for (const m of marks) {
    const line = svg("line", { x1: m.x, x2: m.x, y1: T, y2: H - B, class: "marker " + m.severity });
    line.appendChild(svg("title", {}, m.title));
    g.appendChild(line);
    if (m.row === undefined) continue;
    g.appendChild(svg("text", { x: m.tx, y: 14 + m.row * ROW_H - 3, "text-anchor": m.anchor, class: "mlabel",
      fill: m.severity === "critical" ? "#c62828" : "#d98a00" }, m.label));
  }
  g.appendChild(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "zero" }));
  s.appendChild(g);
  return s;
}

function shortKind(a) {
  if (a.kind === "viral") return "viral post";
  if (a.kind === "sentiment") return "negative shift";
  if (a.kind === "drop") return "drop: " + (a.series || a.key);
  return "spike: " + (a.series || a.key);
}

function sentimentChart(key, fr) {
  const W = 760, H = 150, L = 44, R = 12, T = 10, B = 24;
  const pts = key.points || [];
  const bw = (W - L - R) / fr.slots;
  const x = (i) => L + (i + 0.5) * bw;
  const y = (v) => T + ((1 - v) / 2) * (H - T - B);
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart sentiment", role: "img",
    "aria-label": `Mean sentiment per hour about ${key.name}` });
  s.appendChild(svg("rect", { x: L, y: y(1), width: W - L - R, height: y(0) - y(1), fill: "#eefaf4" }));
  s.appendChild(svg("rect", { x: L, y: y(0), width: W - L - R, height: y(-1) - y(0), fill: "#fdf0f0" }));
  const g = svg("g");
  xAxis(g, fr, (i) => L + i * bw, { top: T, bottom: H - B, left: L, right: W - R });
  for (const v of [-1, -0.5, 0, 0.5, 1]) {
    g.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: v === 0 ? "zero" : "grid" }));
    g.appendChild(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "ytick" }, (v > 0 ? "+" : "") + v));
  }
  g.appendChild(svg("text", { x: L + 6, y: y(1) + 12 }, "positive"));
  g.appendChild(svg("text", { x: L + 6, y: y(-1) - 5 }, "negative"));
  let d = "";
  const dots = svg("g");
  let pen = false;
  let prev = -2;
  pts.forEach((p) => {
    const i = slotOf(fr, p.at);
    if (i !== prev + 1) pen = false;
    prev = i;
    if (!p.scored) { pen = false; return; }
    const xx = x(i).toFixed(1), yy = y(p.compound).toFixed(1);
    d += (pen ? " L" : " M") + xx + " " + yy;
    pen = true;
    const c = svg("circle", { cx: xx, cy: yy, r: 2.5, class: "pt",
      fill: p.compound <= -0.05 ? COLORS.negative : p.compound >= 0.05 ? COLORS.positive : COLORS.neutral });
    c.appendChild(svg("title", {}, `${fmtTime(p.at)}: mean ${p.compound.toFixed(2)} over ${p.scored} posts`));
    dots.appendChild(c);
  });
  if (d) g.appendChild(svg("path", { d: d.trim(), class: "sentiment-line" }));
  g.appendChild(dots);
  s.appendChild(g);
  return s;
}

function legend() {
  const l = el("span", { class: "legend" });
  for (const [k, label] of [["negative", "negative"], ["neutral", "neutral"], ["positive", "positive"], ["other", "not scored"]]) {
    const item = el("span");
    item.appendChild(el("i", { style: "background:" + COLORS[k] }));
    item.appendChild(document.createTextNode(label));
    l.appendChild(item);
  }
  return l;
}

function stat(cls, value, label) {
  const d = el("div", { class: "stat " + cls });
  d.appendChild(el("b", {}, value));
  d.appendChild(el("span", {}, label));
  return d;
}

function renderKeys(state) {
  const root = document.getElementById("keys");
  root.replaceChildren();
  const fr = frame(state.keys || []);
  for (const [i, k] of (state.keys || []).entries()) {
    const card = el("article", { class: "card key", "data-key": k.name });
    const h = el("h2");
    h.appendChild(el("span", { class: "swatch", style: "background:" + keyColor(i) }));
    h.appendChild(document.createTextNode(k.name));
    h.appendChild(el("span", { class: "query" }, k.query));
    card.appendChild(h);
    const stats = el("div", { class: "stats" });
    stats.appendChild(stat("", num(k.posts), "posts"));
    stats.appendChild(stat("neg", pct(k.negative), "negative"));
    stats.appendChild(stat("neu", pct(k.neutral), "neutral"));
    stats.appendChild(stat("pos", pct(k.positive), "positive"));
    stats.appendChild(stat("", (k.compound >= 0 ? "+" : "") + (k.compound || 0).toFixed(2), "mean sentiment"));
    card.appendChild(stats);
    const f1 = el("figure");
    const c1 = el("figcaption");
    c1.appendChild(el("span", {}, "Volume: posts per hour, by sentiment (UTC)"));
    c1.appendChild(legend());
    f1.appendChild(c1);
    f1.appendChild(volumeChart(k, state.alerts || [], fr));
    card.appendChild(f1);
    const f2 = el("figure");
    f2.appendChild(el("figcaption", {}, "Sentiment: mean VADER compound score per hour (−1 very negative … +1 very positive)"));
    f2.appendChild(sentimentChart(k, fr));
    card.appendChild(f2);
    root.appendChild(card);
  }
  if (!root.children.length) root.appendChild(el("p", { class: "empty" }, "Waiting for the first posts…"));
  document.getElementById("keynames").textContent = (state.keys || []).map((k) => k.name).join(", ") || "your brand";
}

// shares is a post's reshare figures, written the same way in its alert
// and in the most shared panel.
const shares = (v) => `${num(v.observed)} reshares so far, predicted ${num(v.final)} (${num(v.low)}–${num(v.high)})`;

// quiet is what the alerts panel says when there are none: silence means
// nothing while the source is failing or has said nothing yet.
function quiet(state) {
  const st = state.status || {};
  if (st.error) return "No alerts, but the source failed (see above): silence here means nothing.";
  if (st.waiting) return "No alerts: the replay starts when this page connects.";
  if (!state.heard) return st.problems ? "No alerts: nothing heard yet, and the source is having problems (see above)." : "No alerts: nothing heard yet.";
  return "No alerts yet: all quiet.";
}

function renderAlerts(state) {
  const root = document.getElementById("alerts");
  const alerts = state.alerts || [];
  root.replaceChildren();
  const open = alerts.filter((a) => !isSet(a.end)).length;
  const count = document.getElementById("alert-count");
  count.textContent = alerts.length;
  count.className = "count" + (open ? " hot" : "");
  if (!alerts.length) { root.appendChild(el("p", { class: "empty" }, quiet(state))); return; }
  // Ongoing first, then the most severe, then the newest.
  const rank = { critical: 0, warning: 1, info: 2 };
  const sorted = alerts.slice().sort((a, b) => (isSet(a.end) - isSet(b.end)) ||
    ((rank[a.severity] ?? 3) - (rank[b.severity] ?? 3)) || (Date.parse(b.start) - Date.parse(a.start)));
  const viral = new Map((state.viral || []).map((v) => [v.id, v]));
  for (const a of sorted) {
    const ended = isSet(a.end);
    const box = el("div", { class: `alert ${a.severity}${ended ? " ended" : ""}`, "data-kind": a.kind, "data-key": a.key });
    const t = el("div", { class: "title" });
    t.appendChild(el("span", { class: "sev " + a.severity }, a.severity));
    t.appendChild(document.createTextNode(a.title));
    box.appendChild(t);
    // A viral post's figures come from the most shared list, so the card
    // and the panel never disagree; the detector's own summary otherwise.
    const v = a.kind === "viral" && viral.get(a.key);
    box.appendChild(el("div", { class: "summary" }, v ? shares(v) : a.summary));
    box.appendChild(el("div", { class: "meta" }, `${a.tracked} · started ${fmtTime(a.start)}` +
      (ended ? ` · ended ${fmtTime(a.end)}` : " · ongoing")));
    if ((a.reasons || []).length) box.appendChild(why(a.reasons));
    for (const e of a.evidence || []) box.appendChild(el("blockquote", {}, "“" + clip(e.text, 160) + "”"));
    root.appendChild(box);
  }
}

// reasonName writes what stood out as a person would: a word in quotes,
// #hashtag, @handle, "by" an author, "on" a platform.
function reasonName(r) {
  switch (r.kind) {
    case "hashtag": return "#" + r.value;
    case "mention": return "@" + r.value;
    case "author": return "by " + r.value;
    case "source": return "on " + r.value;
  }
  return "“" + r.value + "”";
}
// lift writes how many times as often as before: "3.2×", "40×", "100×+".
function lift(x) {
  if (x >= 100) return "100×+";
  return (x >= 10 ? Math.round(x) : x.toFixed(1)) + "×";
}
// why is an alert's line of reasons: what stood out in its episode, the
// share of the episode's posts that had it, how many times as often as
// in the key's posts before.
function why(reasons) {
  const d = el("div", { class: "why" });
  d.appendChild(el("span", {}, "Why:"));
  for (const r of reasons) {
    const chip = el("span", { class: "reason", "data-kind": r.kind, "data-value": r.value,
      title: `${r.count} of the episode's posts (${pct(r.share)}), ${lift(r.lift)} as often as before` });
    chip.appendChild(el("span", { class: "what" }, reasonName(r)));
    chip.appendChild(document.createTextNode(" "));
    chip.appendChild(el("b", {}, pct(r.share)));
    chip.appendChild(document.createTextNode(" "));
    chip.appendChild(el("i", {}, lift(r.lift)));
    d.appendChild(chip);
  }
  return d;
}

// renderVoice draws the share-of-voice panel: each key's part of all the
// keys' mentions over the charts' hours (a bar and a legend), hour by hour
// (a chart on the keys' x axis), and a table of mentions, authors, reach
// and sentiment.
function renderVoice(state) {
  const root = document.getElementById("voice");
  const v = state.voice || {};
  const keys = v.keys || [];
  root.replaceChildren();
  const total = keys.reduce((a, k) => a + k.mentions, 0);
  document.getElementById("voice-hint").textContent = isSet(v.from) ?
    `each key's part of all the keys' mentions, ${fmtTime(v.from)} – ${fmtTime(v.to)} (UTC)` : "each key's part of all the keys' mentions";
  if (!total) { root.appendChild(el("p", { class: "empty" }, "No mentions yet.")); return; }

  const legend = el("div", { class: "sov-legend" });
  keys.forEach((k, i) => {
    const item = el("span", { class: "item", "data-key": k.key });
    item.appendChild(el("i", { class: "swatch", style: "background:" + keyColor(i) }));
    item.appendChild(document.createTextNode(k.key + " "));
    item.appendChild(el("b", { class: "share" }, pct(k.share)));
    item.appendChild(el("span", {}, ` · ${num(k.mentions)} mentions`));
    legend.appendChild(item);
  });
  root.appendChild(legend);
  root.appendChild(shareBar(keys));
  const f = el("figure");
  f.appendChild(el("figcaption", {}, "Share of voice per hour (UTC)"));
  f.appendChild(shareChart(v, keys, frame(state.keys || [])));
  root.appendChild(f);

  const t = el("table", { class: "sov" });
  const head = el("tr");
  for (const h of ["key", "mentions", "share", "authors", "reach", "negative / neutral / positive", "net"]) head.appendChild(el("th", {}, h));
  t.appendChild(head);
  keys.forEach((k, i) => {
    const tr = el("tr", { "data-key": k.key });
    const name = el("td");
    name.appendChild(el("span", { class: "swatch", style: "background:" + keyColor(i) }));
    name.appendChild(document.createTextNode(k.key));
    tr.appendChild(name);
    const approx = k.estimated ? "~" : "";
    tr.appendChild(el("td", { class: "mentions" }, num(k.mentions)));
    tr.appendChild(el("td", { class: "share" }, pct(k.share)));
    tr.appendChild(el("td", { class: "authors", title: k.estimated ? "estimated from a sample of the authors" : "" }, approx + num(k.authors)));
    tr.appendChild(el("td", { class: "reach", title: "followers of the distinct authors" }, approx + num(k.reach)));
    const scored = k.negative + k.neutral + k.positive;
    const mix = el("td", { class: "mixcell" });
    const bar = el("span", { class: "mix" });
    for (const [cls, n] of [["negative", k.negative], ["neutral", k.neutral], ["positive", k.positive]])
      if (n) bar.appendChild(el("i", { style: `width:${(100 * n) / scored}%;background:${COLORS[cls]}` }));
    mix.appendChild(bar);
    mix.appendChild(document.createTextNode(scored ? `${pct(k.negative / scored)} / ${pct(k.neutral / scored)} / ${pct(k.positive / scored)}` : "—"));
    tr.appendChild(mix);
    tr.appendChild(el("td", { class: "net" }, (k.net >= 0 ? "+" : "") + (k.net || 0).toFixed(2)));
    t.appendChild(tr);
  });
  root.appendChild(t);
}

// shareBar is one bar split by the keys' shares, each part labelled
// inside when its label fits (the legend above names every key).
function shareBar(keys) {
  const W = 760, H = 26;
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart sov-bar", role: "img", "aria-label": "Share of voice" });
  let x = 0;
  keys.forEach((k, i) => {
    const w = k.share * W;
    if (w <= 0) return;
    const seg = svg("rect", { x: x.toFixed(2), y: 0, width: w.toFixed(2), height: H, fill: keyColor(i), class: "seg", "data-key": k.key });
    seg.appendChild(svg("title", {}, `${k.key}: ${pct(k.share)} of the mentions (${num(k.mentions)})`));
    s.appendChild(seg);
    const label = `${k.key} ${pct(k.share)}`;
    if (labelWidth(label) + 8 <= w) s.appendChild(svg("text", { x: (x + 6).toFixed(2), y: 17, class: "seg", "data-key": k.key }, label));
    x += w;
  });
  return s;
}

// shareChart shows each hour's mentions split by key, as shares of the
// hour's total, on the x axis of the keys' charts.
function shareChart(v, keys, fr) {
  const W = 760, H = 110, L = 44, R = 12, T = 8, B = 24;
  const bw = (W - L - R) / fr.slots;
  const x = (i) => L + i * bw;
  const y = (f) => T + (1 - f) * (H - T - B);
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart sov-hours", role: "img", "aria-label": "Share of voice per hour" });
  const g = svg("g");
  for (const f of [0, 0.5, 1]) {
    g.appendChild(svg("line", { x1: L, x2: W - R, y1: y(f), y2: y(f), class: f === 0 ? "zero" : "grid" }));
    g.appendChild(svg("text", { x: L - 6, y: y(f) + 4, "text-anchor": "end", class: "ytick" }, pct(f)));
  }
  xAxis(g, fr, x, { top: T, bottom: H - B, left: L, right: W - R });
  const cols = svg("g", { class: "cols" });
  for (const h of v.hours || []) {
    const sum = h.mentions.reduce((a, n) => a + n, 0);
    if (!sum) continue;
    const i = slotOf(fr, h.at);
    if (i < 0 || i >= fr.slots) continue;
    const col = svg("g", { class: "col", "data-at": h.at });
    let base = 0;
    h.mentions.forEach((n, k) => {
      if (!n) return;
      const y1 = y((base + n) / sum), y0 = y(base / sum);
      col.appendChild(svg("rect", { x: (x(i) + 0.5).toFixed(1), y: y1.toFixed(2), width: Math.max(1, bw - 1).toFixed(1),
        height: (y0 - y1).toFixed(2), fill: keyColor(k) }));
      base += n;
    });
    col.appendChild(svg("title", {}, `${fmtTime(h.at)}: ` + keys.map((k, j) => `${k.key} ${pct(h.mentions[j] / sum)} (${h.mentions[j]})`).join(", ")));
    cols.appendChild(col);
  }
  g.appendChild(cols);
  s.appendChild(g);
  return s;
}

// renderDrivers lists who drove each key's conversation on the latest
// day: most mentions, largest audiences, advocates (two or more positive
// mentions), detractors (two or more negative).
function renderDrivers(state) {
  const root = document.getElementById("drivers");
  const keys = (state.voice || {}).keys || [];
  root.replaceChildren();
  const any = keys.some((k) => ((k.drivers || {}).by_mentions || []).length);
  const d0 = (keys[0] || {}).drivers || {};
  document.getElementById("drivers-hint").textContent = isSet(d0.start) ?
    `on ${DAYS[new Date(d0.start).getUTCDay()]} ${pad2(new Date(d0.start).getUTCDate())} (UTC), the first three of each list` :
    "the authors behind each key's conversation";
  if (!any) { root.appendChild(el("p", { class: "empty" }, "No authors yet.")); return; }
  const grid = el("div", { class: "drivers", style: `--keys:${keys.length}` });
  grid.appendChild(el("div"));
  keys.forEach((k, i) => {
    const h = el("div", { class: "head" });
    h.appendChild(el("span", { class: "swatch", style: "background:" + keyColor(i) }));
    h.appendChild(document.createTextNode(k.key));
    grid.appendChild(h);
  });
  const lists = [["by_mentions", "Most mentions", "mentions"], ["by_reach", "Largest audiences", "followers"],
    ["advocates", "Advocates", "positive mentions"], ["detractors", "Detractors", "negative mentions"]];
  for (const [field, name, unit] of lists) {
    grid.appendChild(el("div", { class: "list-name" }, name));
    for (const k of keys) {
      const vs = ((k.drivers || {})[field] || []).slice(0, 3);
      const cell = el("div", { class: "cell", "data-key": k.key, "data-list": field });
      if (!vs.length) { cell.appendChild(el("span", { class: "none" }, "none")); grid.appendChild(cell); continue; }
      const ol = el("ol");
      for (const v of vs) {
        const li = el("li", { title: `${v.author}: ${num(field === "by_reach" ? v.followers : v.mentions)} ${unit}` });
        li.appendChild(el("span", { class: "who" }, v.author));
        li.appendChild(el("span", { class: "n" }, num(field === "by_reach" ? v.followers : v.mentions)));
        ol.appendChild(li);
      }
      cell.appendChild(ol);
      grid.appendChild(cell);
    }
  }
  root.appendChild(grid);
}

function renderTrending(state) {
  const root = document.getElementById("trending");
  root.replaceChildren();
  const ts = state.trending || [];
  // The server keeps the last window's hashtags when the current one has
  // none (the end of a replay): say when that window was.
  const old = isSet(state.trending_at) && Date.parse(state.at) - Date.parse(state.trending_at) >= HOUR;
  document.getElementById("trending-hint").textContent = old ?
    `uses in the hour to ${fmtTime(state.trending_at)}; none trending since` : "uses in the last hour";
  if (!ts.length) { root.appendChild(el("li", { class: "empty" }, "Nothing trending yet.")); return; }
  const max = Math.max(...ts.map((t) => t.count));
  for (const t of ts) {
    const li = el("li");
    li.appendChild(el("span", { class: "term" }, t.term));
    li.appendChild(el("span", { class: "n" }, num(t.count)));
    const bar = el("span", { class: "bar" });
    bar.appendChild(el("i", { style: `width:${(100 * t.count) / max}%` }));
    li.appendChild(bar);
    root.appendChild(li);
  }
}

function renderViral(state) {
  const root = document.getElementById("viral");
  root.replaceChildren();
  const vs = state.viral || [];
  if (!vs.length) { root.appendChild(el("p", { class: "empty" }, "No reshares yet.")); return; }
  for (const v of vs) {
    const d = el("div", { class: "post", "data-id": v.id });
    d.appendChild(el("div", { class: "text" }, clip(v.text, 140)));
    const m = el("div", { class: "meta" });
    m.appendChild(el("span", {}, (v.tracked ? v.tracked + " · " : "") + fmtTime(v.posted)));
    m.appendChild(el("span", { class: "shares" + (v.flagged ? " flag" : "") },
      shares(v) + (v.flagged ? " · going viral" : "")));
    d.appendChild(m);
    const p = el("div", { class: "progress" });
    p.appendChild(el("i", { style: `width:${Math.min(100, (100 * v.observed) / Math.max(1, v.final))}%` }));
    d.appendChild(p);
    root.appendChild(d);
  }
}

// renderProblem shows what keeps the page from telling the whole story:
// the source's final error, its retries and skipped records, a stall.
function renderProblem(state) {
  const st = state.status || {};
  const box = document.getElementById("problem");
  const lines = [];
  if (st.error) lines.push("The source failed: " + st.error + ". Nothing more will come in.");
  if (st.problems) lines.push(`${num(st.problems)} source problem${st.problems === 1 ? "" : "s"} so far ` +
    `(retries, reconnects, skipped records); latest: ${st.problem || "—"}`);
  if (st.mode === "live" && st.running && st.idle >= 60)
    lines.push(`No posts for ${Math.floor(st.idle / 60)} min: the source may be stalled.`);
  box.replaceChildren(...lines.map((l) => el("div", {}, l)));
  box.hidden = !lines.length;
  box.className = "problem" + (st.error ? " failed" : "");
  document.body.dataset.problem = lines.length ? "1" : "0";
}

function render(state) {
  renderProblem(state);
  renderVoice(state);
  renderDrivers(state);
  renderKeys(state);
  renderAlerts(state);
  renderTrending(state);
  renderViral(state);
  const st = state.status || {};
  document.getElementById("clock").textContent = "data time " + fmtTime(state.at);
  let counts = st.waiting ? "replay starts when this page connects · " : "";
  counts += `${num(state.matched || 0)} posts matched of ${num(state.heard || 0)} heard`;
  const dr = state.dropped || {};
  if (dr.near_duplicates || dr.bots) counts += ` · ${num(dr.near_duplicates || 0)} near-duplicates and ${num(dr.bots || 0)} bot posts left out`;
  if (st.mode === "replay") counts += st.done ? " · replay finished" : ` · replay ×${num(st.speed)}`;
  if (st.error) counts += " · source failed";
  document.getElementById("counts").textContent = counts;
  document.body.dataset.matched = state.matched || 0;
  document.body.dataset.done = st.done ? "1" : "0";
}

let pending = null;
function schedule(state) {
  // Draw at most once per animation frame.
  if (pending === null) requestAnimationFrame(() => { const s = pending; pending = null; render(s); });
  pending = state;
}

function setConn(on, text) {
  const c = document.getElementById("conn");
  c.className = "pill " + (on ? "on" : "off");
  c.textContent = text;
}

// The server puts the latest snapshot in the page, so it is drawn before
// the page has finished loading; without it, ask for one.
if (window.EARSHOT_STATE) render(window.EARSHOT_STATE);
else fetch("api/state").then((r) => (r.ok ? r.json() : null)).then((s) => { if (s) render(s); }).catch(() => {});
const es = new EventSource("events");
es.addEventListener("state", (e) => schedule(JSON.parse(e.data)));
es.onopen = () => setConn(true, "live updates");
es.onerror = () => setConn(false, "reconnecting…");
