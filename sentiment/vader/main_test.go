package vader_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves goroutines behind (TestConcurrent
// starts some).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
