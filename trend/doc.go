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
package trend
