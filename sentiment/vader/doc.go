// Package vader scores sentiment exactly as vaderSentiment 3.3.2 does
// (Hutto & Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment
// Analysis of Social Media Text", ICWSM 2014), the Python reference that
// NLTK also ships, at a fraction of the cost and without allocating.
//
//	s := vader.New() // share it: safe for concurrent use
//	sc, _ := s.Score(ctx, "The book was good.")
//	// sc.Compound == 0.4404, as polarity_scores gives
//
// A [Scorer] implements [sentiment.Scorer] and [sentiment.LanguageReporter]
// (English only). Wrap it in [sentiment.Cached] for streams that repeat
// texts.
//
// # Data
//
// The lexicon and emoji descriptions are vaderSentiment 3.3.2's own
// files, vader_lexicon.txt and emoji_utf8_lexicon.txt (C.J. Hutto, MIT
// licence), embedded in this module with their licence (in
// sentiment/internal/vaderdata). The data is decoded once per process, on
// the first [New], and shared by all scorers.
//
// # Options
//
// [WithTerms] adds or overrides terms for a domain or a brand's slang,
// including multi-word phrases ("price hike": -2.1); [WithLexicon] replaces
// the whole word lexicon with one read by [ReadLexicon] from VADER's text
// format; [WithHTMLEntities] decodes &amp; and friends, which social APIs
// often leave in text. Without options the scorer is the reference.
//
// # Reproduced quirks
//
// Parity means keeping the reference's oddities. Each of these is
// deliberate, and tested:
//
//   - Tokens are what Python's str.split() gives: runs of any Unicode
//     white space (including U+001C..U+001F, U+0085, U+00A0, U+3000)
//     separate them; zero-width joiners and spaces do not.
//   - Leading and trailing ASCII punctuation is stripped from a token only
//     if at least three characters remain, so "ok!" and "no," keep their
//     punctuation and miss the lexicon, while "good!!" becomes "good".
//   - Emoji are replaced, code point by code point, by their English
//     descriptions. A space is inserted before a description unless the
//     previous character was a space, but none after it, so "😁good" reads
//     "beaming face with smiling eyesgood". Only single-code-point emoji
//     are known: flags, keycaps and skin-tone or ZWJ sequences are read
//     code point by code point, and a variation selector sticks to the
//     description ("❤️" gives the token "heart\uFE0F", not "heart").
//     Descriptions count as text: "🔛" contributes an exclamation mark
//     ("ON! arrow") and capitalised words ("Santa Claus").
//   - Words are lower-cased before lookup, so lexicon keys with capitals
//     (":-Þ") never match, and multi-word lexicon keys ("can't stand",
//     "fed up") never match a single token.
//   - "kind" followed by "of", and every booster word, score zero.
//   - "no" followed by a lexicon word scores zero itself, and a lexicon
//     word one or two words after "no" (or three, with "or"/"nor" between)
//     is negated, even if the "no" rule just zeroed it.
//   - ALL-CAPS emphasis (±0.733) applies when some but not all tokens are
//     in capitals, and pushes a zero valence (a zeroed "no") to -0.733.
//   - Negation looks at each of the three preceding words that is not in
//     the lexicon: a word of the NEGATE list or any word containing "n't"
//     multiplies by -0.74; "never so/this" multiplies by 1.25 instead, and
//     "without doubt" leaves the valence alone.
//   - The operator-precedence slip of _negation_check: when checking the
//     third preceding word, the condition is
//     (w[i-3] == "never" and w[i-2] in {so, this}) or w[i-1] in {so,
//     this}, so any lexicon word right after "so" or "this" with a
//     non-lexicon word three back is multiplied by 1.25.
//   - Idioms ("the shit", "the bomb", "bad ass", "yeah right", "kiss of
//     death", "to die for", "beating heart", "broken heart", "bus stop")
//     are checked only for a word with three words before it, the third of
//     which is not in the lexicon; the idiom's value replaces the valence.
//     The single-word key "badass" never matches. "kind of", "sort of" and
//     "just enough" before a word subtract 0.293 whatever its sign.
//   - "least" before a word negates it, except after "at" or "very".
//   - The "but" rule halves sentiments before the first "but" and
//     multiplies those after it by 1.5, but finds each value's position
//     with list.index: the first element equal to it, which may be an
//     earlier element that was already scaled. "love but accept" (3.2, 1.6) thus halves
//     "love" twice and leaves "accept" unscaled.
//   - Exclamation marks (up to 4, 0.292 each) and question marks (2 or 3,
//     0.18 each; 0.96 for more) are counted over the whole text and add
//     emphasis only when the words already lean one way.
//   - Compound is rounded to 4 decimals and the proportions to 3, as
//     Python's round does: to the decimal nearest the exact binary value,
//     exact ties to even.
//
// Not reproduced: Python's final-sigma rule of str.lower (irrelevant to
// the English lexicon), Python's compensated float sum() of 3.12+ (which
// differs in the last bits only), and the Unicode version of the Python
// build. Invalid UTF-8, which Python never sees in a str, is kept byte by
// byte.
//
// # Cost
//
// Scoring works in pooled scratch space: no allocation for ordinary posts,
// time linear in the length of the text (the reference's "but" rule is
// quadratic; here it stays linear on huge inputs). One pass splits,
// lower-cases and looks up each token, short ASCII tokens eight bytes at a
// time, and records what the rules need (valence, booster, negation and
// idiom flags), so the rules compare flags rather than strings. Pure-ASCII
// texts, when no option changes tokens, take a shorter path (plain.go)
// that copies the text a word at a time and strips punctuation without
// loops; tests check it against the general path bit for bit. The rules
// skip the idiom checks when no idiom has all its words in the text, and
// the checks on preceding words when none of the three names a rule.
// Without a "but", the sentiments are summed as the rules produce them,
// not stored. The four figures are rounded independently, each by two
// additions (not conversions to an integer and back), and a text without
// an apostrophe skips each token's test for "n't". [Scorer.ScoreBytes]
// scores a text in a byte slice it only borrows, so a program reading
// lines into a buffer it reuses makes no garbage (examples/sentiment).
// The emoji descriptions are decoded on the first text that needs them,
// not by [New]. See the benchmarks in bench_test.go; the comparison with
// github.com/jonreiter/govader lives in the separate module
// sentiment/vader/govaderbench, so that govader is no requirement of
// this one.
//
// # Reading the code
//
// The rules live in files named after the functions of vaderSentiment.py
// they reproduce, and read like them: polarity_scores.go,
// sentiment_valence.go (with scalar_inc_dec, _negation_check and
// _least_check), special_idioms_check.go, but_check.go and
// score_valence.go. The word-at-a-time work is kept apart, where the
// benchmarks pay for it: replace.go (emoji descriptions), tokenizer.go
// and plain.go (SentiText's split and punctuation stripping, with the
// lookups), round.go (Python's round for the four figures); phrases.go
// holds [WithTerms]' multi-word phrases and words.go the words the rules
// name.
package vader
