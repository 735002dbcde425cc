package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromiumPath finds Debian's chromium (CI installs it in .ci/run).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser is a headless chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe: we write to its fd 3 and read its fd 4,
// JSON messages ended by NUL), so the test can wait for the page in real
// time instead of guessing a virtual-time budget, which an open
// EventSource never lets run out.
type browser struct {
	cmd     *exec.Cmd
	w       io.WriteCloser
	mu      sync.Mutex
	pending map[int]chan cdpReply
	nextID  int
	done    chan struct{} // the reader has stopped
	session string
	stderr  syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine of exec.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

type cdpReply struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func startBrowser(t *testing.T, ctx context.Context, path, url string) *browser {
	toR, toW, err := os.Pipe()
	require.NoError(t, err)
	fromR, fromW, err := os.Pipe()
	require.NoError(t, err)
	b := &browser{w: toW, pending: map[int]chan cdpReply{}, done: make(chan struct{})}
	b.cmd = exec.CommandContext(ctx, path,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
		"--user-data-dir="+t.TempDir(), "--window-size=1280,900", "--remote-debugging-pipe", url)
	b.cmd.ExtraFiles = []*os.File{toR, fromW} // fds 3 and 4 in chromium
	b.cmd.Stderr = &b.stderr
	b.cmd.WaitDelay = 2 * time.Second
	require.NoError(t, b.cmd.Start())
	toR.Close()
	fromW.Close()
	go b.read(fromR)
	t.Cleanup(func() {
		toW.Close()
		_ = b.cmd.Process.Kill()
		_ = b.cmd.Wait()
		fromR.Close()
		<-b.done
	})
	return b
}

// tail is the end of chromium's stderr, for failure messages.
func (b *browser) tail() string {
	s := b.stderr.String()
	if len(s) > 3000 {
		s = "…" + s[len(s)-3000:]
	}
	return s
}

func (b *browser) read(r io.Reader) {
	defer close(b.done)
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		msg, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var m struct {
			ID int `json:"id"`
			cdpReply
		}
		if json.Unmarshal(msg[:len(msg)-1], &m) != nil || m.ID == 0 {
			continue // an event
		}
		b.mu.Lock()
		ch := b.pending[m.ID]
		delete(b.pending, m.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- m.cdpReply
		}
	}
}

// call sends one DevTools command and decodes its result into out.
func (b *browser) call(ctx context.Context, method string, params, out any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpReply, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method, "params": params}
	if b.session != "" && !strings.HasPrefix(method, "Target.") {
		msg["sessionId"] = b.session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.w.Write(append(data, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	case r, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: browser closed the pipe", method)
		}
		if r.Error != nil {
			return fmt.Errorf("%s: %s", method, r.Error.Message)
		}
		if out != nil {
			return json.Unmarshal(r.Result, out)
		}
		return nil
	}
}

