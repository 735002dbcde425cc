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
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/config"
)

// search is the source of [NewSearch].
type search struct {
	service string
	query   string
	opt     searchOptions
	b       *adapter.Base

	mu      sync.Mutex // guards the session
	access  httpx.Secret
	refresh httpx.Secret
	logins  int
}

// NewSearch returns a source polling app.bsky.feed.searchPosts
// (sort=latest) on service (a PDS such as "https://bsky.social", or an
// AppView) for query, logged in with an app password: give it
// credentials with [WithCredentials], since unauthenticated search is
// often refused. The session is shared by all Posts calls.
//
// Each poll reads the newest results back to a little before the newest
// post delivered, and yields the new ones oldest first; the first poll
// without a saved cursor reads one page. Errors are final: refused
// credentials ([listen.ErrAuth]), a rejected query, or failures that
// outlasted the retry budget.
//
// It takes the shared options of package listen (Follow, WithInterval 30s
// by default, WithPageSize 1..100 default 100, ...) and WithCredentials.
func NewSearch(service, query string, opts ...listen.Option) (*Source, error) {
	cfg, o := searchDefaults()
	if err := config.Apply("bluesky.NewSearch", &cfg, &o, opts); err != nil {
		return nil, err
	}
	if err := cfg.Check(Platform, 1, 100); err != nil {
		return nil, err
	}
	u, err := url.Parse(service)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bluesky: bad service URL %q", httpx.RedactURLString(service))
	}
	if strings.TrimSpace(query) == "" {
		return nil, errors.New("bluesky: empty search query")
	}
	if (o.identifier == "") != (o.password == "") {
		return nil, errors.New("bluesky: credentials need both an identifier and an app password")
	}
	if cfg.Key == "" {
		cfg.Key = "bluesky:search:" + u.Host + ":" + query
	}
	secrets := append([]httpx.Secret{o.password}, adapter.URLSecrets(service)...)
	s := &search{service: strings.TrimRight(service, "/"), query: query, opt: o}
	s.b = adapter.New(Platform, cfg, httpx.ParseATProto, secrets...)
	if cfg.HTTPClient == nil {
		s.b.Client.HTTP = httpx.DefaultHTTPClient()
	}
	return &Source{s}, nil
}

func (s *search) Stats() listen.Stats { return s.b.Stats() }

func (s *search) String() string {
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

func (s *search) post(ctx context.Context, method string, bearer httpx.Secret, body []byte) (*session, error) {
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
	resp, err := s.b.Client.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	var ses session
	if err := json.Unmarshal(resp.Body, &ses); err != nil || ses.AccessJwt == "" {
		return nil, fmt.Errorf("bluesky: %s: malformed session", method)
	}
	s.b.Client.Register(httpx.Secret(ses.AccessJwt), httpx.Secret(ses.RefreshJwt))
	return &ses, nil
}

// login creates a session (once; again only when refreshing fails).
func (s *search) loginLocked(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"identifier": s.opt.identifier, "password": string(s.opt.password)})
	ses, err := s.post(ctx, "com.atproto.server.createSession", "", body)
	if err != nil {
		return err
	}
	s.logins++
	s.access, s.refresh = httpx.Secret(ses.AccessJwt), httpx.Secret(ses.RefreshJwt)
	return nil
}

// token returns the access token, logging in first if there is none.
func (s *search) token(ctx context.Context) (httpx.Secret, error) {
	if s.opt.identifier == "" {
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
func (s *search) renew(ctx context.Context, expired httpx.Secret) error {
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
		s.b.Log(ctx, slog.LevelInfo, "search: refresh refused; logging in again")
	}
	return s.loginLocked(ctx)
}

type postView struct {
	URI    string `json:"uri"`
	CID    string `json:"cid"`
	Author struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
		Labels      []struct {
			Src string `json:"src"`
			Val string `json:"val"`
		} `json:"labels"`
	} `json:"author"`
	Record      record `json:"record"`
	ReplyCount  int    `json:"replyCount"`
	RepostCount int    `json:"repostCount"`
	LikeCount   int    `json:"likeCount"`
	QuoteCount  int    `json:"quoteCount"`
	IndexedAt   string `json:"indexedAt"`
}

type searchPage struct {
	Cursor string            `json:"cursor"`
	Posts  []json.RawMessage `json:"posts"`
}

// viewPost maps a postView; ok is false for views without a post URI.
func viewPost(v *postView) (listen.Post, time.Time, bool) {
	if !strings.HasPrefix(v.URI, "at://") || webURL(v.URI) == "" {
		return listen.Post{}, time.Time{}, false
	}
	p := listen.Post{Platform: Platform, ID: v.URI, URL: webURL(v.URI),
		Author: listen.Author{ID: v.Author.DID, Handle: v.Author.Handle, Name: v.Author.DisplayName},
		Likes:  v.LikeCount, Reposts: v.RepostCount, Replies: v.ReplyCount, Quotes: v.QuoteCount,
		Created: parseTime(v.Record.CreatedAt)}
	if p.Author.Handle != "" {
		p.URL = strings.Replace(p.URL, "/profile/"+v.Author.DID+"/", "/profile/"+p.Author.Handle+"/", 1)
	}
	for _, l := range v.Author.Labels {
		// A self-label: set by the account on its own profile.
		if l.Val == "bot" && (l.Src == v.Author.DID || strings.HasPrefix(l.Src, "at://"+v.Author.DID+"/")) {
			p.Author.Bot = true
		}
	}
	mapPostRecord(&p, &v.Record)
	indexed := parseTime(v.IndexedAt)
	if p.Created.IsZero() {
		p.Created = indexed
	}
	repair(&p)
	return p, indexed, true
}

