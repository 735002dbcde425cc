//go:build race

package linear

// raceEnabled reports a -race build, under which sync.Pool drops items on
// purpose, so allocation counts mean nothing.
const raceEnabled = true
