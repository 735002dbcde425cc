package bluesky

import (
	"bytes"
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
	"sync"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
)

// Search is a [listen.Source] that polls app.bsky.feed.searchPosts
// (sort=latest) for a query, logged in with an app password. Create it
// with [NewSearch]. It is safe for concurrent use; the session is shared
// by all Posts calls.
type Search struct {
	service  string
	query    string
	cfg      config
	key      string
	http     *httpx.Client
	counters listen.Counters

	mu      sync.Mutex // guards the session
	access  httpx.Secret
	refresh httpx.Secret
	logins  int
}

// NewSearch returns a source polling service (a PDS such as
// "https://bsky.social", or an AppView) for query. Give it credentials
// with [WithCredentials]: unauthenticated search is often refused.
func NewSearch(service, query string, opts ...Option) (*Search, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	u, err := url.Parse(service)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bluesky: bad service URL %q", httpx.RedactURLString(service))
	}
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("bluesky: empty search query")
	}
	if (cfg.identifier == "") != (cfg.password == "") {
		return nil, errors.New("bluesky: credentials need both an identifier and an app password")
	}
	s := &Search{service: strings.TrimRight(service, "/"), query: query, cfg: cfg, key: cfg.key}
	if s.key == "" {
		s.key = "bluesky:search:" + u.Host + ":" + query
	}
	s.http = &httpx.Client{
		Platform: Platform, HTTP: cfg.httpClient, UserAgent: cfg.userAgent, Limiter: cfg.limiter,
		MaxBody: cfg.maxBody, RequestTimeout: cfg.reqTimeout, RateLimit: httpx.ParseATProto, Counters: &s.counters, Logger: cfg.logger, Secrets: []httpx.Secret{cfg.password},
		Retry: httpx.Retry{Initial: cfg.minBackoff, Max: cfg.maxBackoff, MaxElapsed: cfg.maxRetry},
	}
	if cfg.httpClient == nil {
		s.http.HTTP = httpx.DefaultHTTPClient()
	}
	return s, nil
}

// Stats implements [listen.StatsReporter].
func (s *Search) Stats() listen.Stats { return s.counters.Stats() }

// String describes the source without secrets.
func (s *Search) String() string {
	return fmt.Sprintf("bluesky.Search(%s, %q)", httpx.RedactURLString(s.service), s.query)
}

// xrpcError reports whether err is an XRPC error with the given name.
func xrpcError(err error, status int, name string) bool {
	var he *listen.HTTPError
	return errors.As(err, &he) && he.StatusCode == status &&
		(he.Message == name || strings.HasPrefix(he.Message, name+":"))
}

type session struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	DID        string `json:"did"`
}

func (s *Search) post(ctx context.Context, method string, bearer httpx.Secret, body []byte) (*session, error) {
	req, err := http.NewRequest(http.MethodPost, s.service+"/xrpc/"+method, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("bluesky: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+string(bearer))
	}
	resp, err := s.http.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	var ses session
	if err := json.Unmarshal(resp.Body, &ses); err != nil || ses.AccessJwt == "" {
		return nil, fmt.Errorf("bluesky: %s: malformed session", method)
	}
	return &ses, nil
}

// login creates a session (once; again only when refreshing fails).
func (s *Search) loginLocked(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"identifier": s.cfg.identifier, "password": string(s.cfg.password)})
	ses, err := s.post(ctx, "com.atproto.server.createSession", "", body)
	if err != nil {
		return err
	}
	s.logins++
	s.access, s.refresh = httpx.Secret(ses.AccessJwt), httpx.Secret(ses.RefreshJwt)
	return nil
}

