package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/jsonscan"
)

// recentIDs is how many delivered IDs a stream run remembers to rewind its
// backfill over events the stream may have reordered.
const recentIDs = 64

// poll walks the timeline forward with min_id until caught up, and with
// Follow keeps doing so every interval.
func (r *run) poll(ctx context.Context) error {
	for {
		if err := r.catchUp(ctx, r.cursor); err != nil {
			return err
		}
		if !r.src.cfg.follow {
			return nil
		}
		if err := httpx.Sleep(ctx, r.src.cfg.interval); err != nil {
			return nil
		}
	}
}

// catchUp pages forward from min (exclusive; "" = newest page) until a
// page is not full, delivering statuses oldest first.
func (r *run) catchUp(ctx context.Context, min string) error {
	pageURL := r.pageURL(min)
	for {
		page, prev, err := r.fetch(ctx, pageURL)
		if err != nil {
			return err
		}
		sort.Slice(page, func(i, j int) bool { return idLess(page[i].ID, page[j].ID) })
		for i := range page {
			if min != "" && !idLess(min, page[i].ID) {
				continue // not newer than asked for: a misbehaving server
			}
			if err := r.deliver(ctx, page[i].post(r.src.host), ""); err != nil {
				return err
			}
		}
		if len(page) < r.src.cfg.pageSize {
			return nil
		}
		next := page[len(page)-1].ID
		if min != "" && !idLess(min, next) {
			return nil // no progress: avoid looping forever
		}
		min = next
		pageURL = r.forward(prev, min)
	}
}

// forward returns the URL of the next newer page: the Link header's
// rel="prev" URL, followed verbatim as the API asks, when it stays on the
// instance (the token must not leak to another host) and moves past min;
// otherwise a min_id URL built from the newest ID seen.
func (r *run) forward(prev, min string) string {
	if prev != "" {
		if u, err := url.Parse(prev); err == nil && u.Scheme == r.src.base.Scheme && u.Host == r.src.base.Host {
			q := u.Query()
			if m := q.Get("min_id"); m != "" && !idLess(m, min) {
				if q.Get("limit") == "" { // keep our page size, or paging would stop early
					q.Set("limit", strconv.Itoa(r.src.cfg.pageSize))
					u.RawQuery = q.Encode()
				}
				return u.String()
			}
		}
	}
	return r.pageURL(min)
}

// pageURL builds the REST request for the timeline.
func (r *run) pageURL(min string) string {
	s := r.src
	u := *s.base
	q := url.Values{}
	q.Set("limit", strconv.Itoa(s.cfg.pageSize))
	switch s.timeline.kind {
	case kindHashtag:
		u.Path += "/api/v1/timelines/tag/" + url.PathEscape(s.timeline.arg)
	case kindSearch:
		u.Path += "/api/v2/search"
		q.Set("q", s.timeline.arg)
		q.Set("type", "statuses")
	case kindHome:
		u.Path += "/api/v1/timelines/home"
	default:
		u.Path += "/api/v1/timelines/public"
		if s.timeline.local {
			q.Set("local", "true")
		}
	}
	if min != "" {
		q.Set("min_id", min)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func (r *run) newRequest(ctx context.Context, rawURL string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if tok := r.src.cfg.tok(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+string(tok))
	}
	return req, nil
}

// fetch gets one page, retrying bodies that do not decode (a truncated
// response) like any other transient failure.
func (r *run) fetch(ctx context.Context, pageURL string) (page []status, prev string, err error) {
	req, err := r.newRequest(ctx, pageURL)
	if err != nil {
		return nil, "", err
	}
	bo := httpx.NewBackoff(r.src.cfg.retry)
	for {
		resp, err := r.src.client.Do(ctx, req)
		if err != nil {
			return nil, "", err
		}
		page, derr := decodePage(resp.Body, r.src.timeline.kind == kindSearch)
		if derr == nil {
			return page, httpx.LinkRel(resp.Header, "prev"), nil
		}
		r.src.counters.Skip()
		wait, ok := bo.Next()
		if !ok {
			return nil, "", &listen.DecodeError{Platform: Platform, Err: derr}
		}
		r.src.counters.Retry()
		if err := httpx.Sleep(ctx, wait); err != nil {
			return nil, "", err
		}
	}
}

// decodePage decodes a timeline page (an array of statuses) or a search
// result ({"statuses":[...]}). A status without an ID is dropped.
func decodePage(body []byte, search bool) ([]status, error) {
	var page []status
	if !search {
		if p, ok := decodePageFast(body); ok {
			page = p
			goto filter
		}
	}
	if search {
		var res struct {
			Statuses []status `json:"statuses"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			return nil, err
		}
		page = res.Statuses
	} else if err := json.Unmarshal(body, &page); err != nil {
		return nil, err
	}
filter:
	out := page[:0]
	for _, st := range page {
		if st.ID != "" {
			out = append(out, st)
		}
	}
	if len(out) < len(page) && len(out) == 0 {
		return nil, errors.New("page of statuses without ids")
	}
	return out, nil
}

// decodePageFast decodes a JSON array of statuses with the fast decoder;
// ok is false if any element needs encoding/json. Each status is decoded
// from its own copy of its JSON (its strings are substrings of it), so a
// Post keeps only that alive, not the page.
func decodePageFast(body []byte) ([]status, bool) {
	s := jsonscan.Scanner{Strict: true}
	s.ResetBytes(body)
	if s.Peek() != '[' {
		return nil, false
	}
	var page []status
	array(&s, func() {
		raw := s.Raw()
		if s.Err() != nil {
			return
		}
		var st status
		if decodeStatusString(raw, &st) != nil {
			s.Fail()
			return
		}
		page = append(page, st)
	})
	if s.Finish() != nil {
		return nil, false
	}
	return page, true
}
