package rss

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"html"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/internal/faulttest"
)

// fakeFeed is one feed on the fake server. Items are published over
// time: each request may add one, and the document lists the newest
// window items, newest first.
type fakeFeed struct {
	format    string // rss, atom, json
	total     int    // items to publish in all
	items     []int  // published item numbers, oldest first
	ignore    bool   // ignore validators (always 200)
	movedFrom string
}

// fakeFeeds is an httptest server for feeds: conditional GET with ETag and
// Last-Modified (304), gzip, 301 from an old path, 410, and optional
// faults: 429 with Retry-After (seconds or HTTP date), 503 bursts, 500,
// dropped connections and truncated bodies.
type fakeFeeds struct {
	*httptest.Server
	mu        sync.Mutex
	feeds     map[string]*fakeFeed
	window    int
	rng       *rand.Rand
	faultRate float64
	burst     int
	faults    faulttest.Counts
	requests  map[string]int
	gzipped   int
	notMod    int
	condSeen  int
	epoch     time.Time
	gen       int       // server generation: a restart that loses state changes the validators
	downTill  time.Time // a restart: 503 until then
}

func newFakeFeeds(t testing.TB) *fakeFeeds {
	f := &fakeFeeds{feeds: map[string]*fakeFeed{}, window: 30, faults: faulttest.Counts{}, requests: map[string]int{},
		epoch: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), rng: rand.New(rand.NewSource(1))}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Server.Close)
	return f
}

func (f *fakeFeeds) add(name, format string, total int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.feeds["/feeds/"+name] = &fakeFeed{format: format, total: total}
	return f.URL + "/feeds/" + name
}

func (f *fakeFeeds) itemID(name string, n int) string {
	return fmt.Sprintf("https://blog.example.com/%s/posts/%d", strings.TrimPrefix(name, "/feeds/"), n)
}

func (f *fakeFeeds) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests[r.URL.Path]++
	for path, fd := range f.feeds {
		if fd.movedFrom != "" && r.URL.Path == fd.movedFrom {
			f.mu.Unlock()
			http.Redirect(w, r, path, http.StatusMovedPermanently)
			return
		}
	}
	if r.URL.Path == "/gone" {
		f.mu.Unlock()
		http.Error(w, "gone", http.StatusGone)
		return
	}
	if r.URL.Path == "/private" {
		f.mu.Unlock()
		http.Error(w, "nope", http.StatusUnauthorized)
		return
	}
	fd := f.feeds[r.URL.Path]
	if fd == nil {
		f.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("User-Agent") == "" || strings.HasPrefix(r.Header.Get("User-Agent"), "Go-http-client") {
		f.mu.Unlock()
		http.Error(w, "set a descriptive User-Agent", http.StatusForbidden)
		return
	}
	// Publish: each request may bring one new item.
	if len(fd.items) < fd.total && f.rng.Intn(10) < 7 {
		fd.items = append(fd.items, len(fd.items))
	}
	fault := ""
	switch {
	case time.Now().Before(f.downTill):
		fault = "restart-503"
	case f.burst > 0:
		f.burst--
		fault = "503-burst"
	case f.faultRate > 0 && f.rng.Float64() < f.faultRate:
		kinds := []string{"429", "429-date", "503-burst", "500", "drop", "truncated", "ignore-validators"}
		for range 2 { // issue 19's kinds weigh more
			kinds = append(kinds, faulttest.HTML200, faulttest.HugeRetry, faulttest.Trickle, faulttest.RestartState)
		}
		fault = kinds[f.rng.Intn(len(kinds))]
		if fault == "503-burst" {
			f.burst = 2
		}
		if fault == faulttest.RestartState {
			// A restart that loses the server's state: new validators,
			// every connection cut, 503 for a moment.
			f.gen++
			f.downTill = time.Now().Add(5 * time.Millisecond)
			go f.Server.CloseClientConnections()
		}
	}
	if fault != "" {
		f.faults[fault]++
	}
	etag := fmt.Sprintf(`"g%d-v%d"`, f.gen, len(fd.items))
	lastMod := f.epoch.Add(time.Duration(f.gen)*time.Hour + time.Duration(len(fd.items))*time.Minute).Format(http.TimeFormat)
	cond := r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != ""
	if cond {
		f.condSeen++
	}
	notModified := !fd.ignore && fault != "ignore-validators" && cond &&
		(r.Header.Get("If-None-Match") == etag || r.Header.Get("If-None-Match") == "" && r.Header.Get("If-Modified-Since") == lastMod)
	var body string
	if !notModified {
		body = f.render(r.URL.Path, fd)
	}
	gz := strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	if gz {
		f.gzipped++
	}
	if notModified && fault == "" {
		f.notMod++
	}
	f.mu.Unlock()

	switch fault {
	case "429":
		w.Header().Set("Retry-After", "0")
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	case "429-date":
		w.Header().Set("Retry-After", time.Now().Add(-time.Second).UTC().Format(http.TimeFormat))
		http.Error(w, "<html><body>Slow down</body></html>", http.StatusTooManyRequests)
		return
	case "503-burst":
		w.Header().Set("Retry-After", "0")
		http.Error(w, "maintenance", http.StatusServiceUnavailable)
		return
	case "500":
		http.Error(w, "oops", http.StatusInternalServerError)
		return
	case "restart-503", faulttest.RestartState:
		w.Header().Set("Retry-After", "120")
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	case faulttest.HTML200:
		faulttest.HTMLPage(w)
		return
	case faulttest.HugeRetry:
		faulttest.HugeRetryAfter(w, []int{429, 503}[len(body)%2])
		return
	case "drop":
		if hj, ok := w.(http.Hijacker); ok {
			c, _, err := hj.Hijack()
			if err == nil {
				c.Close()
			}
		}
		return
	case "truncated":
		if body == "" {
			body = f.render(r.URL.Path, fd)
		}
		w.Header().Set("Content-Type", contentType(fd.format))
		fmt.Fprint(w, body[:len(body)/2])
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", lastMod)
	if notModified {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType(fd.format))
	if gz {
		w.Header().Set("Content-Encoding", "gzip")
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(body))
		zw.Close()
		if fault == faulttest.Trickle {
			faulttest.TrickleWrite(w, buf.Bytes(), 64, 50*time.Microsecond)
		} else {
			w.Write(buf.Bytes())
		}
		return
	}
	fmt.Fprint(w, body)
}