// token returns the access token, logging in first if there is none.
func (s *Search) token(ctx context.Context) (httpx.Secret, error) {
	if s.cfg.identifier == "" {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access == "" {
		if err := s.loginLocked(ctx); err != nil {
			return "", err
		}
	}
	return s.access, nil
}

// renew replaces an expired access token: refreshSession (rotating the
// refresh token), or a new login when the refresh token is refused too.
func (s *Search) renew(ctx context.Context, expired httpx.Secret) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access != expired {
		return nil // another Posts call renewed it already
	}
	if s.refresh != "" {
		ses, err := s.post(ctx, "com.atproto.server.refreshSession", s.refresh, nil)
		if err == nil {
			s.access, s.refresh = httpx.Secret(ses.AccessJwt), httpx.Secret(ses.RefreshJwt)
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		if !xrpcError(err, 400, "ExpiredToken") && !xrpcError(err, 400, "InvalidToken") && !errors.Is(err, listen.ErrAuth) {
			return err
		}
		s.log(ctx, slog.LevelDebug, "refresh refused; logging in again")
	}
	return s.loginLocked(ctx)
}

func (s *Search) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if s.cfg.logger != nil {
		s.cfg.logger.Log(ctx, level, "bluesky: search: "+msg, args...)
	}
}

type postView struct {
	URI    string `json:"uri"`
	CID    string `json:"cid"`
	Author struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
	} `json:"author"`
	Record      record `json:"record"`
	ReplyCount  int    `json:"replyCount"`
	RepostCount int    `json:"repostCount"`
	LikeCount   int    `json:"likeCount"`
	QuoteCount  int    `json:"quoteCount"`
	IndexedAt   string `json:"indexedAt"`
}

type searchPage struct {
	Cursor string     `json:"cursor"`
	Posts  []postView `json:"posts"`
}

// viewPost maps a postView; ok is false for views without a post URI.
func viewPost(v *postView) (listen.Post, time.Time, bool) {
	if !strings.HasPrefix(v.URI, "at://") || WebURL(v.URI) == "" {
		return listen.Post{}, time.Time{}, false
	}
	p := listen.Post{Platform: Platform, ID: v.URI, URL: WebURL(v.URI),
		Author: listen.Author{ID: v.Author.DID, Handle: v.Author.Handle, Name: v.Author.DisplayName},
		Likes:  v.LikeCount, Reposts: v.RepostCount, Replies: v.ReplyCount, Quotes: v.QuoteCount,
		Created: parseTime(v.Record.CreatedAt)}
	if p.Author.Handle != "" {
		p.URL = strings.Replace(p.URL, "/profile/"+v.Author.DID+"/", "/profile/"+p.Author.Handle+"/", 1)
	}
	mapPostRecord(&p, &v.Record)
	indexed := parseTime(v.IndexedAt)
	if p.Created.IsZero() {
		p.Created = indexed
	}
	repair(&p)
	return p, indexed, true
}

// fetch reads one page; it renews the session once on ExpiredToken.
func (s *Search) fetch(ctx context.Context, q url.Values) (*searchPage, error) {
	for attempt := 0; ; attempt++ {
		tok, err := s.token(ctx)
		if err != nil {
			return nil, err
		}
		req, _ := http.NewRequest(http.MethodGet, s.service+"/xrpc/app.bsky.feed.searchPosts?"+q.Encode(), nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+string(tok))
		}
		resp, err := s.http.Do(ctx, req)
		if err != nil {
			if attempt == 0 && tok != "" && xrpcError(err, 400, "ExpiredToken") {
				if err := s.renew(ctx, tok); err != nil {
					return nil, err
				}
				continue
			}
			return nil, err
		}
		var pg searchPage
		if err := json.Unmarshal(resp.Body, &pg); err != nil {
			s.counters.Skip()
			return nil, &listen.DecodeError{Platform: Platform, Err: fmt.Errorf("bluesky: search page: %v", err)}
		}
		return &pg, nil
	}
}

// searchState is the saved cursor: the newest sort time seen and the URIs
// delivered within the overlap window before it.
type searchState struct {
	Newest time.Time `json:"newest"`
	URIs   []string  `json:"uris,omitempty"`
}

type found struct {
	post    listen.Post
	indexed time.Time
}

