package publish_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

type fault int

const (
	noFault      fault = iota
	lostRequest        // connection reset before the server saw the request
	resetAfter         // the server committed, then the connection was reset
	gatewayAfter       // the server committed, then a proxy answered 5xx
	timeoutAfter       // the server committed, the answer never came
	crashAfter         // the server committed, then the host process died
)

// faultRT serves a handler in-process (usable inside synctest bubbles)
// and injects failures chosen by plan.
type faultRT struct {
	h    http.Handler
	plan func(r *http.Request) fault

	mu     sync.Mutex
	counts map[fault]int
	crash  context.CancelFunc // called on crashAfter
}

func (f *faultRT) count(k fault) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[k]
}

func (f *faultRT) ambiguous() int {
	return f.count(resetAfter) + f.count(gatewayAfter) + f.count(timeoutAfter) + f.count(crashAfter)
}

func (f *faultRT) RoundTrip(r *http.Request) (*http.Response, error) {
	k := noFault
	if f.plan != nil {
		k = f.plan(r)
	}
	f.mu.Lock()
	if f.counts == nil {
		f.counts = map[fault]int{}
	}
	f.counts[k]++
	crash := f.crash
	f.mu.Unlock()
	if k == lostRequest {
		return nil, errors.New("write tcp 127.0.0.1:49152->127.0.0.1:443: write: connection reset by peer")
	}
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		r2 := r.Clone(r.Context())
		r2.Body = io.NopCloser(strings.NewReader(string(b)))
		r = r2
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	switch k {
	case resetAfter:
		return nil, errors.New("read tcp 127.0.0.1:49152->127.0.0.1:443: read: connection reset by peer")
	case gatewayAfter:
		codes := []int{500, 502, 503, 504}
		code := codes[len(rec.Body.String())%len(codes)]
		return &http.Response{
			StatusCode: code, Status: http.StatusText(code), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {"text/html"}},
			Body:    io.NopCloser(strings.NewReader("<html><body><h1>" + http.StatusText(code) + "</h1></body></html>")),
			Request: r,
		}, nil
	case timeoutAfter:
		<-r.Context().Done()
		return nil, r.Context().Err()
	case crashAfter:
		if crash != nil {
			crash()
		}
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// isPost reports whether r creates a post on any of the fakes.
func isPost(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/api/v1/statuses" ||
		r.URL.Path == "/xrpc/com.atproto.repo.createRecord" || r.URL.Path == "/2/tweets")
}
