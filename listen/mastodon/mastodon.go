package mastodon

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/seen"
)

// Timeline names what a [Source] reads. Build one with [Hashtag],
// [Public], [Local], [Search] or [Home]. The zero value is [Public].
type Timeline struct {
	kind  timelineKind
	arg   string // tag or query
	local bool
}

type timelineKind uint8

const (
	kindPublic timelineKind = iota
	kindHashtag
	kindSearch
	kindHome
)

// Public is the federated timeline: public, non-boost posts the instance knows.
func Public() Timeline { return Timeline{kind: kindPublic} }

// Local is the instance's local timeline.
func Local() Timeline { return Timeline{kind: kindPublic, local: true} }

// Hashtag is the timeline of one hashtag (without '#').
func Hashtag(tag string) Timeline {
	return Timeline{kind: kindHashtag, arg: strings.TrimPrefix(tag, "#")}
}

// Search is a full-text status search. It needs a token and a server with
// full-text search; treat it as best effort (prefer [Hashtag]).
func Search(query string) Timeline { return Timeline{kind: kindSearch, arg: query} }

// Home is the token owner's home timeline (REST) and "user" stream. On
// servers whose hashtag streams deliver nothing (GoToSocial), follow the
// tag with the account and read Home.
func Home() Timeline { return Timeline{kind: kindHome} }

// String returns a short name such as "tag:golang".
func (tl Timeline) String() string {
	switch tl.kind {
	case kindHashtag:
		return "tag:" + tl.arg
	case kindSearch:
		return "search:" + tl.arg
	case kindHome:
		return "home"
	}
	if tl.local {
		return "local"
	}
	return "public"
}

// Transport is a streaming transport for [WithStream].
type Transport uint8

const (
	// SSE reads the server-sent-events endpoints (/api/v1/streaming/public, ...).
	SSE Transport = iota + 1
	// WebSocket reads /api/v1/streaming over WebSocket (the only transport
	// GoToSocial offers; it always needs a token).
	WebSocket
)

// Option configures a [Source]. Options only record values; [New]
// validates them.
type Option func(*config)

type config struct {
	httpClient *http.Client
	limiter    *rate.Limiter
	token      *httpx.Secret // a pointer, so printing the config shows no token
	logger     *slog.Logger
	userAgent  string
	store      listen.CursorStore
	storeKey   string
	follow     bool
	interval   time.Duration
	transport  Transport
	streamURL  string
	retry      httpx.Retry
	pageSize   int
	stall      time.Duration
	maxBody    int64
	timeout    time.Duration
	followTag  bool
}

// WithHTTPClient sets the *http.Client for every request (auth, tracing,
// proxies go in through its RoundTripper). Default: httpx defaults with
// bounded dial, TLS and header timeouts.
func WithHTTPClient(c *http.Client) Option { return func(o *config) { o.httpClient = c } }

// WithLimiter makes every request wait for l; several sources can share
// one budget. The limiter is slowed when X-RateLimit headers say the
// window is running out.
func WithLimiter(l *rate.Limiter) Option { return func(o *config) { o.limiter = l } }

// WithToken sets the access token (Authorization: Bearer). It is never
// printed: not in errors, logs or String().
func WithToken(token string) Option {
	return func(o *config) {
		t := httpx.Secret(token)
		o.token = &t
	}
}

// tok returns the token or "".
func (c *config) tok() httpx.Secret {
	if c.token == nil {
		return ""
	}
	return *c.token
}

// WithLogger sets a logger for retries and reconnects. Default: silent.
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.logger = l } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(o *config) { o.userAgent = ua } }

// WithCursorStore makes the source resume from the cursor saved under key
// and save the last delivered status ID after the loop body returns for
// each post.
func WithCursorStore(store listen.CursorStore, key string) Option {
	return func(o *config) { o.store, o.storeKey = store, key }
}

// Follow keeps polling for new posts until ctx is done. Without it, a
// polling source ends once it has caught up.
func Follow() Option { return func(o *config) { o.follow = true } }

// WithInterval sets the polling interval (default 30s) used by [Follow].
func WithInterval(d time.Duration) Option { return func(o *config) { o.interval = d } }

// WithStream reads the streaming API over t instead of polling: each
// (re)connect is followed by a REST backfill from the last seen ID, so
// nothing sent while disconnected is lost. Implies [Follow].
func WithStream(t Transport) Option { return func(o *config) { o.transport = t } }

