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
	feeds    []Feed
	cfg      config
	key      string
	http     *httpx.Client
	counters listen.Counters
}

// New returns a source polling feeds.
func New(feeds []Feed, opts ...Option) (*Source, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if len(feeds) == 0 {
		return nil, errors.New("rss: no feeds")
	}
	seen := map[string]bool{}
	var urls []string
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
	}
	s := &Source{feeds: append([]Feed(nil), feeds...), cfg: cfg, key: cfg.key}
	if s.key == "" {
		sort.Strings(urls)
		s.key = "rss:" + strings.Join(urls, " ")
	}
	hc := cfg.httpClient
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
	s.http = &httpx.Client{
		Platform: Platform, HTTP: &c, UserAgent: cfg.userAgent, MaxBody: cfg.maxBody, RequestTimeout: cfg.reqTimeout,
		Limiter: cfg.limiter, Logger: cfg.logger, Counters: &s.counters,
		Retry: httpx.Retry{Initial: cfg.minBackoff, Max: cfg.maxBackoff, MaxElapsed: cfg.maxRetry},
	}
	return s, nil
}

type redirectKey struct{}

type redirectInfo struct {
	permanent bool
	to        string
}

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.counters.Stats() }

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

	feed     Feed
	seen     map[string]int64
	order    []string
	next     time.Time
	failures int
	polled   bool
}

func (f *feedState) remember(key string, updated int64, capacity int) {
	if _, ok := f.seen[key]; !ok {
		f.order = append(f.order, key)
	}
	f.seen[key] = updated
	for len(f.order) > capacity {
		delete(f.seen, f.order[0])
		f.order = f.order[1:]
	}
}

func (f *feedState) marshalSeen() {
	f.Seen = f.Seen[:0]
	for _, k := range f.order {
		f.Seen = append(f.Seen, k+"\t"+strconv.FormatInt(f.seen[k], 10))
	}
}

func (s *Source) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if s.cfg.logger != nil {
		s.cfg.logger.Log(ctx, level, "rss: "+msg, args...)
	}
}

func (s *Source) load(ctx context.Context) ([]*feedState, error) {
	saved := map[string]*feedState{}
	if s.cfg.store != nil {
		c, err := s.cfg.store.Load(ctx, s.key)
		if err != nil {
			return nil, fmt.Errorf("rss: load cursor: %w", err)
		}
		if c != "" {
			if err := json.Unmarshal([]byte(c), &saved); err != nil {
				return nil, fmt.Errorf("rss: saved cursor for %q is corrupt: %w", s.key, err)
			}
		}
	}
	out := make([]*feedState, len(s.feeds))
	for i, f := range s.feeds {
		st := saved[f.URL]
		if st == nil {
			st = &feedState{}
		}
		st.feed = f
		if st.URL == "" {
			st.URL = f.URL
		}
		st.seen = map[string]int64{}
		for _, e := range st.Seen {
			k, v, _ := strings.Cut(e, "\t")
			n, _ := strconv.ParseInt(v, 10, 64)
			st.remember(k, n, 1<<30)
		}
		out[i] = st
	}
	return out, nil
}

func (s *Source) save(ctx context.Context, feeds []*feedState) error {
	if s.cfg.store == nil {
		return nil
	}
	m := map[string]*feedState{}
	for _, f := range feeds {
		f.marshalSeen()
		m[f.feed.URL] = f
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("rss: save cursor: %w", err)
	}
	if err := s.cfg.store.Save(ctx, s.key, string(b)); err != nil && ctx.Err() == nil {
		return fmt.Errorf("rss: save cursor: %w", err)
	}
	return nil
}

// Posts implements [listen.Source]. Without [Follow] it polls
// every feed once and ends; otherwise it runs until ctx is done or the
// loop breaks. Errors are final: refused credentials (401, 403), every
// feed gone (410), a failing cursor store, and, in a single pass, any
// feed that could not be fetched. Other failures are retried, then the
// feed is polled again later with backoff.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		if s.cfg.httpClient == nil {
			// Our own client: leave no idle keep-alive connection (and
			// its goroutines) behind when the loop ends.
			defer s.http.HTTP.CloseIdleConnections()
		}
		feeds, err := s.load(ctx)
		if err != nil {
			if ctx.Err() == nil {
				yield(listen.Post{}, err)
			}
			return
		}
		for {
			var f *feedState
			for _, c := range feeds {
				if c.Gone || (!s.cfg.follow && c.polled) {
					continue
				}
				if f == nil || c.next.Before(f.next) {
					f = c
				}
			}
			if f == nil {
				if s.cfg.follow {
					yield(listen.Post{}, &listen.HTTPError{Platform: Platform, StatusCode: http.StatusGone, Message: "every feed is gone"})
				}
				return
			}
			if httpx.Sleep(ctx, time.Until(f.next)) != nil {
				return
			}
			cont, err := s.poll(ctx, f, yield)
			if ctx.Err() != nil {
				s.save(context.WithoutCancel(ctx), feeds)
				return
			}
			if serr := s.save(ctx, feeds); serr != nil && err == nil && cont {
				err = serr
			}
			if !cont {
				return
			}
			if err != nil {
				yield(listen.Post{}, err)
				return
			}
		}
	}
}

