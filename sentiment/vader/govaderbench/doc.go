// Package govaderbench compares sentiment/vader with
// github.com/jonreiter/govader, the other Go port of vaderSentiment, on
// the same texts in the same run: scoring speed (BenchmarkTweets beside
// BenchmarkGovader), whole programs (BenchmarkProgram: examples/sentiment
// beside cmd/govader-sentiment, a govader program with the same input and
// output) and agreement with vaderSentiment 3.3.2 (TestParity). It also
// holds the comparisons of earshot with what a Go developer would write
// without it: the whole listening pipeline hand-rolled with regexp,
// govader and maps (BenchmarkPipelineHandRolled), and a plain count-min
// top-k beside trend.Sketch (BenchmarkTrendingMemory).
//
// It is a module of its own so that govader, and the modules it requires,
// stay out of the earshot module's requirements. It reads the project's
// shared evaluation data (../shared/data beside the repository, or
// $EARSHOT_SHARED_DATA) and skips when that is absent.
package govaderbench