// attach finds the page chromium opened and attaches to it.
func (b *browser) attach(ctx context.Context) error {
	for ctx.Err() == nil {
		var targets struct {
			TargetInfos []struct {
				TargetID string `json:"targetId"`
				Type     string `json:"type"`
			} `json:"targetInfos"`
		}
		if err := b.call(ctx, "Target.getTargets", map[string]any{}, &targets); err != nil {
			return err
		}
		for _, ti := range targets.TargetInfos {
			if ti.Type != "page" {
				continue
			}
			var res struct {
				SessionID string `json:"sessionId"`
			}
			if err := b.call(ctx, "Target.attachToTarget", map[string]any{"targetId": ti.TargetID, "flatten": true}, &res); err != nil {
				return err
			}
			b.session = res.SessionID
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return ctx.Err()
}

// eval evaluates a JavaScript expression that returns a JSON string.
func (b *browser) eval(ctx context.Context, expr string, out any) error {
	var res struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := b.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if err != nil {
		return err
	}
	if res.ExceptionDetails != nil {
		return errors.New("javascript: " + res.ExceptionDetails.Text)
	}
	s, _ := res.Result.Value.(string)
	return json.Unmarshal([]byte(s), out)
}

func (b *browser) screenshot(ctx context.Context) ([]byte, error) {
	var res struct {
		Data string `json:"data"`
	}
	if err := b.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &res); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(res.Data)
}

// pageProbe is what the test reads from the page while it waits.
const pageProbe = `JSON.stringify({
  at: (document.getElementById("clock") || {}).textContent || "",
  matched: +(document.body.dataset.matched || 0),
  done: document.body.dataset.done === "1",
  conn: (document.getElementById("conn") || {}).textContent || "",
  shift: document.querySelectorAll('#alerts .alert[data-kind="sentiment"]').length,
  alerts: document.querySelectorAll("#alerts .alert").length,
  chart: (() => { const r = document.querySelector("svg.volume"); if (!r) return null;
    const b = r.getBoundingClientRect(); return {x: b.x, y: b.y, w: b.width, h: b.height}; })(),
})`

type probe struct {
	At      string `json:"at"`
	Matched int    `json:"matched"`
	Done    bool   `json:"done"`
	Conn    string `json:"conn"`
	Shift   int    `json:"shift"`
	Alerts  int    `json:"alerts"`
	Chart   *struct {
		X, Y, W, H float64
	} `json:"chart"`
}

// The dashboard in a real browser: the page loads, the replay starts when
// it connects, the complaint wave's negative-shift alert arrives over
// Server-Sent Events while the page is open, and the charts are drawn
// with data (checked in the DOM and in a screenshot). Then a page opened
// late, in a one-shot chromium with --dump-dom and --screenshot, shows
// the whole story at once. Set
// EARSHOT_SCREENSHOT=docs/dashboard.png to save the screenshot taken when
// the data reaches Wednesday morning (the README's picture).
func TestBrowserEndToEnd(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		t.Skip("chromium not installed (Debian: apt-get install chromium; .ci/run installs it): skipping the browser test")
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()

	srvCtx, stopServer := context.WithCancel(ctx)
	ready := make(chan string, 1)
	served := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		served <- run(srvCtx, []string{"-addr", "127.0.0.1:0", "-speed", "45000"}, &out, io.Discard, ready)
	}()
	defer func() {
		stopServer()
		assert.NoError(t, <-served)
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-served:
		t.Fatal(err)
	}

	b := startBrowser(t, ctx, path, "http://"+addr+"/")
	require.NoError(t, b.attach(ctx), "chromium stderr:\n%s", b.tail())
	require.NoError(t, b.call(ctx, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil))

	// Wait for the complaint wave's alert and for the end of the replay,
	// noting what the page showed before the alert.
	var first, last probe
	var sawQuietPage bool
	evalErrors := 0
	shot := os.Getenv("EARSHOT_SCREENSHOT")
	for {
		var p probe
		if err := b.eval(ctx, pageProbe, &p); err != nil {
			// The page may be between documents while it loads.
			evalErrors++
			require.Less(t, evalErrors, 50, "last error %v; chromium stderr:\n%s", err, b.tail())
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if first.At == "" {
			first = p
		}
		if p.Matched > 0 && p.Shift == 0 {
			sawQuietPage = true
		}
		if shot != "" && strings.HasPrefix(p.At, "data time Wed") && p.At >= "data time Wed 09:00" {
			png, err := b.screenshot(ctx)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(shot, png, 0o644))
			t.Logf("saved %s (%d bytes) at %s", shot, len(png), p.At)
			shot = ""
		}
		last = p
		if p.Shift > 0 && p.Done && shot == "" {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out; last page state %+v; chromium stderr:\n%s", last, b.tail())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Logf("first probe %+v", first)
	t.Logf("last probe %+v", last)
	assert.True(t, sawQuietPage, "the page showed posts before the complaint wave's alert, which came live over SSE")
	assert.Equal(t, "live updates", last.Conn)
	assert.Equal(t, 2355, last.Matched, "the whole replay reached the page")
	assert.GreaterOrEqual(t, last.Alerts, 3)

	// The DOM: bars with real heights, a sentiment line through many points.
	var dom string
	require.NoError(t, b.eval(ctx, `JSON.stringify(document.documentElement.outerHTML)`, &dom))
	assert.Contains(t, dom, "Listening dashboard")
	assert.Contains(t, dom, "negative shift about larkspur since Tue")
	assert.Contains(t, dom, "Eight years of Larkspur stamps", "the viral post is listed")
	bars := regexp.MustCompile(`<rect class="bar negative"[^>]* height="([0-9.]+)"`).FindAllStringSubmatch(dom, -1)
	assert.Greater(t, len(bars), 20, "negative bars drawn")
	tall := 0
	for _, m := range bars {
		if h, _ := strconv.ParseFloat(m[1], 64); h > 50 {
			tall++
		}
	}
	assert.Positive(t, tall, "the complaint wave makes tall negative bars")
	line := regexp.MustCompile(`<path d="([^"]+)" class="sentiment-line"`).FindStringSubmatch(dom)
	require.NotNil(t, line, "a sentiment line is drawn")
	var ys []float64
	for _, pt := range regexp.MustCompile(`[ML]([0-9.]+) ([0-9.]+)`).FindAllStringSubmatch(line[1], -1) {
		y, _ := strconv.ParseFloat(pt[2], 64)
		ys = append(ys, y)
	}
	require.Greater(t, len(ys), 30, "the sentiment line has a point per hour")
	lo, hi := ys[0], ys[0]
	for _, y := range ys {
		lo, hi = min(lo, y), max(hi, y)
	}
	assert.Greater(t, hi-lo, 30.0, "the line goes up and down: the mood changes during the wave")

	// Issue 20 item 7, measured in the page at the end of the replay.
	var g geometry
	require.NoError(t, b.eval(ctx, geometryProbe, &g))
	t.Logf("geometry %+v", g)
	checkGeometry(t, g)

	// Issue 22: share of voice, top authors and the alerts' reasons, as
	// the server sent them.
	var vp voicePage
	require.NoError(t, b.eval(ctx, voiceProbe, &vp))
	checkVoice(t, vp, state(t, addr))

	// The screenshot: the volume chart's area is not empty, and shows the
	// negative colour.
	require.NotNil(t, last.Chart)
	data, err := b.screenshot(ctx)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	ink, red, total := chartInk(img, image.Rect(int(last.Chart.X), int(last.Chart.Y),
		int(last.Chart.X+last.Chart.W), int(last.Chart.Y+last.Chart.H)))
	t.Logf("chart region %+v: %d of %d pixels inked, %d red", *last.Chart, ink, total, red)
	assert.Greater(t, total, 50_000, "the chart is a sizeable area")
	assert.Greater(t, float64(ink)/float64(total), 0.05, "the chart area is not blank")
	assert.Greater(t, red, 2_000, "negative bars are drawn in red")

	// Issue 20 item 2: a live source that retries, then stalls, is on the
	// page (the state a dead server produces, drawn by the page's render).
	var banner string
	require.NoError(t, b.eval(ctx, `(() => { render({heard: 0, status: {mode: "live", running: true, idle: 125,
		problems: 3, problem: "mastodon: retrying: connection refused"}});
		return JSON.stringify(document.getElementById("problem").innerText + "|" + document.getElementById("alerts").innerText); })()`, &banner))
	assert.Contains(t, banner, "3 source problems so far (retries, reconnects, skipped records); latest: mastodon: retrying: connection refused")
	assert.Contains(t, banner, "No posts for 2 min: the source may be stalled.")
	assert.NotContains(t, banner, "all quiet")

	// A page that opens late, in a one-shot chromium (--dump-dom and
	// --screenshot): the snapshot inlined in the page is drawn before the
	// load event, so the dump and the picture have the whole story.
	shotFile := t.TempDir() + "/late.png"
	lateDOM := dumpDOM(t, ctx, path, "http://"+addr+"/", "--screenshot="+shotFile)
	assert.Contains(t, lateDOM, "negative shift about larkspur since Tue")
	assert.Greater(t, strings.Count(lateDOM, `class="bar negative"`), 20)
	assert.Contains(t, lateDOM, `class="sentiment-line"`)
	assert.Contains(t, lateDOM, "2,355 posts matched of 3,927 heard")
	assert.Regexp(t, `<span class="item" data-key="larkspur">.*?<b class="share">\d+%</b>`, lateDOM, "the share of voice")
	assert.Contains(t, lateDOM, `<span class="reason" data-kind=`, "the alerts' reasons")
	f, err := os.Open(shotFile)
	require.NoError(t, err)
	defer f.Close()
	img, err = png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, image.Pt(1280, 900), img.Bounds().Size())
	ink, red, total = chartInk(img, image.Rect(int(last.Chart.X), int(last.Chart.Y),
		int(last.Chart.X+last.Chart.W), int(last.Chart.Y+last.Chart.H)))
	t.Logf("late page's chart: %d of %d pixels inked, %d red", ink, total, red)
	assert.Greater(t, float64(ink)/float64(total), 0.05, "the late page's chart is not blank")
	assert.Greater(t, red, 2_000)

	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

// state fetches the server's latest snapshot.
func state(t *testing.T, addr string) message {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/state")
	require.NoError(t, err)
	defer resp.Body.Close()
	var m message
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return m
}

// dumpDOM loads url in a one-shot chromium (--dump-dom) and returns the
// DOM after the load event.
func dumpDOM(t *testing.T, ctx context.Context, path, url string, extra ...string) string {
	t.Helper()
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	defer ccancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
		"--user-data-dir=" + t.TempDir(), "--window-size=1280,900", "--dump-dom"}, extra...)
	cmd := exec.CommandContext(cctx, path, append(args, url)...)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.Output()
	require.NoError(t, err, "chromium --dump-dom: %s", stderr.String())
	return string(out)
}

// chartInk counts the pixels of r that are not the card's white or the
// light grid, and among them the red ones of negative bars (#d64545).
func chartInk(img image.Image, r image.Rectangle) (ink, red, total int) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			R, G, B := int(cr>>8), int(cg>>8), int(cb>>8)
			total++
			if R > 225 && G > 225 && B > 225 {
				continue // background, grid lines
			}
			ink++
			if R > 180 && G < 110 && B < 110 {
				red++
			}
		}
	}
	return ink, red, total
}
