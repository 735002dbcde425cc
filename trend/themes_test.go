package trend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/earshot-dev/earshot/trend"
)

func contains(words ...string) func(string) bool {
	return func(text string) bool {
		text = strings.ToLower(text)
		for _, w := range words {
			if strings.Contains(text, w) {
				return true
			}
		}
		return false
	}
}

func TestThemes(t *testing.T) {
	th := trend.Themes{List: []trend.Theme{
		{Name: "price", Match: contains("price", "expensive")},
		{Name: "service", Match: contains("staff", "barista", "rude")},
		{Name: "broken"},
	}}
	at := mt0.Add(9 * time.Hour)
	assert.Equal(t, 1, th.Add(trend.Mention{Key: "acme", At: at, Text: "Too EXPENSIVE now", Author: "a", Sentiment: -0.5}))
	assert.Equal(t, 2, th.Add(trend.Mention{Key: "acme", At: at, Text: "the barista said the price is fair", Author: "b", Sentiment: 0.4}))
	assert.Equal(t, 0, th.Add(trend.Mention{Key: "acme", At: at, Text: "nice day"}))
	assert.Equal(t, 1, th.Add(trend.Mention{Key: "rival", At: at, Text: "rude staff", Author: "c", Sentiment: -0.7}))

	got := th.Sum("acme", mt0, mt0.Add(24*time.Hour))
	assert.Len(t, got, 3)
	assert.Equal(t, "price", got[0].Key)
	assert.Equal(t, [4]int64{2, 2, 1, 1}, [4]int64{got[0].Mentions, got[0].Authors, got[0].Negative, got[0].Positive})
	assert.Equal(t, int64(1), got[1].Mentions)
	assert.Equal(t, int64(0), got[2].Mentions)
	assert.Equal(t, []float64{2.0 / 3, 1.0 / 3, 0}, trend.ShareOfVoice(got))
	assert.Equal(t, int64(1), th.Metrics.Stats(trend.ThemeKey("rival", "service"), at).Negative)
}
