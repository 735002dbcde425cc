package shared

import (
	"bytes"
	"strings"
	"testing"
)

func TestAnnounceOncePerRun(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if !announceOnce(&out, dir, 4242) {
		t.Fatal("first test binary of a run did not announce")
	}
	if announceOnce(&out, dir, 4242) {
		t.Fatal("second test binary of the same run announced again")
	}
	if !announceOnce(&out, dir, 4343) {
		t.Fatal("a new run did not announce")
	}
	if got := strings.Count(out.String(), "evaluation data not found"); got != 2 {
		t.Fatalf("notice printed %d times, want 2:\n%s", got, out.String())
	}
	if !strings.Contains(out.String(), Env) {
		t.Errorf("notice does not say how to point at the data: %q", out.String())
	}
}
