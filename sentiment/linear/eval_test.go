package linear

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFolds(t *testing.T) {
	ex := toy()
	folds, err := Folds(ex, 4, 3)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, f := range folds {
		per := map[string]int{}
		for _, i := range f {
			require.False(t, seen[i], "example %d in two folds", i)
			seen[i] = true
			per[ex[i].Label]++
		}
		for _, n := range per {
			assert.InDelta(t, 2, n, 1, "stratified: each class about equally in each fold")
		}
	}
	assert.Len(t, seen, len(ex))
	again, err := Folds(ex, 4, 3)
	require.NoError(t, err)
	assert.Equal(t, folds, again)
	_, err = Folds(ex, 1, 0)
	assert.Error(t, err)
	_, err = Folds(append(ex, Example{"x", ""}), 2, 0)
	assert.ErrorIs(t, err, ErrMislabelled)
}

func TestMetrics(t *testing.T) {
	m := NewMetrics([]string{"a", "b", "c"})
	m.Add(0, 0)
	m.Add(0, 1)
	m.Add(2, 2)
	m.Add(1, 2)
	m.Add(5, 0) // out of range: ignored
	assert.Equal(t, 4, m.N())
	assert.InDelta(t, 0.5, m.Accuracy(), 1e-12)
	assert.InDelta(t, (0.5+0+1)/3, m.MacroRecall(), 1e-12)
	// F1: a P=1 R=0.5 -> 2/3; b P=0 -> 0; c P=0.5 R=1 -> 2/3.
	assert.InDelta(t, 2.0/3, m.F1(0), 1e-12)
	assert.InDelta(t, (2.0/3+0+2.0/3)/3, m.MacroF1(), 1e-12)
	assert.Contains(t, m.String(), "macro-F1=0.4444")

	o := NewMetrics([]string{"a", "b", "c"})
	o.Add(1, 1)
	require.NoError(t, m.Merge(o))
	assert.Equal(t, 5, m.N())
	assert.Error(t, m.Merge(NewMetrics([]string{"x", "y"})))

	model, err := Train(toy(), small())
	require.NoError(t, err)
	ev, err := Evaluate(model, toy())
	require.NoError(t, err)
	assert.Equal(t, 1.0, ev.Accuracy(), "in-sample on separable data")
	_, err = Evaluate(model, []Example{{"x", "joy"}})
	assert.ErrorIs(t, err, ErrMislabelled)

	cv, err := CrossValidate(toyTopics(), small(), 3, 1)
	require.NoError(t, err)
	assert.Equal(t, 24, cv.N())
	assert.Equal(t, []string{"food", "sport", "tech", "weather"}, cv.Labels)
	_, err = CrossValidate(toy(), small(), 1, 1)
	assert.Error(t, err)
}
