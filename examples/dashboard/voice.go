package main

import (
	"time"

	"github.com/earshot-dev/earshot/trend"
)

// dropped counts the posts left out of every figure.
type dropped struct {
	NearDuplicates int64 `json:"near_duplicates"` // copy-paste floods (listen.NearDedupe)
	Bots           int64 `json:"bots"`            // posts by accounts the platform marks as bots
}

// voice is the share-of-voice panel and the top authors: each key's part
// of all the keys' mentions over the charts' hours (the last four days at
// most), hour by hour, and who drove each key's conversation on the
// latest day.
type voice struct {
	From  time.Time   `json:"from"` // the first hour counted
	To    time.Time   `json:"to"`   // the end of the last hour counted
	Keys  []keyVoice  `json:"keys"`
	Hours []hourVoice `json:"hours"`
}

// keyVoice is one key's figures over the panel's hours (trend.Metrics).
type keyVoice struct {
	Key       string  `json:"key"`
	Mentions  int64   `json:"mentions"`
	Share     float64 `json:"share"` // of all the keys' mentions, in [0,1]
	Authors   int64   `json:"authors"`
	Reach     int64   `json:"reach"`     // followers of the distinct authors
	Estimated bool    `json:"estimated"` // authors and reach estimated from a sample
	Negative  int64   `json:"negative"`
	Neutral   int64   `json:"neutral"`
	Positive  int64   `json:"positive"`
	Net       float64 `json:"net"` // (positive-negative)/(positive+negative)

	Drivers trend.Drivers `json:"drivers"` // on the latest day (UTC), 5 per list
}

// hourVoice is one hour's mentions of each key, in the order of Keys.
type hourVoice struct {
	At       time.Time `json:"at"`
	Mentions []int64   `json:"mentions"`
}

// driversShown is how many authors of each list the page gets.
const driversShown = 5

func (l *listener) voice() voice {
	v := voice{Keys: []keyVoice{}, Hours: []hourVoice{}}
	if l.now.IsZero() || len(l.keys) == 0 {
		return v
	}
	v.To = l.now.Truncate(chartBucket).Add(chartBucket)
	v.From = v.To.Add(-chartPoints * chartBucket)
	first := v.To
	for _, k := range l.keys {
		if len(k.points) > 0 && k.points[0].At.Before(first) {
			first = k.points[0].At
		}
	}
	if first.After(v.From) {
		v.From = first
	}
	stats := make([]trend.Stats, len(l.keys))
	series := make([][]trend.Stats, len(l.keys))
	for i, k := range l.keys {
		stats[i] = l.metrics.Sum(k.Name, v.From, v.To)
		series[i] = l.metrics.Series(k.Name, v.From, v.To)
	}
	share := trend.ShareOfVoice(stats)
	for i, s := range stats {
		d := l.voices.Drivers(l.keys[i].Name, l.now)
		d.ByMentions, d.ByReach = head(d.ByMentions), head(d.ByReach)
		d.Advocates, d.Detractors = head(d.Advocates), head(d.Detractors)
		v.Keys = append(v.Keys, keyVoice{Key: s.Key, Mentions: s.Mentions, Share: share[i],
			Authors: s.Authors, Reach: s.Reach, Estimated: s.Estimated,
			Negative: s.Negative, Neutral: s.Neutral, Positive: s.Positive, Net: s.NetSentiment(), Drivers: d})
	}
	for h := range series[0] {
		hv := hourVoice{At: series[0][h].Start, Mentions: make([]int64, len(series))}
		for i := range series {
			hv.Mentions[i] = series[i][h].Mentions
		}
		v.Hours = append(v.Hours, hv)
	}
	return v
}

// head returns the first driversShown voices, never nil (the page reads
// an empty list as none).
func head(vs []trend.Voice) []trend.Voice {
	return append([]trend.Voice{}, vs[:min(len(vs), driversShown)]...)
}
