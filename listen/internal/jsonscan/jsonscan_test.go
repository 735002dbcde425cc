package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walk decodes any value with the Scanner's API into what encoding/json
// gives with UseNumber: maps, slices, strings, json.Number, bools, nil.
func walk(sc *Scanner, depth int) any {
	if depth > MaxDepth {
		sc.Fail()
		return nil
	}
	switch sc.Peek() {
	case '{':
		m := map[string]any{}
		sc.Object()
		first := true
		for {
			k, ok := sc.NextKey(&first)
			if !ok {
				break
			}
			k = strings.Clone(k) // keys are views with ResetBytes
			m[k] = walk(sc, depth+1)
		}
		return m
	case '[':
		s := []any{}
		sc.Array()
		first := true
		for sc.NextElem(&first) {
			s = append(s, walk(sc, depth+1))
		}
		return s
	case '"':
		return sc.Str()
	case 'n':
		if sc.Null() {
			return nil
		}
		sc.Fail()
		return nil
	}
	raw := sc.Raw()
	switch raw {
	case "true":
		return true
	case "false":
		return false
	}
	return json.Number(raw)
}

func decodeScan(data string, strict bool) (any, error) {
	sc := Scanner{Strict: strict}
	sc.Reset(data)
	v := walk(&sc, 0)
	return v, sc.Finish()
}

func decodeStd(data []byte) (any, error) {
	if !json.Valid(data) { // the syntax check Unmarshal runs first
		return nil, assert.AnError
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

func TestMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, `[]`, ` null `, `true`, `false`, `0`, `-0`, `1.5e-3`, `-12E+4`, `""`,
		`{"a":1,"a":2}`,
		`{"s":"plain","e":"a\"b\\c\/d\b\f\n\r\t","u":"\u00e9\ud83d\ude00","lone":"\ud800x","pair?":"\ud800\u0041","low":"\udc00"}`,
		`[1,[2,[3,{"x":[null,true,false]}]],"é"]`,
		`{"long":"` + strings.Repeat(`abc\"def\n`, 500) + `"}`,
		`{"long":"` + strings.Repeat("plain text without escapes ", 40) + `"}`,
		"\t{ \"k\" :\r\n [ 1 , 2 ] }\n",
	} {
		t.Run(in[:min(len(in), 20)], func(t *testing.T) {
			want, err := decodeStd([]byte(in))
			require.NoError(t, err)
			for _, strict := range []bool{false, true} {
				got, err := decodeScan(in, strict)
				require.NoError(t, err, "strict=%v", strict)
				assert.Equal(t, want, got, "strict=%v", strict)
			}
		})
	}
}