// fetch reads one page; it renews the session once when the access token
// has expired or is no longer known (ExpiredToken, InvalidToken). A page
// that does not decode is retried like a failed request.
func (s *search) fetch(ctx context.Context, q url.Values) (*searchPage, error) {
	for attempt := 0; ; attempt++ {
		tok, err := s.token(ctx)
		if err != nil {
			return nil, err
		}
		req, _ := http.NewRequest(http.MethodGet, s.service+"/xrpc/app.bsky.feed.searchPosts?"+q.Encode(), nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+string(tok))
		}
		var pg searchPage
		_, err = s.b.Client.Fetch(ctx, req, func(resp *httpx.Response) error {
			pg = searchPage{}
			if err := json.Unmarshal(resp.Body, &pg); err != nil {
				return httpx.Again(&listen.DecodeError{Platform: Platform, Err: fmt.Errorf("search page: %v", err)}, 0)
			}
			return nil
		})
		if err != nil {
			if attempt == 0 && tok != "" && (xrpcError(err, 400, "ExpiredToken") || xrpcError(err, 400, "InvalidToken")) {
				if err := s.renew(ctx, tok); err != nil {
					return nil, err
				}
				continue
			}
			return nil, err
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

// searchCursor is a run's position: the saved state and the URIs
// delivered, with their indexedAt, pruned to the overlap window.
type searchCursor struct {
	s    *search
	st   searchState
	seen map[string]time.Time
}

// Restore implements [adapter.Cursor].
func (c *searchCursor) Restore(saved string) error {
	if saved != "" && json.Unmarshal([]byte(saved), &c.st) != nil {
		return errBadCursor
	}
	for _, u := range c.st.URIs {
		c.seen[u] = c.st.Newest
	}
	return nil
}

// Marshal implements [adapter.Cursor].
func (c *searchCursor) Marshal() string {
	c.st.URIs = c.st.URIs[:0]
	for u, t := range c.seen {
		if !t.Before(c.st.Newest.Add(-c.s.opt.overlap)) {
			c.st.URIs = append(c.st.URIs, u)
		}
	}
	sort.Strings(c.st.URIs)
	if len(c.st.URIs) > savedKeys {
		c.st.URIs = c.st.URIs[:savedKeys]
	}
	b, _ := json.Marshal(c.st)
	return string(b)
}

// handled records a delivered post.
func (c *searchCursor) handled(f found) {
	c.seen[f.post.ID] = f.indexed
	if f.indexed.After(c.st.Newest) {
		c.st.Newest = f.indexed
	}
}

// prune bounds the set to the overlap window and the dedupe size.
func (c *searchCursor) prune() {
	for u, t := range c.seen {
		if len(c.seen) > c.s.b.Settings.Dedupe || t.Before(c.st.Newest.Add(-2*c.s.opt.overlap)) {
			delete(c.seen, u)
		}
	}
}

func (s *search) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return s.b.Posts(ctx, func(r *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		cur := &searchCursor{s: s, seen: map[string]time.Time{}}
		return cur, func(ctx context.Context) error {
			if s.b.Settings.HTTPClient == nil {
				defer s.b.Client.HTTP.CloseIdleConnections()
			}
			return r.Poll(ctx, func(ctx context.Context) (bool, error) {
				posts, err := s.poll(ctx, r, cur.st.Newest)
				if err != nil {
					return false, err
				}
				for _, f := range posts {
					if _, dup := cur.seen[f.post.ID]; dup {
						s.b.Counters.Duplicate()
						continue
					}
					if err := r.Deliver(ctx, f.post, func() { cur.handled(f) }); err != nil {
						return false, err
					}
				}
				cur.prune()
				return false, nil
			})
		}
	})
}

// poll reads the pages newer than newest-overlap (one page when newest
// is zero) and returns their posts oldest first.
func (s *search) poll(ctx context.Context, r *adapter.Run, newest time.Time) ([]found, error) {
	q := url.Values{}
	q.Set("q", s.query)
	q.Set("sort", "latest")
	q.Set("limit", strconv.Itoa(r.PageSize()))
	if !newest.IsZero() {
		q.Set("since", newest.Add(-s.opt.overlap).UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	var out []found
	for page := 0; page < 100; page++ {
		pg, err := s.fetch(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, raw := range pg.Posts {
			var v postView
			if err := json.Unmarshal(raw, &v); err != nil {
				r.Skip(ctx, adapter.ItemID(raw, "uri"), raw, err)
				continue
			}
			if p, indexed, ok := viewPost(&v); ok {
				out = append(out, found{p, indexed})
			} else {
				r.Skip(ctx, v.URI, raw, errors.New("post view without a post URI"))
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