// Posts implements [listen.Source]. Each poll reads the newest results
// (sort=latest) back to a little before the newest post delivered, and
// yields the new ones oldest first; the first poll without a saved cursor
// reads one page. Errors are final: refused credentials
// ([listen.ErrAuth]), a rejected query, or failures that outlasted
// [WithMaxRetryTime].
func (s *Search) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		if s.cfg.httpClient == nil {
			defer s.http.HTTP.CloseIdleConnections()
		}
		var st searchState
		if s.cfg.store != nil {
			c, err := s.cfg.store.Load(ctx, s.key)
			if err != nil {
				if ctx.Err() == nil {
					yield(listen.Post{}, fmt.Errorf("bluesky: load cursor: %w", err))
				}
				return
			}
			if c != "" && json.Unmarshal([]byte(c), &st) != nil {
				yield(listen.Post{}, fmt.Errorf("bluesky: saved cursor for %q: %w", s.key, errBadCursor))
				return
			}
		}
		seen := map[string]time.Time{} // uri -> indexedAt, pruned to the overlap window
		for _, u := range st.URIs {
			seen[u] = st.Newest
		}
		bo := httpx.NewBackoff(httpx.Retry{Initial: s.cfg.minBackoff, Max: s.cfg.maxBackoff, MaxElapsed: s.cfg.maxRetry})
		save := func(ctx context.Context) error {
			if s.cfg.store == nil {
				return nil
			}
			st.URIs = st.URIs[:0]
			for u, t := range seen {
				if !t.Before(st.Newest.Add(-s.cfg.overlap)) {
					st.URIs = append(st.URIs, u)
				}
			}
			sort.Strings(st.URIs)
			if len(st.URIs) > s.cfg.savedKeys {
				st.URIs = st.URIs[:s.cfg.savedKeys]
			}
			b, _ := json.Marshal(st)
			if err := s.cfg.store.Save(ctx, s.key, string(b)); err != nil && ctx.Err() == nil {
				return fmt.Errorf("bluesky: save cursor: %w", err)
			}
			return nil
		}
		for {
			posts, err := s.poll(ctx, st.Newest)
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
			for _, f := range posts {
				if _, dup := seen[f.post.ID]; dup {
					s.counters.Duplicate()
					continue
				}
				seen[f.post.ID] = f.indexed
				if f.indexed.After(st.Newest) {
					st.Newest = f.indexed
				}
				s.counters.Deliver(f.post.Created, time.Now())
				if cont = yield(f.post, nil); !cont {
					break
				}
			}
			for u, t := range seen { // bound the set to the overlap window
				if len(seen) > s.cfg.dedupe || t.Before(st.Newest.Add(-2*s.cfg.overlap)) {
					delete(seen, u)
				}
			}
			if err := save(context.WithoutCancel(ctx)); err != nil && cont {
				yield(listen.Post{}, err)
				return
			}
			if !cont || !s.cfg.follow {
				return
			}
			if httpx.Sleep(ctx, s.cfg.interval) != nil {
				return
			}
		}
	}
}

// poll reads the pages newer than newest-overlap (one page when newest
// is zero) and returns their posts oldest first.
func (s *Search) poll(ctx context.Context, newest time.Time) ([]found, error) {
	q := url.Values{}
	q.Set("q", s.query)
	q.Set("sort", "latest")
	q.Set("limit", strconv.Itoa(s.cfg.pageSize))
	if !newest.IsZero() {
		q.Set("since", newest.Add(-s.cfg.overlap).UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	var out []found
	for page := 0; page < 100; page++ {
		pg, err := s.fetch(ctx, q)
		var de *listen.DecodeError
		for tries := 0; errors.As(err, &de) && tries < 5; tries++ {
			// A garbled page: read it again after a short wait.
			if httpx.Sleep(ctx, s.cfg.minBackoff<<tries) != nil {
				return nil, ctx.Err()
			}
			pg, err = s.fetch(ctx, q)
		}
		if err != nil {
			return nil, err
		}
		for i := range pg.Posts {
			if p, indexed, ok := viewPost(&pg.Posts[i]); ok {
				out = append(out, found{p, indexed})
			} else {
				s.counters.Skip()
			}
		}
		if pg.Cursor == "" || len(pg.Posts) == 0 || newest.IsZero() {
			break
		}
		q.Set("cursor", pg.Cursor)
	}
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 { // newest first -> oldest first
		out[l], out[r] = out[r], out[l]
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].indexed.Before(out[j].indexed) })
	return out, nil
}
