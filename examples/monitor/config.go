package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/viral"
	"github.com/earshot-dev/earshot/trend/watch"
)

// key is one thing to track: a name for reports and a query.
type key struct {
	Name  string `json:"name"`
	Query string `json:"query"`
}

// fileConfig is the JSON config file (-config FILE); every field is
// optional. Unknown fields and anything after the object are errors, so
// that a typo does not silently fall back to a default.
type fileConfig struct {
	Keys       []key      `json:"keys"`
	Sources    sources    `json:"sources"`
	Thresholds thresholds `json:"thresholds"`
	Webhook    string     `json:"webhook"` // Slack-compatible incoming webhook for alerts
	Every      duration   `json:"every"`   // the report interval
}

func loadConfig(path string) (*fileConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fc fileConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("config %s: more after the JSON object", path)
	}
	if fc.Every < 0 {
		return nil, fmt.Errorf("config %s: every must be positive", path)
	}
	if err := fc.Thresholds.check(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &fc, nil
}

// thresholds tune the detectors; zero fields take the defaults shown.
type thresholds struct {
	SpikeBucket    duration `json:"spike_bucket,omitempty"`    // spike bucket width; 15m
	SpikeMinCount  float64  `json:"spike_min_count,omitempty"` // smallest bucket that can spike; 10
	SpikeWarmup    duration `json:"spike_warmup,omitempty"`    // no spike alerts this long after start; 12h
	ShiftRise      float64  `json:"shift_rise,omitempty"`      // rise in negative share, in (0,1); 0.15
	ShiftMinPosts  int      `json:"shift_min_posts,omitempty"` // posts in a rise; 20
	ViralThreshold float64  `json:"viral_threshold,omitempty"` // predicted reshares that flag a post; 500
	ViralMinCount  int      `json:"viral_min_count,omitempty"` // reshares before a post can be flagged; 20
	TrendMinCount  float64  `json:"trend_min_count,omitempty"` // hashtag uses per hour to trend; 8
}

func (t thresholds) check() error {
	for name, v := range map[string]float64{
		"spike_bucket": float64(t.SpikeBucket), "spike_min_count": t.SpikeMinCount, "spike_warmup": float64(t.SpikeWarmup),
		"shift_min_posts": float64(t.ShiftMinPosts), "viral_threshold": t.ViralThreshold,
		"viral_min_count": float64(t.ViralMinCount), "trend_min_count": t.TrendMinCount,
	} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("thresholds: %s must not be negative", name)
		}
	}
	if t.ShiftRise < 0 || t.ShiftRise >= 1 {
		return errors.New("thresholds: shift_rise must be in [0,1)")
	}
	return nil
}

// newWatch builds the alert detectors with these thresholds.
func (t thresholds) newWatch(onAlert func(watch.Alert)) *watch.Watch {
	return &watch.Watch{
		Spikes: trend.Spikes{Bucket: time.Duration(cmp.Or(t.SpikeBucket, duration(15*time.Minute))),
			Spike: trend.Spike{MinCount: cmp.Or(t.SpikeMinCount, 10), Warmup: time.Duration(cmp.Or(t.SpikeWarmup, duration(12*time.Hour)))}},
		Shift:   trend.Shift{Rise: t.ShiftRise, MinPosts: t.ShiftMinPosts},
		Viral:   viral.Detector{Threshold: cmp.Or(t.ViralThreshold, 500), MinCount: cmp.Or(t.ViralMinCount, 20)},
		OnAlert: onAlert,
	}
}

// newTags counts hashtags per hour, to rank the trending ones.
func (t thresholds) newTags() *trend.Sketch {
	return &trend.Sketch{Size: time.Hour, History: 24, MinCount: cmp.Or(t.TrendMinCount, 8)}
}

// duration is a time.Duration that reads and writes JSON as "15m".
type duration time.Duration

func (d duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration %s: want a string such as \"15m\"", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %s: %w", b, err)
	}
	*d = duration(v)
	return nil
}

// keyFlags are the -key flags: NAME=QUERY, repeatable.
type keyFlags []key

func (k *keyFlags) String() string { return "" }

func (k *keyFlags) Set(v string) error {
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

// compile checks the keys (at least one, named once, valid queries).
func compile(keys []key) ([]tracked, error) {
	if len(keys) == 0 {
		return nil, errors.New("no keys to track")
	}
	var out []tracked
	seen := map[string]bool{}
	for _, k := range keys {
		if k.Name == "" {
			k.Name = k.Query
		}
		if seen[k.Name] {
			return nil, fmt.Errorf("key %q named twice", k.Name)
		}
		seen[k.Name] = true
		if strings.TrimSpace(k.Query) == "" {
			return nil, fmt.Errorf("key %q has no query", k.Name)
		}
		q, err := listen.Compile(k.Query)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k.Name, err)
		}
		out = append(out, tracked{k, q})
	}
	return out, nil
}
