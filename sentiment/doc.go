// Package sentiment scores the sentiment of short social texts.
//
// A [Scorer] turns a text into a [Score] with VADER's four figures
// (compound, positive, neutral, negative), so numbers carry over from the
// Python reference. Implementations live in sub-packages, one per model:
//
//   - sentiment/vader: a fast scorer that reproduces vaderSentiment 3.3.2
//     exactly, quirks included, for users who need the reference's numbers.
//   - sentiment/social: VADER's approach with the fixes social media
//     needs (hashtags, emoji runs, negation scope, "no problem", elongated
//     words, HTML entities, long texts).
//   - sentiment/linear: a trainable text classifier (any labels) with
//     class probabilities and a versioned, checksummed file format; a
//     polarity model (negative/neutral/positive) is a Scorer. Train it on
//     your own labelled posts.
//   - sentiment/polarity, sentiment/emotion, sentiment/complaint:
//     pretrained linear models for polarity (trained on 47,000 SemEval
//     tweets), emotion (anger, joy, optimism, sadness) and complaints.
//   - sentiment/target: sentiment towards a named target (a brand, a
//     product, an @handle) within a post, from any Scorer; a post that
//     does not mention the target reports ErrAbsent, not a neutral score.
//
// This package holds the interface, the value types and wrappers that
// return the same interface, such as [Cached]. Scorers take a plain string:
// they do not depend on the listen package, so they score text from
// anywhere.
//
// # Concurrency
//
// Every Scorer is safe for concurrent use; build one and share it. [Mean]
// is a plain accumulator and is not.
//
// # Languages
//
// Most lexicon scorers know only English. They implement
// [LanguageReporter]; [ScoreLang] checks it and returns an error wrapping
// [ErrUnsupportedLanguage] rather than a neutral score for, say, German.
// A scorer with a model per language implements [LanguageScorer] and
// [ScoreLang] lets it choose: sentiment/polarity's Scorer has models for
// Arabic, English, French, German, Hindi, Italian, Portuguese and Spanish,
// and a multilingual fallback (or, strict, an error) for other languages.
package sentiment
