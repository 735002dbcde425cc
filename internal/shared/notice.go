package shared

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// notice is what a test run prints, once, when the data is absent.
const notice = "earshot: evaluation data not found (../shared/data beside the repository, or $" + Env +
	"): the accuracy and parity checks that read it are skipped; see README, \"Evaluation data\"\n"

// announce tells the person running the tests, once per `go test`
// invocation, that the data checks were skipped. In package list mode
// (`go test ./...`) the go command shows a passing package's output only
// with -v, so a t.Skip message alone is never seen; the notice goes to
// the terminal instead, when there is one. Every test binary of one run
// has the go command as its parent, so a marker file named after the
// parent's process ID keeps it to one line for the whole run.
func announce() {
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return // no terminal (CI, Windows): the Skip messages under -v say it
	}
	defer tty.Close()
	announceOnce(tty, os.TempDir(), os.Getppid())
}

// announceOnce writes the notice to w unless a marker for run already
// exists in dir, and reports whether it wrote.
func announceOnce(w io.Writer, dir string, run int) bool {
	marker := filepath.Join(dir, "earshot-shared-data-notice-"+strconv.Itoa(run))
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return false // said already in this run (or the marker cannot be made: stay quiet)
	}
	f.Close()
	fmt.Fprint(w, notice)
	return true
}
