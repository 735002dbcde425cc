package rss

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/config"
	"github.com/earshot-dev/earshot/listen/internal/htmltext"
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// Platform is the value of [listen.Post.Platform] for feed items.
const Platform = "rss"

// Feed is one feed to poll.
type Feed struct {
	URL      string        // RSS, Atom or JSON Feed document
	Interval time.Duration // polling interval; 0 means the source's (see WithInterval)
}

// URLs returns feeds for urls, each with the source's default interval.
func URLs(urls ...string) []Feed {
	out := make([]Feed, len(urls))
	for i, u := range urls {
		out[i] = Feed{URL: u}
	}
	return out
}

// Source is a [listen.Source] that polls RSS, Atom and JSON Feed documents
// with conditional GET and yields their new items as posts, oldest first.
//
// Each feed is polled at its own interval. The first poll of a feed yields
// the items it holds; later polls yield only items not delivered before
// (by GUID, else link, else a hash of title and date) and, as
// [listen.KindUpdate], items whose updated date moved forward. Create it
// with [New]. A Source is safe for concurrent use; each Posts call polls
// on its own.
type Source struct {
	feeds []Feed
	b     *adapter.Base
}

// New returns a source polling feeds. It takes the shared options of
// package listen: Follow, WithInterval (default 15m; a feed's own
// Interval wins), WithRetryBackoff (default 1s and 6h: how far a failing
// feed is put back), WithMaxRetryTime (default 2m for one request),
// WithDedupeSize (default 1,000 keys per feed, and at least twice the
// feed's length), WithMaxBody (default 10 MiB), WithCursorStore,
// WithSaveInterval (default 1s), WithHTTPClient (leave its compression
// on: feeds are fetched with gzip), ...
func New(feeds []Feed, opts ...listen.Option) (*Source, error) {
	cfg := defaults()
	var none struct{}
	if err := config.Apply("rss.New", &cfg, &none, opts); err != nil {
		return nil, err
	}
	if err := cfg.Check(Platform, 0, 0); err != nil {
		return nil, err
	}
	if cfg.MaxBody == 0 {
		return nil, errors.New("rss: body limit must be positive")
	}
	if len(feeds) == 0 {
		return nil, errors.New("rss: no feeds")
	}
	seen := map[string]bool{}
	var urls []string
	var secrets []httpx.Secret
	for _, f := range feeds {
		u, err := url.Parse(f.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("rss: bad feed URL %q", httpx.RedactURLString(f.URL))
		}
		if f.Interval < 0 {
			return nil, fmt.Errorf("rss: negative interval for %s", httpx.RedactURL(u))
		}
		if seen[f.URL] {
			return nil, fmt.Errorf("rss: feed %s listed twice", httpx.RedactURL(u))
		}
		seen[f.URL] = true
		urls = append(urls, f.URL)
		secrets = append(secrets, adapter.URLSecrets(f.URL)...)
	}
	if cfg.Key == "" {
		sort.Strings(urls)
		cfg.Key = "rss:" + strings.Join(urls, " ")
	}
	s := &Source{feeds: append([]Feed(nil), feeds...)}
	s.b = adapter.New(Platform, cfg, nil, secrets...)
	hc := cfg.HTTPClient
	if hc == nil {
		hc = httpx.DefaultHTTPClient()
	}
	c := *hc // shallow copy: same transport, our redirect hook
	orig := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if info, ok := req.Context().Value(redirectKey{}).(*redirectInfo); ok && req.Response != nil {
			code := req.Response.StatusCode
			info.permanent = info.permanent && (code == http.StatusMovedPermanently || code == http.StatusPermanentRedirect)
			info.to = req.URL.String()
		}
		if orig != nil {
			return orig(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	s.b.Client.HTTP = &c
	return s, nil
}

type redirectKey struct{}

type redirectInfo struct {
	permanent bool
	to        string
}

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.b.Stats() }

// String describes the source.
func (s *Source) String() string { return fmt.Sprintf("rss.Source(%d feeds)", len(s.feeds)) }

// feedState is what is known about one feed; its exported fields are the
// saved cursor.
type feedState struct {
	URL          string   `json:"url,omitempty"` // current URL after a permanent redirect
	ETag         string   `json:"etag,omitempty"`
	LastModified string   `json:"last_modified,omitempty"`
	Gone         bool     `json:"gone,omitempty"`
	Seen         []string `json:"seen,omitempty"` // "key\tupdated-unix", oldest first

	feed   Feed
	seen   *seen.Map[string, int64] // item key -> updated (unix seconds)
	next   time.Time
	bo     *httpx.Backoff // for a failing feed
	polled bool
}

// cursor is every feed's state; it implements [adapter.Cursor].
type cursor struct {
	s     *Source
	feeds []*feedState
}

// Restore implements [adapter.Cursor].
func (c *cursor) Restore(saved string) error {
	m := map[string]*feedState{}
	if saved != "" {
		if err := json.Unmarshal([]byte(saved), &m); err != nil {
			return fmt.Errorf("corrupt: %w", err)
		}
	}
	for _, f := range c.feeds {
		st := m[f.feed.URL]
		if st == nil {
			continue
		}
		f.URL, f.ETag, f.LastModified, f.Gone = st.URL, st.ETag, st.LastModified, st.Gone
		if f.URL == "" {
			f.URL = f.feed.URL
		}
		f.seen = seen.NewMap[string, int64](max(c.s.b.Settings.Dedupe, len(st.Seen)))
		for _, e := range st.Seen {
			k, v, _ := strings.Cut(e, "\t")
			n, _ := strconv.ParseInt(v, 10, 64)
			f.seen.Put(k, n)
		}
	}
	return nil
}

// Marshal implements [adapter.Cursor].
func (c *cursor) Marshal() string {
	m := map[string]*feedState{}
	for _, f := range c.feeds {
		f.Seen = f.Seen[:0]
		for _, k := range f.seen.Last(f.seen.Len()) {
			v, _ := f.seen.Get(k)
			f.Seen = append(f.Seen, k+"\t"+strconv.FormatInt(v, 10))
		}
		m[f.feed.URL] = f
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// remember records key; the set grows to twice the feed's length if the
// feed is longer than the dedupe size.
func (f *feedState) remember(key string, updated int64, feedLen int) {
	if f.seen.Cap() < 2*feedLen {
		bigger := seen.NewMap[string, int64](2 * feedLen)
		for _, k := range f.seen.Last(f.seen.Len()) {
			v, _ := f.seen.Get(k)
			bigger.Put(k, v)
		}
		f.seen = bigger
	}
	f.seen.Put(key, updated)
}

// Posts implements [listen.Source]. Without [listen.Follow] it polls
// every feed once and ends; otherwise it runs until ctx is done or the
// loop breaks. Errors are final: refused credentials (401, 403), every
// feed gone (410), a failing cursor store, and, in a single pass, any
// feed that could not be fetched. Other failures are retried, then the
// feed is polled again later with backoff (logged and counted).
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return s.b.Posts(ctx, func(r *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		cur := &cursor{s: s}
		policy := s.b.Settings.Retry
		policy.MaxElapsed = -1
		for _, f := range s.feeds {
			cur.feeds = append(cur.feeds, &feedState{feed: f, URL: f.URL, seen: seen.NewMap[string, int64](s.b.Settings.Dedupe), bo: httpx.NewBackoff(policy)})
		}
		return cur, func(ctx context.Context) error {
			if s.b.Settings.HTTPClient == nil {
				// Our own client: leave no idle keep-alive connection (and
				// its goroutines) behind when the loop ends.
				defer s.b.Client.HTTP.CloseIdleConnections()
			}
			return s.run(ctx, r, cur.feeds)
		}
	})
}

// run polls the feeds, each when it is due.
func (s *Source) run(ctx context.Context, r *adapter.Run, feeds []*feedState) error {
	follow := s.b.Settings.Follow
	for {
		var f *feedState
		for _, c := range feeds {
			if c.Gone || (!follow && c.polled) {
				continue
			}
			if f == nil || c.next.Before(f.next) {
				f = c
			}
		}
		if f == nil {
			if follow {
				return &listen.HTTPError{Platform: Platform, StatusCode: http.StatusGone, Message: "every feed is gone"}
			}
			return nil
		}
		if httpx.Sleep(ctx, time.Until(f.next)) != nil {
			return adapter.ErrStop
		}
		if err := s.poll(ctx, r, f); err != nil {
			return err
		}
	}
}

// poll fetches one feed and delivers its new items.
func (s *Source) poll(ctx context.Context, r *adapter.Run, f *feedState) error {
	f.polled = true
	interval := f.feed.Interval
	if interval == 0 {
		interval = s.b.Settings.Interval
	}
	req, err := http.NewRequest(http.MethodGet, f.URL, nil)
	if err != nil {
		f.Gone = true
		return fmt.Errorf("rss: %s: %v", httpx.RedactURLString(f.URL), err)
	}
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, */*;q=0.7")
	if f.ETag != "" {
		req.Header.Set("If-None-Match", f.ETag)
	}
	if f.LastModified != "" {
		req.Header.Set("If-Modified-Since", f.LastModified)
	}
	info := &redirectInfo{permanent: true}
	resp, err := s.b.Client.Do(context.WithValue(ctx, redirectKey{}, info), req)
	now := time.Now()
	if err != nil {
		if ctx.Err() != nil {
			return adapter.ErrStop
		}
		return s.failed(ctx, r, f, err, now, interval)
	}
	if info.to != "" && info.permanent && info.to != f.URL {
		s.b.Log(ctx, slog.LevelInfo, "feed moved permanently", "from", httpx.RedactURLString(f.URL), "to", httpx.RedactURLString(info.to))
		f.URL = info.to
		r.Commit()
	}
	f.next = now.Add(max(interval, maxAge(resp.Header)))
	if resp.StatusCode == http.StatusNotModified {
		f.bo.Reset()
		return nil
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(resp.Body))
	if err != nil {
		r.Skip(ctx, httpx.RedactURLString(f.URL), resp.Body, fmt.Errorf("not a feed: %v", err))
		return s.failed(ctx, r, f, &listen.DecodeError{Platform: Platform, Err: fmt.Errorf("%s: %v", httpx.RedactURLString(f.URL), err)}, now, interval)
	}
	f.bo.Reset()
	posts := mapFeed(f.feed.URL, feed, now)
	for _, it := range posts {
		old, known := f.seen.Get(it.key)
		p := it.post
		switch {
		case !known:
		case it.updated > old && old != 0:
			p.Kind = listen.KindUpdate
		default:
			s.b.Counters.Duplicate()
			continue
		}
		if err := r.Deliver(ctx, p, func() { f.remember(it.key, it.updated, len(posts)) }); err != nil {
			return err // validators stay old: unhandled items come again and are deduped
		}
	}
	f.ETag, f.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	r.Commit()
	return nil
}

// failed handles a fetch that failed after retries: final when the
// credentials were refused, or in a single pass; a gone feed is dropped;
// otherwise the feed is put back with backoff.
func (s *Source) failed(ctx context.Context, r *adapter.Run, f *feedState, err error, now time.Time, interval time.Duration) error {
	var he *listen.HTTPError
	var rle *listen.RateLimitError
	switch {
	case errors.Is(err, listen.ErrAuth):
		return err
	case errors.As(err, &he) && he.StatusCode == http.StatusGone:
		s.b.Log(ctx, slog.LevelWarn, "feed is gone; no longer polling it", "url", httpx.RedactURLString(f.URL))
		f.Gone = true
		r.Commit()
		if !s.b.Settings.Follow {
			return err
		}
		return nil
	}
	if !s.b.Settings.Follow {
		return err
	}
	d, _ := f.bo.Next()
	if errors.As(err, &rle) {
		// Honoured, but no further than the pause limit.
		d = max(d, min(rle.RetryAfter, s.b.Client.Retry.PauseLimit()))
	}
	if d > interval {
		s.b.Counters.Pause() // the failure holds the feed back beyond its interval
	}
	d = max(d, interval)
	f.next = now.Add(d)
	s.b.Log(ctx, slog.LevelWarn, "poll failed; polling the feed again later", "url", httpx.RedactURLString(f.URL), "in", d.Round(time.Second), "err", err)
	return nil
}

// maxAge reads Cache-Control max-age, capped at a day.
func maxAge(h http.Header) time.Duration {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(k, "max-age") {
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
				return min(time.Duration(n)*time.Second, 24*time.Hour)
			}
		}
	}
	return 0
}

// item is a mapped feed item with its dedupe key.
type item struct {
	key     string
	updated int64 // unix seconds of the item's updated date, 0 if none
	post    listen.Post
}

// mapFeed maps a parsed feed's items to posts, oldest first. feedURL
// makes relative IDs unique; at stands in for a missing date.
func mapFeed(feedURL string, feed *gofeed.Feed, at time.Time) []item {
	out := make([]item, 0, len(feed.Items))
	for i, it := range feed.Items {
		if it == nil {
			continue
		}
		key := strings.TrimSpace(it.GUID)
		if key == "" {
			key = strings.TrimSpace(it.Link)
		}
		if key == "" {
			h := fnv.New64a()
			h.Write([]byte(it.Title + "\x00" + it.Published + "\x00" + it.Description))
			key = "hash:" + strconv.FormatUint(h.Sum64(), 36)
		}
		id := key
		if !strings.Contains(key, "://") && !strings.HasPrefix(key, "tag:") && !strings.HasPrefix(key, "urn:") {
			id = feedURL + "#" + key
		}
		p := listen.Post{Platform: Platform, ID: id, URL: strings.TrimSpace(it.Link), Lang: feed.Language}
		if p.URL == "" && len(it.Links) > 0 {
			p.URL = it.Links[0]
		}
		if len(it.Authors) > 0 && it.Authors[0] != nil {
			p.Author.Name = it.Authors[0].Name
		} else if it.Author != nil {
			p.Author.Name = it.Author.Name
		}
		var upd int64
		switch {
		case it.PublishedParsed != nil:
			p.Created = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			p.Created = it.UpdatedParsed.UTC()
		default:
			p.Created = at.UTC().Truncate(time.Second)
		}
		if it.UpdatedParsed != nil {
			upd = it.UpdatedParsed.Unix()
		}
		title, _ := htmltext.Convert(it.Title)
		body := it.Content
		if strings.TrimSpace(body) == "" {
			body = it.Description
		}
		text, links := htmltext.Convert(body)
		switch {
		case title == "" || strings.HasPrefix(text, title):
			p.Text = text
		case text == "":
			p.Text = title
		default:
			p.Text = title + "\n\n" + text
		}
		p.Links = links
		for _, c := range it.Categories {
			if c = strings.TrimSpace(c); c != "" {
				p.Tags = appendUnique(p.Tags, c)
			}
		}
		p.Repair()
		out = append(out, item{key: key, updated: upd, post: p})
		_ = i
	}
	// Oldest first; items without dates keep the feed's order, reversed
	// (feeds list the newest first).
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].post.Created.Before(out[b].post.Created) })
	return out
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
