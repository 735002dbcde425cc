package trend

import (
	"fmt"
	"time"
)

// AlertKind names the detector that raised an [Alert].
type AlertKind string

const (
	AlertSpike     AlertKind = "spike"     // volume far above the key's baseline
	AlertDrop      AlertKind = "drop"      // volume far below it: talk, or a source, gone quiet
	AlertTrending  AlertKind = "trending"  // a key rising fast against its own baseline
	AlertSentiment AlertKind = "sentiment" // the share or intensity of negative posts rose
	AlertViral     AlertKind = "viral"     // a post predicted to spread far
)

// Evidence is an example that drove an alert: a post's key and text, as the
// host fed them to the detector.
type Evidence struct {
	ID   string    `json:"id"`
	Text string    `json:"text,omitempty"`
	At   time.Time `json:"at"`
}

// Alert is what every detector reports: one alert per episode, not per
// bucket. An open episode has a zero End; detectors report the same
// episode again (same Kind, Key and Start) when it grows or ends, so a sink
// can update one message instead of posting another.
//
// In JSON an open episode's "end" is the zero time,
// "0001-01-01T00:00:00Z", on every Go version (the field is always
// written; Go 1.24's omitzero would drop it on new toolchains only).
type Alert struct {
	Kind     AlertKind  `json:"kind"`
	Key      string     `json:"key"`
	Start    time.Time  `json:"start"`
	Peak     time.Time  `json:"peak"`
	End      time.Time  `json:"end"`
	Severity Severity   `json:"severity"`
	Score    float64    `json:"score"`   // detector-specific, in [0,1] for anomaly scores
	Summary  string     `json:"summary"` // one line a person can read
	Evidence []Evidence `json:"evidence,omitempty"`
	Reasons  []Reason   `json:"reasons,omitempty"` // what stood out in the episode; see [Reasons]
}

// Open reports whether the episode is still going on.
func (a Alert) Open() bool { return a.End.IsZero() }

// String is one line a person can read: "warning spike \"acme\" since
// <start> ..." while the episode is open, "... from <start>, ended <end>
// ..." once it is over.
func (a Alert) String() string {
	when := "since " + a.Start.Format(time.RFC3339)
	if !a.Open() {
		when = "from " + a.Start.Format(time.RFC3339) + ", ended " + a.End.Format(time.RFC3339) + ","
	}
	s := fmt.Sprintf("%s %s %q %s score %.2f", a.Severity, a.Kind, a.Key, when, a.Score)
	if a.Summary != "" {
		s += ": " + a.Summary
	}
	return s
}

// Severity grades an alert.
type Severity int8

const (
	Info Severity = iota
	Warning
	Critical
)

func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return "info"
}

// MarshalText implements [encoding.TextMarshaler].
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "info":
		*s = Info
	case "warning":
		*s = Warning
	case "critical":
		*s = Critical
	default:
		return fmt.Errorf("trend: unknown severity %q", b)
	}
	return nil
}
