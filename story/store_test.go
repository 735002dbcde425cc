package story_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/story"
	"github.com/earshot-dev/earshot/story/storytest"
)

func TestStores(t *testing.T) {
	t.Run("memory", func(t *testing.T) { storytest.RunStore(t, &story.MemoryStore{}) })
	t.Run("file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "store.json")
		fs, err := story.OpenFileStore(path)
		require.NoError(t, err)
		storytest.RunStore(t, fs)
		reopened, err := story.OpenFileStore(path)
		require.NoError(t, err)
		v, err := reopened.Load(context.Background(), "storytest/k3")
		require.NoError(t, err)
		assert.Equal(t, "9", string(v), "durable across reopen")
		entries, err := os.ReadDir(filepath.Dir(path))
		require.NoError(t, err)
		require.Len(t, entries, 1, "no temporary files left behind")
		assert.Equal(t, "store.json", entries[0].Name())
	})
}
