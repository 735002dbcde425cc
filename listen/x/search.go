package x

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

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// client holds what Search and Stream share.
type client struct {
	cfg      config
	token    httpx.Secret
	key      string
	http     *httpx.Client
	counters listen.Counters
}

func newClient(bearer string, cfg config, keyPart string) (*client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(bearer) == "" {
		return nil, errors.New("x: empty bearer token")
	}
	u, err := url.Parse(cfg.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("x: bad base URL %q", httpx.RedactURLString(cfg.baseURL))
	}
	cfg.baseURL = strings.TrimRight(cfg.baseURL, "/")
	c := &client{cfg: cfg, token: httpx.Secret(bearer), key: cfg.key}
	if c.key == "" {
		c.key = "x:" + u.Host + ":" + keyPart
	}
	c.http = &httpx.Client{
		Platform: Platform, HTTP: cfg.httpClient, UserAgent: cfg.userAgent, Limiter: cfg.limiter,
		MaxBody: cfg.maxBody, RequestTimeout: cfg.reqTimeout, RateLimit: httpx.ParseX, Counters: &c.counters, Logger: cfg.logger, Secrets: []httpx.Secret{c.token},
		Retry: httpx.Retry{Initial: cfg.minBackoff, Max: cfg.maxBackoff, MaxElapsed: cfg.maxRetry,
			MinRateLimitWait: cfg.min429, MinServerWait: cfg.min5xx},
	}
	if cfg.httpClient == nil {
		c.http.HTTP = httpx.DefaultHTTPClient()
	}
	return c, nil
}

func (c *client) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if c.cfg.logger != nil {
		c.cfg.logger.Log(ctx, level, "x: "+msg, args...)
	}
}

func (c *client) request(path, rawQuery string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, c.cfg.baseURL+path+"?"+rawQuery, nil)
	req.Header.Set("Authorization", "Bearer "+string(c.token))
	return req
}

// cursor is the saved position: the newest ID handled.
func (c *client) loadCursor(ctx context.Context) (string, error) {
	if c.cfg.store == nil {
		return "", nil
	}
	s, err := c.cfg.store.Load(ctx, c.key)
	if err != nil {
		return "", fmt.Errorf("x: load cursor: %w", err)
	}
	if s != "" && !validID(s) {
		return "", fmt.Errorf("x: saved cursor for %q is not a post ID", c.key)
	}
	return s, nil
}

func (c *client) saveCursor(ctx context.Context, id string) error {
	if c.cfg.store == nil || id == "" {
		return nil
	}
	if err := c.cfg.store.Save(ctx, c.key, id); err != nil && ctx.Err() == nil {
		return fmt.Errorf("x: save cursor: %w", err)
	}
	return nil
}

// fetchSince runs one recent search for query: every page newer than
// since, or created from start on (all of them up to maxPages; only the
// newest page when neither is set), returned oldest first.
func (c *client) fetchSince(ctx context.Context, query, since string, start time.Time) ([]listen.Post, error) {
	q := url.Values{}
	q.Set("query", query)
	q.Set("max_results", strconv.Itoa(c.cfg.pageSize))
	if since != "" {
		q.Set("since_id", since)
	} else if !start.IsZero() {
		q.Set("start_time", start.UTC().Format(time.RFC3339))
	}
	var out []listen.Post
	next := ""
	for page := 0; page < c.cfg.maxPages; page++ {
		if next != "" {
			q.Set("next_token", next)
		}
		resp, err := c.http.Do(ctx, c.request("/2/tweets/search/recent", q.Encode()+"&"+tweetFields))
		if err != nil {
			return nil, err
		}
		var pg searchPage
		if err := json.Unmarshal(resp.Body, &pg); err != nil {
			c.counters.Skip()
			return nil, &listen.DecodeError{Platform: Platform, Err: fmt.Errorf("x: search page: %v", err)}
		}
		for _, e := range pg.Errors {
			c.log(ctx, slog.LevelDebug, "partial error in search page", "title", e.Title, "detail", e.Detail)
		}
		for i := range pg.Data {
			if p, ok := toPost(&pg.Data[i], pg.Includes.Users); ok {
				out = append(out, p)
			} else {
				c.counters.Skip()
			}
		}
		next = pg.Meta.NextToken
		if next == "" || (since == "" && start.IsZero()) {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return idLess(out[i].ID, out[j].ID) })
	return out, nil
}

// Search is a [listen.Source] that polls X's recent search
// (/2/tweets/search/recent) with since_id, paging with next_token, and
// yields new posts oldest first. Create it with [NewSearch]. It is safe
// for concurrent use; each Posts call polls on its own.
type Search struct {
	c     *client
	query string
}

// NewSearch returns a source polling the recent search for query with an
// app-only bearer token. The token never appears in errors, logs or
// String.
func NewSearch(bearer, query string, opts ...Option) (*Search, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("x: empty query")
	}
	c, err := newClient(bearer, cfg, "search:"+query)
	if err != nil {
		return nil, err
	}
	return &Search{c: c, query: query}, nil
}

// Stats implements [listen.StatsReporter].
func (s *Search) Stats() listen.Stats { return s.c.counters.Stats() }

// String describes the source without the token.
func (s *Search) String() string { return fmt.Sprintf("x.Search(%q)", s.query) }

// Posts implements [listen.Source]. The first poll without a saved cursor
// starts from the newest page; later polls read everything since the
// newest post handled. Errors are final: refused token (401, 403), a
// query the API rejects (400), or failures that outlasted
// [WithMaxRetryTime].
func (s *Search) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		c := s.c
		if c.cfg.httpClient == nil {
			defer c.http.HTTP.CloseIdleConnections()
		}
		since, err := c.loadCursor(ctx)
		if err != nil {
			if ctx.Err() == nil {
				yield(listen.Post{}, err)
			}
			return
		}
		delivered := seen.New[string](c.cfg.dedupe)
		bo := httpx.NewBackoff(httpx.Retry{Initial: c.cfg.minBackoff, Max: c.cfg.maxBackoff, MaxElapsed: c.cfg.maxRetry})
		for {
			posts, err := c.fetchSince(ctx, s.query, since, time.Time{})
			retry, err := httpx.AfterPoll(ctx, bo, err) // a garbled page is polled again after a backoff
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				yield(listen.Post{}, err)
				return
			}
			if retry {
				continue
			}
			cont := true
			for _, p := range posts {
				if (since != "" && !idLess(since, p.ID)) || !delivered.Add(p.ID) {
					c.counters.Duplicate()
					continue
				}
				c.counters.Deliver(p.Created, time.Now())
				cont = yield(p, nil)
				since = p.ID
				if !cont {
					break
				}
			}
			if err := c.saveCursor(context.WithoutCancel(ctx), since); err != nil && cont {
				yield(listen.Post{}, err)
				return
			}
			if !cont || !c.cfg.follow {
				return
			}
			if httpx.Sleep(ctx, c.cfg.interval) != nil {
				return
			}
		}
	}
}
