//go:build !race

package listen

const nearRace = false
