package listentest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshot-dev/earshot/listen"
)

// errorStatuses are the answers [Secrets] has a server give.
var errorStatuses = []int{400, 401, 403, 404, 410, 422, 429, 500, 502, 503}

// EchoCredentials wraps h: a request for which fail reports true is
// answered with status and a body that echoes the credentials the
// request carried (its Authorization header, its URL's user info and
// query, its body), in the {"error":...,"message":...} shape most APIs
// use; the others go to h. It is the server [Secrets] runs sources
// against.
func EchoCredentials(h http.Handler, status int, fail func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail != nil && !fail(r) {
			h.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		echo := strings.Join([]string{r.Header.Get("Authorization"), r.URL.RawQuery,
			r.Header.Get("Sec-WebSocket-Protocol"), string(body)}, " ")
		b, _ := json.Marshal(map[string]string{"error": "refused: " + echo, "message": echo, "detail": echo})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(status)
		w.Write(b)
	})
}

// Secrets checks that no credential leaks. For each error status a
// server may answer with (400 to 503), newSource builds a source whose
// server echoes the credentials it receives in every error (see
// [EchoCredentials]), with logger as its logger (debug level). It returns
// the source and every credential the source holds or will receive: its
// tokens, passwords and client secrets, and the tokens the fake server
// issues at run time (a login, a refresh) in their wire forms (a Basic
// header's base64, say). The source should give up quickly (a retry
// budget of a fraction of a second).
//
// Secrets runs each source until it ends, or for a few seconds, and fails
// if any credential, or any 8-byte piece of one, appears in an error the
// source yielded, in a log record, or in the source's String.
func Secrets(t *testing.T, newSource func(t *testing.T, status int, logger *slog.Logger) (listen.Source, []string)) {
	t.Helper()
	for _, status := range errorStatuses {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var logs lockedBuffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			src, secrets := newSource(t, status, logger)
			if len(secrets) == 0 {
				t.Fatal("no secrets to look for")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var out []string
			var errs int
			for _, err := range src.Posts(ctx) {
				if err != nil {
					out = append(out, err.Error(), fmt.Sprintf("%+v", err))
					errs++
				}
			}
			out = append(out, logs.String(), fmt.Sprint(src), fmt.Sprintf("%+v", src))
			if s, ok := src.(fmt.Stringer); ok {
				out = append(out, s.String())
			}
			for _, sec := range secrets {
				all := strings.Join(out, "\n")
				if piece := leaked(all, sec); piece != "" {
					i := strings.Index(all, piece)
					t.Errorf("status %d: %q, a piece of a credential, appears in an error, a log record or String: %q", status, piece, all[max(0, i-80):min(len(all), i+40)])
				}
			}
			if errs == 0 && ctx.Err() == nil {
				t.Logf("status %d: the source ended without an error", status)
			}
		})
	}
}

// leaked returns an 8-byte piece of secret found in s (the whole secret
// if shorter), or "".
func leaked(s, secret string) string {
	if len(secret) <= 8 {
		if secret != "" && strings.Contains(s, secret) {
			return secret
		}
		return ""
	}
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(s, secret[i:i+8]) {
			return secret[i : i+8]
		}
	}
	return ""
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
