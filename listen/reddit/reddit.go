package reddit

import (
	"context"
	"encoding/base64"
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

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/config"
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// Default endpoints.
const (
	apiURL  = "https://oauth.reddit.com"
	authURL = "https://www.reddit.com"
)

// Listing names what a [Source] polls. Build one with [Posts],
// [Comments], [Search] or [SiteSearch].
type Listing struct {
	path  string
	query url.Values
	name  string
}

// Posts is the subreddit's "new" listing: /r/{sub}/new.
func Posts(subreddit string) Listing {
	sub := strings.TrimPrefix(strings.TrimPrefix(subreddit, "/"), "r/")
	return Listing{path: "/r/" + url.PathEscape(sub) + "/new", query: url.Values{}, name: "r/" + sub}
}

// Comments is the subreddit's newest comments: /r/{sub}/comments.
func Comments(subreddit string) Listing {
	l := Posts(subreddit)
	l.path = strings.TrimSuffix(l.path, "/new") + "/comments"
	l.name += " comments"
	return l
}

// Search searches one subreddit, newest first.
func Search(subreddit, query string) Listing {
	l := Posts(subreddit)
	l.path = strings.TrimSuffix(l.path, "/new") + "/search"
	l.query = url.Values{"q": {query}, "restrict_sr": {"1"}, "sort": {"new"}, "t": {"all"}}
	l.name += " search " + strconv.Quote(query)
	return l
}

// SiteSearch searches all of Reddit, newest first.
func SiteSearch(query string) Listing {
	return Listing{path: "/search", query: url.Values{"q": {query}, "sort": {"new"}, "t": {"all"}}, name: "search " + strconv.Quote(query)}
}

// String names the listing.
func (l Listing) String() string { return l.name }

type options struct {
	apiURL, authURL string
}

// WithBaseURLs sets the API root (default https://oauth.reddit.com) and
// the token endpoint root (default https://www.reddit.com); for tests and
// proxies.
func WithBaseURLs(api, auth string) listen.Option {
	return config.Own("reddit.WithBaseURLs", func(o *options) { o.apiURL, o.authURL = api, auth })
}

// Source polls one Reddit listing with application-only OAuth. It is a
// [listen.Source] and a [listen.StatsReporter], safe for concurrent use.
type Source struct {
	listing Listing
	id      string
	secret  httpx.Secret
	opt     options
	b       *adapter.Base

	mu      sync.Mutex
	token   httpx.Secret
	expires time.Time
}

var genericUA = []string{"go-http-client", "python", "curl", "wget", "mozilla", "okhttp", "axios", "node-fetch", "java", "libwww", "httpclient", "earshot"}

// checkUserAgent reports why ua breaks Reddit's User-Agent rules, or nil.
// Reddit throttles default library agents and bans browser look-alikes;
// it asks for "<platform>:<app ID>:<version> (by /u/<username>)".
func checkUserAgent(ua string) error {
	t := strings.TrimSpace(ua)
	if t == "" {
		return errors.New("reddit: a User-Agent is required, e.g. \"linux:com.example.listener:v1.0.0 (by /u/yourname)\"")
	}
	low := strings.ToLower(t)
	for _, g := range genericUA {
		if strings.HasPrefix(low, g) {
			return fmt.Errorf("reddit: User-Agent %q is generic; use \"<platform>:<app ID>:<version> (by /u/<username>)\"", ua)
		}
	}
	if strings.Count(t, ":") < 2 {
		return fmt.Errorf("reddit: User-Agent %q should look like \"<platform>:<app ID>:<version> (by /u/<username>)\"", ua)
	}
	return nil
}

// New returns a source polling listing with the app's OAuth client id and
// secret (client_credentials grant) and a descriptive User-Agent, such
// as "linux:com.example.listener:v1.0.0 (by /u/yourname)": a missing one,
// one that starts like a library's or a browser's ("python",
// "Mozilla"...) or one without the "<platform>:<app ID>:<version>" shape
// is an error. It takes the shared options of package listen
// (Follow, WithInterval 1m by default, WithMaxPages default 10,
// WithPageSize 1..100 default 100, WithLimiter: default 100 requests a
// minute, the free tier per OAuth client id, ...) and WithBaseURLs. It
// does no I/O.
func New(clientID, clientSecret, userAgent string, listing Listing, opts ...listen.Option) (*Source, error) {
	if clientID == "" || clientSecret == "" {
		return nil, errors.New("reddit: client id and secret are required")
	}
	if err := checkUserAgent(userAgent); err != nil {
		return nil, err
	}
	if listing.path == "" {
		return nil, errors.New("reddit: empty listing")
	}
	cfg := config.Defaults()
	cfg.PageSize = 100
	o := options{apiURL: apiURL, authURL: authURL}
	if err := config.Apply("reddit.New", &cfg, &o, opts); err != nil {
		return nil, err
	}
	if err := cfg.Check(Platform, 1, 100); err != nil {
		return nil, err
	}
	for _, u := range []string{o.apiURL, o.authURL} {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, fmt.Errorf("reddit: bad base URL %q", httpx.RedactURLString(u))
		}
	}
	if cfg.Limiter == nil {
		cfg.Limiter = rate.NewLimiter(rate.Every(time.Minute/100), 5)
	}
	cfg.UserAgent = userAgent
	if cfg.Key == "" {
		cfg.Key = "reddit:" + clientID + ":" + listing.String()
	}
	basic := base64.StdEncoding.EncodeToString([]byte(clientID + ":" + clientSecret))
	s := &Source{listing: listing, id: clientID, secret: httpx.Secret(clientSecret), opt: o}
	s.b = adapter.New(Platform, cfg, httpx.ParseReddit, append([]httpx.Secret{s.secret, httpx.Secret(basic)}, adapter.URLSecrets(o.apiURL, o.authURL)...)...)
	return s, nil
}

