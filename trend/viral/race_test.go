//go:build race

package viral

const raceEnabled = true
