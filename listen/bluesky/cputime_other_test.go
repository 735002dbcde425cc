//go:build !unix

package bluesky

import "time"

func cpuTime() time.Duration { return 0 }