func TestRejects(t *testing.T) {
	for _, in := range []string{
		``, `{`, `[`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{1:2}`, `[1 2]`, `{"a":1} x`, "{}\x00",
		`01`, `-`, `1.`, `.5`, `1e`, `+1`, `tru`, `nul`, `"\x"`, `"\u12"`, `"abc`, `{"a":"\`, `[1]]`,
	} {
		for _, strict := range []bool{false, true} {
			_, err := decodeScan(in, strict)
			assert.ErrorIs(t, err, ErrSyntax, "%q strict=%v", in, strict)
		}
	}
}

func TestStrict(t *testing.T) {
	for _, in := range []string{"\"a\x01b\"", "\"\xff\"", "\"x\\n\xc3\"", `{"k":"` + "\x1f" + `"}`} {
		_, err := decodeScan(in, true)
		assert.ErrorIs(t, err, ErrSyntax, "%q", in)
		_, err = decodeScan(in, false)
		if strings.Contains(in, `\n`) {
			continue // escaped strings are checked in both modes
		}
		assert.NoError(t, err, "lenient mode passes %q through", in)
	}
	// Skipped strings: control characters are still JSON errors, invalid
	// UTF-8 is ignored (encoding/json ignores what it skips).
	sc := Scanner{Strict: true}
	sc.Reset("[\"\xff\"]")
	sc.Skip()
	assert.NoError(t, sc.Finish())
	sc.Reset("[\"\x01\"]")
	sc.Skip()
	assert.Error(t, sc.Finish())
}

func TestInt(t *testing.T) {
	for in, want := range map[string]int64{`0`: 0, `-0`: 0, `-7`: -7, `null`: 0, ` 42 `: 42, `9223372036854775807`: 1<<63 - 1, `-9223372036854775808`: -1 << 63, `123456789012345678`: 123456789012345678} {
		var sc Scanner
		sc.Reset(in)
		assert.Equal(t, want, sc.Int(), in)
		assert.NoError(t, sc.Finish(), in)
	}
	for _, in := range []string{`1.0`, `1e2`, `1E2`, `00`, `-01`, `-`, `9223372036854775808`, `"1"`, `true`} {
		var sc Scanner
		sc.Reset(in)
		sc.Int()
		assert.Error(t, sc.Finish(), in)
	}
}

func TestErrorsAreSticky(t *testing.T) {
	var sc Scanner
	sc.Reset(`{"a":x,"b":"y"}`)
	require.True(t, sc.Object())
	first := true
	k, ok := sc.NextKey(&first)
	require.True(t, ok)
	assert.Equal(t, "a", k)
	sc.Skip()
	require.ErrorIs(t, sc.Err(), ErrSyntax)
	_, ok = sc.NextKey(&first)
	assert.False(t, ok)
	assert.Equal(t, "", sc.Str())
	assert.ErrorIs(t, sc.Finish(), ErrSyntax)
}

func TestDepth(t *testing.T) {
	var sc Scanner
	sc.Reset(strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth))
	sc.Skip()
	assert.NoError(t, sc.Finish())
	sc.Reset(strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1))
	sc.Skip()
	assert.ErrorIs(t, sc.Finish(), ErrSyntax)
}

func TestRaw(t *testing.T) {
	var sc Scanner
	sc.Reset(`{"subject": {"uri":"at://x"} ,"n": -1.5e3}`)
	sc.Object()
	first := true
	sc.NextKey(&first)
	assert.Equal(t, `{"uri":"at://x"}`, sc.Raw())
	sc.NextKey(&first)
	assert.Equal(t, `-1.5e3`, sc.Raw())
	_, ok := sc.NextKey(&first)
	assert.False(t, ok)
	assert.NoError(t, sc.Finish())
}

// TestResetBytesCopies: values read with ResetBytes do not share memory
// with the input, so the caller may reuse its buffer.
func TestResetBytesCopies(t *testing.T) {
	in := []byte(`{"a":"hello","b":"x\ny","c":{"d":[1]}}`)
	var sc Scanner
	sc.ResetBytes(in)
	sc.Object()
	first := true
	var vals []string
	for {
		_, ok := sc.NextKey(&first)
		if !ok {
			break
		}
		if sc.Peek() == '"' {
			vals = append(vals, sc.Str())
		} else {
			vals = append(vals, sc.Raw())
		}
	}
	require.NoError(t, sc.Finish())
	for i := range in {
		in[i] = '#'
	}
	assert.Equal(t, []string{"hello", "x\ny", `{"d":[1]}`}, vals)
}

// FuzzDifferential holds the Scanner to encoding/json: whatever it
// accepts, encoding/json accepts with the same value (strict mode; and
// lenient mode on input without raw control characters or invalid
// UTF-8); and whatever encoding/json accepts in valid UTF-8, it accepts.
func FuzzDifferential(f *testing.F) {
	for _, s := range []string{
		`{"did":"did:plc:x","time_us":1,"commit":{"record":{"text":"hi \ud83d\ude00","facets":[{"index":{"byteStart":0,"byteEnd":2}}]}}}`,
		`{"id":"1","content":"<p>a \"b\"</p>","replies_count":null,"tags":[{"name":"go"}]}`,
		`[1,-0.5e+3,true,false,null,"\u0041\ud800\u0041"]`, "\"\xff\"", "\"a\x01\"", `{"a":1,"a":{"b":2}}`, `01`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, stdErr := decodeStd(b)
		for _, strict := range []bool{true, false} {
			got, err := decodeScan(string(b), strict)
			var bsc Scanner
			bsc.Strict = strict
			bsc.ResetBytes(b)
			gotBytes := walk(&bsc, 0)
			if (err == nil) != (bsc.Finish() == nil) {
				t.Fatalf("Reset and ResetBytes disagree on %q", b)
			}
			if err == nil {
				if !assert.ObjectsAreEqual(got, gotBytes) {
					t.Fatalf("Reset and ResetBytes differ on %q", b)
				}
			}
			comparable := strict || (utf8.Valid(b) && !hasCtl(string(b)))
			if err == nil && comparable {
				if stdErr != nil {
					t.Fatalf("strict=%v accepted what encoding/json rejects (%v): %q", strict, stdErr, b)
				}
				if !assert.ObjectsAreEqual(want, got) {
					t.Fatalf("strict=%v differs on %q:\nscan %#v\nstd  %#v", strict, b, got, want)
				}
			}
			if stdErr == nil && err != nil && utf8.Valid(b) && bytes.Count(b, []byte("[")) < MaxDepth/2 && bytes.Count(b, []byte("{")) < MaxDepth/2 {
				t.Fatalf("strict=%v rejected what encoding/json accepts (%v): %q", strict, err, b)
			}
		}
	})
}

// FuzzInt holds Int to encoding/json decoding into an int64.
func FuzzInt(f *testing.F) {
	for _, s := range []string{`0`, `-0`, `12`, `1.5`, `1e3`, `00`, `9223372036854775808`, `-9223372036854775808`, `null`, ` 7 `} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var sc Scanner
		sc.Reset(in)
		got := sc.Int()
		err := sc.Finish()
		var want int64
		stdErr := json.Unmarshal([]byte(in), &want)
		if (err == nil) != (stdErr == nil) {
			t.Fatalf("%q: scan err %v, encoding/json err %v", in, err, stdErr)
		}
		if err == nil && got != want {
			t.Fatalf("%q: scan %d, encoding/json %d", in, got, want)
		}
	})
}
