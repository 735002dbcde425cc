package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type alpha struct{ token string }
type beta struct{ dids []string }

func TestApply(t *testing.T) {
	interval := Shared("listen.WithInterval", Interval, func(s *Settings) { s.Interval = time.Second })
	tok := Own("alpha.WithToken", func(o *alpha) { o.token = "t" })
	dids := Own("beta.WithDIDs", func(o *beta) { o.dids = []string{"d"} })

	s := Defaults()
	var a alpha
	require.NoError(t, Apply("alpha.New", &s, &a, []Option{interval, tok, {}}))
	assert.Equal(t, time.Second, s.Interval)
	assert.True(t, s.Set(Interval))
	assert.False(t, s.Set(PageSize))
	assert.Equal(t, "t", a.token)

	// Another adapter's option is an error naming it and the constructor.
	err := Apply("alpha.New", &s, &a, []Option{dids})
	require.Error(t, err)
	assert.Equal(t, "alpha: beta.WithDIDs does not apply to alpha.New", err.Error())
}

func TestCheck(t *testing.T) {
	s := Defaults()
	require.NoError(t, s.Check("p", 1, 40))
	s.PageSize, s.set = 41, PageSize
	assert.EqualError(t, s.Check("p", 1, 40), "p: page size 41 outside 1..40")
	s = Defaults()
	s.Retry.Initial, s.Retry.Max = time.Second, time.Millisecond
	assert.Error(t, s.Check("p", 1, 40))
	s = Defaults()
	s.Interval = 0
	assert.Error(t, s.Check("p", 1, 40))
}
