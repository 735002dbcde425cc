package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/trend"
)

// geometryProbe measures what issue 20 item 7 found misleading: the
// y-axis ticks and bars of every volume chart, the alert labels, the viral
// card beside the most shared panel, and the trending list.
const geometryProbe = `JSON.stringify((() => {
  const out = {charts: 0, ticks: [], badTicks: [], stacks: 0, badStacks: [], labels: 0,
    overlaps: [], outside: [], onBars: [], viralKey: "", viralCard: "", shares: {}, trending: [], trendingHint: ""};
  const inter = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  for (const s of document.querySelectorAll("svg.volume")) {
    out.charts++;
    const ticks = [...s.querySelectorAll("text.ytick")].map((t) => [Number(t.textContent.replace(/,/g, "")), +t.getAttribute("y")]);
    out.ticks.push(ticks.map((t) => t[0]));
    if (ticks.length < 2) continue;
    const [v0, y0] = ticks[0], [v1, y1] = ticks[ticks.length - 1];
    const perPost = (y0 - y1) / (v1 - v0);
    for (const [v, y] of ticks)
      if (!Number.isInteger(v) || Math.abs((y0 - y) - (v - v0) * perPost) > 0.01) out.badTicks.push([v, y]);
    for (const st of s.querySelectorAll("g.stack")) {
      out.stacks++;
      const h = [...st.querySelectorAll("rect")].reduce((a, r) => a + +r.getAttribute("height"), 0);
      const posts = +st.dataset.posts;
      if (Math.abs(h - posts * perPost) > 0.05 || posts > v1) out.badStacks.push([posts, h, posts * perPost, v1]);
    }
    const box = s.getBoundingClientRect();
    const labels = [...s.querySelectorAll("text.mlabel")].map((t) => t.getBoundingClientRect());
    const bars = [...s.querySelectorAll("rect.bar")].map((r) => r.getBoundingClientRect());
    out.labels += labels.length;
    labels.forEach((a, i) => {
      if (a.left < box.left || a.right > box.right || a.top < box.top || a.bottom > box.bottom) out.outside.push(i);
      labels.forEach((b, j) => { if (j > i && inter(a, b)) out.overlaps.push([i, j]); });
      if (bars.some((b) => inter(a, b))) out.onBars.push(i);
    });
  }
  const card = document.querySelector('#alerts .alert[data-kind="viral"]');
  if (card) { out.viralKey = card.dataset.key || ""; out.viralCard = card.querySelector(".summary").textContent; }
  for (const p of document.querySelectorAll("#viral .post")) out.shares[p.dataset.id || ""] = (p.querySelector(".shares") || {}).textContent || "";
  out.trending = [...document.querySelectorAll("#trending .term")].map((t) => t.textContent);
  out.trendingHint = (document.getElementById("trending-hint") || {}).textContent || "";
  return out;
})())`

type geometry struct {
	Charts       int               `json:"charts"`
	Ticks        [][]float64       `json:"ticks"`
	BadTicks     [][]float64       `json:"badTicks"`
	Stacks       int               `json:"stacks"`
	BadStacks    [][]any           `json:"badStacks"`
	Labels       int               `json:"labels"`
	Overlaps     [][]int           `json:"overlaps"`
	Outside      []int             `json:"outside"`
	OnBars       []int             `json:"onBars"`
	ViralKey     string            `json:"viralKey"`
	ViralCard    string            `json:"viralCard"`
	Shares       map[string]string `json:"shares"`
	Trending     []string          `json:"trending"`
	TrendingHint string            `json:"trendingHint"`
}

