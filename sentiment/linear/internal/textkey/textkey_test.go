package textkey

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestKey(t *testing.T) {
	a := Key("Wish Maddie luck next Saturday, she has a solo audition! http://t.co/x @someone")
	b := Key("@user wish maddie luck next saturday ,  she has a solo audition !")
	assert.Equal(t, a, b)
	assert.GreaterOrEqual(t, len(a), MinLen)
	assert.NotEqual(t, a, Key("wish maddie luck next sunday, she has a solo audition"))
	assert.Equal(t, "", Key("@a http://b !!"))
}

func FuzzKey(f *testing.F) {
	f.Add("Hello, World! http://x @y")
	f.Add("नमस्ते दुनिया")
	f.Fuzz(func(t *testing.T, s string) {
		k := Key(s)
		assert.LessOrEqual(t, len(k), 60)
		if utf8.ValidString(s) && len(k) < 57 {
			assert.True(t, utf8.ValidString(k))
		}
	})
}
