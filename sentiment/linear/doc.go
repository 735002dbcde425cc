// Package linear is a trainable sentiment scorer: multinomial logistic
// regression over hashed word n-grams (optionally character n-grams),
// dense features computed from the VADER lexicon, and the figures of the
// rule-based scorer of package sentiment/social. Users train it on their
// own labelled posts with [Train], save it with [Model.MarshalBinary] and
// load it with [Load]; [*Model] is a [sentiment.Scorer]. [Default] is a
// model pretrained on English tweets.
//
// # Features
//
// Texts are tokenized for social media: lower-cased, letters repeated three
// or more times squeezed to two ("soooo" -> "soo"), URLs and @mentions
// replaced by placeholders, hashtags split from their "#", HTML entities
// decoded, emoji and emoticons (":-)" as ":)", "&lt;3") kept as tokens,
// and up to three words after a negation
// marked as negated (so "no problem" differs from "problem"). Word
// unigrams and bigrams, and character 2- to 4-grams inside words (which
// catch misspellings, inflections and the parts of unsplit hashtags), are
// hashed into 2^[Features.Bits] buckets. Fifteen
// dense features summarise the VADER lexicon valences (with negation,
// boosters, capitals, elongation and "but"), emoji, punctuation, URLs and
// length. Three more are the rule-based scorer's compound, positive and
// negative figures; the model learns how far to trust them.
//
// # Training
//
// [Train] minimises class-weighted cross-entropy with AdaGrad and L2 decay,
// shuffling with [Config.Seed], and keeps the average of the weights at the
// end of each epoch. As in NBSVM (Wang and Manning 2012), each n-gram
// feature is scaled, for each class, by the magnitude of its naive-Bayes
// log-count ratio (the class against the rest, add-one smoothed) counted on
// the training examples, so that n-grams that tell classes apart are
// penalised less and learn faster ([Config.NaiveBayes]); the scales are
// folded into the saved weights. The same data and Config give the same model byte for
// byte. Classes are balanced by default, which helps macro-averaged
// recall. The defaults (6 epochs, rate 0.1, L2 1e-3, word unigrams and
// bigrams, character 2- to 4-grams) were chosen by 5-fold cross-validation
// on TweetEval validation tweets; the naive-Bayes smoothing is NBSVM's
// add-one, not tuned. Character n-grams help only together with the
// naive-Bayes scaling. Choosing the features and smoothing inside each
// outer fold instead (nested cross-validation) scores about the same. [CrossValidate] and
// [Folds] run stratified k-fold cross-validation; [Metrics] reports
// accuracy and macro-averaged recall.
//
// # Scores
//
// [Model.Probabilities] returns the class probabilities of a softmax over
// the three classes. They are calibrated: out-of-fold on TweetEval tweets
// the class-wise expected calibration error (10 bins) is about 0.03. With
// the default class balancing they are calibrated for equally likely
// classes; train with [Config.Unbalanced] for probabilities that follow
// the training data's class shares. [Model.Score] maps them onto VADER's
// figures: Positive, Neutral and Negative are the probabilities and
// Compound is P(positive) - P(negative), nudged into VADER's ±0.05 bands
// so that [sentiment.Score.Polarity] equals the most probable class.
//
// # Files
//
// A model file has a magic number, a format version, the feature settings
// (extractor version, hashing, n-grams, lexicon checksum, and the
// rule-based scorer's compound on fixed probe texts), the non-zero
// weights in bfloat16, DEFLATE-compressed, and a CRC-32. Loading rejects
// foreign data ([ErrNotModel]), damaged or truncated files ([ErrCorrupt]),
// and files made by another format, feature extractor or lexicon, or by a
// rule-based scorer that now scores the probe texts differently by more
// than 0.05 on average ([ErrIncompatible]), each with a message that says
// what is wrong.
//
// # Concurrency
//
// A [*Model] is safe for concurrent use once built; do not copy it.
package linear
