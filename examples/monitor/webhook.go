package main

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/watch"
	"github.com/earshot-dev/earshot/trend/webhook"
)

// sender posts alerts to a webhook from one goroutine, so a slow webhook
// never holds up the monitor: the queue is bounded, and an alert that does
// not fit is dropped and counted. Each failure is logged as it happens.
// close waits for the queue to drain, at most drainTimeout, and stops the
// goroutine.
type sender struct {
	hook  *webhook.Webhook
	log   *slog.Logger
	queue chan trend.Alert
	done  chan struct{}
	stop  context.CancelFunc
	once  sync.Once

	// written by the goroutine, read after done is closed
	sent, failed int
	lastErr      error
	dropped      int // written by send (the monitor's goroutine)
}

const drainTimeout = 10 * time.Second

// newSender starts a sender; client nil means the webhook's default.
func newSender(url string, log *slog.Logger, client *http.Client) (*sender, error) {
	opts := []webhook.Option{webhook.WithMaxRetryTime(5 * time.Second), webhook.WithLogger(log)}
	if client != nil {
		opts = append(opts, webhook.WithHTTPClient(client))
	}
	hook, err := webhook.New(url, opts...)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &sender{hook: hook, log: log, queue: make(chan trend.Alert, 64), done: make(chan struct{}), stop: stop}
	go s.loop(ctx)
	return s, nil
}

func (s *sender) loop(ctx context.Context) {
	defer close(s.done)
	for a := range s.queue {
		if err := s.hook.Send(ctx, a); err != nil {
			s.failed++
			s.lastErr = err
			s.log.Warn("webhook: alert not sent", "alert", a.Kind, "err", err.Error(), "failed", s.failed)
			continue
		}
		s.sent++
	}
}

// send queues an alert, with its title and reasons folded into the
// summary the webhook formats, and two example posts.
func (s *sender) send(a watch.Alert) {
	ta := a.Alert
	ta.Summary = a.Title + ": " + a.Summary
	if len(a.Reasons) > 0 {
		ta.Summary += "; why: " + reasons(a.Reasons, 3)
	}
	if len(ta.Evidence) > 2 {
		ta.Evidence = ta.Evidence[:2]
	}
	select {
	case s.queue <- ta:
	default:
		s.dropped++
		s.log.Warn("webhook: queue full, alert dropped", "dropped", s.dropped)
	}
}

// close stops accepting alerts, waits for the queue to drain (at most
// drainTimeout, then cancels the sends in flight) and reports the counts.
func (s *sender) close() (sent, dropped, failed int) {
	s.once.Do(func() {
		close(s.queue)
		t := time.AfterFunc(drainTimeout, s.stop)
		<-s.done
		t.Stop()
		s.stop()
	})
	return s.sent, s.dropped, s.failed
}
