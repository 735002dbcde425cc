package story

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/earshot-dev/earshot/internal/atomicfile"
)

// Store keeps small records by key: a series' progress, a publisher's
// journal of thread parts. Load returns (nil, nil) for a key never saved.
// Save must be durable when it returns: callers save before a network
// call so that a crash never loses what was about to happen.
// Implementations are safe for concurrent use.
type Store interface {
	Load(ctx context.Context, key string) ([]byte, error)
	Save(ctx context.Context, key string, value []byte) error
}

// MemoryStore is a [Store] in memory, for tests and short-lived hosts.
// The zero value is ready to use.
type MemoryStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

// Load implements [Store].
func (s *MemoryStore) Load(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

// Save implements [Store].
func (s *MemoryStore) Save(_ context.Context, key string, value []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[key] = append([]byte(nil), value...)
	return nil
}

// FileStore is a [Store] kept in one JSON file. Every Save rewrites the
// file through a temporary file, fsync and an atomic rename, so a crash
// leaves either the old or the new content, never a torn one. It suits
// the small volumes of a story host (a few thousand records); use a
// database-backed Store beyond that. Values must be JSON.
type FileStore struct {
	path string
	mu   sync.Mutex
	m    map[string]json.RawMessage
}

// OpenFileStore opens or creates the store at path.
func OpenFileStore(path string) (*FileStore, error) {
	s := &FileStore{path: path, m: map[string]json.RawMessage{}}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("story: open store: %w", err)
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &s.m); err != nil {
			return nil, fmt.Errorf("story: store %s is corrupt: %w", path, err)
		}
	}
	return s, nil
}

// Load implements [Store].
func (s *FileStore) Load(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

// Save implements [Store].
func (s *FileStore) Save(_ context.Context, key string, value []byte) error {
	if !json.Valid(value) {
		return fmt.Errorf("story: store: value for %q is not JSON", key)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.m[key]
	s.m[key] = append(json.RawMessage(nil), value...)
	if err := s.writeLocked(); err != nil {
		if had {
			s.m[key] = old
		} else {
			delete(s.m, key)
		}
		return err
	}
	return nil
}

func (s *FileStore) writeLocked() error {
	b, err := json.MarshalIndent(s.m, "", " ")
	if err != nil {
		return fmt.Errorf("story: store: %w", err)
	}
	if err := atomicfile.WriteFile(s.path, b); err != nil {
		return fmt.Errorf("story: store: %w", err)
	}
	return nil
}
