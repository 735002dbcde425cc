package mastodon

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/adapter"
	"github.com/earshot-dev/earshot/listen/internal/config"
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

type options struct {
	token     *httpx.Secret // a pointer, so printing the options shows no token
	transport Transport
	streamURL string
	followTag bool
}

// tok returns the token or "".
func (o *options) tok() httpx.Secret {
	if o.token == nil {
		return ""
	}
	return *o.token
}

// WithToken sets the access token (Authorization: Bearer). It is never
// printed: not in errors, logs or String().
func WithToken(token string) listen.Option {
	return config.Own("mastodon.WithToken", func(o *options) {
		t := httpx.Secret(token)
		o.token = &t
	})
}

// WithStream reads the streaming API over t instead of polling: each
// (re)connect is followed by a REST backfill from the last seen ID, so
// nothing sent while disconnected is lost. Implies [listen.Follow].
func WithStream(t Transport) listen.Option {
	return config.Own("mastodon.WithStream", func(o *options) { o.transport = t })
}

// WithStreamURL overrides the streaming base URL (e.g.
// "wss://streaming.mastodon.social"). By default the instance URL is used:
// servers may advertise a wrong wss:// URL on plain-http hosts.
func WithStreamURL(u string) listen.Option {
	return config.Own("mastodon.WithStreamURL", func(o *options) { o.streamURL = u })
}

// WithFollowTag makes a streaming [Hashtag] source follow the tag with the
// token's account (POST /api/v1/tags/{tag}/follow, once per run) and read
// the "user" stream, keeping only statuses that carry the tag. Use it on
// servers whose hashtag streams deliver nothing, such as GoToSocial. The
// REST backfill still reads the tag timeline.
func WithFollowTag() listen.Option {
	return config.Own("mastodon.WithFollowTag", func(o *options) { o.followTag = true })
}

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
	opt      options
	b        *adapter.Base
	once     *httpx.Client // b.Client without retries, for instance discovery
}

