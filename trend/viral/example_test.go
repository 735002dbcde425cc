package viral_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/earshot-dev/earshot/trend/viral"
)

// A post's reshares are fed as they arrive; the forecast is available at
// any time.
func ExampleTracker() {
	posted := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	tr := &viral.Tracker{Posted: posted, Followers: 250_000}
	// an hour of reshares: fast at first, then slowing down
	for i := 1; i <= 600; i++ {
		age := time.Duration(float64(time.Hour) * float64(i*i) / 600 / 600)
		tr.Observe(posted.Add(age), 300+i%7*200)
	}
	p := tr.Predict(posted.Add(time.Hour))
	fmt.Printf("after 1h: %.0f reshares\n", p.Observed)
	fmt.Printf("final: %.0f, 80%% range %.0f-%.0f\n", p.Final, p.Low, p.High)
	// Output:
	// after 1h: 600 reshares
	// final: 1165, 80% range 910-4196
}

// A host whose audience is English-language Twitter (or any audience
// with the same daily cycle) sets its rhythm: the same first hour leads
// further when the audience's busiest hours are ahead (posted at 13:00
// UTC) than when its quietest are (posted at 01:00).
func ExampleModel() {
	m := viral.Model{Rhythm: viral.TwitterRhythm()}
	for _, posted := range []time.Time{
		time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC),
	} {
		tr := &viral.Tracker{Posted: posted, Followers: 250_000, Model: &m}
		for i := 1; i <= 600; i++ {
			age := time.Duration(float64(time.Hour) * float64(i*i) / 600 / 600)
			tr.Observe(posted.Add(age), 300+i%7*200)
		}
		p := tr.Predict(posted.Add(time.Hour))
		fmt.Printf("posted %s: final %.0f\n", posted.Format("15:04"), p.Final)
	}
	// Output:
	// posted 13:00: final 1277
	// posted 01:00: final 1019
}

// Most APIs only give engagement totals. Poll them and feed the totals:
// the tracker spreads the new reshares evenly between polls.
func ExampleTracker_ObserveCount() {
	posted := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	tr := &viral.Tracker{Posted: posted}
	totals := []int{40, 95, 140, 180, 215, 240, 262, 280, 296, 310, 322, 333} // every 5 minutes
	for i, n := range totals {
		tr.ObserveCount(posted.Add(time.Duration(i+1)*5*time.Minute), n)
	}
	p := tr.Predict(posted.Add(time.Hour))
	fmt.Printf("after 1h: %.0f reshares, final about %.0f (%.0f-%.0f)\n", p.Observed, p.Final, p.Low, p.High)
	// Output:
	// after 1h: 333 reshares, final about 560 (457-1784)
}

// A Detector watches many posts and reports the ones predicted to pass a
// threshold as trend.Alert values.
func ExampleDetector() {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	d := &viral.Detector{Threshold: 1000}
	for s := 1; s <= 1800; s++ { // half an hour, second by second
		at := start.Add(time.Duration(s) * time.Second)
		if s%2 == 0 {
			d.Observe("complaint-42", start, at, 800)
		}
		if s%90 == 0 {
			d.Observe("praise-7", start, at, 800)
		}
	}
	for _, a := range d.Check(start.Add(30 * time.Minute)) {
		fmt.Println(a.Kind, a.Key, a.Severity, a.Open())
	}
	for _, r := range d.Top(start.Add(30*time.Minute), 2) {
		fmt.Printf("%s: %.0f so far\n", r.Key, r.Observed)
	}
	// Output:
	// viral complaint-42 critical true
	// complaint-42: 900 so far
	// praise-7: 20 so far
}

// ReadCascade parses the SEISMIC/TiDeH cascade format.
func ExampleReadCascade() {
	in := "3 0.5\n0 1200\n30 15\n95 0\n400 88000\n"
	c, err := viral.ReadCascade(strings.NewReader(in), "RT0")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.ID, c.Posted.Format(time.RFC3339), c.Followers, len(c.Reshares), c.ObservedBy(time.Minute))
	_, err = viral.ReadCascade(strings.NewReader("2 0.5\n0 1200\n30 15\n"), "bad")
	fmt.Println(err)
	// Output:
	// RT0 2011-10-07T12:00:00Z 1200 3 1
	// viral: cascade line 3: header says 2 reshares, file has 1
}
