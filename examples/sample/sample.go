// Package sample holds the embedded sample data set of the examples: three
// days of posts about Larkspur Coffee, a fictional small roaster with a few
// cafés, and its competitors Brightcup (a chain) and Hollow Oak (another
// small roaster), across Mastodon, Bluesky, Reddit, Hacker News and news
// feeds.
//
// The data tells one story, so that every part of the pipeline has
// something to find:
//
//   - ordinary chatter about the three roasters and about coffee in
//     general, with a daily rhythm (quiet nights, peaks at breakfast and
//     lunch) and a few posts in German, Spanish and French; a few people
//     post a lot and most now and then, each mostly on one platform;
//   - on day 1 at 18:00 UTC, forty accounts paste the same coupon spam
//     about Hollow Oak within twenty minutes (a copy-paste flood, which
//     listen.NearDedupe collapses), and all along a price-tracking bot
//     (Author.Bot set) names the three roasters every hour;
//   - on day 2 at 10:00 UTC, Larkspur moves its free loyalty stamps into a
//     paid "Larkspur Plus" membership: a wave of complaints builds within
//     hours (#LarkspurPlus, #BringBackStamps), and some of the unhappy
//     customers say they are switching to Brightcup or Hollow Oak;
//   - 80 minutes later a complaint by @milo-pours.bsky.social (48k
//     followers) goes viral: its reshares arrive as [listen.KindRepost]
//     events with Subject set to [ViralID];
//   - on day 3 at 08:00 a heart-warming story (a barista returns a lost
//     wedding ring) spreads (#LarkspurKindness);
//   - on day 3 at 16:00 Larkspur brings the stamps back and the wave ebbs.
//
// It is a public package so that every example program can be copied
// alone into a new module and still run offline. The file posts.jsonl.gz
// is written with a fixed seed by the generator in internal/gen (`go
// generate ./examples/sample` rewrites it); a test checks that the embedded
// file is exactly what the generator writes.
package sample

import (
	"bytes"
	_ "embed"

	"github.com/earshot-dev/earshot/listen/replay"
)

//go:generate go test -run TestEmbeddedMatchesGenerator -update .

//go:embed posts.jsonl.gz
var data []byte

// ViralID is the ID of the post that goes viral (on platform "bluesky").
const ViralID = "at://did:plc:milopours/app.bsky.feed.post/3lark5viral22"

// Data returns the gzip-compressed JSON lines of the sample data set: a
// new copy at each call.
func Data() []byte { return bytes.Clone(data) }

// Source returns a replay of the sample data set.
func Source(opts ...replay.Option) *replay.Source {
	return replay.New(bytes.NewReader(data), opts...)
}
