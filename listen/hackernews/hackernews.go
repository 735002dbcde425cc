package hackernews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/htmltext"
)

// Platform is the Post.Platform of every post from this package.
const Platform = "hackernews"

// Default API roots.
const (
	AlgoliaURL  = "https://hn.algolia.com/api/v1"
	FirebaseURL = "https://hacker-news.firebaseio.com/v0"
)

// Option configures a [Source] or [Items]. Options only record values;
// the constructors validate them.
type Option func(*config)

type config struct {
	httpClient  *http.Client
	limiter     *rate.Limiter
	logger      *slog.Logger
	userAgent   string
	store       listen.CursorStore
	storeKey    string
	follow      bool
	interval    time.Duration
	overlap     time.Duration
	tags        string
	hitsPerPage int
	baseURL     string
	retry       httpx.Retry
	maxBody     int64
	timeout     time.Duration
	nullRetries int
}

// WithHTTPClient sets the *http.Client for every request.
func WithHTTPClient(c *http.Client) Option { return func(o *config) { o.httpClient = c } }

// WithLimiter makes every request wait for l (Algolia allows 10,000
// requests per hour per IP).
func WithLimiter(l *rate.Limiter) Option { return func(o *config) { o.limiter = l } }

// WithLogger sets a logger for retries. Default: silent.
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.logger = l } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(o *config) { o.userAgent = ua } }

// WithCursorStore resumes from, and saves after each post, the cursor
// under key.
func WithCursorStore(store listen.CursorStore, key string) Option {
	return func(o *config) { o.store, o.storeKey = store, key }
}

// Follow keeps polling until ctx is done; without it a run ends once
// caught up.
func Follow() Option { return func(o *config) { o.follow = true } }

// WithInterval sets the polling interval (default 1m).
func WithInterval(d time.Duration) Option { return func(o *config) { o.interval = d } }

// WithOverlap sets how far back each search poll looks before the newest
// delivered created_at_i, to catch items Algolia indexes late (default 10m).
func WithOverlap(d time.Duration) Option { return func(o *config) { o.overlap = d } }

// WithTags sets Algolia's tags filter (default "(story,comment)").
func WithTags(tags string) Option { return func(o *config) { o.tags = tags } }

// WithPageSize sets Algolia's page size (1..1000, default 1000).
func WithPageSize(n int) Option { return func(o *config) { o.hitsPerPage = n } }

// WithBaseURL sets the API root (AlgoliaURL for [New], FirebaseURL for
// [NewItems]); for tests and mirrors.
func WithBaseURL(u string) Option { return func(o *config) { o.baseURL = u } }

// WithMaxRetryTime bounds how long transient failures are retried (default 15m).
func WithMaxRetryTime(d time.Duration) Option { return func(o *config) { o.retry.MaxElapsed = d } }

// WithRetryBackoff sets the first and largest backoff interval.
func WithRetryBackoff(initial, max time.Duration) Option {
	return func(o *config) { o.retry.Initial, o.retry.Max = initial, max }
}

// WithMaxBody sets the response size limit (default 50 MB).
func WithMaxBody(n int64) Option { return func(o *config) { o.maxBody = n } }

// WithRequestTimeout bounds one request attempt (default 1m).
func WithRequestTimeout(d time.Duration) Option { return func(o *config) { o.timeout = d } }

// WithNullRetries sets how many polls [Items] waits for an item that
// answers null (not yet visible) before skipping it (default 10).
func WithNullRetries(n int) Option { return func(o *config) { o.nullRetries = n } }

func newConfig(base string, opts []Option) (config, error) {
	cfg := config{
		interval: time.Minute, overlap: 10 * time.Minute, tags: "(story,comment)",
		hitsPerPage: 1000, baseURL: base, nullRetries: 10,
		userAgent: "earshot (+https://github.com/earshot-dev/earshot)",
	}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case cfg.interval <= 0:
		return cfg, errors.New("hackernews: interval must be positive")
	case cfg.overlap < 0:
		return cfg, errors.New("hackernews: negative overlap")
	case cfg.hitsPerPage < 1 || cfg.hitsPerPage > 1000:
		return cfg, fmt.Errorf("hackernews: page size %d outside 1..1000", cfg.hitsPerPage)
	case cfg.store != nil && cfg.storeKey == "":
		return cfg, errors.New("hackernews: cursor store needs a key")
	}
	u, err := url.Parse(cfg.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, fmt.Errorf("hackernews: bad base URL %q", cfg.baseURL)
	}
	return cfg, nil
}

func newClient(cfg config, counters *listen.Counters) *httpx.Client {
	return &httpx.Client{
		Platform: Platform, HTTP: cfg.httpClient, UserAgent: cfg.userAgent, MaxBody: cfg.maxBody,
		RequestTimeout: cfg.timeout, Retry: cfg.retry, Limiter: cfg.limiter, Counters: counters, Logger: cfg.logger,
	}
}

