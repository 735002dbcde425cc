package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"
)

// index serves the page with the latest snapshot inlined, so a page that
// opens late draws the charts at once, before it has finished loading.
func (d *dashboard) index(w http.ResponseWriter, r *http.Request) {
	page, err := static.ReadFile("static/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if b := d.hub.latest(); b != nil {
		// json.Marshal escapes <, > and &, so the snapshot cannot end the
		// script element early.
		inline := append(append([]byte("<script>window.EARSHOT_STATE = "), b...), ";</script>"...)
		page = bytes.Replace(page, []byte("<!--STATE-->"), inline, 1)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page)
}

// state serves the latest snapshot, for a page that opens late.
func (d *dashboard) state(w http.ResponseWriter, r *http.Request) {
	b := d.hub.latest()
	if b == nil {
		http.Error(w, `{"error":"starting"}`, http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// keepAlive is the interval of SSE comments that keep proxies from closing
// an idle stream.
var keepAlive = 15 * time.Second

// events streams snapshots as Server-Sent Events ("event: state").
func (d *dashboard) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	c, ok := d.hub.subscribe()
	if !ok {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer d.hub.unsubscribe(c)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, "retry: 2000\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-d.hub.done:
			return
		case <-tick.C:
			_, err := io.WriteString(w, ": keep-alive\n\n")
			if err == nil {
				err = rc.Flush()
			}
			if err != nil {
				return
			}
		case msg := <-c.ch:
			// A snapshot is one line of JSON: no newline to escape.
			_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			_, err := fmt.Fprintf(w, "event: state\ndata: %s\n\n", msg)
			if err == nil {
				err = rc.Flush()
			}
			if err != nil {
				return
			}
			_ = rc.SetWriteDeadline(time.Time{})
		}
	}
}
