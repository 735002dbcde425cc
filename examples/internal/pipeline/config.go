package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// FileConfig is the JSON config file of the monitor and the dashboard
// (-config FILE). Every field is optional:
//
//	{
//	  "keys": [{"name": "larkspur", "query": "larkspur OR @larkspur"},
//	           {"name": "plus", "query": "\"larkspur plus\" OR #larkspurplus"}],
//	  "sources": {"mastodon": "https://mastodon.social", "mastodon_tag": "coffee",
//	              "rss": ["https://example.com/feed.xml"], "reddit": ["coffee"]},
//	  "thresholds": {"spike_min_count": 10, "shift_rise": 0.15, "viral_threshold": 500},
//	  "webhook": "https://hooks.slack.com/services/...",
//	  "every": "3h"
//	}
//
// Credentials never go in the file; they come from the environment (see
// [Sources]).
type FileConfig struct {
	Keys       []Key      `json:"keys"`
	Sources    Sources    `json:"sources"`
	Thresholds Thresholds `json:"thresholds"`
	Webhook    string     `json:"webhook"` // Slack-compatible incoming webhook for alerts
	Every      Duration   `json:"every"`   // the monitor's report interval
}

// LoadConfig reads a [FileConfig], refusing unknown fields so that a typo
// does not silently fall back to a default.
func LoadConfig(path string) (*FileConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var fc FileConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return nil, fmt.Errorf("pipeline: config %s: %w", path, err)
	}
	for _, k := range fc.Keys {
		if k.Query == "" {
			return nil, fmt.Errorf("pipeline: config %s: key %q has no query", path, k.Name)
		}
	}
	return &fc, nil
}