// checkGeometry asserts issue 20 item 7 on the page at the end of the
// sample's replay.
func checkGeometry(t *testing.T, g geometry) {
	t.Helper()
	require.Positive(t, g.Charts)
	for _, ticks := range g.Ticks {
		assert.GreaterOrEqual(t, len(ticks), 3, "a y axis with ticks")
	}
	assert.Empty(t, g.BadTicks, "every tick label is a whole number at its exact height (they read 0 1 3 4 5)")
	assert.Greater(t, g.Stacks, 60)
	assert.Empty(t, g.BadStacks, "every bar's height is its posts on the axis's scale")
	assert.GreaterOrEqual(t, g.Labels, 3, "the episodes are labelled")
	assert.Empty(t, g.Overlaps, "alert labels do not overlap each other")
	assert.Empty(t, g.Outside, "alert labels stay inside the chart")
	assert.Empty(t, g.OnBars, "alert labels do not cover bars")

	require.NotEmpty(t, g.ViralKey, "a viral alert is shown")
	shares, ok := g.Shares[g.ViralKey]
	require.True(t, ok, "the viral post is in the most shared panel: %v", g.Shares)
	assert.Regexp(t, `^[\d,]+ reshares so far, predicted [\d,]+ \([\d,]+–[\d,]+\)$`, g.ViralCard)
	assert.Equal(t, g.ViralCard, strings.TrimSuffix(shares, " · going viral"), "the viral card and the panel show the same figures")

	assert.NotEmpty(t, g.Trending, "after the replay the last window's hashtags stay")
	assert.Contains(t, g.TrendingHint, "none trending since", "and the page says when they trended")
}

// xticks returns each key card's x-axis labels with their positions.
func xticks(dom string) map[string][]string {
	out := map[string][]string{}
	cards := regexp.MustCompile(`<article class="card key" data-key="([^"]+)">`).FindAllStringSubmatchIndex(dom, -1)
	tick := regexp.MustCompile(`<text x="([0-9.]+)"[^>]*class="xtick">([^<]+)</text>`)
	for i, c := range cards {
		end := len(dom)
		if i+1 < len(cards) {
			end = cards[i+1][0]
		}
		name := dom[c[2]:c[3]]
		for _, m := range tick.FindAllStringSubmatch(dom[c[1]:end], -1) {
			out[name] = append(out[name], m[2]+"@"+m[1])
		}
	}
	return out
}

// startRun serves the dashboard with args until the test ends.
func startRun(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	srvCtx, stop := context.WithCancel(ctx)
	ready := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- run(srvCtx, append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, io.Discard, ready)
	}()
	t.Cleanup(func() { stop(); <-served })
	select {
	case addr := <-ready:
		return "http://" + addr + "/"
	case err := <-served:
		t.Fatal(err)
	}
	return ""
}

// Issue 20 item 7: two keys whose first posts came at different hours are
// drawn on one x range, so their days line up.
func TestBrowserKeysShareTheXRange(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		t.Skip("chromium not installed (Debian: apt-get install chromium; .ci/run installs it): skipping the browser test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	url := startRun(t, ctx, "-key", "larkspur=larkspur OR @larkspur", "-key", "kindness=#larkspurkindness OR ring",
		"-speed", "0", "-wait=false")
	var dom string
	require.Eventually(t, func() bool {
		dom = dumpDOM(t, ctx, path, url)
		return strings.Contains(dom, "replay finished")
	}, 2*time.Minute, 200*time.Millisecond)
	ticks := xticks(dom)
	require.Len(t, ticks, 2, "two key cards")
	require.NotEmpty(t, ticks["larkspur"])
	t.Logf("x ticks %v", ticks)
	assert.Equal(t, ticks["larkspur"], ticks["kindness"], "both keys' charts have the same x axis")
}

