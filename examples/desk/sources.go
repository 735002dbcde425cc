package main

import (
	"flag"
	"log/slog"
	"os"

	"github.com/earshot-dev/earshot/examples/sample"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/bluesky"
	"github.com/earshot-dev/earshot/listen/mastodon"
	"github.com/earshot-dev/earshot/listen/replay"
)

// sources are where the desk listens: the platforms it can answer on,
// under the monitor's flag names. Mastodon's token comes from
// $MASTODON_TOKEN, never from a flag.
type sources struct {
	mastodon, mastodonTag, bluesky string
}

func (s *sources) register(fs *flag.FlagSet) {
	fs.StringVar(&s.mastodon, "mastodon", "", "listen to this Mastodon instance, e.g. https://mastodon.social ($MASTODON_TOKEN)")
	fs.StringVar(&s.mastodonTag, "mastodon-tag", "", "hashtag timeline on -mastodon (default: the public timeline)")
	fs.StringVar(&s.bluesky, "bluesky", "", "listen to this Bluesky Jetstream, e.g. wss://jetstream2.us-east.bsky.network/subscribe")
}

// open builds the live sources selected, which log their retries to log
// and run until ctx ends, or else a replay of file (of the embedded sample
// when file is ""). It does no I/O. stats counts the sources' work.
func (s *sources) open(file string, speed float64, log *slog.Logger) (src listen.Source, stats listen.StatsReporter, err error) {
	var live []listen.Source
	var counters []listen.StatsReporter
	if s.mastodon != "" {
		tl := mastodon.Public()
		if s.mastodonTag != "" {
			tl = mastodon.Hashtag(s.mastodonTag)
		}
		opts := []listen.Option{listen.Follow(), listen.WithLogger(log)}
		if tok := os.Getenv("MASTODON_TOKEN"); tok != "" {
			opts = append(opts, mastodon.WithToken(tok))
		}
		m, err := mastodon.New(s.mastodon, tl, opts...)
		if err != nil {
			return nil, nil, err
		}
		live, counters = append(live, m), append(counters, m)
	}
	if s.bluesky != "" {
		b, err := bluesky.NewJetstream(s.bluesky, listen.WithLogger(log),
			bluesky.WithCollections("app.bsky.feed.post", "app.bsky.feed.repost"))
		if err != nil {
			return nil, nil, err
		}
		live, counters = append(live, b), append(counters, b)
	}
	switch len(live) {
	case 0:
		opts := []replay.Option{replay.WithSpeed(speed), replay.WithOnError(func(e *replay.LineError) {
			log.Warn("replay: skipping a malformed record", "err", e.Error())
		})}
		r := sample.Source(opts...)
		if file != "" {
			r = replay.Open(file, opts...)
		}
		return r, r, nil
	case 1:
		return live[0], counters[0], nil
	}
	return listen.Merge(live...), total(counters), nil
}

// total adds up several sources' counters.
type total []listen.StatsReporter

func (t total) Stats() listen.Stats {
	var s listen.Stats
	for _, r := range t {
		st := r.Stats()
		s.Delivered += st.Delivered
		s.Skipped += st.Skipped
		s.Retries += st.Retries
		s.Reconnects += st.Reconnects
	}
	return s
}
