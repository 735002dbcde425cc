package story_test

import (
	"context"
	"path/filepath"
	"testing"
	"text/template"
	"time"
	_ "time/tzdata" // the zone database, so tests run on machines without one

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func TestDailyAcrossDST(t *testing.T) {
	cases := []struct {
		zone       string
		start      time.Time // local midnight a few days before the change
		changeDay  int       // day of month of the change, in start's month
		wantHours  float64   // gap between the episodes around the change
		hour, mins int
	}{
		{"Europe/Berlin", time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC), 29, 23, 7, 30},
		{"Europe/Berlin", time.Date(2026, 10, 23, 0, 0, 0, 0, time.UTC), 25, 25, 7, 30},
		{"America/New_York", time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC), 8, 23, 9, 0},
		{"America/New_York", time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC), 1, 25, 9, 0},
	}
	for _, tc := range cases {
		t.Run(tc.zone+tc.start.Format("-01"), func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			d := story.Daily{Hour: tc.hour, Minute: tc.mins, Location: loc}
			at := tc.start
			var prev time.Time
			sawChange := false
			for i := 0; i < 6; i++ {
				next := d.Next(at)
				l := next.In(loc)
				assert.Equal(t, tc.hour, l.Hour())
				assert.Equal(t, tc.mins, l.Minute())
				if !prev.IsZero() {
					gap := next.Sub(prev).Hours()
					if l.Day() == tc.changeDay {
						assert.Equal(t, tc.wantHours, gap, "gap into the change day")
						sawChange = true
					} else {
						assert.Equal(t, 24.0, gap, "ordinary day %s", l)
					}
				}
				prev, at = next, next
			}
			assert.True(t, sawChange)
		})
	}
}

func TestDailyInTheGapAndTheOverlap(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	d := story.Daily{Hour: 2, Minute: 30, Location: berlin}
	// Spring forward on 2026-03-29: 02:30 does not exist; the episode is
	// at 03:30 CEST that day, and the day is not skipped.
	got := d.Next(time.Date(2026, 3, 28, 12, 0, 0, 0, berlin))
	assert.Equal(t, time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), got.UTC())
	assert.Equal(t, time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC), d.Next(got).UTC())
	// Fall back on 2026-10-25: 02:30 happens twice; one episode only.
	first := d.Next(time.Date(2026, 10, 24, 12, 0, 0, 0, berlin))
	assert.Equal(t, 25, first.In(berlin).Day())
	second := d.Next(first)
	assert.Equal(t, 26, second.In(berlin).Day())
	assert.Equal(t, "02:30", second.In(berlin).Format("15:04"))
}

func TestWeekly(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	w, err := story.ParseWeekly("sun", "01:30", "America/New_York")
	require.NoError(t, err)
	// Sunday 2026-11-01 is the fall-back day in New York: 01:30 happens twice.
	a := w.Next(time.Date(2026, 10, 28, 0, 0, 0, 0, ny))
	assert.Equal(t, "2026-11-01 01:30 EDT", a.In(ny).Format("2006-01-02 15:04 MST"))
	b := w.Next(a)
	assert.Equal(t, "2026-11-08 01:30 EST", b.In(ny).Format("2006-01-02 15:04 MST"))
	assert.Equal(t, 7*24+1.0, b.Sub(a).Hours())
}

func TestParseScheduleErrors(t *testing.T) {
	_, err := story.ParseDaily("07:30", "Mars/Olympus_Mons")
	assert.ErrorContains(t, err, `story: schedule: unknown time zone "Mars/Olympus_Mons"`)
	_, err = story.ParseDaily("7h30", "UTC")
	assert.ErrorContains(t, err, "not HH:MM")
	_, err = story.ParseDaily("24:00", "UTC")
	assert.ErrorContains(t, err, "out of range")
	_, err = story.ParseWeekly("Caturday", "10:00", "UTC")
	assert.ErrorContains(t, err, "unknown weekday")
}

func henSeries(t *testing.T, store story.Store) *story.Series {
	d, err := story.ParseDaily("07:30", "Europe/Berlin")
	require.NoError(t, err)
	return &story.Series{
		Name:     "hen-diary",
		Template: template.Must(template.New("").Option("missingkey=error").Parse(`Day {{.N}} of the hen diary: {{.Data.news}}`)),
		Schedule: d,
		Start:    time.Date(2026, 3, 27, 0, 0, 0, 0, time.UTC),
		Store:    store,
	}
}

