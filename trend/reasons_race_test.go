//go:build race

package trend_test

const reasonsRace = true
