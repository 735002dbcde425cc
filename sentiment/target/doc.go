// Package target scores sentiment towards a named target (a brand, a
// product, an @account) inside a post, rather than the post as a whole:
// "love my new phone but @acme support is a joke" is bad news for acme.
//
// A [Scorer] finds the target's mentions by name and aliases, takes the
// clause and a window of words around each, and delegates the scoring of
// those snippets to any [sentiment.Scorer]. A post that does not mention
// the target gives [ErrAbsent], never a neutral score, so counts of
// "neutral about us" stay honest.
package target
