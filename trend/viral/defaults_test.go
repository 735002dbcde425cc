package viral

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDefaultsReproducible refits the default models on the shared
// cascades and checks they match the shipped coefficients, so the
// defaults are what `go generate` makes from the data. The tolerance
// allows for floating-point differences between machines (IRLS for least
// absolute deviations moves them around a little).
func TestDefaultsReproducible(t *testing.T) {
	cs := sharedCascades(t)
	for _, tc := range []struct {
		name string
		cfg  FitConfig
		want *Model
	}{
		{"events", FitConfig{}, DefaultModel},
		{"counts", FitConfig{Poll: DefaultCountPoll}, DefaultCountModel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(cs, tc.cfg)
			require.NoError(t, err)
			require.Len(t, m.Coef, 2*NumFeatures)
			require.InDeltaSlice(t, tc.want.Coef, m.Coef, 1e-3, "run go generate in trend/viral")
			require.InDeltaSlice(t, tc.want.Interval[:], m.Interval[:], 1e-3)
		})
	}
}
