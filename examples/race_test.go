//go:build race

package examples_test

// raceFlag builds the copies as the tests are built, so that they reuse
// the build cache the test run filled.
var raceFlag = []string{"-race"}
