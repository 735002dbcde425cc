//go:build race

package linear

// raceEnabled reports a -race build, under which the slowest quality
// evaluation (single-goroutine number crunching, where the race detector
// finds nothing) is skipped to keep the suite fast.
const raceEnabled = true