// WithStreamURL overrides the streaming base URL (e.g.
// "wss://streaming.mastodon.social"). By default the instance URL is used:
// servers may advertise a wrong wss:// URL on plain-http hosts.
func WithStreamURL(u string) Option { return func(o *config) { o.streamURL = u } }

// WithMaxRetryTime bounds how long transient failures are retried before
// the source gives up with a final error (default 15m; negative: never).
func WithMaxRetryTime(d time.Duration) Option { return func(o *config) { o.retry.MaxElapsed = d } }

// WithRetryBackoff sets the first and the largest backoff interval
// (defaults 500ms and 1m).
func WithRetryBackoff(initial, max time.Duration) Option {
	return func(o *config) { o.retry.Initial, o.retry.Max = initial, max }
}

// WithPageSize sets the REST page size (1..40, default 40).
func WithPageSize(n int) Option { return func(o *config) { o.pageSize = n } }

// WithStallTimeout sets how long a stream may send nothing (not even a
// heartbeat) before it is treated as dead and reconnected (default 60s
// for SSE, whose heartbeat comes every 15s, and 5m for WebSocket).
func WithStallTimeout(d time.Duration) Option { return func(o *config) { o.stall = d } }

// WithFollowTag makes a streaming [Hashtag] source follow the tag with the
// token's account (POST /api/v1/tags/{tag}/follow, once per run) and read
// the "user" stream, keeping only statuses that carry the tag. Use it on
// servers whose hashtag streams deliver nothing, such as GoToSocial. The
// REST backfill still reads the tag timeline.
func WithFollowTag() Option { return func(o *config) { o.followTag = true } }

// WithMaxBody sets the response size limit (default 50 MB).
func WithMaxBody(n int64) Option { return func(o *config) { o.maxBody = n } }

// WithRequestTimeout bounds one request attempt (default 1m).
func WithRequestTimeout(d time.Duration) Option { return func(o *config) { o.timeout = d } }

// Source reads statuses from one timeline of a Mastodon-API server
// (Mastodon, GoToSocial, Pleroma, ...). It is a [listen.Source] and a
// [listen.StatsReporter]. Posts may be called again after a run ends; each
// run resumes from the cursor store, if one is set. It is safe to call
// Stats concurrently with a run; running Posts twice at once on one
// Source is allowed but both runs save to the same cursor key.
type Source struct {
	base     *url.URL
	host     string
	timeline Timeline
	cfg      config
	client   *httpx.Client
	once     *httpx.Client // same, without retries: the stream loop retries
	counters listen.Counters
}

// New returns a source reading timeline from the server at instanceURL
// ("https://mastodon.social"). It does no I/O.
func New(instanceURL string, timeline Timeline, opts ...Option) (*Source, error) {
	u, err := url.Parse(strings.TrimRight(instanceURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mastodon: instance URL %q must be http(s)://host", instanceURL)
	}
	cfg := config{interval: 30 * time.Second, pageSize: 40, userAgent: "earshot (+https://github.com/earshot-dev/earshot)"}
	for _, o := range opts {
		o(&cfg)
	}
	switch {
	case timeline.kind == kindHashtag && timeline.arg == "":
		return nil, errors.New("mastodon: empty hashtag")
	case timeline.kind == kindSearch && timeline.arg == "":
		return nil, errors.New("mastodon: empty search query")
	case timeline.kind == kindSearch && cfg.transport != 0:
		return nil, errors.New("mastodon: search has no stream; poll it with Follow")
	case (timeline.kind == kindHome || timeline.kind == kindSearch) && cfg.tok() == "":
		return nil, fmt.Errorf("mastodon: %s needs WithToken", timeline)
	case cfg.transport == WebSocket && cfg.tok() == "":
		return nil, errors.New("mastodon: streaming needs WithToken (a user token)")
	case cfg.transport > WebSocket:
		return nil, fmt.Errorf("mastodon: unknown transport %d", cfg.transport)
	case cfg.pageSize < 1 || cfg.pageSize > 40:
		return nil, fmt.Errorf("mastodon: page size %d outside 1..40", cfg.pageSize)
	case cfg.interval <= 0:
		return nil, errors.New("mastodon: interval must be positive")
	case cfg.store != nil && cfg.storeKey == "":
		return nil, errors.New("mastodon: cursor store needs a key")
	case cfg.followTag && (timeline.kind != kindHashtag || cfg.transport == 0 || cfg.tok() == ""):
		return nil, errors.New("mastodon: WithFollowTag needs a Hashtag timeline, WithStream and WithToken")
	}
	if cfg.streamURL != "" {
		su, err := url.Parse(cfg.streamURL)
		if err != nil || su.Host == "" {
			return nil, fmt.Errorf("mastodon: bad stream URL %q", cfg.streamURL)
		}
	}
	if cfg.stall <= 0 {
		cfg.stall = 60 * time.Second
		if cfg.transport == WebSocket {
			cfg.stall = 5 * time.Minute
		}
	}
	if cfg.transport != 0 {
		cfg.follow = true
	}
	s := &Source{base: u, host: u.Hostname(), timeline: timeline, cfg: cfg}
	s.client = &httpx.Client{
		Platform:       Platform,
		HTTP:           cfg.httpClient,
		UserAgent:      cfg.userAgent,
		MaxBody:        cfg.maxBody,
		RequestTimeout: cfg.timeout,
		Retry:          cfg.retry,
		Limiter:        cfg.limiter,
		RateLimit:      httpx.ParseMastodon,
		Counters:       &s.counters,
		Logger:         cfg.logger,
		Secrets:        []httpx.Secret{cfg.tok()},
	}
	s.once = &httpx.Client{
		Platform:       Platform,
		HTTP:           cfg.httpClient,
		UserAgent:      cfg.userAgent,
		RequestTimeout: cfg.timeout,
		Retry:          httpx.Retry{MaxAttempts: 1},
		Limiter:        cfg.limiter,
		Logger:         cfg.logger,
		Secrets:        []httpx.Secret{cfg.tok()},
	}
	return s, nil
}

// String describes the source without secrets.
func (s *Source) String() string { return "mastodon " + s.base.String() + " " + s.timeline.String() }

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.counters.Stats() }

