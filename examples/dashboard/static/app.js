// earshot dashboard: draws the state sent by the server as SVG. No library,
// no build step. The state comes from /api/state once, then from /events.
"use strict";

const NS = "http://www.w3.org/2000/svg";
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const COLORS = { negative: "#d64545", neutral: "#a3aab8", positive: "#2f9e6e", other: "#dde1e8" };

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
const pct = (x) => Math.round(100 * (x || 0)) + "%";
const num = (x) => Math.round(x).toLocaleString("en");
function clip(s, n) {
  s = (s || "").replace(/\s+/g, " ").trim();
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
function niceMax(v) {
  if (v <= 5) return 5;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const HOUR = 3600 * 1000;
const MIN_SLOTS = 24;

// chartFrame returns the x scale shared by both charts of a key.
function frame(points) {
  const t0 = points.length ? Date.parse(points[0].at) : 0;
  const slots = Math.max(MIN_SLOTS, points.length);
  return { t0, slots };
}

function xAxis(g, fr, x, h) {
  for (let i = 0; i <= fr.slots; i++) {
    const t = new Date(fr.t0 + i * HOUR);
    if (t.getUTCHours() % 12 !== 0) continue;
    const xx = x(i);
    if (xx > h.right - 24) continue;
    g.appendChild(svg("line", { x1: xx, x2: xx, y1: h.top, y2: h.bottom, class: "grid" }));
    const label = t.getUTCHours() === 0 ? DAYS[t.getUTCDay()] + " " + pad2(t.getUTCDate()) : "12:00";
    g.appendChild(svg("text", { x: xx, y: h.bottom + 15, "text-anchor": "middle" }, label));
  }
}

function volumeChart(key, alerts) {
  const W = 760, H = 230, L = 44, R = 12, T = 14, B = 26;
  const pts = key.points || [];
  const fr = frame(pts);
  const bw = (W - L - R) / fr.slots;
  const x = (i) => L + i * bw;
  const max = niceMax(Math.max(1, ...pts.map((p) => p.posts)));
  const y = (v) => H - B - (v / max) * (H - T - B);
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart volume", role: "img",
    "aria-label": `Posts per hour about ${key.name}, by sentiment` });
  const g = svg("g");
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4, yy = y(v);
    g.appendChild(svg("line", { x1: L, x2: W - R, y1: yy, y2: yy, class: "grid" }));
    g.appendChild(svg("text", { x: L - 6, y: yy + 4, "text-anchor": "end" }, num(v)));
  }
  xAxis(g, fr, x, { top: T, bottom: H - B, right: W - R });
  g.appendChild(svg("text", { x: 12, y: (H - B + T) / 2, transform: `rotate(-90 12 ${(H - B + T) / 2})`,
    "text-anchor": "middle" }, "posts / hour"));
  const bars = svg("g", { class: "bars" });
  pts.forEach((p, i) => {
    let base = 0;
    const parts = [["negative", p.negative], ["neutral", p.neutral], ["positive", p.positive],
      ["other", p.posts - p.scored]];
    for (const [cls, n] of parts) {
      if (!n) continue;
      const y1 = y(base + n), y0 = y(base);
      bars.appendChild(svg("rect", { class: "bar " + cls, x: (x(i) + 1).toFixed(1), y: y1.toFixed(1),
        width: Math.max(1, bw - 2).toFixed(1), height: Math.max(0.5, y0 - y1).toFixed(1), fill: COLORS[cls] },
      ));
      base += n;
    }
    bars.lastChild && bars.lastChild.appendChild(svg("title", {}, `${fmtTime(p.at)}: ${p.posts} posts, ` +
      `${p.negative} negative, ${p.neutral} neutral, ${p.positive} positive`));
  });
  g.appendChild(bars);
  // Alert markers at the start of each episode of this key, labelled to
  // the right of their cluster.
  const marks = [];
  for (const a of alerts.slice().reverse()) {
    if (a.tracked !== key.name && a.kind !== "viral") continue;
    const i = (Date.parse(a.start) - fr.t0) / HOUR;
    if (i < 0 || i > fr.slots) continue;
    const label = "⚠ " + shortKind(a);
    if (marks.some((m) => m.label === label && Math.abs(m.i - i) < 1)) continue;
    marks.push({ i, x: x(i), label, severity: a.severity });
  }
  let row = 0, clusterEnd = -1e9, labelX = 0;
  for (const m of marks) {
    g.appendChild(svg("line", { x1: m.x, x2: m.x, y1: T, y2: H - B, class: "marker " + m.severity }));
    if (m.x - clusterEnd > 140) {
      row = 0;
      labelX = Math.max(...marks.filter((o) => o.x >= m.x && o.x - m.x < 40).map((o) => o.x));
    }
    clusterEnd = m.x;
    g.appendChild(svg("text", { x: Math.min(labelX + 5, W - R - 130), y: T + 10 + 13 * row++, class: "mlabel",
      fill: m.severity === "critical" ? "#c62828" : "#d98a00" }, m.label));
  }
  g.appendChild(svg("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "zero" }));
  s.appendChild(g);
  return s;
}

function shortKind(a) {
  if (a.kind === "viral") return "viral post";
  if (a.kind === "sentiment") return "negative shift";
  return "spike: " + (a.series || a.key);
}

function sentimentChart(key) {
  const W = 760, H = 150, L = 44, R = 12, T = 10, B = 24;
  const pts = key.points || [];
  const fr = frame(pts);
  const bw = (W - L - R) / fr.slots;
  const x = (i) => L + (i + 0.5) * bw;
  const y = (v) => T + ((1 - v) / 2) * (H - T - B);
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart sentiment", role: "img",
    "aria-label": `Mean sentiment per hour about ${key.name}` });
  s.appendChild(svg("rect", { x: L, y: y(1), width: W - L - R, height: y(0) - y(1), fill: "#eefaf4" }));
  s.appendChild(svg("rect", { x: L, y: y(0), width: W - L - R, height: y(-1) - y(0), fill: "#fdf0f0" }));
  const g = svg("g");
  xAxis(g, fr, (i) => L + i * bw, { top: T, bottom: H - B, right: W - R });
  for (const v of [-1, -0.5, 0, 0.5, 1]) {
    g.appendChild(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: v === 0 ? "zero" : "grid" }));
    g.appendChild(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, (v > 0 ? "+" : "") + v));
  }
  g.appendChild(svg("text", { x: L + 6, y: y(1) + 12 }, "positive"));
  g.appendChild(svg("text", { x: L + 6, y: y(-1) - 5 }, "negative"));
  let d = "";
  const dots = svg("g");
  let pen = false;
  pts.forEach((p, i) => {
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
  for (const k of state.keys || []) {
    const card = el("article", { class: "card key", "data-key": k.name });
    const h = el("h2", {}, k.name);
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
    f1.appendChild(volumeChart(k, state.alerts || []));
    card.appendChild(f1);
    const f2 = el("figure");
    f2.appendChild(el("figcaption", {}, "Sentiment: mean VADER compound score per hour (−1 very negative … +1 very positive)"));
    f2.appendChild(sentimentChart(k));
    card.appendChild(f2);
    root.appendChild(card);
  }
  if (!root.children.length) root.appendChild(el("p", { class: "empty" }, "Waiting for the first posts…"));
  document.getElementById("keynames").textContent = (state.keys || []).map((k) => k.name).join(", ") || "your brand";
}

function renderAlerts(state) {
  const root = document.getElementById("alerts");
  const alerts = state.alerts || [];
  root.replaceChildren();
  const open = alerts.filter((a) => !a.end).length;
  const count = document.getElementById("alert-count");
  count.textContent = alerts.length;
  count.className = "count" + (open ? " hot" : "");
  if (!alerts.length) { root.appendChild(el("p", { class: "empty" }, "No alerts yet: all quiet.")); return; }
  // Ongoing first, then the most severe, then the newest.
  const rank = { critical: 0, warning: 1, info: 2 };
  const sorted = alerts.slice().sort((a, b) => (!!a.end - !!b.end) ||
    ((rank[a.severity] ?? 3) - (rank[b.severity] ?? 3)) || (Date.parse(b.start) - Date.parse(a.start)));
  for (const a of sorted) {
    const ended = !!a.end;
    const box = el("div", { class: `alert ${a.severity}${ended ? " ended" : ""}`, "data-kind": a.kind });
    const t = el("div", { class: "title" });
    t.appendChild(el("span", { class: "sev " + a.severity }, a.severity));
    const title = a.kind === "viral" ? "post going viral" + (a.examples && a.examples.length ? "" : " (" + a.key + ")") : a.title;
    t.appendChild(document.createTextNode(title));
    box.appendChild(t);
    box.appendChild(el("div", { class: "summary" }, a.summary));
    box.appendChild(el("div", { class: "meta" }, `${a.tracked} · started ${fmtTime(a.start)}` +
      (ended ? ` · ended ${fmtTime(a.end)}` : " · ongoing")));
    for (const e of a.examples || []) box.appendChild(el("blockquote", {}, "“" + clip(e.text, 160) + "”"));
    root.appendChild(box);
  }
}

function renderTrending(state) {
  const root = document.getElementById("trending");
  root.replaceChildren();
  const ts = state.trending || [];
  if (!ts.length) { root.appendChild(el("li", { class: "empty" }, "Nothing trending right now.")); return; }
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
    const d = el("div", { class: "post" });
    d.appendChild(el("div", { class: "text" }, clip(v.text, 140)));
    const m = el("div", { class: "meta" });
    m.appendChild(el("span", {}, (v.author ? "@" + v.author + " · " : "") + fmtTime(v.posted)));
    m.appendChild(el("span", { class: v.flagged ? "flag" : "" },
      `${num(v.observed)} → ${num(v.final)}${v.flagged ? " · going viral" : ""}`));
    d.appendChild(m);
    const p = el("div", { class: "progress" });
    p.appendChild(el("i", { style: `width:${Math.min(100, (100 * v.observed) / Math.max(1, v.final))}%` }));
    d.appendChild(p);
    root.appendChild(d);
  }
}

function render(state) {
  renderKeys(state);
  renderAlerts(state);
  renderTrending(state);
  renderViral(state);
  const st = state.status || {};
  document.getElementById("clock").textContent = "data time " + fmtTime(state.at);
  let counts = st.waiting ? "replay starts when this page connects · " : "";
  counts += `${num(state.matched || 0)} posts matched of ${num(state.heard || 0)} heard`;
  if (st.mode === "replay") counts += st.done ? " · replay finished" : ` · replay ×${num(st.speed)}`;
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
