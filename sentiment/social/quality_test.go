package social_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
)

// TestBeatsVADER measures macro-averaged recall and accuracy of the VADER
// scorer and the social scorer on both labelled sets, with the labels
// from Score.Polarity (compound beyond ±0.05), and checks that the social
// scorer has the higher macro-recall on each.
func TestBeatsVADER(t *testing.T) {
	v, s := vader.New(), social.New()
	for _, set := range []struct {
		name string
		data []labelled
	}{
		{"TweetEval val", tweetEvalVal(t)},
		{"VADER ground truth", vaderGroundTruth(t)},
	} {
		vr, va := evaluate(v, set.data)
		sr, sa := evaluate(s, set.data)
		t.Logf("%-18s n=%d  vader: macro-recall %.4f accuracy %.4f   social: macro-recall %.4f accuracy %.4f",
			set.name, len(set.data), vr, va, sr, sa)
		assert.Greater(t, sr, vr, "%s: social macro-recall must beat VADER's", set.name)
	}
}
