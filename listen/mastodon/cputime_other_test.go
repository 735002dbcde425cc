//go:build !unix

package mastodon

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
