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
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// Default endpoints.
const (
	APIURL  = "https://oauth.reddit.com"
	AuthURL = "https://www.reddit.com"
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

// Option configures a [Source]. Options only record values; [New]
// validates them.
type Option func(*config)

type config struct {
	httpClient *http.Client
	limiter    *rate.Limiter
	logger     *slog.Logger
	store      listen.CursorStore
	storeKey   string
	follow     bool
	interval   time.Duration
	apiURL     string
	authURL    string
	retry      httpx.Retry
	maxBody    int64
	timeout    time.Duration
	seen       int
	maxPages   int
}

// WithHTTPClient sets the *http.Client for every request.
func WithHTTPClient(c *http.Client) Option { return func(o *config) { o.httpClient = c } }

// WithLimiter replaces the default limiter (100 requests per minute, the
// free tier per OAuth client id). Share one among sources of one client id.
func WithLimiter(l *rate.Limiter) Option { return func(o *config) { o.limiter = l } }

// WithLogger sets a logger for retries and token refreshes. Default: silent.
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.logger = l } }

// WithCursorStore resumes from, and saves after each post, the cursor
// (the recently delivered fullnames) under key.
func WithCursorStore(store listen.CursorStore, key string) Option {
	return func(o *config) { o.store, o.storeKey = store, key }
}

// Follow keeps polling until ctx is done; without it a run ends after one poll.
func Follow() Option { return func(o *config) { o.follow = true } }

// WithInterval sets the polling interval (default 1m).
func WithInterval(d time.Duration) Option { return func(o *config) { o.interval = d } }

// WithBaseURLs sets the API root (default APIURL) and the token endpoint
// root (default AuthURL); for tests and proxies.
func WithBaseURLs(api, auth string) Option {
	return func(o *config) { o.apiURL, o.authURL = api, auth }
}

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

// WithDedupeSize sets how many fullnames the seen-set remembers (default 5000).
func WithDedupeSize(n int) Option { return func(o *config) { o.seen = n } }

// WithMaxPages bounds how many pages one poll follows with "after" while
// every item is new (default 10, Reddit's 1,000-item limit).
func WithMaxPages(n int) Option { return func(o *config) { o.maxPages = n } }

// Source polls one Reddit listing with application-only OAuth. It is a
// [listen.Source] and a [listen.StatsReporter], safe for concurrent use.
type Source struct {
	listing  Listing
	id       string
	secret   httpx.Secret
	ua       string
	cfg      config
	client   *httpx.Client
	counters listen.Counters

	mu      sync.Mutex
	token   httpx.Secret
	expires time.Time
}

var genericUA = []string{"go-http-client", "python", "curl", "wget", "mozilla", "okhttp", "axios", "node-fetch", "java", "libwww", "httpclient", "earshot"}

// CheckUserAgent reports why ua breaks Reddit's User-Agent rules, or nil.
// Reddit throttles default library agents and bans browser look-alikes;
// it asks for "<platform>:<app ID>:<version> (by /u/<username>)".
func CheckUserAgent(ua string) error {
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
// secret (client_credentials grant) and a descriptive User-Agent (see
// [CheckUserAgent]). It does no I/O.
func New(clientID, clientSecret, userAgent string, listing Listing, opts ...Option) (*Source, error) {
	if clientID == "" || clientSecret == "" {
		return nil, errors.New("reddit: client id and secret are required")
	}
	if err := CheckUserAgent(userAgent); err != nil {
		return nil, err
	}
	if listing.path == "" {
		return nil, errors.New("reddit: empty listing")
	}
	cfg := config{interval: time.Minute, apiURL: APIURL, authURL: AuthURL, seen: 5000, maxPages: 10}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case cfg.interval <= 0:
		return nil, errors.New("reddit: interval must be positive")
	case cfg.seen < 100:
		return nil, errors.New("reddit: dedupe size must be at least 100")
	case cfg.maxPages < 1:
		return nil, errors.New("reddit: max pages must be at least 1")
	case cfg.store != nil && cfg.storeKey == "":
		return nil, errors.New("reddit: cursor store needs a key")
	}
	for _, u := range []string{cfg.apiURL, cfg.authURL} {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return nil, fmt.Errorf("reddit: bad base URL %q", u)
		}
	}
	if cfg.limiter == nil {
		cfg.limiter = rate.NewLimiter(rate.Every(time.Minute/100), 5)
	}
	s := &Source{listing: listing, id: clientID, secret: httpx.Secret(clientSecret), ua: userAgent, cfg: cfg}
	s.client = &httpx.Client{
		Platform: Platform, HTTP: cfg.httpClient, UserAgent: userAgent, MaxBody: cfg.maxBody,
		RequestTimeout: cfg.timeout, Retry: cfg.retry, Limiter: cfg.limiter, RateLimit: httpx.ParseReddit,
		Counters: &s.counters, Logger: cfg.logger, Secrets: []httpx.Secret{s.secret},
	}
	return s, nil
}

