//go:build !unix

package natsjs

import "time"

func cpuTime() time.Duration { return 0 }