func TestSeriesRestartNeverSkipsOrRepeats(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.json")
	now := time.Date(2026, 3, 27, 5, 0, 0, 0, time.UTC)
	var got []string
	for day := 0; day < 5; day++ {
		// Every episode in a fresh process: reopen the store.
		fs, err := story.OpenFileStore(path)
		require.NoError(t, err)
		s := henSeries(t, fs)
		ep, err := s.Next(ctx, now)
		require.NoError(t, err)
		text, err := s.Render(ep, map[string]string{"news": "all well"})
		require.NoError(t, err)
		got = append(got, ep.At.Format(time.RFC3339)+" "+text)
		if day == 2 {
			// Crash before Done: the next process gets the same episode,
			// and its Key lets the publisher recognise it.
			fs2, err := story.OpenFileStore(path)
			require.NoError(t, err)
			again, err := henSeries(t, fs2).Next(ctx, now)
			require.NoError(t, err)
			assert.Equal(t, ep, again)
			assert.Equal(t, "series/hen-diary/3", again.Key())
		}
		require.NoError(t, s.Done(ctx, ep))
		assert.Error(t, s.Done(ctx, ep), "recording the same episode twice must fail")
		now = ep.At.Add(time.Minute)
	}
	assert.Equal(t, []string{
		"2026-03-27T07:30:00+01:00 Day 1 of the hen diary: all well",
		"2026-03-28T07:30:00+01:00 Day 2 of the hen diary: all well",
		"2026-03-29T07:30:00+02:00 Day 3 of the hen diary: all well",
		"2026-03-30T07:30:00+02:00 Day 4 of the hen diary: all well",
		"2026-03-31T07:30:00+02:00 Day 5 of the hen diary: all well",
	}, got)
}

func TestSeriesCatchUpAndSkipMissed(t *testing.T) {
	ctx := context.Background()
	s := henSeries(t, &story.MemoryStore{})
	ep, err := s.Next(ctx, time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, 1, ep.N)
	assert.Equal(t, 27, ep.At.Day(), "catch up from the first missed slot")

	s.SkipMissed = true
	ep, err = s.Next(ctx, time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	assert.Equal(t, 1, ep.N, "numbers never skip")
	assert.Equal(t, 2, ep.At.Day(), "latest missed slot")
}

func TestSeriesBadInput(t *testing.T) {
	ctx := context.Background()
	s := henSeries(t, &story.MemoryStore{})
	ep, err := s.Next(ctx, s.Start)
	require.NoError(t, err)
	_, err = s.Render(ep, map[string]string{}) // missing key
	assert.ErrorContains(t, err, `story: series "hen-diary" episode 1:`)
	_, err = s.Render(ep, nil)
	assert.Error(t, err)

	ended := henSeries(t, &story.MemoryStore{})
	ended.End = ended.Start.Add(-time.Hour)
	_, err = ended.Next(ctx, ended.Start)
	assert.ErrorContains(t, err, "End")

	past := henSeries(t, &story.MemoryStore{})
	past.End = past.Start.Add(time.Hour) // ends before the first 07:30
	_, err = past.Next(ctx, past.Start)
	assert.ErrorIs(t, err, story.ErrSeriesEnded)

	back := henSeries(t, &story.MemoryStore{})
	back.Schedule = story.ScheduleFunc(func(after time.Time) time.Time { return after.Add(-time.Hour) })
	_, err = back.Next(ctx, back.Start)
	assert.ErrorContains(t, err, "not after")

	bad := henSeries(t, &story.MemoryStore{})
	bad.Schedule = story.Daily{Hour: 25}
	_, err = bad.Next(ctx, bad.Start)
	assert.ErrorContains(t, err, "out of range")

	noStart := henSeries(t, &story.MemoryStore{})
	noStart.Start = time.Time{}
	_, err = noStart.Next(ctx, time.Now())
	assert.ErrorContains(t, err, "zero Start")

	skip := henSeries(t, &story.MemoryStore{})
	assert.ErrorContains(t, skip.Done(ctx, story.Episode{Series: "hen-diary", N: 2}), "out of order")
}

func TestFileStoreCorrupt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	fs, err := story.OpenFileStore(path)
	require.NoError(t, err)
	require.NoError(t, fs.Save(context.Background(), "k", []byte(`{"a":1}`)))
	assert.Error(t, fs.Save(context.Background(), "k", []byte(`not json`)))
	fs2, err := story.OpenFileStore(path)
	require.NoError(t, err)
	v, err := fs2.Load(context.Background(), "k")
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1}`, string(v))
	v, err = fs2.Load(context.Background(), "missing")
	assert.NoError(t, err)
	assert.Nil(t, v)
}
