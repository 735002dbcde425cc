package rss

import (
	"time"

	"github.com/earshot-dev/earshot/listen/internal/config"
)

// defaults are the feed settings where they differ from the shared ones:
// feeds are polled slowly, a failing feed is put back by up to 6 hours,
// one request is retried for 2 minutes, documents are small, and the
// cursor (every feed's seen keys) is saved at most every second.
func defaults() config.Settings {
	s := config.Defaults()
	s.UserAgent = "earshot-feeds/1.0 (+https://github.com/earshot-dev/earshot)"
	s.Interval = 15 * time.Minute
	s.Retry.Initial, s.Retry.Max, s.Retry.MaxElapsed = time.Second, 6*time.Hour, 2*time.Minute
	s.Dedupe = 1000
	s.MaxBody = 10 << 20
	s.SaveEvery = time.Second
	return s
}
