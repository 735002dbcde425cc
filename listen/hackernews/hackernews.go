package hackernews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/config"
	"github.com/earshot-dev/earshot/listen/internal/htmltext"
)

// Platform is the Post.Platform of every post from this package.
const Platform = "hackernews"

// Default API roots.
const (
	algoliaURL  = "https://hn.algolia.com/api/v1"
	firebaseURL = "https://hacker-news.firebaseio.com/v0"
)

type options struct {
	overlap     time.Duration
	tags        string
	baseURL     string
	nullRetries int
	searchOnly  string // the first search-only option set, for Items' error
}

// WithOverlap sets how far back each search poll looks before the newest
// delivered created_at_i, to catch items Algolia indexes late (default
// 10m). Search only.
func WithOverlap(d time.Duration) listen.Option {
	return config.Own("hackernews.WithOverlap", func(o *options) { o.overlap, o.searchOnly = d, "hackernews.WithOverlap" })
}

// WithTags sets Algolia's tags filter (default "(story,comment)"). Search
// only.
func WithTags(tags string) listen.Option {
	return config.Own("hackernews.WithTags", func(o *options) { o.tags, o.searchOnly = tags, "hackernews.WithTags" })
}

// WithBaseURL sets the API root (default https://hn.algolia.com/api/v1
// for [New], https://hacker-news.firebaseio.com/v0 for [NewItems]); for
// tests and mirrors.
func WithBaseURL(u string) listen.Option {
	return config.Own("hackernews.WithBaseURL", func(o *options) { o.baseURL = u })
}

// WithNullRetries sets how many polls [Items] waits for an item that
// answers null (not yet visible) before skipping it (default 10).
func WithNullRetries(n int) listen.Option {
	return config.Own("hackernews.WithNullRetries", func(o *options) { o.nullRetries = n })
}

func newBase(what, base string, opts []listen.Option) (*adapter.Base, options, error) {
	cfg := config.Defaults()
	cfg.PageSize = 1000
	o := options{overlap: 10 * time.Minute, tags: "(story,comment)", baseURL: base, nullRetries: 10}
	if err := config.Apply(what, &cfg, &o, opts); err != nil {
		return nil, o, err
	}
	if err := cfg.Check(Platform, 1, 1000); err != nil {
		return nil, o, err
	}
	if o.overlap < 0 {
		return nil, o, errors.New("hackernews: negative overlap")
	}
	u, err := url.Parse(o.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, o, fmt.Errorf("hackernews: bad base URL %q", httpx.RedactURLString(o.baseURL))
	}
	o.baseURL = strings.TrimRight(o.baseURL, "/")
	return adapter.New(Platform, cfg, nil, adapter.URLSecrets(o.baseURL)...), o, nil
}

// searchSource is the source of [New].
type searchSource struct {
	query string
	opt   options
	b     *adapter.Base
}

// New returns a source polling Algolia's HN search (search_by_date) for
// new stories and comments matching query ("" for everything matching the
// tags). Each Posts call is a run that resumes from the cursor store;
// hits are yielded oldest first. It takes the shared options of package
// listen (Follow, WithInterval 1m by default, WithPageSize 1..1000
// default 1000, ...) and this package's. It does no I/O.
func New(query string, opts ...listen.Option) (*Source, error) {
	b, o, err := newBase("hackernews.New", algoliaURL, opts)
	if err != nil {
		return nil, err
	}
	if b.Settings.Key == "" {
		b.Settings.Key = "hackernews:search:" + o.tags + ":" + query
	}
	return &Source{&searchSource{query: query, opt: o, b: b}}, nil
}

func (s *searchSource) Stats() listen.Stats { return s.b.Stats() }

func (s *searchSource) String() string {
	return fmt.Sprintf("hackernews.Source(%s, %q)", httpx.RedactURLString(s.opt.baseURL), s.query)
}

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

// decodeHit decodes one Algolia hit into a Post.
func decodeHit(data []byte) (listen.Post, error) {
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

// Restore implements [adapter.Cursor].
func (c *searchCursor) Restore(saved string) error {
	if saved != "" {
		if err := json.Unmarshal([]byte(saved), c); err != nil {
			return fmt.Errorf("not a search cursor: %w", err)
		}
	}
	if c.IDs == nil {
		c.IDs = map[string]int64{}
	}
	return nil
}

// Marshal implements [adapter.Cursor].
func (c *searchCursor) Marshal() string {
	b, _ := json.Marshal(c)
	return string(b)
}

func (s *searchSource) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return s.b.Posts(ctx, func(r *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		cur := &searchCursor{IDs: map[string]int64{}}
		return cur, func(ctx context.Context) error {
			return r.Poll(ctx, func(ctx context.Context) (bool, error) { return false, s.pollOnce(ctx, r, cur) })
		}
	})
}

func (s *searchSource) pageURL(since, upper int64, page, per int) string {
	q := url.Values{}
	q.Set("query", s.query)
	if s.opt.tags != "" {
		q.Set("tags", s.opt.tags)
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
	q.Set("hitsPerPage", strconv.Itoa(per))
	q.Set("page", strconv.Itoa(page))
	return s.opt.baseURL + "/search_by_date?" + q.Encode()
}

// pollOnce fetches every page of hits newer than the cursor minus the
// overlap and delivers the unseen ones oldest first.
func (s *searchSource) pollOnce(ctx context.Context, r *adapter.Run, cur *searchCursor) error {
	overlap := int64(s.opt.overlap / time.Second)
	since := int64(0)
	if cur.T > 0 {
		since = cur.T - overlap
	}
	per := r.PageSize()
	// Algolia returns at most 1,000 hits per query, newest first. When
	// more matched, slice by time: query again up to the oldest second
	// reached, until a query is not capped.
	var hits []hit
	upper := int64(0)
	for {
		got, nb, oldest := 0, 0, int64(0)
		for page := 0; ; page++ {
			pg, err := getJSON[searchPage](ctx, s.b.Client, s.pageURL(since, upper, page, per))
			if err != nil {
				return err
			}
			if page == 0 {
				nb = pg.NbHits
			}
			for _, raw := range pg.Hits {
				var h hit
				if err := json.Unmarshal(raw, &h); err != nil || h.ObjectID == "" {
					if err == nil {
						err = errors.New("hit without objectID")
					}
					r.Skip(ctx, adapter.ItemID(raw, "objectID"), raw, err)
					continue
				}
				hits = append(hits, h)
				got++
				if oldest == 0 || h.CreatedAtI < oldest {
					oldest = h.CreatedAtI
				}
			}
			if page+1 >= pg.NbPages || len(pg.Hits) == 0 || page+1 >= 1000/per {
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
			s.b.Counters.Duplicate()
			continue
		}
		err := r.Deliver(ctx, h.post(), func() {
			cur.IDs[h.ObjectID] = h.CreatedAtI
			cur.T = max(cur.T, h.CreatedAtI)
			cur.prune(s.opt.overlap)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// getJSON GETs url and decodes the body into T. A body that does not
// decode (a truncated response) is retried like a failed request.
func getJSON[T any](ctx context.Context, c *httpx.Client, rawURL string) (*T, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	v := new(T)
	_, err = c.Fetch(ctx, req, func(resp *httpx.Response) error {
		if err := json.Unmarshal(resp.Body, v); err != nil {
			return httpx.Again(&listen.DecodeError{Platform: Platform, Err: err}, 0)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// idLess orders numeric ID strings.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
