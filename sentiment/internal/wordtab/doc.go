// Package wordtab holds what the rule-based sentiment scorers (vader and
// social) share below their rules: an open-addressing table from
// lower-case words to entries that is looked up with two 64-bit words
// instead of a string, the word-at-a-time (SWAR) byte arithmetic that
// builds those keys, and HTML entity decoding.
package wordtab