// poll fetches one feed and yields its new items. It returns false when
// the consumer broke out, and a final error.
func (s *Source) poll(ctx context.Context, f *feedState, yield func(listen.Post, error) bool) (bool, error) {
	f.polled = true
	interval := f.feed.Interval
	if interval == 0 {
		interval = s.cfg.interval
	}
	req, err := http.NewRequest(http.MethodGet, f.URL, nil)
	if err != nil {
		f.Gone = true
		return true, fmt.Errorf("rss: %s: %v", httpx.RedactURLString(f.URL), err)
	}
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, */*;q=0.7")
	if f.ETag != "" {
		req.Header.Set("If-None-Match", f.ETag)
	}
	if f.LastModified != "" {
		req.Header.Set("If-Modified-Since", f.LastModified)
	}
	info := &redirectInfo{permanent: true}
	resp, err := s.http.Do(context.WithValue(ctx, redirectKey{}, info), req)
	now := time.Now()
	if err != nil {
		if ctx.Err() != nil {
			return false, nil
		}
		return s.failed(ctx, f, err, now)
	}
	if info.to != "" && info.permanent && info.to != f.URL {
		s.log(ctx, slog.LevelInfo, "feed moved permanently", "from", httpx.RedactURLString(f.URL), "to", httpx.RedactURLString(info.to))
		f.URL = info.to
	}
	f.next = now.Add(maxDur(interval, maxAge(resp.Header)))
	if resp.StatusCode == http.StatusNotModified {
		f.failures = 0
		return true, nil
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(resp.Body))
	if err != nil {
		s.counters.Skip()
		derr := &listen.DecodeError{Platform: Platform, Err: fmt.Errorf("%s: %v", httpx.RedactURLString(f.URL), err)}
		return s.failed(ctx, f, derr, now)
	}
	f.failures = 0
	posts := mapFeed(f.feed.URL, feed, now)
	capacity := max(s.cfg.seen, 2*len(posts))
	for _, it := range posts {
		old, seen := f.seen[it.key]
		p := it.post
		switch {
		case !seen:
		case it.updated > old && old != 0:
			p.Kind = listen.KindUpdate
		default:
			s.counters.Duplicate()
			continue
		}
		f.remember(it.key, it.updated, capacity)
		s.counters.Deliver(p.Created, now)
		if !yield(p, nil) {
			return false, nil // validators stay old: unhandled items come again and are deduped
		}
	}
	f.ETag, f.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	return true, nil
}

// failed handles a fetch that failed after retries.
func (s *Source) failed(ctx context.Context, f *feedState, err error, now time.Time) (bool, error) {
	var he *listen.HTTPError
	var rle *listen.RateLimitError
	switch {
	case errors.Is(err, listen.ErrAuth):
		return true, err
	case errors.As(err, &he) && he.StatusCode == http.StatusGone:
		s.log(ctx, slog.LevelWarn, "feed is gone; no longer polling it", "url", httpx.RedactURLString(f.URL))
		f.Gone = true
		if !s.cfg.follow {
			return true, err
		}
		return true, nil
	}
	if !s.cfg.follow {
		return true, err
	}
	f.failures++
	d := s.cfg.minBackoff << min(f.failures, 30)
	if d > s.cfg.maxBackoff || d <= 0 {
		d = s.cfg.maxBackoff
	}
	if errors.As(err, &rle) && rle.RetryAfter > d {
		d = rle.RetryAfter
	}
	interval := f.feed.Interval
	if interval == 0 {
		interval = s.cfg.interval
	}
	f.next = now.Add(maxDur(d, interval))
	s.log(ctx, slog.LevelWarn, "poll failed", "url", httpx.RedactURLString(f.URL), "failures", f.failures, "next", f.next, "err", err.Error())
	return true, nil
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
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
		title, _ := htmlText(it.Title)
		body := it.Content
		if strings.TrimSpace(body) == "" {
			body = it.Description
		}
		text, links := htmlText(body)
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
