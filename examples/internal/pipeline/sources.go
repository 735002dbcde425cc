package pipeline

import (
	"errors"
	"flag"
	"os"
	"strings"

	"github.com/earshot-dev/earshot/examples/sample"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/bluesky"
	"github.com/earshot-dev/earshot/listen/hackernews"
	"github.com/earshot-dev/earshot/listen/mastodon"
	"github.com/earshot-dev/earshot/listen/reddit"
	"github.com/earshot-dev/earshot/listen/replay"
	"github.com/earshot-dev/earshot/listen/rss"
)

// Sources selects live sources, from flags or a JSON config file.
// Credentials come from the environment, never from flags or files, so they
// do not end up in shell history or in a repository: MASTODON_TOKEN,
// REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET and REDDIT_USER_AGENT.
type Sources struct {
	Mastodon    string   `json:"mastodon,omitempty"`     // instance URL
	MastodonTag string   `json:"mastodon_tag,omitempty"` // hashtag timeline (default: public timeline)
	Bluesky     string   `json:"bluesky,omitempty"`      // Jetstream URL
	RSS         []string `json:"rss,omitempty"`          // feed URLs
	HN          string   `json:"hn,omitempty"`           // Hacker News search query
	Reddit      []string `json:"reddit,omitempty"`       // subreddits, newest posts
}

// Register adds the -mastodon, -mastodon-tag, -bluesky, -rss, -hn and
// -reddit flags to fs.
func (s *Sources) Register(fs *flag.FlagSet) {
	fs.StringVar(&s.Mastodon, "mastodon", "", "Mastodon instance URL to listen to, e.g. https://mastodon.social (token: $MASTODON_TOKEN)")
	fs.StringVar(&s.MastodonTag, "mastodon-tag", "", "hashtag timeline on -mastodon (default: the public timeline)")
	fs.StringVar(&s.Bluesky, "bluesky", "", "Bluesky Jetstream URL, e.g. wss://jetstream2.us-east.bsky.network/subscribe")
	fs.Func("rss", "comma-separated RSS, Atom or JSON Feed URLs", func(v string) error {
		s.RSS = append(s.RSS, splitList(v)...)
		return nil
	})
	fs.StringVar(&s.HN, "hn", "", "Hacker News search query (Algolia search_by_date)")
	fs.Func("reddit", "comma-separated subreddits to follow (credentials: $REDDIT_CLIENT_ID, $REDDIT_CLIENT_SECRET, $REDDIT_USER_AGENT)", func(v string) error {
		s.Reddit = append(s.Reddit, splitList(v)...)
		return nil
	})
}

func splitList(v string) []string {
	var out []string
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// Any reports whether a live source is selected.
func (s *Sources) Any() bool {
	return s.Mastodon != "" || s.Bluesky != "" || len(s.RSS) > 0 || s.HN != "" || len(s.Reddit) > 0
}

// Live builds the live sources selected; each keeps polling or streaming
// until the context ends. It does no I/O.
func (s *Sources) Live() ([]listen.Source, error) {
	var out []listen.Source
	if s.Mastodon != "" {
		tl := mastodon.Public()
		if s.MastodonTag != "" {
			tl = mastodon.Hashtag(s.MastodonTag)
		}
		opts := []mastodon.Option{mastodon.Follow()}
		if tok := os.Getenv("MASTODON_TOKEN"); tok != "" {
			opts = append(opts, mastodon.WithToken(tok))
		}
		src, err := mastodon.New(s.Mastodon, tl, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	if s.Bluesky != "" {
		src, err := bluesky.NewJetstream(s.Bluesky,
			bluesky.WithCollections("app.bsky.feed.post", "app.bsky.feed.repost"))
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	if len(s.RSS) > 0 {
		var feeds []rss.Feed
		for _, u := range s.RSS {
			feeds = append(feeds, rss.Feed{URL: u})
		}
		src, err := rss.New(feeds, rss.Follow())
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	if s.HN != "" {
		src, err := hackernews.New(s.HN, hackernews.Follow())
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	if len(s.Reddit) > 0 {
		id, secret := os.Getenv("REDDIT_CLIENT_ID"), os.Getenv("REDDIT_CLIENT_SECRET")
		if id == "" || secret == "" {
			return nil, errors.New("reddit: set REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET (a Reddit app's credentials)")
		}
		ua := os.Getenv("REDDIT_USER_AGENT")
		if ua == "" {
			ua = "linux:dev.earshot.examples:v0.1 (by /u/earshot-example)"
		}
		for _, sub := range s.Reddit {
			src, err := reddit.New(id, secret, ua, reddit.Posts(sub), reddit.Follow())
			if err != nil {
				return nil, err
			}
			out = append(out, src)
		}
	}
	return out, nil
}

// Source returns the merged live sources if any is selected, else a replay
// of file (a JSON-lines file, optionally gzip) or, when file is "", of the
// embedded sample data, at the given speed (0: as fast as possible).
func (s *Sources) Source(file string, speed float64) (listen.Source, error) {
	live, err := s.Live()
	if err != nil {
		return nil, err
	}
	if len(live) == 1 {
		return live[0], nil
	}
	if len(live) > 1 {
		return listen.Merge(live...), nil
	}
	opts := []replay.Option{replay.WithSpeed(speed)}
	if file != "" {
		return replay.Open(file, opts...), nil
	}
	return sample.Source(opts...), nil
}
