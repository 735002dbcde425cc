package main

import (
	"flag"
	"os"
	"strings"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/bluesky"
	"github.com/earshot-dev/earshot/listen/hackernews"
	"github.com/earshot-dev/earshot/listen/mastodon"
	"github.com/earshot-dev/earshot/listen/rss"
)

// liveFlags select live sources. Credentials come from the environment,
// never from flags, so they do not end up in shell history:
// MASTODON_TOKEN.
type liveFlags struct {
	mastodon    string
	mastodonTag string
	jetstream   string
	rss         string
	hn          string
}

func (l *liveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.mastodon, "mastodon", "", "Mastodon instance URL to listen to, e.g. https://mastodon.social (token: $MASTODON_TOKEN)")
	fs.StringVar(&l.mastodonTag, "mastodon-tag", "", "hashtag timeline on -mastodon (default: the public timeline)")
	fs.StringVar(&l.jetstream, "bluesky", "", "Bluesky Jetstream URL, e.g. wss://jetstream2.us-east.bsky.network/subscribe")
	fs.StringVar(&l.rss, "rss", "", "comma-separated RSS, Atom or JSON Feed URLs")
	fs.StringVar(&l.hn, "hn", "", "Hacker News search query (Algolia search_by_date)")
}

// sources builds the live sources named by the flags; each keeps polling
// or streaming until the context ends.
func (l *liveFlags) sources() ([]listen.Source, error) {
	var out []listen.Source
	if l.mastodon != "" {
		tl := mastodon.Public()
		if l.mastodonTag != "" {
			tl = mastodon.Hashtag(l.mastodonTag)
		}
		opts := []mastodon.Option{mastodon.Follow()}
		if tok := os.Getenv("MASTODON_TOKEN"); tok != "" {
			opts = append(opts, mastodon.WithToken(tok))
		}
		s, err := mastodon.New(l.mastodon, tl, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if l.jetstream != "" {
		s, err := bluesky.NewJetstream(l.jetstream,
			bluesky.WithCollections("app.bsky.feed.post", "app.bsky.feed.repost"))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if l.rss != "" {
		var feeds []rss.Feed
		for _, u := range strings.Split(l.rss, ",") {
			if u = strings.TrimSpace(u); u != "" {
				feeds = append(feeds, rss.Feed{URL: u})
			}
		}
		s, err := rss.New(feeds, rss.WithFollow(true))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if l.hn != "" {
		s, err := hackernews.New(l.hn, hackernews.Follow())
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
