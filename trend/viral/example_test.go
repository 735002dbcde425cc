package viral_test

import (
	"fmt"
	"math"
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
	fmt.Printf("final: %.0f, 80%% interval %.0f-%.0f\n", p.Final, p.Low, p.High)
	fmt.Printf("plain SEISMIC: %.0f\n", p.Seismic)
	// Output:
	// after 1h: 600 reshares
	// final: 1546, 80% interval 962-3524
	// plain SEISMIC: 1215
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
	// after 1h: 333 reshares, final about 663 (418-1472)
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

// Fit learns a corrected model from a host's own cascades (here made up:
// every post's reshares slow down the same way, and bigger posts keep
// going for longer); CrossValidate scores it on cascades it was not
// fitted on.
func ExampleFit() {
	var cs []viral.Cascade
	for i := 0; i < 25; i++ {
		c := viral.Cascade{ID: fmt.Sprint("post", i), Posted: viral.Epoch.Add(time.Duration(i) * 7 * time.Hour), Followers: 5000}
		n := 200 + 40*i
		for j := 1; j <= n; j++ {
			// ages spread from 10 s to about 2 days (a power law)
			age := 10 * time.Second * time.Duration(math.Pow(17280, float64(j)/float64(n)))
			c.Reshares = append(c.Reshares, viral.Reshare{Age: age, Followers: 100 + (i*j)%900})
		}
		cs = append(cs, c)
	}
	m, err := viral.Fit(cs, viral.FitConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(m.Coef), "coefficients")
	res, err := viral.CrossValidate(cs, viral.FitConfig{}, 5, []time.Duration{time.Hour, 6 * time.Hour})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Printf("%v: better than plain SEISMIC: %v\n", r.Age, r.MdAPE < r.SeismicMdAPE)
	}
	// Output:
	// 14 coefficients
	// 1h0m0s: better than plain SEISMIC: true
	// 6h0m0s: better than plain SEISMIC: true
}
