package bluesky

import (
	"errors"
	"time"

	"github.com/earshot-dev/earshot/internal/httpx"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/internal/config"
)

// jetOptions are a Jetstream's own settings.
type jetOptions struct {
	collections []string
	dids        []string
	rewind      time.Duration
	maxMessage  int64
	seqJump     time.Duration // a sequence resume landing further than this from the cursor's time means another instance
}

// searchOptions are a Search's own settings.
type searchOptions struct {
	identifier string
	password   httpx.Secret
	overlap    time.Duration // how far a Search poll looks back before the newest post (sortAt lags)
}

// savedKeys bounds the commit keys a Jetstream cursor carries.
const savedKeys = 4096

// WithCollections sets Jetstream's wantedCollections (NSIDs or prefixes
// ending in ".*"). The default is [CollectionPost]; add [CollectionRepost]
// and [CollectionLike] to receive reposts and likes as
// [listen.KindRepost] and [listen.KindLike] posts.
func WithCollections(nsids ...string) listen.Option {
	return config.Own("bluesky.WithCollections", func(o *jetOptions) { o.collections = append([]string(nil), nsids...) })
}

// WithDIDs sets Jetstream's wantedDids: only these repositories' events
// are sent (Jetstream accepts up to 10,000). Up to 50 go in the subscribe
// URL; more are sent in an options_update message right after connecting.
// Identity and account events of these DIDs still arrive; they are
// skipped.
func WithDIDs(dids ...string) listen.Option {
	return config.Own("bluesky.WithDIDs", func(o *jetOptions) { o.dids = append([]string(nil), dids...) })
}

// WithRewind sets how far a Jetstream reconnect rewinds the time cursor
// before the newest event handled (default 5s), to cover events the
// server sends out of time order. Events replayed by the rewind are
// dropped as duplicates.
func WithRewind(d time.Duration) listen.Option {
	return config.Own("bluesky.WithRewind", func(o *jetOptions) { o.rewind = d })
}

// WithMaxMessageSize sets Jetstream's maxMessageSizeBytes and the read
// limit of the WebSocket (default 2 MiB). The server drops larger events.
func WithMaxMessageSize(n int64) listen.Option {
	return config.Own("bluesky.WithMaxMessageSize", func(o *jetOptions) { o.maxMessage = n })
}

// WithCredentials sets the handle (or email) and app password Search logs
// in with. The password, and the session tokens it gets, are kept as
// secrets: they never appear in errors, logs or String.
func WithCredentials(identifier, appPassword string) listen.Option {
	return config.Own("bluesky.WithCredentials", func(o *searchOptions) {
		o.identifier, o.password = identifier, httpx.Secret(appPassword)
	})
}

func jetDefaults() (config.Settings, jetOptions) {
	s := config.Defaults()
	s.SaveEvery = time.Second
	return s, jetOptions{collections: []string{CollectionPost}, rewind: 5 * time.Second, maxMessage: 2 << 20, seqJump: 30 * time.Second}
}

func (o *jetOptions) validate() error {
	switch {
	case o.rewind < 0:
		return errors.New("bluesky: rewind must not be negative")
	case o.maxMessage <= 0:
		return errors.New("bluesky: max message size must be positive")
	}
	return nil
}

func searchDefaults() (config.Settings, searchOptions) {
	s := config.Defaults()
	s.Interval, s.PageSize = 30*time.Second, 100
	return s, searchOptions{overlap: 2 * time.Minute}
}
