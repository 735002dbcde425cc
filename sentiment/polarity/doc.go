// Package polarity ships pretrained polarity models: [*linear.Model]s
// with the labels "negative", "neutral" and "positive", which score
// sentiment as a [sentiment.Scorer] (VADER's four figures, Positive,
// Neutral and Negative being the class probabilities).
//
// [English] is trained on the 47,387 tweets of SemEval-2017 Task 4A
// 2013-2016 (the data of TweetEval's sentiment task); [For] finds the
// model for a language.
//
//	s := polarity.English()
//	sc, _ := s.Score(ctx, "This is the worst service ever, I hate it")
//	fmt.Println(sc.Polarity()) // negative
//
// Accuracy and cost are in the repository's BENCHMARKS.md; each model was
// made by go generate in this folder (see
// sentiment/linear/internal/pretrain), which needs the shared evaluation
// data. The models hold hashed n-gram weights, no text. The SemEval tweets
// were distributed for research with no stated licence; the other
// languages' come from XLM-T (Apache-2.0, with each source collection's
// own terms). The Hindi model learns from the 431 Hindi training tweets
// whose labels follow their text (the first 1,400 carry noise) and from
// 10,000 English SemEval tweets.
package polarity
