//go:build race

package listen

// nearRace is true under the race detector, where the near-duplicate
// accuracy evaluations, which start no goroutine, are skipped or shortened.
const nearRace = true