// Source polls Algolia's search_by_date for new stories and comments. It
// is a [listen.Source] and a [listen.StatsReporter], safe for concurrent
// use; each Posts call is a run that resumes from the cursor store.
type Source struct {
	query    string
	cfg      config
	client   *httpx.Client
	counters listen.Counters
}

// New returns a source for query ("" for everything matching the tags)
// on Algolia's HN search. It does no I/O.
func New(query string, opts ...Option) (*Source, error) {
	cfg, err := newConfig(AlgoliaURL, opts)
	if err != nil {
		return nil, err
	}
	s := &Source{query: query, cfg: cfg}
	s.client = newClient(cfg, &s.counters)
	return s, nil
}

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.counters.Stats() }

// hit is one Algolia search hit.
type hit struct {
	ObjectID    string   `json:"objectID"`
	CreatedAtI  int64    `json:"created_at_i"`
	Author      *string  `json:"author"`
	Title       *string  `json:"title"`
	URL         *string  `json:"url"`
	Points      *int     `json:"points"`
	StoryText   *string  `json:"story_text"`
	CommentText *string  `json:"comment_text"`
	NumComments *int     `json:"num_comments"`
	StoryID     *int64   `json:"story_id"`
	ParentID    *int64   `json:"parent_id"`
	Tags        []string `json:"_tags"`
}

