// Package atomicfile replaces a file's contents atomically: a crash
// leaves either the old or the new contents, never a torn mix. The
// cursor store of package listen and the store of package story write
// through it.
package atomicfile

import (
	"os"
	"path/filepath"
)

// WriteFile writes data to a temporary file beside path, syncs it,
// renames it over path and syncs the directory, so the rename itself
// survives a crash. On failure the temporary file is removed and path is
// untouched. The file gets os.CreateTemp's mode (0600).
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
