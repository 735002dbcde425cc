package emotion

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/sentiment/linear"
)

// TestHeldOut scores the model on TweetEval emotion's validation tweets,
// which it never saw and which took no part in choosing its settings
// (macro-F1, the TweetEval emotion metric). The floor sits a little below
// the measured figure.
func TestHeldOut(t *testing.T) {
	if testing.Short() {
		t.Skip("quality evaluation skipped under -short")
	}
	texts := shared.Lines(t, "sentiment/emotion/val_text.txt")
	labels := shared.Lines(t, "sentiment/emotion/val_labels.txt")
	require.Equal(t, len(texts), len(labels))
	names := []string{Anger, Joy, Optimism, Sadness}
	ex := make([]linear.Example, len(texts))
	for i := range texts {
		c, err := strconv.Atoi(strings.TrimSpace(labels[i]))
		require.NoError(t, err)
		ex[i] = linear.Example{Text: texts[i], Label: names[c]}
	}
	mt, err := linear.Evaluate(Model(), ex)
	require.NoError(t, err)
	t.Logf("emotion val: %v", mt)
	assert.GreaterOrEqual(t, mt.MacroF1(), 0.68) // measured once: 0.712
}