// String describes the source without secrets.
func (s *Source) String() string { return "reddit " + s.listing.String() }

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.counters.Stats() }

// accessToken returns a valid token, fetching a new one when none is
// cached, when it expires within a minute, or when force is set.
func (s *Source) accessToken(ctx context.Context, force bool) (httpx.Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !force && s.token != "" && time.Now().Before(s.expires.Add(-time.Minute)) {
		return s.token, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.authURL+"/api/v1/access_token",
		strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(s.id+":"+string(s.secret))))
	resp, err := s.client.Do(ctx, req)
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
	exp := time.Duration(float64(tok.ExpiresIn) * float64(time.Second))
	if exp <= 0 {
		exp = time.Hour
	}
	s.expires = time.Now().Add(exp)
	return s.token, nil
}

// get fetches one listing page: a 401 refreshes the token once; an
// undecodable body is retried with backoff.
func (s *Source) get(ctx context.Context, after string) ([]listen.Post, string, error) {
	u := s.cfg.apiURL + s.listing.path
	q := url.Values{}
	for k, v := range s.listing.query {
		q[k] = v
	}
	q.Set("limit", "100")
	q.Set("raw_json", "1")
	if after != "" {
		q.Set("after", after)
	}
	u += "?" + q.Encode()
	bo := httpx.NewBackoff(s.cfg.retry)
	refreshedFor := httpx.Secret("") // the token a 401 made us replace
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
		resp, err := s.client.Do(ctx, req)
		var he *listen.HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized && refreshedFor == "" {
			// The token expired early or was revoked: refresh once. A
			// fresh token refused before any success is a real auth failure.
			refreshedFor = tok
			if s.cfg.logger != nil {
				s.cfg.logger.DebugContext(ctx, "reddit: 401, refreshing the token")
			}
			if _, err := s.accessToken(ctx, true); err != nil {
				return nil, "", err
			}
			continue
		}
		if err != nil {
			return nil, "", err
		}
		refreshedFor = "" // the token worked: a later 401 may refresh again
		posts, next, derr := DecodeListing(resp.Body)
		if derr == nil {
			return posts, next, nil
		}
		s.counters.Skip()
		wait, ok := bo.Next()
		if !ok {
			return nil, "", derr
		}
		s.counters.Retry()
		if err := httpx.Sleep(ctx, wait); err != nil {
			return nil, "", err
		}
	}
}

// cursorIDs is how many recent fullnames the saved cursor keeps: enough to
// recognise the first page of a listing after a restart.
const cursorIDs = 300

// Posts implements [listen.Source]. Each poll reads the listing's first
// page and follows "after" while every item on a page is new (up to
// [WithMaxPages]); unseen items are yielded oldest first.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		fail := func(err error) {
			if ctx.Err() == nil {
				yield(listen.Post{}, err)
			}
		}
		delivered := seen.New[string](s.cfg.seen)
		if st := s.cfg.store; st != nil {
			raw, err := st.Load(ctx, s.cfg.storeKey)
			if err != nil {
				fail(fmt.Errorf("reddit: load cursor: %w", err))
				return
			}
			if raw != "" {
				var ids []string
				if err := json.Unmarshal([]byte(raw), &ids); err != nil {
					fail(fmt.Errorf("reddit: cursor is not a list of fullnames: %w", err))
					return
				}
				for _, id := range ids {
					delivered.Add(id)
				}
			}
		}
		for {
			stop, err := s.poll(ctx, delivered, yield)
			if stop {
				return
			}
			if err != nil {
				fail(err)
				return
			}
			if !s.cfg.follow || httpx.Sleep(ctx, s.cfg.interval) != nil {
				return
			}
		}
	}
}

func (s *Source) poll(ctx context.Context, delivered *seen.Set[string], yield func(listen.Post, error) bool) (bool, error) {
	var fresh []listen.Post
	inBatch := map[string]bool{}
	after := ""
	first := delivered.Len() == 0
	for page := 0; page < s.cfg.maxPages; page++ {
		posts, next, err := s.get(ctx, after)
		if err != nil {
			return false, err
		}
		metSeen := false
		for _, p := range posts {
			if delivered.Has(p.ID) {
				metSeen = true
				continue
			}
			if inBatch[p.ID] {
				s.counters.Duplicate()
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
		now := time.Now()
		more := yield(p, nil)
		s.counters.Deliver(p.Created, now)
		delivered.Add(p.ID)
		if st := s.cfg.store; st != nil {
			b, _ := json.Marshal(delivered.Last(cursorIDs))
			if err := st.Save(ctx, s.cfg.storeKey, string(b)); err != nil && more {
				return false, fmt.Errorf("reddit: save cursor: %w", err)
			}
		}
		if !more {
			return true, nil
		}
	}
	return false, nil
}
