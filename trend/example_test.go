package trend_test

import (
	"fmt"
	"time"

	"github.com/earshot-dev/earshot/trend"
)

func ExampleSpike() {
	s := trend.Spike{Key: "acme"}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3*288; i++ { // three days of 5-minute buckets
		at := start.Add(time.Duration(i) * 5 * time.Minute)
		count := 40.0 + float64(i%5)
		if i >= 2*288+100 && i < 2*288+106 {
			count = 400 // half an hour of uproar
		}
		if _, a, ok := s.Step(at, count); ok {
			fmt.Printf("%s open=%v start=%s\n", a.Key, a.Open(), a.Start.Format("Mon 15:04"))
		}
	}
	// Output:
	// acme open=true start=Wed 08:20
	// acme open=false start=Wed 08:20
}
