package main

import (
	"encoding/csv"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

// TestComplaintReasonsCV measures how well a sentiment/linear model with
// its default settings learns the airline tweets' complaint reasons: 5-fold
// stratified cross-validation over the negative tweets labelled with one of
// the nine reasons ("Can't Tell" left out). Skipped under -short and the
// race detector: it trains five models (about 20 s).
func TestComplaintReasonsCV(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("an accuracy evaluation: skipped under -short and -race")
	}
	f, err := os.Open(shared.Path(t, "airline/tweets.csv"))
	require.NoError(t, err)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	require.NoError(t, err)
	var ex []linear.Example
	for _, r := range recs[1:] {
		if r[1] == "negative" && r[2] != "" && r[2] != "Can't Tell" {
			ex = append(ex, linear.Example{Text: r[4], Label: r[2]})
		}
	}
	require.Len(t, ex, 7988)
	m, err := linear.CrossValidate(ex, linear.Config{}, 5, 1)
	require.NoError(t, err)
	t.Logf("complaint reasons, 5-fold CV: %v", m)
	assert.Len(t, m.Labels, 9)
	assert.GreaterOrEqual(t, m.MacroF1(), 0.55)
}
