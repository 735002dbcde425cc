package hackernews

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/earshot-dev/earshot/listen"
	"github.com/earshot-dev/earshot/listen/listentest"
)

// TestPoison: a hit whose objectID is a number, an item whose id is a
// string: skipped and reported, the rest delivered.
func TestPoison(t *testing.T) {
	t.Run("search", func(t *testing.T) {
		listentest.Poison(t, 2, "102", func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `{"hits":[{"objectID":"103","created_at_i":1795343003,"author":"a","comment_text":"c"},
					{"objectID":102,"created_at_i":1795343002,"author":"b","comment_text":"bad"},
					{"objectID":"101","created_at_i":1795343001,"author":"c","comment_text":"a"}],"nbHits":3,"page":0,"nbPages":1}`)
			}))
			t.Cleanup(srv.Close)
			src, err := New("", WithBaseURL(srv.URL), listen.WithLogger(logger), listen.WithOnSkip(onSkip), listen.WithHTTPClient(srv.Client()))
			require.NoError(t, err)
			return src
		})
	})
	t.Run("items", func(t *testing.T) {
		listentest.Poison(t, 2, "6", func(t *testing.T, logger *slog.Logger, onSkip func(*listen.DecodeError)) listen.Source {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.HasSuffix(r.URL.Path, "/maxitem.json"):
					io.WriteString(w, "7")
				case strings.HasSuffix(r.URL.Path, "/6.json"):
					io.WriteString(w, `{"id":"six","type":"comment","by":"x","time":1795343000}`)
				default:
					id := strings.TrimSuffix(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], ".json")
					io.WriteString(w, `{"id":`+id+`,"type":"comment","by":"x","time":1795343000,"text":"t"}`)
				}
			}))
			t.Cleanup(srv.Close)
			store := &listen.MemoryStore{}
			store.Save(context.Background(), "k", "4")
			src, err := NewItems(WithBaseURL(srv.URL), listen.WithLogger(logger), listen.WithOnSkip(onSkip), listen.WithHTTPClient(srv.Client()),
				listen.WithCursorStore(store, "k"))
			require.NoError(t, err)
			return src
		})
	})
}