// Issue 20 item 2: a missing replay file shows its error on the page, not
// "all quiet" (the API carried it, the page did not).
func TestBrowserShowsSourceError(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		t.Skip("chromium not installed (Debian: apt-get install chromium; .ci/run installs it): skipping the browser test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	missing := filepath.Join(t.TempDir(), "missing.jsonl")
	url := startRun(t, ctx, "-replay", missing, "-wait=false")
	var dom string
	require.Eventually(t, func() bool {
		dom = dumpDOM(t, ctx, path, url)
		return strings.Contains(dom, "replay finished")
	}, 2*time.Minute, 200*time.Millisecond)
	assert.Contains(t, dom, "The source failed: replay: open "+missing)
	assert.Contains(t, dom, `data-problem="1"`)
	assert.NotContains(t, dom, "all quiet")
	assert.Contains(t, dom, "silence here means nothing")
}

// voiceProbe reads issue 22's parts of the page: the share-of-voice
// legend, bar and table, the top authors, each alert's reasons and the
// counts of posts left out; and the boxes of their labels, to check that
// none overlaps another or leaves its place.
const voiceProbe = `JSON.stringify((() => {
  const out = {legend: [], rows: [], barLabels: [], hours: 0, drivers: {}, reasons: {}, counts: "",
    overlaps: [], outside: []};
  const box = (e) => e.getBoundingClientRect();
  const inter = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  const name = (e) => (e.dataset.key || "") + ":" + e.textContent;
  const labels = [];
  for (const it of document.querySelectorAll("#voice .sov-legend .item")) {
    out.legend.push({key: it.dataset.key, share: it.querySelector(".share").textContent, text: it.textContent});
    labels.push(it);
  }
  for (const tr of document.querySelectorAll("#voice table.sov tr[data-key]")) {
    const cell = (c) => tr.querySelector("td." + c).textContent;
    out.rows.push({key: tr.dataset.key, mentions: cell("mentions"), share: cell("share"), authors: cell("authors"),
      reach: cell("reach"), net: cell("net")});
  }
  const bar = document.querySelector("#voice svg.sov-bar");
  for (const t of document.querySelectorAll("#voice svg.sov-bar text.seg")) {
    out.barLabels.push({key: t.dataset.key, text: t.textContent});
    const seg = bar.querySelector('rect.seg[data-key="' + t.dataset.key + '"]');
    if (!seg || !inside(box(t), box(seg))) out.outside.push("bar label " + name(t));
    labels.push(t);
  }
  const hours = document.querySelector("#voice svg.sov-hours");
  out.hours = hours ? hours.querySelectorAll("g.col").length : 0;
  if (hours) for (const t of hours.querySelectorAll("text")) {
    if (!inside(box(t), box(hours))) out.outside.push("share chart tick " + t.textContent);
    labels.push(t);
  }
  labels.forEach((a, i) => labels.forEach((b, j) => {
    if (j > i && inter(box(a), box(b))) out.overlaps.push(name(a) + " / " + name(b));
  }));
  // The axes' labels of every chart on the page.
  for (const c of document.querySelectorAll("svg.chart")) {
    const ticks = [...c.querySelectorAll("text.xtick, text.ytick")];
    ticks.forEach((a, i) => ticks.forEach((b, j) => {
      if (j > i && inter(box(a), box(b))) out.overlaps.push(c.getAttribute("aria-label") + ": " + a.textContent + " / " + b.textContent);
    }));
  }
  for (const cell of document.querySelectorAll("#drivers .cell")) {
    const items = [...cell.querySelectorAll("li")];
    (out.drivers[cell.dataset.key] ||= {})[cell.dataset.list] =
      items.map((li) => [li.querySelector(".who").textContent, li.querySelector(".n").textContent]);
    for (const li of items) if (!inside(box(li), box(cell))) out.outside.push("author " + li.textContent);
    items.forEach((a, i) => items.forEach((b, j) => { if (j > i && inter(box(a), box(b))) out.overlaps.push(a.textContent + " / " + b.textContent); }));
  }
  for (const a of document.querySelectorAll("#alerts .alert")) {
    const chips = [...a.querySelectorAll(".why .reason")];
    out.reasons[a.dataset.kind + " " + a.dataset.key] = chips.map((c) => [c.dataset.kind, c.dataset.value,
      c.querySelector("b").textContent, c.querySelector("i").textContent]);
    chips.forEach((x, i) => chips.forEach((y, j) => { if (j > i && inter(box(x), box(y))) out.overlaps.push(x.textContent + " / " + y.textContent); }));
    for (const c of chips) if (!inside(box(c), box(a))) out.outside.push("reason " + c.textContent);
  }
  out.counts = (document.getElementById("counts") || {}).textContent || "";
  return out;
})())`

type voicePage struct {
	Legend []struct {
		Key, Share, Text string
	} `json:"legend"`
	Rows []struct {
		Key, Mentions, Share, Authors, Reach, Net string
	} `json:"rows"`
	BarLabels []struct {
		Key, Text string
	} `json:"barLabels"`
	Hours    int                               `json:"hours"`
	Drivers  map[string]map[string][][2]string `json:"drivers"`
	Reasons  map[string][][4]string            `json:"reasons"`
	Counts   string                            `json:"counts"`
	Overlaps []string                          `json:"overlaps"`
	Outside  []string                          `json:"outside"`
}

// pct and num write figures as the page does.
func pct(x float64) string { return fmt.Sprintf("%d%%", int(math.Round(100*x))) }

func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func liftText(x float64) string {
	switch {
	case x >= 100:
		return "100×+"
	case x >= 10:
		return fmt.Sprintf("%d×", int(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'f', 1, 64) + "×"
}

// checkVoice asserts that the page shows the share of voice, the top
// authors and the alerts' reasons of m, the state the server sent, with
// no label over another.
func checkVoice(t *testing.T, p voicePage, m message) {
	t.Helper()
	keys := m.Voice.Keys
	require.Len(t, p.Legend, len(keys), "a legend item per key")
	require.Len(t, p.Rows, len(keys), "a table row per key")
	for i, k := range keys {
		assert.Equal(t, k.Key, p.Legend[i].Key)
		assert.Equal(t, pct(k.Share), p.Legend[i].Share, k.Key)
		assert.Contains(t, p.Legend[i].Text, num(k.Mentions)+" mentions", k.Key)
		r := p.Rows[i]
		assert.Equal(t, k.Key, r.Key)
		assert.Equal(t, num(k.Mentions), r.Mentions, k.Key)
		assert.Equal(t, pct(k.Share), r.Share, k.Key)
		approx := ""
		if k.Estimated {
			approx = "~"
		}
		assert.Equal(t, approx+num(k.Authors), r.Authors, k.Key)
		assert.Equal(t, approx+num(k.Reach), r.Reach, k.Key)
		assert.Equal(t, fmt.Sprintf("%+.2f", k.Net), r.Net, k.Key)

		lists := map[string][]trend.Voice{"by_mentions": k.Drivers.ByMentions, "by_reach": k.Drivers.ByReach,
			"advocates": k.Drivers.Advocates, "detractors": k.Drivers.Detractors}
		for list, vs := range lists {
			var want [][2]string
			for _, v := range vs[:min(3, len(vs))] {
				n := v.Mentions
				if list == "by_reach" {
					n = v.Followers
				}
				want = append(want, [2]string{v.Author, num(int64(n))})
			}
			if want == nil {
				want = [][2]string{}
			}
			assert.Equal(t, want, p.Drivers[k.Key][list], "%s %s", k.Key, list)
		}
	}
	assert.NotEmpty(t, p.Drivers[keys[0].Key]["by_mentions"], "the brand's top authors are shown")
	assert.NotEmpty(t, p.BarLabels, "the largest share is labelled in the bar")
	assert.Equal(t, len(m.Voice.Hours), p.Hours, "a column per hour with mentions")

	explained := 0
	for _, a := range m.Alerts {
		var want [][4]string
		for _, r := range a.Reasons {
			want = append(want, [4]string{r.Kind, r.Value, pct(r.Share), liftText(r.Lift)})
		}
		if want == nil {
			want = [][4]string{}
		}
		got, ok := p.Reasons[string(a.Kind)+" "+a.Key]
		require.True(t, ok, "alert %s shown", a.Title)
		assert.Equal(t, want, got, a.Title)
		if len(want) > 0 {
			explained++
		}
	}
	assert.GreaterOrEqual(t, explained, 4, "the spikes and shifts say why")
	assert.Contains(t, p.Counts, fmt.Sprintf("%s near-duplicates and %s bot posts left out", num(m.Dropped.NearDuplicates), num(m.Dropped.Bots)))
	assert.Empty(t, p.Overlaps, "no label over another")
	assert.Empty(t, p.Outside, "every label in its place")
}
