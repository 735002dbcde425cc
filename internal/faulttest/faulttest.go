// Package faulttest keeps the books of the faults that the adapters' fake
// servers inject in tests: whether to inject one (a draw from the fake's
// seeded rng against a percentage) and how many of each kind were injected.
//
// It is test support for the listen adapters, internal so not public API.
package faulttest

import (
	"math/rand"
	"strings"
)

// Counts counts injected faults by kind. It is a map so that tests can
// read, range over and print it as they do a map[string]int.
//
// Counts does no locking of its own: a fake keeps its Counts, and the rng
// it draws from, under its own mutex, which the caller holds around every
// method call.
type Counts map[string]int

// Hit reports whether to inject a fault of the given kind, and counts it
// if so. pct is the percentage of calls that inject one, 0 to 100. With
// pct 0 it draws nothing from rng; otherwise it draws exactly one
// rng.Intn(100), and a draw below pct is a fault.
func (c Counts) Hit(rng *rand.Rand, pct int, kind string) bool {
	if pct == 0 || rng.Intn(100) >= pct {
		return false
	}
	c[kind]++
	return true
}

// Add counts one fault of the given kind that the caller decided on by
// itself.
func (c Counts) Add(kind string) { c[kind]++ }

// Total is the number of faults counted, of all kinds.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Of is the number of faults counted of the given kinds, under their own
// names or with a prefix ("search-html-200" is of kind "html-200").
func (c Counts) Of(kinds ...string) int {
	n := 0
	for name, v := range c {
		for _, k := range kinds {
			if name == k || strings.HasSuffix(name, "-"+k) {
				n += v
				break
			}
		}
	}
	return n
}

// Issue19 returns the fault kinds issue 19 asked every fake to add: an
// adapter fault test fires at least 200 of these, losing and duplicating
// nothing.
func Issue19() []string {
	return []string{BadItem, HTML200, FarReset, HugeRetry, TokenExpiry, EditDelete, Trickle, RestartState}
}
