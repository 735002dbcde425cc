package faulttest

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// The fault kinds every adapter's fake injects on top of its own (429,
// 5xx, truncated and cut bodies, duplicates, reordering, dropped streams,
// malformed frames), named as they are counted.
const (
	BadItem      = "bad-item"      // one item of a page that does not decode, beside the good ones
	HTML200      = "html-200"      // 200 with an HTML page (a proxy, a captive portal)
	FarReset     = "far-reset"     // 200 with an exhausted rate limit whose reset is past the pause limit
	HugeRetry    = "huge-retry"    // 429 or 503 with Retry-After: 86400
	TokenExpiry  = "token-expiry"  // the token in use expires mid-run
	EditDelete   = "edit-delete"   // an edit or a delete of a post, among the faults
	Trickle      = "trickle"       // a stream written a few bytes at a time
	RestartState = "restart-state" // the server restarts: connections cut, 503s, its state lost
)

// HTMLPage answers 200 with an HTML page instead of the API's JSON, as a
// proxy, a CDN or a captive portal does.
func HTMLPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><p>Checking your browser</p></body></html>")
}

// HugeRetryAfter answers code (429 or 503) with Retry-After: 86400.
func HugeRetryAfter(w http.ResponseWriter, code int) {
	w.Header().Set("Retry-After", "86400")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	io.WriteString(w, `{"error":"come back tomorrow"}`)
}

// Starting writes GoToSocial's answer to every request while it starts
// (v0.20, seen on loopback for 0.9 to 16 s per restart): 503, Retry-After
// given twice, as "120" and as the same moment as an HTTP date,
// Cache-Control: no-store, and an HTML maintenance page.
func Starting(w http.ResponseWriter) {
	h := w.Header()
	h.Add("Retry-After", "120")
	h.Add("Retry-After", time.Now().Add(120*time.Second).UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, "<!DOCTYPE html><html><head><title>localhost:8080 - Maintenance</title></head><body><p>localhost:8080 is starting up, please try again later</p></body></html>")
}

// Gzip compresses every response of h for requests that accept gzip (Go's
// transport asks for it and decompresses by itself), counting them in n.
// Streams are compressed too: every Flush flushes the compressor.
func Gzip(h http.Handler, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || r.Header.Get("Upgrade") != "" {
			h.ServeHTTP(w, r)
			return
		}
		n.Add(1)
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Del("Content-Length")
		zw := gzip.NewWriter(w)
		gw := &gzipWriter{ResponseWriter: w, zw: zw}
		h.ServeHTTP(gw, r)
		zw.Close()
	})
}

type gzipWriter struct {
	http.ResponseWriter
	zw *gzip.Writer
}

func (g *gzipWriter) WriteHeader(code int) {
	g.Header().Del("Content-Length")
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) { return g.zw.Write(b) }

func (g *gzipWriter) Flush() {
	g.zw.Flush()
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// TrickleWrite writes b a few bytes at a time, flushing each and pausing
// between them, as a slow or congested server does.
func TrickleWrite(w http.ResponseWriter, b []byte, chunk int, pause time.Duration) error {
	f, _ := w.(http.Flusher)
	for len(b) > 0 {
		n := min(chunk, len(b))
		if _, err := w.Write(b[:n]); err != nil {
			return err
		}
		if f != nil {
			f.Flush()
		}
		b = b[n:]
		if len(b) > 0 {
			time.Sleep(pause)
		}
	}
	return nil
}

// Supervise is a host's loop around src: it ranges over src.Posts and
// hands each post to each until each reports stop. A run that ends with a
// rate-limit error (a reset or Retry-After over the source's pause limit)
// is started again after the wait it asked for, at most maxWait, as a
// supervising host does; any other error fails the test. It returns how
// many runs were restarted so. When each stops the loop, the post it
// stopped on is not committed (the next run delivers it again).
func Supervise(t testing.TB, ctx context.Context, src listen.Source, maxWait time.Duration, each func(listen.Post) (stop bool)) (restarts int) {
	t.Helper()
	for {
		var final error
		for p, err := range src.Posts(ctx) {
			if err != nil {
				final = err
				break
			}
			if each(p) {
				return restarts
			}
		}
		var rle *listen.RateLimitError
		switch {
		case ctx.Err() != nil:
			t.Fatalf("after %d restarts: %v", restarts, ctx.Err())
		case final == nil:
			return restarts
		case !errors.As(final, &rle):
			t.Fatalf("after %d restarts: %v", restarts, final)
		}
		restarts++
		select {
		case <-time.After(min(rle.RetryAfter, maxWait)):
		case <-ctx.Done():
			t.Fatalf("after %d restarts: %v", restarts, ctx.Err())
		}
	}
}

// Loss counts the ids got did not deliver and those it delivered more
// often than once (twice for brokeOn: the post a run broke out on, which
// the next run delivers again).
func Loss(ids []string, got map[string]int, brokeOn string) (lost, duplicated int) {
	for _, id := range ids {
		want := 1
		if id == brokeOn {
			want = 2
		}
		switch {
		case got[id] < want:
			lost++
		case got[id] > want:
			duplicated++
		}
	}
	return lost, duplicated
}

// InProcess is an http.RoundTripper that serves requests with H in the
// calling goroutine, without sockets, so a testing/synctest bubble's
// clock can advance while a source waits. The response arrives when H
// returns: if the request's context ended before that (a handler that
// waits for it never answers), RoundTrip returns the context's error, as
// a real transport does.
type InProcess struct{ H http.Handler }

// RoundTrip implements http.RoundTripper.
func (p InProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	p.H.ServeHTTP(rec, r)
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}
