package listen

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/earshot-dev/earshot/internal/atomicfile"
)

// CursorStore keeps resume cursors: opaque strings a source saves after
// the host has handled a post, and loads when it starts again, so that a
// restarted process resumes where it stopped. Keys name one source
// (e.g. "mastodon:https://mastodon.social:tag:golang").
//
// Implementations must be safe for concurrent use.
type CursorStore interface {
	// Load returns the saved cursor, or "" and no error if there is none.
	Load(ctx context.Context, key string) (string, error)
	// Save records cursor for key, replacing what was there.
	Save(ctx context.Context, key, cursor string) error
}

// MemoryStore is a [CursorStore] that lives in memory. The zero value is
// ready to use; it is safe for concurrent use.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string]string
}

// Load implements [CursorStore].
func (s *MemoryStore) Load(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[key], nil
}

// Save implements [CursorStore].
func (s *MemoryStore) Save(_ context.Context, key, cursor string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]string)
	}
	s.m[key] = cursor
	return nil
}

// FileStore is a crash-safe [CursorStore] backed by one JSON file. Every
// Save writes a temporary file beside it, syncs it and renames it over the
// old one, so after a crash the file holds either the old or the new
// cursors, never a torn mix; a Save that fails leaves the store as it
// was. It is safe for concurrent use within one process; two processes
// must not share a file. Sources save as often as [WithSaveInterval] says.
type FileStore struct {
	path string
	mu   sync.Mutex
	m    map[string]string
}

// OpenFileStore opens the store at path, reading the cursors already saved
// there. A missing file is an empty store; it is created on the first Save.
func OpenFileStore(path string) (*FileStore, error) {
	s := &FileStore{path: path, m: make(map[string]string)}
	b, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("listen: open cursor store: %w", err)
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &s.m); err != nil {
			return nil, fmt.Errorf("listen: cursor store %s is corrupt: %w", path, err)
		}
	}
	return s, nil
}

// Load implements [CursorStore].
func (s *FileStore) Load(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[key], nil
}

// Save implements [CursorStore].
func (s *FileStore) Save(_ context.Context, key, cursor string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.m[key]
	if had && old == cursor {
		return nil
	}
	s.m[key] = cursor
	b, err := json.MarshalIndent(s.m, "", "  ")
	if err == nil {
		err = atomicfile.WriteFile(s.path, append(b, '\n'))
	}
	if err != nil {
		if had {
			s.m[key] = old
		} else {
			delete(s.m, key)
		}
		return fmt.Errorf("listen: cursor store: %w", err)
	}
	return nil
}
