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
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/config"
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// client holds what Search, Stream and Rules share.
type client struct {
	opt   options
	token httpx.Secret
	b     *adapter.Base
}

func newClient(what, bearer string, opts []listen.Option, keyPart string) (*client, error) {
	cfg, o := defaults()
	if err := config.Apply(what, &cfg, &o, opts); err != nil {
		return nil, err
	}
	if err := cfg.Check(Platform, 10, 100); err != nil {
		return nil, err
	}
	if strings.TrimSpace(bearer) == "" {
		return nil, errors.New("x: empty bearer token")
	}
	u, err := url.Parse(o.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("x: bad base URL %q", httpx.RedactURLString(o.baseURL))
	}
	o.baseURL = strings.TrimRight(o.baseURL, "/")
	if cfg.Key == "" {
		cfg.Key = "x:" + u.Host + ":" + keyPart
	}
	cfg.Retry.MinRateLimitWait, cfg.Retry.MinServerWait = o.min429, o.min5xx
	secrets := append([]httpx.Secret{httpx.Secret(bearer)}, adapter.URLSecrets(o.baseURL)...)
	c := &client{opt: o, token: httpx.Secret(bearer)}
	c.b = adapter.New(Platform, cfg, httpx.ParseX, secrets...)
	c.b.MinPageSize = 10
	if cfg.HTTPClient == nil {
		c.b.Client.HTTP = httpx.DefaultHTTPClient()
	}
	return c, nil
}

// closeIdle drops the keep-alive connections of the source's own HTTP
// client when a run ends (the host's client is the host's).
func (c *client) closeIdle() {
	if c.b.Settings.HTTPClient == nil {
		c.b.Client.HTTP.CloseIdleConnections()
	}
}

func (c *client) request(path, rawQuery string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, c.opt.baseURL+path+"?"+rawQuery, nil)
	req.Header.Set("Authorization", "Bearer "+string(c.token))
	return req
}

// idCursor is the saved position: the newest post ID handled (since_id).
type idCursor struct{ last string }

// Restore implements [adapter.Cursor].
func (c *idCursor) Restore(saved string) error {
	if saved != "" && !validID(saved) {
		return errors.New("not a post ID")
	}
	c.last = saved
	return nil
}

// Marshal implements [adapter.Cursor].
func (c *idCursor) Marshal() string { return c.last }

// handled moves the cursor past id.
func (c *idCursor) handled(id string) {
	if idLess(c.last, id) {
		c.last = id
	}
}

// fetchSince runs one recent search for query: every page newer than
// since, or created from start on (all of them up to MaxPages, then a gap
// is logged; only the newest page when neither is set), returned oldest
// first. A post that does not decode is skipped and reported.
func (c *client) fetchSince(ctx context.Context, r *adapter.Run, query, since string, start time.Time) ([]listen.Post, error) {
	q := url.Values{}
	q.Set("query", query)
	q.Set("max_results", strconv.Itoa(r.PageSize()))
	if since != "" {
		q.Set("since_id", since)
	} else if !start.IsZero() {
		q.Set("start_time", start.UTC().Format(time.RFC3339))
	}
	var out []listen.Post
	next := ""
	for page := 0; ; page++ {
		if page == c.b.Settings.MaxPages {
			r.Gap(ctx, "older posts beyond the page limit", fmt.Errorf("%d pages of new posts in one poll", page))
			break
		}
		if next != "" {
			q.Set("next_token", next)
		}
		var pg searchPage
		_, err := c.b.Client.Fetch(ctx, c.request("/2/tweets/search/recent", q.Encode()+"&"+tweetFields), func(resp *httpx.Response) error {
			pg = searchPage{}
			if err := json.Unmarshal(resp.Body, &pg); err != nil {
				return httpx.Again(&listen.DecodeError{Platform: Platform, Err: fmt.Errorf("search page: %v", err)}, 0)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, e := range pg.Errors {
			c.b.Log(ctx, slog.LevelDebug, "partial error in search page", "title", e.Title, "detail", e.Detail)
		}
		for _, raw := range pg.Data {
			if p, err := decodeTweet(raw, pg.Includes.Users); err != nil {
				r.Skip(ctx, adapter.ItemID(raw, "id"), raw, err)
			} else {
				out = append(out, p)
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

// NewSearch returns a source that polls X's recent search
// (/2/tweets/search/recent) for query with an app-only bearer token, with
// since_id, paging with next_token, and yields new posts oldest first.
// The first poll without a saved cursor starts from the newest page;
// later polls read everything since the newest post handled. Each Posts
// call polls on its own. Errors are final: refused token (401, 403), a
// query the API rejects (400), or failures that outlasted the retry
// budget.
//
// It takes the shared options of package listen (Follow, WithInterval 1m
// by default: mind the endpoint's 15-minute quota, WithPageSize 10..100
// default 100, WithMaxPages default 50, ...) and WithBaseURL. The token
// never appears in errors, logs or String.
func NewSearch(bearer, query string, opts ...listen.Option) (*Source, error) {
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("x: empty query")
	}
	c, err := newClient("x.NewSearch", bearer, opts, "search:"+query)
	if err != nil {
		return nil, err
	}
	return &Source{c: c, name: fmt.Sprintf("x.Search(%q)", query), posts: func(ctx context.Context) iter.Seq2[listen.Post, error] {
		return searchPosts(ctx, c, query)
	}}, nil
}

func searchPosts(ctx context.Context, c *client, query string) iter.Seq2[listen.Post, error] {
	return c.b.Posts(ctx, func(r *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		cur := &idCursor{}
		delivered := seen.New[string](c.b.Settings.Dedupe)
		return cur, func(ctx context.Context) error {
			defer c.closeIdle()
			return r.Poll(ctx, func(ctx context.Context) (bool, error) {
				since := cur.last
				posts, err := c.fetchSince(ctx, r, query, since, time.Time{})
				if err != nil {
					return false, err
				}
				for _, p := range posts {
					if (since != "" && !idLess(since, p.ID)) || !delivered.Add(p.ID) {
						c.b.Counters.Duplicate()
						continue
					}
					if err := r.Deliver(ctx, p, func() { cur.handled(p.ID) }); err != nil {
						return false, err
					}
				}
				return false, nil
			})
		}
	})
}
