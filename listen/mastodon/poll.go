package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/jsonscan"
)

// recentIDs is how many delivered IDs a stream run remembers to rewind its
// backfill over events the stream may have reordered.
const recentIDs = 64

// page reads one page of the timeline forward from the cursor (min_id,
// which never skips posts, unlike since_id) and delivers its statuses
// oldest first. It reports more when the page was full: the next page is
// read at once. Without a cursor the first page is the newest one.
func (r *run) page(ctx context.Context) (more bool, err error) {
	if r.next == "" {
		r.min = r.cursor
		r.next = r.pageURL(r.min, r.limit)
	}
	page, prev, err := r.fetch(ctx, r.next)
	if err != nil {
		return r.fetchFailed(ctx, err)
	}
	sort.Slice(page, func(i, j int) bool { return idLess(page[i].ID, page[j].ID) })
	for i := range page {
		if r.min != "" && !idLess(r.min, page[i].ID) {
			continue // not newer than asked for: a misbehaving server
		}
		if err := r.deliver(ctx, page[i].post(r.src.host), ""); err != nil {
			return false, err
		}
	}
	full := len(page) >= r.limit
	if len(page) > 0 {
		newest := page[len(page)-1].ID
		full = full && (r.min == "" || idLess(r.min, newest)) // no progress: do not loop
		r.min = newest
	}
	if !full {
		r.next = ""
		return false, nil
	}
	r.next = r.forward(prev, r.min)
	return true, nil
}

// fetchFailed handles a page that could not be read.
//
// GoToSocial answers 404 "tag was not found, or not useable/listable" for
// a hashtag no status has used yet (Mastodon answers an empty page): that
// is an empty timeline, and polling goes on. A page over the body limit is
// asked for again in halves; a single status over it is skipped past
// through the page's Link header, which names it, with a logged gap.
func (r *run) fetchFailed(ctx context.Context, err error) (bool, error) {
	var he *listen.HTTPError
	var tl *httpx.TooLargeError
	switch {
	case errors.As(err, &he) && he.StatusCode == http.StatusNotFound && r.src.timeline.kind == kindHashtag &&
		(strings.Contains(he.Message, "tag was not found") || strings.Contains(he.Message, "not useable/listable")):
		if !r.tagGone {
			r.tagGone = true
			r.src.b.Log(ctx, slog.LevelInfo, "the instance does not know the hashtag yet; polling on", "tag", r.src.timeline.arg)
		}
		r.next = ""
		return false, nil
	case errors.As(err, &tl) && r.limit > 1:
		r.limit /= 2
		r.next = r.pageURL(r.min, r.limit)
		r.src.b.Log(ctx, slog.LevelInfo, "page over the body limit; asking for smaller pages", "limit", r.limit)
		return true, nil
	case errors.As(err, &tl):
		id := ""
		if u, perr := url.Parse(httpx.LinkRel(tl.Header, "prev")); perr == nil {
			id = u.Query().Get("min_id")
		}
		if id == "" || (r.min != "" && !idLess(r.min, id)) {
			return false, err // the status cannot be named: skipping it blindly could skip more
		}
		r.Gap(ctx, "status "+id+" is over the body limit", err)
		r.min = id
		r.Commit()
		if r.cursor == "" || idLess(r.cursor, id) {
			r.cursor = id
		}
		r.limit = r.src.b.Settings.PageSize
		r.next = r.pageURL(r.min, r.limit)
		return true, nil
	}
	r.next = ""
	return false, err
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
					q.Set("limit", strconv.Itoa(r.limit))
					u.RawQuery = q.Encode()
				}
				return u.String()
			}
		}
	}
	return r.pageURL(min, r.limit)
}

// pageURL builds the REST request for the timeline.
func (r *run) pageURL(min string, limit int) string {
	s := r.src
	u := *s.base
	q := url.Values{}
	q.Set("limit", strconv.Itoa(limit))
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
	if tok := r.src.opt.tok(); tok != "" {
		req.Header.Set("Authorization", "Bearer "+string(tok))
	}
	return req, nil
}

// fetch gets one page and decodes it. A status that does not decode is
// skipped (and reported); a body that does not decode at all (a truncated
// response, an HTML page with status 200) is retried like a failed
// request.
func (r *run) fetch(ctx context.Context, pageURL string) (page []status, prev string, err error) {
	req, err := r.newRequest(ctx, pageURL)
	if err != nil {
		return nil, "", err
	}
	var skips []skipped
	resp, err := r.src.b.Client.Fetch(ctx, req, func(resp *httpx.Response) error {
		var derr error
		page, skips, derr = decodePage(resp.Body, r.src.timeline.kind == kindSearch)
		if derr != nil {
			return httpx.Again(&listen.DecodeError{Platform: Platform, Err: derr}, 0)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	for _, sk := range skips {
		r.Skip(ctx, adapter.ItemID(sk.raw, "id"), sk.raw, sk.err)
	}
	return page, httpx.LinkRel(resp.Header, "prev"), nil
}

// skipped is an item of a page that could not be decoded.
type skipped struct {
	raw []byte
	err error
}

// decodePage decodes a timeline page (an array of statuses) or a search
// result ({"statuses":[...]}) item by item. err is set only when the page
// itself is not one: items that do not decode, or have no ID, are
// returned as skips.
func decodePage(body []byte, search bool) (page []status, skips []skipped, err error) {
	if !search {
		if p, ok := decodePageFast(body); ok {
			return p, nil, nil
		}
	}
	var items []json.RawMessage
	if search {
		var res struct {
			Statuses []json.RawMessage `json:"statuses"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			return nil, nil, err
		}
		items = res.Statuses
	} else if err := json.Unmarshal(body, &items); err != nil {
		return nil, nil, err
	}
	for _, raw := range items {
		var st status
		if err := decodeStatus(raw, &st); err != nil {
			skips = append(skips, skipped{raw, err})
			continue
		}
		if st.ID == "" {
			skips = append(skips, skipped{raw, errors.New("status without id")})
			continue
		}
		page = append(page, st)
	}
	return page, skips, nil
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
		if decodeStatusString(raw, &st) != nil || st.ID == "" {
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
