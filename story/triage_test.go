package story_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/internal/shared"
	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/sentiment"
	"github.com/earshot-dev/earshot/sentiment/linear"
	"github.com/earshot-dev/earshot/sentiment/social"
	"github.com/earshot-dev/earshot/sentiment/vader"
	"github.com/earshot-dev/earshot/story"
)

// f1 counts how a triage finds complaints against gold labels.
type f1 struct{ tp, fp, fn, tn int }

func (c *f1) add(gold, got bool) {
	switch {
	case gold && got:
		c.tp++
	case gold:
		c.fn++
	case got:
		c.fp++
	default:
		c.tn++
	}
}

func (c f1) complaintF1() float64 { return 2 * float64(c.tp) / float64(2*c.tp+c.fp+c.fn) }

// macroF1 averages the F1 of "complaint" and of "not".
func (c f1) macroF1() float64 {
	not := 2 * float64(c.tn) / float64(2*c.tn+c.fn+c.fp)
	return (c.complaintF1() + not) / 2
}

func (c f1) String() string {
	return fmt.Sprintf("complaint F1 %.3f, macro-F1 %.3f (tp %d fp %d fn %d)", c.complaintF1(), c.macroF1(), c.tp, c.fp, c.fn)
}

// TestTriageComplaintsHeldOut measures how well Triage finds complaints in
// the shared complaints data (2,403 tweets to customer-service accounts),
// before (compound thresholds) and after (the complaint model). The model
// is scored out of fold: 5-fold cross-validation with the settings of the
// shipped model, so no tweet is judged by a model that saw it.
func TestTriageComplaintsHeldOut(t *testing.T) {
	if testing.Short() {
		t.Skip("quality evaluation skipped under -short")
	}
	var ex []linear.Example
	for i, line := range shared.Lines(t, "sentiment/complaints/train.tsv")[1:] {
		f := strings.SplitN(line, "\t", 4)
		require.Len(t, f, 4, "line %d", i+2)
		ex = append(ex, linear.Example{Text: f[3], Label: map[string]string{"1": "complaint", "0": "not"}[f[1]]})
	}
	ctx := context.Background()
	post := func(text string) listen.Post { return listen.Post{Platform: "x", ID: "1", Text: text} }
	scores := map[string][]sentiment.Score{}
	for name, s := range map[string]sentiment.Scorer{"vader": vader.New(), "social": social.New()} {
		for _, e := range ex {
			sc, err := s.Score(ctx, e.Text)
			require.NoError(t, err)
			scores[name] = append(scores[name], sc)
		}
	}
	// Before: a compound score at or below -0.3 is a complaint.
	for _, name := range []string{"vader", "social"} {
		var c f1
		for i, e := range ex {
			tr := story.Triage{Complaints: func(_ listen.Post, s sentiment.Score) bool { return s.Compound <= -0.3 }}
			c.add(e.Label == "complaint", tr.Need(post(e.Text), scores[name][i]) == story.NeedComplaint)
		}
		t.Logf("before, %s compound <= -0.3: %v", name, c)
	}
	// After: the complaint model, out of fold.
	folds, err := linear.Folds(ex, 5, 1)
	require.NoError(t, err)
	var after f1
	for k, fold := range folds {
		var train []linear.Example
		for j, other := range folds {
			if j != k {
				for _, i := range other {
					train = append(train, ex[i])
				}
			}
		}
		m, err := linear.Train(train, linear.Config{Lang: "en", Seed: 1, Features: linear.Features{NoRules: true}})
		require.NoError(t, err)
		tr := story.Triage{Complaints: func(p listen.Post, _ sentiment.Score) bool { return m.Label(p.Text) == "complaint" }}
		for _, i := range fold {
			after.add(ex[i].Label == "complaint", tr.Need(post(ex[i].Text), scores["vader"][i]) == story.NeedComplaint)
		}
	}
	t.Logf("after, complaint model (5-fold, out of fold): %v", after)
	assert.Greater(t, after.complaintF1(), 0.72)
	assert.Greater(t, after.macroF1(), 0.78)
}
