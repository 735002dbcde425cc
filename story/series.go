package story

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// ErrSeriesEnded reports that a series' schedule has no further episode.
var ErrSeriesEnded = errors.New("story: series ended")

// Schedule gives the times of a recurring story. Next returns the first
// time strictly after after, or the zero Time when there is none.
type Schedule interface {
	Next(after time.Time) time.Time
}

// ScheduleFunc adapts a function to [Schedule].
type ScheduleFunc func(after time.Time) time.Time

// Next calls f(after).
func (f ScheduleFunc) Next(after time.Time) time.Time { return f(after) }

// Daily is a schedule at a local wall-clock time every day. Days are
// counted on the calendar of Location (UTC when nil), so the post stays at
// 07:30 local time across daylight-saving changes, 23 or 25 hours apart on
// those days. A time that does not exist on a spring-forward day (02:30 in
// Europe/Berlin) is moved forward by the gap (to 03:30), as [time.Date]
// does; a time that exists twice on a fall-back day is used once.
type Daily struct {
	Hour, Minute int
	Location     *time.Location
}

// Next implements [Schedule].
func (d Daily) Next(after time.Time) time.Time {
	if d.Validate() != nil {
		return time.Time{}
	}
	return nextDay(after, d.Location, d.Hour, d.Minute, func(time.Weekday) bool { return true })
}

// Validate reports a clock time out of range.
func (d Daily) Validate() error { return validClock(d.Hour, d.Minute) }

// Weekly is a schedule at a local wall-clock time on one weekday, with the
// same daylight-saving rules as [Daily].
type Weekly struct {
	Day          time.Weekday
	Hour, Minute int
	Location     *time.Location
}

// Next implements [Schedule].
func (w Weekly) Next(after time.Time) time.Time {
	if w.Validate() != nil {
		return time.Time{}
	}
	return nextDay(after, w.Location, w.Hour, w.Minute, func(d time.Weekday) bool { return d == w.Day })
}

// Validate reports a clock time or weekday out of range.
func (w Weekly) Validate() error {
	if w.Day < time.Sunday || w.Day > time.Saturday {
		return fmt.Errorf("story: schedule: weekday %d out of range", w.Day)
	}
	return validClock(w.Hour, w.Minute)
}

func validClock(h, m int) error {
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return fmt.Errorf("story: schedule: clock time %02d:%02d out of range", h, m)
	}
	return nil
}

func nextDay(after time.Time, loc *time.Location, h, m int, ok func(time.Weekday) bool) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, mo, d := after.In(loc).Date()
	for i := 0; i <= 8; i++ {
		c := time.Date(y, mo, d+i, h, m, 0, 0, loc)
		if c.After(after) && ok(c.Weekday()) {
			return c
		}
	}
	return time.Time{}
}

// ParseDaily returns a [Daily] schedule from a clock time such as "07:30"
// and an IANA zone name such as "Europe/Berlin". An unknown zone is an
// error. The zone database comes from the system or, if the host imports
// [time/tzdata], from the binary.
func ParseDaily(clock, zone string) (Daily, error) {
	h, m, err := parseClock(clock)
	if err != nil {
		return Daily{}, err
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "" {
		return Daily{}, fmt.Errorf("story: schedule: unknown time zone %q", zone)
	}
	return Daily{Hour: h, Minute: m, Location: loc}, nil
}

// ParseWeekly is [ParseDaily] for a weekday given by its English name
// ("Monday" or "Mon").
func ParseWeekly(day, clock, zone string) (Weekly, error) {
	d, err := parseWeekday(day)
	if err != nil {
		return Weekly{}, err
	}
	dl, err := ParseDaily(clock, zone)
	if err != nil {
		return Weekly{}, err
	}
	return Weekly{Day: d, Hour: dl.Hour, Minute: dl.Minute, Location: dl.Location}, nil
}

func parseClock(s string) (int, int, error) {
	hs, ms, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if !ok || err1 != nil || err2 != nil || len(ms) != 2 {
		return 0, 0, fmt.Errorf("story: schedule: clock time %q is not HH:MM", s)
	}
	return h, m, validClock(h, m)
}

func parseWeekday(s string) (time.Weekday, error) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		n := d.String()
		if strings.EqualFold(s, n) || strings.EqualFold(s, n[:3]) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("story: schedule: unknown weekday %q", s)
}

// Series is a recurring story, such as "Day {{.N}} of the hen diary",
// posted on a schedule. Its progress (the last episode published) is kept
// in Store under "series/"+Name, so a restarted host continues with the
// next episode: none is skipped, none repeated.
//
// A host loop calls [Series.Next] with the current time, waits until the
// episode's At, renders it with [Series.Render], publishes it with
// Thread.ID = [Episode.Key] (so that a crash after posting and before
// Done does not post twice) and then calls [Series.Done].
//
// A Series is a value with exported fields; it is not safe for concurrent
// use on the same Name.
type Series struct {
	Name     string             // stable: it keys the stored progress
	Template *template.Template // executed with [EpisodeData]
	Schedule Schedule
	Start    time.Time // the first episode is the first scheduled time at or after Start
	End      time.Time // optional: no episode after End
	// SkipMissed, when a host was down over several scheduled times,
	// publishes the next episode at the latest missed time instead of
	// catching up one episode per missed time. Episode numbers never skip.
	SkipMissed bool
	Store      Store
}

