package main

import (
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	}, 30*time.Second, 200*time.Millisecond)
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
	}, 30*time.Second, 200*time.Millisecond)
	assert.Contains(t, dom, "The source failed: replay: open "+missing)
	assert.Contains(t, dom, `data-problem="1"`)
	assert.NotContains(t, dom, "all quiet")
	assert.Contains(t, dom, "silence here means nothing")
}