// New returns a source reading timeline from the server at instanceURL
// ("https://mastodon.social"). It takes the shared options of package
// listen (Follow, WithInterval 30s by default, WithPageSize 1..40 default
// 40, WithStallTimeout, ...) and this package's. It does no I/O.
func New(instanceURL string, timeline Timeline, opts ...listen.Option) (*Source, error) {
	u, err := url.Parse(strings.TrimRight(instanceURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("mastodon: instance URL %q must be http(s)://host", httpx.RedactURLString(instanceURL))
	}
	cfg := config.Defaults()
	cfg.Interval, cfg.PageSize = 30*time.Second, 40
	var o options
	if err := config.Apply("mastodon.New", &cfg, &o, opts); err != nil {
		return nil, err
	}
	if err := cfg.Check(Platform, 1, 40); err != nil {
		return nil, err
	}
	switch {
	case timeline.kind == kindHashtag && timeline.arg == "":
		return nil, errors.New("mastodon: empty hashtag")
	case timeline.kind == kindSearch && timeline.arg == "":
		return nil, errors.New("mastodon: empty search query")
	case timeline.kind == kindSearch && o.transport != 0:
		return nil, errors.New("mastodon: search has no stream; poll it with listen.Follow")
	case (timeline.kind == kindHome || timeline.kind == kindSearch) && o.tok() == "":
		return nil, fmt.Errorf("mastodon: %s needs WithToken", timeline)
	case o.transport == WebSocket && o.tok() == "":
		return nil, errors.New("mastodon: streaming needs WithToken (a user token)")
	case o.transport > WebSocket:
		return nil, fmt.Errorf("mastodon: unknown transport %d", o.transport)
	case o.followTag && (timeline.kind != kindHashtag || o.transport == 0 || o.tok() == ""):
		return nil, errors.New("mastodon: WithFollowTag needs a Hashtag timeline, WithStream and WithToken")
	}
	if o.streamURL != "" {
		su, err := url.Parse(o.streamURL)
		if err != nil || su.Host == "" {
			return nil, fmt.Errorf("mastodon: bad stream URL %q", httpx.RedactURLString(o.streamURL))
		}
	}
	if !cfg.Set(config.StallTimeout) {
		cfg.StallTimeout = 60 * time.Second
		if o.transport == WebSocket {
			cfg.StallTimeout = 5 * time.Minute
		}
	}
	if o.transport != 0 {
		cfg.Follow = true
	}
	if cfg.Key == "" {
		cfg.Key = "mastodon:" + u.Host + u.Path + ":" + timeline.String()
	}
	secrets := append([]httpx.Secret{o.tok()}, adapter.URLSecrets(instanceURL, o.streamURL)...)
	s := &Source{base: u, host: u.Hostname(), timeline: timeline, opt: o}
	s.b = adapter.New(Platform, cfg, httpx.ParseMastodon, secrets...)
	c := s.b.Client
	s.once = &httpx.Client{Platform: Platform, HTTP: c.HTTP, UserAgent: c.UserAgent, RequestTimeout: c.RequestTimeout,
		Limiter: c.Limiter, Logger: c.Logger, Secrets: c.Secrets, Retry: httpx.Retry{MaxAttempts: 1}}
	return s, nil
}

// String describes the source without secrets.
func (s *Source) String() string {
	return "mastodon " + httpx.RedactURL(s.base) + " " + s.timeline.String()
}

// Stats implements [listen.StatsReporter].
func (s *Source) Stats() listen.Stats { return s.b.Stats() }

// Posts implements [listen.Source]. Statuses are yielded oldest first as
// [listen.KindPost] (boosts on the home timeline as [listen.KindRepost]);
// streams add [listen.KindUpdate] for edits and [listen.KindDelete] for
// deletions.
func (s *Source) Posts(ctx context.Context) iter.Seq2[listen.Post, error] {
	return s.b.Posts(ctx, func(ar *adapter.Run) (adapter.Cursor, func(context.Context) error) {
		r := &run{src: s, Run: ar, seen: seen.New[string](s.b.Settings.Dedupe), limit: s.b.Settings.PageSize}
		return r, func(ctx context.Context) error {
			if s.opt.transport != 0 {
				return r.stream(ctx)
			}
			return ar.Poll(ctx, r.page)
		}
	})
}

// run is one call of Posts.
type run struct {
	*adapter.Run
	src    *Source
	cursor string // newest status ID the host has handled
	seen   *seen.Set[string]
	recent []string // IDs of the latest deliveries, for rewinding backfills

	// paging state of the poll in progress
	next    string // URL of the next page, "" to start from the cursor
	min     string // the min_id of that page
	limit   int    // page size, halved while pages are too large
	tagGone bool   // the hashtag is not known to the instance (logged once)
}

// Restore implements [adapter.Cursor]: the cursor is the newest status ID
// handled.
func (r *run) Restore(saved string) error { r.cursor = saved; return nil }

// Marshal implements [adapter.Cursor].
func (r *run) Marshal() string { return r.cursor }

// deliver yields p unless it was delivered already; the cursor moves past
// it once the host has handled it.
func (r *run) deliver(ctx context.Context, p listen.Post, editKey string) error {
	key := p.ID
	switch p.Kind {
	case listen.KindUpdate:
		key = "u:" + p.ID + ":" + editKey
	case listen.KindDelete:
		key = "d:" + p.ID
	}
	if !r.seen.Add(key) {
		r.src.b.Counters.Duplicate()
		return nil
	}
	if p.Kind != listen.KindPost && p.Kind != listen.KindRepost {
		return r.Deliver(ctx, p, nil)
	}
	r.recent = append(r.recent, p.ID)
	if len(r.recent) > recentIDs {
		r.recent = r.recent[len(r.recent)-recentIDs:]
	}
	return r.Deliver(ctx, p, func() {
		if r.cursor == "" || idLess(r.cursor, p.ID) {
			r.cursor = p.ID
		}
	})
}