// Episode is one installment of a series.
type Episode struct {
	Series string    `json:"series"`
	N      int       `json:"n"`  // 1 for the first episode
	At     time.Time `json:"at"` // scheduled time
}

// Key identifies the episode across restarts: use it as [Thread.ID].
func (e Episode) Key() string { return "series/" + e.Series + "/" + strconv.Itoa(e.N) }

// EpisodeData is what a series template sees: {{.N}}, {{.At}},
// {{.Series}} and the host's {{.Data}}.
type EpisodeData struct {
	Series string
	N      int
	At     time.Time
	Data   any
}

type seriesState struct {
	N  int       `json:"n"`
	At time.Time `json:"at"`
}

func (s *Series) validate() error {
	switch {
	case s.Name == "":
		return errors.New("story: series: empty Name")
	case s.Schedule == nil:
		return fmt.Errorf("story: series %q: nil Schedule", s.Name)
	case s.Store == nil:
		return fmt.Errorf("story: series %q: nil Store", s.Name)
	case s.Start.IsZero():
		return fmt.Errorf("story: series %q: zero Start", s.Name)
	case !s.End.IsZero() && s.End.Before(s.Start):
		return fmt.Errorf("story: series %q: End %s is before Start %s", s.Name, s.End.Format(time.RFC3339), s.Start.Format(time.RFC3339))
	}
	if v, ok := s.Schedule.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("story: series %q: %w", s.Name, err)
		}
	}
	return nil
}

func (s *Series) load(ctx context.Context) (seriesState, error) {
	var st seriesState
	b, err := s.Store.Load(ctx, "series/"+s.Name)
	if err != nil {
		return st, fmt.Errorf("story: series %q: load: %w", s.Name, err)
	}
	if b != nil {
		if err := json.Unmarshal(b, &st); err != nil {
			return st, fmt.Errorf("story: series %q: corrupt state: %w", s.Name, err)
		}
	}
	return st, nil
}

// Next returns the episode to publish next, as seen at time at: the one
// after the last recorded by [Series.Done]. Its At may be in the future
// (wait until then) or in the past (it is overdue: publish it now). It
// returns [ErrSeriesEnded] when the schedule has no further time or the
// next time is after End, and an error when the schedule does not move
// forward.
func (s *Series) Next(ctx context.Context, at time.Time) (Episode, error) {
	if err := s.validate(); err != nil {
		return Episode{}, err
	}
	st, err := s.load(ctx)
	if err != nil {
		return Episode{}, err
	}
	prev := st.At
	if st.N == 0 {
		prev = s.Start.Add(-time.Nanosecond)
	}
	slot := s.Schedule.Next(prev)
	if slot.IsZero() {
		return Episode{}, fmt.Errorf("story: series %q: %w", s.Name, ErrSeriesEnded)
	}
	if !slot.After(prev) {
		return Episode{}, fmt.Errorf("story: series %q: schedule returned %s, not after %s", s.Name, slot.Format(time.RFC3339), prev.Format(time.RFC3339))
	}
	if s.SkipMissed {
		for {
			n := s.Schedule.Next(slot)
			if n.IsZero() || !n.After(slot) || n.After(at) {
				break
			}
			slot = n
		}
	}
	if !s.End.IsZero() && slot.After(s.End) {
		return Episode{}, fmt.Errorf("story: series %q: %w at %s", s.Name, ErrSeriesEnded, s.End.Format(time.RFC3339))
	}
	return Episode{Series: s.Name, N: st.N + 1, At: slot}, nil
}

// Render executes the template for ep with the host's data.
func (s *Series) Render(ep Episode, data any) (string, error) {
	if s.Template == nil {
		return "", fmt.Errorf("story: series %q: nil Template", s.Name)
	}
	var b strings.Builder
	if err := s.Template.Execute(&b, EpisodeData{Series: ep.Series, N: ep.N, At: ep.At, Data: data}); err != nil {
		return "", fmt.Errorf("story: series %q episode %d: %w", s.Name, ep.N, err)
	}
	if strings.TrimSpace(b.String()) == "" {
		return "", fmt.Errorf("story: series %q episode %d: %w", s.Name, ep.N, ErrEmpty)
	}
	return b.String(), nil
}

// Done records ep as published. It fails, recording nothing, unless ep is
// the episode that follows the last one recorded, so an episode cannot be
// recorded twice or skipped.
func (s *Series) Done(ctx context.Context, ep Episode) error {
	if err := s.validate(); err != nil {
		return err
	}
	st, err := s.load(ctx)
	if err != nil {
		return err
	}
	if ep.Series != s.Name || ep.N != st.N+1 {
		return fmt.Errorf("story: series %q: episode %d done out of order (last recorded %d)", s.Name, ep.N, st.N)
	}
	b, _ := json.Marshal(seriesState{N: ep.N, At: ep.At})
	if err := s.Store.Save(ctx, "series/"+s.Name, b); err != nil {
		return fmt.Errorf("story: series %q: save: %w", s.Name, err)
	}
	return nil
}
