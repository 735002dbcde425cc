// Package linear is a trainable text classifier for short social posts:
// multinomial logistic regression over hashed word n-grams, character
// n-grams and dense features computed from the VADER lexicon. Labels are
// free names carried in the model ("negative", "joy", "complaint",
// "billing"), from 2 to [MaxClasses] of them. Users train it on their own
// labelled posts with [Train], save it with [Model.MarshalBinary] and load
// it with [Load]. A model whose labels include "negative" and "positive"
// is a polarity model and a [sentiment.Scorer]; any model gives the most
// probable class ([Model.Predict], [Model.Label]) and every class's
// probability ([Model.AppendProbabilities]).
//
// Pretrained models ship in their own packages, so that a program embeds
// only those it uses: sentiment/polarity (negative, neutral, positive),
// sentiment/emotion (anger, joy, optimism, sadness) and
// sentiment/complaint (complaint, not).
//
// # Features
//
// Texts are tokenized for social media: lower-cased, letters repeated three
// or more times squeezed to two ("soooo" -> "soo"), URLs and @mentions
// replaced by placeholders, hashtags split from their "#" and at
// camel-case humps, HTML entities and literal "\u2019"-style escapes
// decoded, emoji and emoticons (":-)" as ":)", "&lt;3") kept as tokens,
// and up to three words after a negation marked as negated (so "no
// problem" differs from "problem"). Word unigrams and bigrams, and
// character 2- to 4-grams inside words (which catch misspellings,
// inflections and the parts of unsplit hashtags), are hashed into
// 2^[Features.Bits] buckets. Fifteen dense features summarise the VADER
// lexicon valences (with negation, boosters, capitals, elongation and
// "but"), emoji, punctuation, URLs and length. Three more, off with
// [Features.NoRules], are the figures of the rule-based scorer of package
// sentiment/social; on 47,000 tweets they no longer lift cross-validated
// accuracy, and the shipped models leave them out.
//
// # Training
//
// [Train] minimises class-weighted cross-entropy with AdaGrad and L2 decay,
// shuffling with [Config.Seed], and keeps the average of the weights at the
// end of each epoch. As in NBSVM (Wang and Manning 2012), each n-gram
// feature is scaled, for each class, by the magnitude of its naive-Bayes
// log-count ratio (the class against the rest, add-one smoothed) counted on
// the training examples ([Config.NaiveBayes]); the scales are folded into
// the saved weights. The same data and Config give the same model byte for
// byte. Classes are balanced by default, which helps macro-averaged recall
// and F1. The defaults (6 epochs, rate 0.1, L2 1e-3, 2^18 buckets, word
// unigrams and bigrams, character 2- to 4-grams) were chosen by 5-fold
// cross-validation; on the 47,387 SemEval tweets every variation tried
// (2^20 buckets, character 5-grams, word trigrams, 10 epochs, L2 3e-4 or
// 3e-3, no naive-Bayes scaling) moved macro-recall by less than 0.005.
// [CrossValidate] and [Folds] run stratified k-fold cross-validation;
// [Metrics] reports accuracy, macro-averaged recall and macro-F1.
//
// # Scores
//
// [Model.AppendProbabilities] returns the probabilities of a softmax over
// the classes. With the default class balancing they are calibrated for
// equally likely classes; train with [Config.Unbalanced] for
// probabilities that follow the training data's class shares. For a
// polarity model, [Model.Score] maps them onto VADER's figures: Positive,
// Neutral and Negative are the probabilities and Compound is
// P(positive) - P(negative), nudged into VADER's ±0.05 bands so that
// [sentiment.Score.Polarity] names the most probable class. Scoring does
// not allocate.
//
// # Files
//
// A model file has a magic number, a format version, the feature settings
// (extractor version, hashing, n-grams, lexicon checksum, and, with rule
// features, the rule-based scorer's compound on fixed probe texts), the
// language, the labels, the non-zero weights in bfloat16,
// DEFLATE-compressed, and a CRC-32. Loading rejects foreign data
// ([ErrNotModel]), damaged or truncated files ([ErrCorrupt]), and files
// made by another format, feature extractor or lexicon, or by a
// rule-based scorer that now scores the probe texts differently by more
// than 0.05 on average ([ErrIncompatible]), each with a message that says
// what is wrong.
//
// # Concurrency
//
// A [*Model] is safe for concurrent use once built; do not copy it.
package linear