// Posts implements [listen.Source]. Statuses are yielded oldest first as
// [listen.KindPost] (boosts on the home timeline as [listen.KindRepost]);
// streams add [listen.KindUpdate] for edits and [listen.KindDelete] for
// deletions.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return func(yield func(listen.Post, error) bool) {
		r := &run{src: s, seen: seen.New[string](10_000), yield: yield}
		if s.cfg.store != nil {
			c, err := s.cfg.store.Load(ctx, s.cfg.storeKey)
			if err != nil {
				if ctx.Err() == nil {
					yield(listen.Post{}, fmt.Errorf("mastodon: load cursor: %w", err))
				}
				return
			}
			r.cursor = c
		}
		var err error
		if s.cfg.transport != 0 {
			err = r.stream(ctx)
		} else {
			err = r.poll(ctx)
		}
		if err != nil && err != errStop && ctx.Err() == nil {
			yield(listen.Post{}, err)
		}
	}
}

// errStop means the loop body broke out; the run ends silently.
var errStop = errors.New("mastodon: stopped")

type run struct {
	src    *Source
	cursor string // newest delivered status ID
	seen   *seen.Set[string]
	recent []string // IDs of the latest deliveries, for rewinding backfills
	yield  func(listen.Post, error) bool
}

// deliver yields p unless it was delivered already, then saves the cursor.
func (r *run) deliver(ctx context.Context, p listen.Post, editKey string) error {
	key := p.ID
	switch p.Kind {
	case listen.KindUpdate:
		key = "u:" + p.ID + ":" + editKey
	case listen.KindDelete:
		key = "d:" + p.ID
	}
	if !r.seen.Add(key) {
		r.src.counters.Duplicate()
		return nil
	}
	now := time.Now()
	more := r.yield(p, nil)
	// The loop body has returned (even when it broke out): the post is
	// handled, so its ID becomes the cursor.
	if p.Kind == listen.KindDelete {
		r.src.counters.Deliver(time.Time{}, now)
	} else {
		r.src.counters.Deliver(p.Created, now)
	}
	if p.Kind == listen.KindPost || p.Kind == listen.KindRepost {
		r.recent = append(r.recent, p.ID)
		if len(r.recent) > recentIDs {
			r.recent = r.recent[len(r.recent)-recentIDs:]
		}
		if r.cursor == "" || idLess(r.cursor, p.ID) {
			r.cursor = p.ID
			if st := r.src.cfg.store; st != nil {
				if err := st.Save(ctx, r.src.cfg.storeKey, r.cursor); err != nil && more {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					return fmt.Errorf("mastodon: save cursor: %w", err)
				}
			}
		}
	}
	if !more {
		return errStop
	}
	return nil
}
