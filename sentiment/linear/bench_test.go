//go:build go1.24

package linear

import "testing"

// BenchmarkTrain trains the default configuration on 10,000 SemEval tweets.
// The cost of scoring with trained models is measured in package
// sentiment/polarity.
func BenchmarkTrain(b *testing.B) {
	ex := semEval(b)[:10_000]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(ex, Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
