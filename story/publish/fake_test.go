package publish_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/internal/faulttest"
)

// The fakes below speak the wire formats of wire-formats.md §1.6, §2.4-2.6,
// §6.4-6.5 and §12: payload shapes, status codes, error bodies and
// rate-limit headers as the real servers send them.

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func bearer(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// startingUp answers every request as GoToSocial does while it starts
// (§12: 503, Retry-After: 120 and as a date, an HTML page) until the time
// until, then serves h.
func startingUp(h http.Handler, until time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if time.Now().Before(until) {
			faulttest.Starting(w)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// checkThreads verifies the server's posts: each (thread, part) exactly
// once, each part replying to the previous one, root = part 1 where the
// platform has roots. Texts start with "T<thread> P<part> ".
func checkThreads(posts []fakePost, threads, parts int) (dups, lost int, chainErrs []string) {
	byKey := map[string][]fakePost{}
	for _, p := range posts {
		var th, pt int
		fmt.Sscanf(p.Text, "T%d P%d", &th, &pt)
		byKey[fmt.Sprint(th, "/", pt)] = append(byKey[fmt.Sprint(th, "/", pt)], p)
	}
	for th := 0; th < threads; th++ {
		var prev, root fakePost
		for pt := 1; pt <= parts; pt++ {
			got := byKey[fmt.Sprint(th, "/", pt)]
			switch {
			case len(got) == 0:
				lost++
				continue
			case len(got) > 1:
				dups += len(got) - 1
			}
			p := got[0]
			if pt == 1 {
				root = p
				if p.Parent != "" {
					chainErrs = append(chainErrs, fmt.Sprintf("T%d P1 has a parent", th))
				}
			} else {
				if p.Parent != prev.ID {
					chainErrs = append(chainErrs, fmt.Sprintf("T%d P%d parent %s, want %s", th, pt, p.Parent, prev.ID))
				}
				if p.Root != "" && p.Root != root.ID {
					chainErrs = append(chainErrs, fmt.Sprintf("T%d P%d root %s, want %s", th, pt, p.Root, root.ID))
				}
			}
			prev = p
		}
	}
	sort.Strings(chainErrs)
	return dups, lost, chainErrs
}
