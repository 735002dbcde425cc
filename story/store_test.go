package story_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
)

// testStore is the conformance check every Store passes.
func testStore(t *testing.T, s story.Store) {
	ctx := context.Background()
	v, err := s.Load(ctx, "missing")
	require.NoError(t, err)
	assert.Nil(t, v)
	require.NoError(t, s.Save(ctx, "a", []byte(`{"n":1}`)))
	require.NoError(t, s.Save(ctx, "a", []byte(`{"n":2}`)))
	v, err = s.Load(ctx, "a")
	require.NoError(t, err)
	assert.JSONEq(t, `{"n":2}`, string(v))
	v[0] = 'X' // the caller's copy
	v, _ = s.Load(ctx, "a")
	assert.JSONEq(t, `{"n":2}`, string(v))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				assert.NoError(t, s.Save(ctx, fmt.Sprint("k", i), []byte(fmt.Sprint(j))))
				_, err := s.Load(ctx, fmt.Sprint("k", i))
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	for i := 0; i < 8; i++ {
		v, err := s.Load(ctx, fmt.Sprint("k", i))
		require.NoError(t, err)
		assert.Equal(t, "9", string(v))
	}
}

func TestStores(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testStore(t, &story.MemoryStore{}) })
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "store.json")
		fs, err := story.OpenFileStore(path)
		require.NoError(t, err)
		testStore(t, fs)
		reopened, err := story.OpenFileStore(path)
		require.NoError(t, err)
		v, err := reopened.Load(context.Background(), "k3")
		require.NoError(t, err)
		assert.Equal(t, "9", string(v), "durable across reopen")
		matches, _ := filepath.Glob(path + ".tmp*")
		assert.Empty(t, matches, "no temporary files left behind")
	})
}