// String describes the source without secrets.
func (s *Source) String() string { return "reddit " + s.listing.String() }

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.b.Stats() }

// accessToken returns a valid token, fetching a new one when none is
// cached, when it expires within a minute, or when force is set.
func (s *Source) accessToken(ctx context.Context, force bool) (httpx.Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !force && s.token != "" && time.Now().Before(s.expires.Add(-time.Minute)) {
		return s.token, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.opt.authURL+"/api/v1/access_token",
		strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.id+":"+string(s.secret))))
	resp, err := s.b.Client.Do(ctx, req)
	if err != nil {
		return "", err
	}
	var tok struct {
		AccessToken string  `json:"access_token"`
		TokenType   string  `json:"token_type"`
		ExpiresIn   flexNum `json:"expires_in"`
		Error       string  `json:"error"`
	}
	if err := json.Unmarshal(resp.Body, &tok); err != nil || tok.AccessToken == "" {
		msg := "no access_token in the answer"
		if tok.Error != "" {
			msg = tok.Error
		}
		return "", &listen.HTTPError{Platform: Platform, StatusCode: http.StatusUnauthorized, Message: "token: " + msg}
	}
	s.token = httpx.Secret(tok.AccessToken)
	s.b.Client.Register(s.token)
	exp := time.Duration(float64(tok.ExpiresIn) * float64(time.Second))
	if exp <= 0 {
		exp = time.Hour
	}
	s.expires = time.Now().Add(exp)
	return s.token, nil
}

