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
	"github.com/earshot-dev/earshot/listen/mastodon"
	"github.com/earshot-dev/earshot/listen/replay"
)

// sources are where the dashboard listens, under the monitor's flag
// names: Mastodon and Bluesky live (examples/monitor wires the other
// platforms the same way), else a replay. Mastodon's token comes from
// $MASTODON_TOKEN, never from a flag.
type sources struct {
	mastodon, mastodonTag, bluesky string
}

func (s *sources) register(fs *flag.FlagSet) {
	fs.StringVar(&s.mastodon, "mastodon", "", "listen to this Mastodon instance, e.g. https://mastodon.social ($MASTODON_TOKEN)")
	fs.StringVar(&s.mastodonTag, "mastodon-tag", "", "hashtag timeline on -mastodon (default: the public timeline)")
	fs.StringVar(&s.bluesky, "bluesky", "", "listen to this Bluesky Jetstream, e.g. wss://jetstream2.us-east.bsky.network/subscribe")
}

func (s *sources) live() bool { return s.mastodon != "" || s.bluesky != "" }

// describe names what is listened to, for the banner and the page.
func (s *sources) describe(file string, speed float64) string {
	if s.live() {
		var l []string
		if s.mastodon != "" {
			l = append(l, "Mastodon "+s.mastodon)
		}
		if s.bluesky != "" {
			l = append(l, "Bluesky "+s.bluesky)
		}
		return "listening live to " + strings.Join(l, ", ")
	}
	if file == "" {
		file = "the embedded sample data"
	}
	if speed == 0 {
		return "replaying " + file + " as fast as possible"
	}
	return fmt.Sprintf("replaying %s at %g× real time", file, speed)
}

// open builds the live sources selected, which log their retries to log
// and run until ctx ends, or else a replay of file (of the embedded sample
// when file is ""). It does no I/O.
func (s *sources) open(file string, speed float64, log *slog.Logger) (listen.Source, error) {
	var live []listen.Source
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
			return nil, err
		}
		live = append(live, m)
	}
	if s.bluesky != "" {
		b, err := bluesky.NewJetstream(s.bluesky, listen.WithLogger(log),
			bluesky.WithCollections("app.bsky.feed.post", "app.bsky.feed.repost"))
		if err != nil {
			return nil, err
		}
		live = append(live, b)
	}
	if len(live) > 0 {
		return listen.Merge(live...), nil
	}
	opts := []replay.Option{replay.WithSpeed(speed), replay.WithOnError(func(e *replay.LineError) {
		log.Warn("replay: skipping a malformed record", "err", e.Error())
	})}
	if file != "" {
		return replay.Open(file, opts...), nil
	}
	return sample.Source(opts...), nil
}

// keys are the -key flags: NAME=QUERY, repeatable.
type keys []key

// key is one thing to track: a name for the page and a query.
type key struct{ Name, Query string }

func (k *keys) String() string { return "" }

func (k *keys) Set(v string) error {
	name, q, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(q) == "" {
		return errors.New("want NAME=QUERY")
	}
	*k = append(*k, key{strings.TrimSpace(name), q})
	return nil
}

// tracked is a key with its compiled query.
type tracked struct {
	key
	q *listen.Query
}

// compile checks the keys: named once, valid queries.
func compile(ks []key) ([]tracked, error) {
	var out []tracked
	seen := map[string]bool{}
	for _, k := range ks {
		if seen[k.Name] {
			return nil, fmt.Errorf("key %q named twice", k.Name)
		}
		seen[k.Name] = true
		q, err := listen.Compile(k.Query)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k.Name, err)
		}
		out = append(out, tracked{k, q})
	}
	return out, nil
}