type searchPage struct {
	Hits    []json.RawMessage `json:"hits"`
	NbHits  int               `json:"nbHits"`
	Page    int               `json:"page"`
	NbPages int               `json:"nbPages"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func idString(p *int64) string {
	if p == nil || *p == 0 {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// DecodeHit decodes one Algolia hit into a Post.
func DecodeHit(data []byte) (listen.Post, error) {
	var h hit
	if err := json.Unmarshal(data, &h); err != nil {
		return listen.Post{}, &listen.DecodeError{Platform: Platform, Err: err}
	}
	if h.ObjectID == "" {
		return listen.Post{}, &listen.DecodeError{Platform: Platform, Err: errors.New("hit without objectID")}
	}
	return h.post(), nil
}

func (h *hit) post() listen.Post {
	body := deref(h.CommentText)
	if body == "" {
		body = deref(h.StoryText)
	}
	text, links := htmltext.Convert(body)
	if t := deref(h.Title); t != "" && h.CommentText == nil {
		title, _ := htmltext.Convert(t)
		if text == "" {
			text = title
		} else {
			text = title + "\n\n" + text
		}
	}
	if u := deref(h.URL); u != "" {
		links = append([]string{u}, links...)
	}
	p := listen.Post{
		Platform: Platform,
		ID:       h.ObjectID,
		URL:      "https://news.ycombinator.com/item?id=" + url.QueryEscape(h.ObjectID),
		Author:   listen.Author{ID: deref(h.Author), Handle: deref(h.Author)},
		Text:     text,
		Created:  time.Unix(h.CreatedAtI, 0).UTC(),
		ReplyTo:  idString(h.ParentID),
		Thread:   idString(h.StoryID),
		Links:    links,
		Likes:    deref(h.Points),
		Replies:  deref(h.NumComments),
	}
	if p.Thread == p.ID {
		p.Thread = ""
	}
	p.Repair()
	return p
}

// searchCursor is the persisted position: the newest created_at_i
// delivered and the objectIDs delivered inside the overlap window, so a
// restart neither skips late-indexed items nor repeats delivered ones.
type searchCursor struct {
	T   int64            `json:"t"`
	IDs map[string]int64 `json:"ids,omitempty"` // objectID -> created_at_i
}

// maxCursorIDs bounds the persisted seen-set.
const maxCursorIDs = 5000

func (c *searchCursor) prune(overlap time.Duration) {
	min := c.T - int64(overlap/time.Second)
	for id, t := range c.IDs {
		if t < min {
			delete(c.IDs, id)
		}
	}
	if len(c.IDs) > maxCursorIDs {
		type kv struct {
			id string
			t  int64
		}
		all := make([]kv, 0, len(c.IDs))
		for id, t := range c.IDs {
			all = append(all, kv{id, t})
		}
		sort.Slice(all, func(i, j int) bool { return all[i].t > all[j].t })
		for _, e := range all[maxCursorIDs:] {
			delete(c.IDs, e.id)
		}
	}
}

// Posts implements [listen.Source]. Hits are yielded oldest first.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		cur := &searchCursor{IDs: map[string]int64{}}
		if st := s.cfg.store; st != nil {
			raw, err := st.Load(ctx, s.cfg.storeKey)
			if err != nil {
				if ctx.Err() == nil {
					yield(listen.Post{}, fmt.Errorf("hackernews: load cursor: %w", err))
				}
				return
			}
			if raw != "" {
				if err := json.Unmarshal([]byte(raw), cur); err != nil {
					yield(listen.Post{}, fmt.Errorf("hackernews: cursor %q is not a search cursor: %w", raw, err))
					return
				}
				if cur.IDs == nil {
					cur.IDs = map[string]int64{}
				}
			}
		}
		for {
			stop, err := s.pollOnce(ctx, cur, yield)
			if stop {
				return
			}
			if err != nil {
				if ctx.Err() == nil {
					yield(listen.Post{}, err)
				}
				return
			}
			if !s.cfg.follow || httpx.Sleep(ctx, s.cfg.interval) != nil {
				return
			}
		}
	}
}

func (s *Source) pageURL(since, upper int64, page int) string {
	q := url.Values{}
	q.Set("query", s.query)
	if s.cfg.tags != "" {
		q.Set("tags", s.cfg.tags)
	}
	var filters []string
	if since > 0 {
		filters = append(filters, "created_at_i>="+strconv.FormatInt(since, 10))
	}
	if upper > 0 {
		filters = append(filters, "created_at_i<="+strconv.FormatInt(upper, 10))
	}
	if len(filters) > 0 {
		q.Set("numericFilters", strings.Join(filters, ","))
	}
	q.Set("hitsPerPage", strconv.Itoa(s.cfg.hitsPerPage))
	q.Set("page", strconv.Itoa(page))
	return s.cfg.baseURL + "/search_by_date?" + q.Encode()
}

// pollOnce fetches every page of hits newer than the cursor minus the
// overlap and delivers the unseen ones oldest first. stop is true when the
// loop body broke out.
func (s *Source) pollOnce(ctx context.Context, cur *searchCursor, yield func(listen.Post, error) bool) (stop bool, err error) {
	since := int64(0)
	if cur.T > 0 {
		since = cur.T - int64(s.cfg.overlap/time.Second)
	}
	// Algolia returns at most 1,000 hits per query, newest first. When
	// more matched, slice by time: query again up to the oldest second
	// reached, until a query is not capped.
	var hits []hit
	upper := int64(0)
	for {
		got, nb, oldest := 0, 0, int64(0)
		for page := 0; ; page++ {
			pg, err := s.fetchPage(ctx, since, upper, page)
			if err != nil {
				return false, err
			}
			if page == 0 {
				nb = pg.NbHits
			}
			for _, raw := range pg.Hits {
				var h hit
				if json.Unmarshal(raw, &h) != nil || h.ObjectID == "" {
					s.counters.Skip()
					continue
				}
				hits = append(hits, h)
				got++
				if oldest == 0 || h.CreatedAtI < oldest {
					oldest = h.CreatedAtI
				}
			}
			if page+1 >= pg.NbPages || len(pg.Hits) == 0 || page+1 >= 1000/s.cfg.hitsPerPage {
				break
			}
		}
		if nb <= got || got == 0 || (upper != 0 && oldest >= upper) || oldest <= since {
			break
		}
		upper = oldest // the boundary second comes again; duplicates are dropped by objectID
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].CreatedAtI != hits[j].CreatedAtI {
			return hits[i].CreatedAtI < hits[j].CreatedAtI
		}
		return idLess(hits[i].ObjectID, hits[j].ObjectID)
	})
	for i := range hits {
		h := &hits[i]
		if _, dup := cur.IDs[h.ObjectID]; dup || (cur.T > 0 && h.CreatedAtI < since) {
			s.counters.Duplicate()
			continue
		}
		p := h.post()
		now := time.Now()
		more := yield(p, nil)
		s.counters.Deliver(p.Created, now)
		cur.IDs[h.ObjectID] = h.CreatedAtI
		if h.CreatedAtI > cur.T {
			cur.T = h.CreatedAtI
		}
		cur.prune(s.cfg.overlap)
		if st := s.cfg.store; st != nil {
			b, _ := json.Marshal(cur)
			if err := st.Save(ctx, s.cfg.storeKey, string(b)); err != nil && more {
				return false, fmt.Errorf("hackernews: save cursor: %w", err)
			}
		}
		if !more {
			return true, nil
		}
	}
	return false, nil
}

// fetchPage gets one search page, retrying bodies that do not decode.
func (s *Source) fetchPage(ctx context.Context, since, upper int64, page int) (*searchPage, error) {
	return getJSON[searchPage](ctx, s.client, &s.counters, s.cfg.retry, s.pageURL(since, upper, page))
}

// getJSON GETs url and decodes the body into T, retrying undecodable
// bodies (truncated responses) with backoff like other transient failures.
func getJSON[T any](ctx context.Context, c *httpx.Client, counters *listen.Counters, retry httpx.Retry, rawURL string) (*T, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	bo := httpx.NewBackoff(retry)
	for {
		resp, err := c.Do(ctx, req)
		if err != nil {
			return nil, err
		}
		v := new(T)
		derr := json.Unmarshal(resp.Body, v)
		if derr == nil {
			return v, nil
		}
		counters.Skip()
		wait, ok := bo.Next()
		if !ok {
			return nil, &listen.DecodeError{Platform: Platform, Err: derr}
		}
		counters.Retry()
		if err := httpx.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// idLess orders numeric ID strings.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
