// Package trend recognises what is taking off: volume spikes on a keyed
// series, trending keys, shifts in sentiment, and posts going viral.
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
// [Spikes] does the same for many keys fed event by event. The model is a
// robust seasonal baseline of the count's Anscombe transform
// 2*sqrt(count+3/8) (level, daily and weekly hourly profiles,
// mean-absolute-deviation scale with a Poisson floor), scored at several
// time scales and calibrated against the series' own past surprises, so
// that a series which bursts every day needs a larger burst to alert than
// a quiet one; a score in [0,1] per bucket opens an episode at the
// threshold, and one alert per episode reports its start, peak and end. On
// the Numenta Anomaly Benchmark's realTweets series the detector scores
// 85.4 (standard profile, normalised) at the default threshold, which is
// its best single threshold, and 85.0 with the threshold chosen by leaving
// each file out; see the package tests for the evaluation and
// examples/spikes for a command that scores a NAB CSV.
//
// # Trending keys
//
// [Sketch] (also named [Window]) counts keys (use [Hashtags] or
// [EachHashtag] to extract them) in sliding windows with count-min
// sketches, keeps candidates with space-saving summaries, and ranks keys
// by how far their current count is above their own baseline, so that
// always-popular keys do not dominate. Its memory does not grow with the
// number of keys. Sketches from several workers combine with
// [Sketch.Merge]; [Sketch.MarshalBinary] and [Sketch.UnmarshalBinary] carry
// them between processes in a versioned, checksummed format.
//
// # Sentiment shift
//
// [Shift] takes each post's key, time, compound sentiment score in [-1,1]
// and an ID and text, and raises an alert when the share or intensity of
// negative posts for a key rises significantly above that key's baseline
// (CUSUM charts), with a minimum volume and the most negative posts of
// the rise as evidence.
//
// # Alerts
//
// Detectors hand alerts to a callback (OnAlert). A [Sink] delivers them
// elsewhere: [SinkFunc] adapts a function, and [Dedupe] passes each episode
// on only when it opens and when it ends. Package trend/webhook posts
// alerts to Slack-compatible incoming webhooks; trend itself does no I/O.
//
// # Concurrency
//
// Detectors are not safe for concurrent use: give each goroutine its own
// and merge ([Sketch.Merge]) or shard by key. Sinks are safe for
// concurrent use. Nothing in this package starts a goroutine.
package trend
