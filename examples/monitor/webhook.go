package main

import (
	"context"
	"sync"
	"time"

	"github.com/earshot-dev/earshot/examples/internal/pipeline"
	"github.com/earshot-dev/earshot/trend"
	"github.com/earshot-dev/earshot/trend/webhook"
)

// sender posts alerts to a webhook from one goroutine, so a slow webhook
// never holds up the pipeline: the queue is bounded, and an alert that
// does not fit is dropped and counted. close waits for the queue to drain,
// at most drainTimeout, and stops the goroutine.
type sender struct {
	hook  *webhook.Webhook
	queue chan trend.Alert
	done  chan struct{}
	stop  context.CancelFunc
	once  sync.Once

	// written by the goroutine, read after done is closed
	sent, failed int
	lastErr      error
	dropped      int // written by send (the pipeline's goroutine)
}

const drainTimeout = 10 * time.Second

func newSender(url string) (*sender, error) {
	hook, err := webhook.New(url, webhook.WithMaxRetryTime(5*time.Second))
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &sender{hook: hook, queue: make(chan trend.Alert, 64), done: make(chan struct{}), stop: stop}
	go s.loop(ctx)
	return s, nil
}

func (s *sender) loop(ctx context.Context) {
	defer close(s.done)
	for a := range s.queue {
		if err := s.hook.Send(ctx, a); err != nil {
			s.failed++
			s.lastErr = err
			continue
		}
		s.sent++
	}
}

// send queues an alert, with its title and examples folded into the
// summary and evidence the webhook formats.
func (s *sender) send(a pipeline.Alert) {
	ta := a.Alert
	ta.Summary = a.Title + ": " + a.Summary
	ta.Evidence = a.Examples
	select {
	case s.queue <- ta:
	default:
		s.dropped++
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