func contentType(format string) string {
	switch format {
	case "atom":
		return "application/atom+xml; charset=utf-8"
	case "json":
		return "application/feed+json"
	}
	return "application/rss+xml; charset=utf-8"
}

// render writes the newest window items of fd, newest first.
func (f *fakeFeeds) render(path string, fd *fakeFeed) string {
	var b strings.Builder
	name := strings.TrimPrefix(path, "/feeds/")
	switch fd.format {
	case "atom":
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>` + name + `</title><id>urn:fake:` + name + `</id>`)
	case "json":
		b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"` + name + `","language":"en","items":[`)
	default:
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>` + name + `</title><link>https://blog.example.com/</link><description>fake</description><language>en</language>`)
	}
	first := true
	for i := len(fd.items) - 1; i >= 0 && i >= len(fd.items)-f.window; i-- {
		n := fd.items[i]
		id := f.itemID(path, n)
		when := f.epoch.Add(time.Duration(n) * time.Minute)
		text := fmt.Sprintf("<p>Item %d of %s &amp; friends, <a href=\"https://example.com/%d\">link</a></p>", n, name, n)
		switch fd.format {
		case "atom":
			fmt.Fprintf(&b, `<entry><title>Post %d</title><id>%s</id><link href="%s"/><published>%s</published><updated>%s</updated><content type="html">%s</content></entry>`,
				n, id, id, when.Format(time.RFC3339), when.Format(time.RFC3339), html.EscapeString(text))
		case "json":
			if !first {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id":%q,"url":%q,"title":"Post %d","content_html":%s,"date_published":%q}`, id, id, n, strconv.Quote(text), when.Format(time.RFC3339))
		default:
			fmt.Fprintf(&b, `<item><title>Post %d</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description><![CDATA[%s]]></description></item>`,
				n, id, id, when.Format(time.RFC1123Z), text)
		}
		first = false
	}
	switch fd.format {
	case "atom":
		b.WriteString(`</feed>`)
	case "json":
		b.WriteString(`]}`)
	default:
		b.WriteString(`</channel></rss>`)
	}
	return b.String()
}

// wrap answers 429 with Retry-After: 1 when first() says so, else calls h.
func wrap(h http.Handler, first func() bool) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		limited := first()
		mu.Unlock()
		if limited {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
			return
		}
		h.ServeHTTP(w, r)
	})
}
