// Package trend recognises what is taking off: volume spikes on a keyed
// series, trending keys, shifts in sentiment, and posts going viral; and
// it measures the conversation about each key: share of voice, reach,
// who drives it, what it is about, and why an alert fired.
//
// Every detector is online and bounded in memory, and takes time as an
// argument (never time.Now), as [golang.org/x/time/rate.Limiter.AllowN]
// does, so replays and tests are deterministic. Detectors report an
// [Alert], one per episode.
//
// trend does not import listen: it takes keys, times and weights, so a host
// can feed it data from anywhere.
//
// # Volume spikes
//
// [Spike] scores one series of bucket totals (mentions per 5 minutes) and
// [Spikes] does the same for many keys fed event by event, taking events up
// to a stated lateness out of order. The model is a robust seasonal
// baseline (level, daily and weekly hourly profiles, mean-absolute-deviation
// scale) of the count's Anscombe transform 2*sqrt(count+3/8), or of the
// values themselves for series that are not counts, with memories set in
// time rather than in buckets, scored at several time scales, both ways
// (rises and falls), and calibrated against the series' own typical daily
// peaks of surprise, so that a series which bursts every day needs a
// larger burst to alert than a quiet one. A bucket scores when the
// buckets of the last 10 minutes are all surprising, or at once when it is
// a record (beyond every value since the series began); a score in [0,1]
// per bucket opens an episode at the threshold, and one alert per episode
// (an [AlertSpike] for a rise, an [AlertDrop] for a fall) reports its
// start, peak and end.
//
// Scored with the Numenta Anomaly Benchmark's rules (standard profile,
// normalised, one threshold for all files) on the 53 shared NAB series
// (five Twitter mention-count series and 48 others: server metrics, ad
// prices, traffic, machine sensors, taxi demand, synthetic shapes), with the
// threshold always chosen on other series than those scored: 79.6 on the
// five Twitter series, each scored with the threshold chosen on the other
// 52; 61.8 over the seven NAB folders, each scored with the threshold chosen
// on the other six. The default threshold, 0.6, scores 64.4 on all 53
// (in-sample). See BENCHMARKS.md for the tables and examples/spikes for a
// command that scores a NAB CSV.
//
// # Trending keys
//
// [Sketch] counts keys (use [Hashtags] or [EachHashtag] to extract them)
// in sliding windows with count-min sketches, keeps candidates with
// space-saving summaries, and ranks keys by how far their current count
// is above their own baseline, so that always-popular keys do not
// dominate. Its memory does not grow with the number of keys. Sketches
// from several workers combine with [Sketch.Merge];
// [Sketch.MarshalBinary] and [Sketch.UnmarshalBinary] carry them between
// processes in a versioned, checksummed format.
//
// # Sentiment shift
//
// [Shift] takes each post's key, time, compound sentiment score in [-1,1]
// and an ID and text, and raises an alert when the share or intensity of
// negative posts for a key rises significantly above that key's baseline
// (CUSUM charts), with a minimum volume and the most negative posts of
// the rise as evidence.
//
// # Share of voice, reach and who drives it
//
// A [Mention] is one post about a key (a brand, a competitor, a product).
// [Metrics] counts mentions per key and hour (or any bucket): distinct
// authors and their reach, engagement, and negative, neutral and positive
// mentions, exact up to 128 authors per bucket and estimated from a
// uniform sample beyond; [ShareOfVoice] compares keys and [Change]
// periods. Metrics merge across workers like sketches do. [Voices] names
// the authors behind a key, period by period: who mentions it most, the
// largest audiences, advocates and detractors, and raises an
// [AlertInfluencer] alert when an author with a large audience mentions
// it. [Themes] counts each key's mentions by topic, a [Theme] being any
// test of the text (a listen query's MatchText).
//
// # Why an alert fired
//
// [Reasons] takes the same mentions and, given an alert, lists the terms,
// hashtags, @mentions, authors and sources over-represented in its
// episode against the key's baseline, with their lift ([Alert.Reasons]).
//
// # Alerts
//
// Detectors hand alerts to a callback (OnAlert). A [Sink] delivers them
// elsewhere: [SinkFunc] adapts a function, and [StartsAndEnds] passes each
// episode on only when it opens and when it ends. Package trend/webhook posts
// alerts to Slack-compatible incoming webhooks; trend itself does no I/O.
//
// # Concurrency
//
// Detectors are not safe for concurrent use: give each goroutine its own
// and merge ([Sketch.Merge]) or shard by key. Sinks are safe for
// concurrent use. Nothing in this package starts a goroutine.
package trend