// get fetches one listing page: a 401 refreshes the token once; a body
// that does not decode is retried like a failed request; a child that
// does not decode is skipped and reported.
func (s *Source) get(ctx context.Context, r *adapter.Run, after string) ([]listen.Post, string, error) {
	u := s.opt.apiURL + s.listing.path
	q := url.Values{}
	for k, v := range s.listing.query {
		q[k] = v
	}
	q.Set("limit", strconv.Itoa(r.PageSize()))
	q.Set("raw_json", "1")
	if after != "" {
		q.Set("after", after)
	}
	u += "?" + q.Encode()
	refreshed := false
	for {
		tok, err := s.accessToken(ctx, false)
		if err != nil {
			return nil, "", err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("Authorization", "Bearer "+string(tok))
		var (
			posts []listen.Post
			skips []skipped
			next  string
		)
		_, err = s.b.Client.Fetch(ctx, req, func(resp *httpx.Response) error {
			var derr error
			posts, skips, next, derr = decodeListing(resp.Body)
			if derr != nil {
				return httpx.Again(derr, 0)
			}
			return nil
		})
		var he *listen.HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized && !refreshed {
			// The token expired early or was revoked: refresh once. A
			// fresh token refused again is a real auth failure.
			refreshed = true
			s.b.Log(ctx, slog.LevelInfo, "401; refreshing the token")
			if _, err := s.accessToken(ctx, true); err != nil {
				return nil, "", err
			}
			continue
		}
		if err != nil {
			return nil, "", err
		}
		for _, sk := range skips {
			r.Skip(ctx, adapter.ItemID(sk.raw, "data.name", "data.id"), sk.raw, sk.err)
		}
		return posts, next, nil
	}
}

// cursorIDs is how many recent fullnames the saved cursor keeps: enough to
// recognise the first page of a listing after a restart.
const cursorIDs = 300

// cursor is the set of fullnames delivered (and handled).
type cursor struct{ delivered *seen.Set[string] }

// Restore implements [adapter.Cursor].
func (c cursor) Restore(saved string) error {
	if saved == "" {
		return nil
	}
	var ids []string
	if err := json.Unmarshal([]byte(saved), &ids); err != nil {
		return fmt.Errorf("not a list of fullnames: %w", err)
	}
	for _, id := range ids {
		c.delivered.Add(id)
	}
	return nil
}

// Marshal implements [adapter.Cursor].
func (c cursor) Marshal() string {
	b, _ := json.Marshal(c.delivered.Last(cursorIDs))
	return string(b)
}

// Posts implements [listen.Source]. Each poll reads the listing's first
// page and follows "after" while every item on a page is new (up to
// [listen.WithMaxPages], then a gap is logged); unseen items are yielded
// oldest first.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return s.b.Posts(ctx, func(r *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		cur := cursor{seen.New[string](max(s.b.Settings.Dedupe, cursorIDs))}
		return cur, func(ctx context.Context) error {
			return r.Poll(ctx, func(ctx context.Context) (bool, error) { return false, s.poll(ctx, r, cur.delivered) })
		}
	})
}

func (s *Source) poll(ctx context.Context, r *adapter.Run, delivered *seen.Set[string]) error {
	var fresh []listen.Post
	inBatch := map[string]bool{}
	after := ""
	first := delivered.Len() == 0
	for page := 0; ; page++ {
		if page == s.b.Settings.MaxPages {
			r.Gap(ctx, "older posts beyond the page limit", fmt.Errorf("%d pages of new posts in one poll", page))
			break
		}
		posts, next, err := s.get(ctx, r, after)
		if err != nil {
			return err
		}
		metSeen := false
		for _, p := range posts {
			if delivered.Has(p.ID) {
				metSeen = true
				continue
			}
			if inBatch[p.ID] {
				s.b.Counters.Duplicate()
				continue
			}
			inBatch[p.ID] = true
			fresh = append(fresh, p)
		}
		// Stop at the first page that reaches known items; on a first run
		// with nothing known, one page is the starting point.
		if metSeen || first || next == "" || len(posts) == 0 {
			break
		}
		after = next
	}
	sort.SliceStable(fresh, func(i, j int) bool {
		if !fresh[i].Created.Equal(fresh[j].Created) {
			return fresh[i].Created.Before(fresh[j].Created)
		}
		return fresh[i].ID < fresh[j].ID
	})
	for _, p := range fresh {
		if err := r.Deliver(ctx, p, func() { delivered.Add(p.ID) }); err != nil {
			return err
		}
	}
	return nil
}
