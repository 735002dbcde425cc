package trend_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/earshot-dev/earshot/trend"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testAlert = trend.Alert{
	Kind: trend.AlertSpike, Key: "acme", Start: t0, Peak: t0.Add(10 * time.Minute),
	Severity: trend.Critical, Score: 0.83, Summary: "12x the usual volume",
	Evidence: []trend.Evidence{{ID: "p1", Text: "acme is down again", At: t0}},
}

func TestStartsAndEnds(t *testing.T) {
	var got []trend.Alert
	sink := trend.StartsAndEnds(trend.SinkFunc(func(_ context.Context, a trend.Alert) error {
		got = append(got, a)
		return nil
	}), 2)
	ctx := context.Background()
	open := testAlert
	grown := open
	grown.Score = 0.9
	closed := grown
	closed.End = t0.Add(time.Hour)
	other := open
	other.Key = "globex"
	for _, a := range []trend.Alert{open, grown, open, closed, closed, grown, other} {
		require.NoError(t, sink.Send(ctx, a))
	}
	require.Len(t, got, 3)
	assert.True(t, got[0].Open())
	assert.False(t, got[1].Open())
	assert.Equal(t, "globex", got[2].Key)

	failing := trend.StartsAndEnds(trend.SinkFunc(func(context.Context, trend.Alert) error { return errors.New("boom") }), 0)
	assert.Error(t, failing.Send(ctx, open))
	assert.Panics(t, func() { trend.StartsAndEnds(nil, 1) })
}

func ExampleSinkFunc() {
	var sink trend.Sink = trend.StartsAndEnds(trend.SinkFunc(func(_ context.Context, a trend.Alert) error {
		fmt.Println(a.Kind, a.Key, a.Open())
		return nil
	}), 100)
	a := trend.Alert{Kind: trend.AlertSpike, Key: "acme", Start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	_ = sink.Send(context.Background(), a) // episode opens
	_ = sink.Send(context.Background(), a) // repeat: dropped
	a.End = a.Start.Add(time.Hour)
	_ = sink.Send(context.Background(), a) // episode ends
	// Output:
	// spike acme true
	// spike acme false
}

// An episode's end reads differently from its start (issue 20 item 8).
func TestAlertStringEnd(t *testing.T) {
	open := testAlert
	assert.Equal(t, `critical spike "acme" since 2026-03-02T00:00:00Z score 0.83: 12x the usual volume`, open.String())
	closed := open
	closed.End = t0.Add(2 * time.Hour)
	assert.Equal(t, `critical spike "acme" from 2026-03-02T00:00:00Z, ended 2026-03-02T02:00:00Z, score 0.83: 12x the usual volume`,
		closed.String())
}

// The JSON of an alert is the same on every Go version: "end" is always
// written (Go 1.24+ would drop an omitzero field that 1.23 writes), and
// it reads back as an open episode.
func TestAlertJSONSameOnEveryGo(t *testing.T) {
	b, err := json.Marshal(testAlert)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"spike","key":"acme","start":"2026-03-02T00:00:00Z","peak":"2026-03-02T00:10:00Z",
		"end":"0001-01-01T00:00:00Z","severity":"critical","score":0.83,"summary":"12x the usual volume",
		"evidence":[{"id":"p1","text":"acme is down again","at":"2026-03-02T00:00:00Z"}]}`, string(b))
	var back trend.Alert
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, back.Open())
	assert.Equal(t, testAlert.Start, back.Start)
}
