package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
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

// sources selects where posts come from: live sources from flags or the
// config file, else a replay. Credentials come from the environment, never
// from flags or files, so they stay out of shell history and repositories:
// MASTODON_TOKEN, REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET, REDDIT_USER_AGENT.
type sources struct {
	Mastodon    string   `json:"mastodon,omitempty"`     // instance URL
	MastodonTag string   `json:"mastodon_tag,omitempty"` // hashtag timeline (default: public timeline)
	Bluesky     string   `json:"bluesky,omitempty"`      // Jetstream URL
	RSS         []string `json:"rss,omitempty"`          // feed URLs
	HN          string   `json:"hn,omitempty"`           // Hacker News search query
	Reddit      []string `json:"reddit,omitempty"`       // subreddits, newest posts
}

func (s *sources) register(fs *flag.FlagSet) {
	fs.StringVar(&s.Mastodon, "mastodon", "", "listen to this Mastodon instance, e.g. https://mastodon.social ($MASTODON_TOKEN)")
	fs.StringVar(&s.MastodonTag, "mastodon-tag", "", "hashtag timeline on -mastodon (default: the public timeline)")
	fs.StringVar(&s.Bluesky, "bluesky", "", "listen to this Bluesky Jetstream, e.g. wss://jetstream2.us-east.bsky.network/subscribe")
	fs.Func("rss", "listen to these comma-separated RSS, Atom or JSON Feed URLs", func(v string) error {
		s.RSS = append(s.RSS, splitList(v)...)
		return nil
	})
	fs.StringVar(&s.HN, "hn", "", "listen to this Hacker News search query")
	fs.Func("reddit", "listen to these comma-separated subreddits ($REDDIT_CLIENT_ID, $REDDIT_CLIENT_SECRET, $REDDIT_USER_AGENT)", func(v string) error {
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

func (s *sources) live() bool {
	return s.Mastodon != "" || s.Bluesky != "" || len(s.RSS) > 0 || s.HN != "" || len(s.Reddit) > 0
}

// describe names what is listened to, for the banner.
func (s *sources) describe(file string, speed float64) string {
	if !s.live() {
		what := "the embedded sample data (three days about Larkspur Coffee, a fictional roaster, and two rivals)"
		if file != "" {
			what = file
		}
		if speed == 0 {
			return "replaying " + what + " as fast as possible"
		}
		return fmt.Sprintf("replaying %s at %g× real time", what, speed)
	}
	var l []string
	if s.Mastodon != "" {
		l = append(l, "Mastodon "+s.Mastodon)
	}
	if s.Bluesky != "" {
		l = append(l, "Bluesky "+s.Bluesky)
	}
	if len(s.RSS) > 0 {
		l = append(l, fmt.Sprintf("%d feeds", len(s.RSS)))
	}
	if s.HN != "" {
		l = append(l, "Hacker News")
	}
	for _, r := range s.Reddit {
		l = append(l, "r/"+r)
	}
	return "listening live to " + strings.Join(l, ", ")
}

// open builds the sources: live ones keep polling or streaming until ctx
// ends and log their retries and reconnects to log; otherwise a replay of
// file, or of the embedded sample when file is "". It does no I/O. The
// reporters are the sources' counters, for the summary.
func (s *sources) open(file string, speed float64, log *slog.Logger) (listen.Source, []listen.StatsReporter, error) {
	if !s.live() {
		skipped := 0
		opts := []replay.Option{replay.WithSpeed(speed), replay.WithOnError(func(e *replay.LineError) {
			if skipped++; skipped <= 3 {
				log.Warn("replay: skipping a malformed record", "err", e.Error(), "skipped", skipped)
			} else if skipped == 4 {
				log.Warn("replay: more malformed records: counted, not logged")
			}
		})}
		var src *replay.Source
		if file != "" {
			src = replay.Open(file, opts...)
		} else {
			src = sample.Source(opts...)
		}
		return src, []listen.StatsReporter{src}, nil
	}
	var out []listen.Source
	var stats []listen.StatsReporter
	add := func(src listen.Source) {
		out = append(out, src)
		if st, ok := src.(listen.StatsReporter); ok {
			stats = append(stats, st)
		}
	}
	if s.Mastodon != "" {
		tl := mastodon.Public()
		if s.MastodonTag != "" {
			tl = mastodon.Hashtag(s.MastodonTag)
		}
		opts := []listen.Option{listen.Follow(), listen.WithLogger(log)}
		if tok := os.Getenv("MASTODON_TOKEN"); tok != "" {
			opts = append(opts, mastodon.WithToken(tok))
		}
		src, err := mastodon.New(s.Mastodon, tl, opts...)
		if err != nil {
			return nil, nil, err
		}
		add(src)
	}
	if s.Bluesky != "" {
		src, err := bluesky.NewJetstream(s.Bluesky, listen.WithLogger(log),
			bluesky.WithCollections("app.bsky.feed.post", "app.bsky.feed.repost"))
		if err != nil {
			return nil, nil, err
		}
		add(src)
	}
	if len(s.RSS) > 0 {
		src, err := rss.New(rss.URLs(s.RSS...), listen.Follow(), listen.WithLogger(log))
		if err != nil {
			return nil, nil, err
		}
		add(src)
	}
	if s.HN != "" {
		src, err := hackernews.New(s.HN, listen.Follow(), listen.WithLogger(log))
		if err != nil {
			return nil, nil, err
		}
		add(src)
	}
	if len(s.Reddit) > 0 {
		id, secret := os.Getenv("REDDIT_CLIENT_ID"), os.Getenv("REDDIT_CLIENT_SECRET")
		if id == "" || secret == "" {
			return nil, nil, errors.New("-reddit needs $REDDIT_CLIENT_ID and $REDDIT_CLIENT_SECRET (a Reddit app's credentials)")
		}
		ua := os.Getenv("REDDIT_USER_AGENT")
		if ua == "" {
			ua = "linux:dev.earshot.examples:v0.1 (by /u/earshot-example)"
		}
		for _, sub := range s.Reddit {
			src, err := reddit.New(id, secret, ua, reddit.Posts(sub), listen.Follow(), listen.WithLogger(log))
			if err != nil {
				return nil, nil, err
			}
			add(src)
		}
	}
	if len(out) == 1 {
		return out[0], stats, nil
	}
	return listen.Merge(out...), stats, nil
}

// sourceStats adds up the sources' counters.
func sourceStats(rs []listen.StatsReporter) listen.Stats {
	var t listen.Stats
	for _, r := range rs {
		s := r.Stats()
		t.Delivered += s.Delivered
		t.Skipped += s.Skipped
		t.Retries += s.Retries
		t.Reconnects += s.Reconnects
	}
	return t
}
