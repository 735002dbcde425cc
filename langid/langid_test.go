package langid

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDetect(t *testing.T) {
	d := New()
	cases := []struct{ text, want string }{
		{"I can't believe the train was late again this morning", "en"},
		{"Je ne comprends pas pourquoi le service client ne répond jamais", "fr"},
		{"Warum ist der Kundendienst heute schon wieder nicht erreichbar?", "de"},
		{"Non capisco perché il servizio clienti non risponde mai", "it"},
		{"Não entendo por que o atendimento nunca responde as mensagens", "pt"},
		{"No entiendo por qué el servicio al cliente nunca contesta", "es"},
		{"yaar ye phone bahut accha hai, mujhe bhi chahiye", "hi"},
		{"خدمة العملاء لا ترد على الرسائل أبدا", "ar"},
		{"यह फ़ोन बहुत अच्छा है", "hi"},
		{"Η εξυπηρέτηση πελατών δεν απαντά ποτέ", "el"},
		{"カスタマーサービスが全然返事をくれない", "ja"},
		{"客服从来不回复消息", "zh"},
		{"고객 서비스가 답장을 안 해요", "ko"},
		{"Служба поддержки никогда не отвечает", ""}, // Cyrillic: several languages
		// Latin-script languages the model does not know, and that fit
		// none of its seven.
		{"Obsługa klienta nigdy nie odpowiada na wiadomości", ""},
		{"Müşteri hizmetleri hiçbir zaman mesajlara cevap vermiyor", ""},
		{"😡😡😡 !!!", ""},
		{"", ""},
		{"https://example.com/das-ist-kein-text @someone", ""},
		{"RT @acme: Não entendo por que o atendimento nunca responde https://t.co/x", "pt"},
		// Arabic-script text with a brand name in Latin letters.
		{"ميزات حصرية لهواتف Google Pixel الجديدة", "ar"},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			assert.Equal(t, tc.want, d.Detect(tc.text))
		})
	}
}

func TestZeroDetector(t *testing.T) {
	var d Detector
	assert.Equal(t, "ar", d.Detect("خدمة العملاء لا ترد على الرسائل أبدا"))
	assert.Equal(t, "", d.Detect("the train is late again"))
	assert.NotContains(t, d.Languages(), "en")
}

func TestLanguages(t *testing.T) {
	langs := New().Languages()
	for _, l := range []string{"ar", "en", "fr", "de", "hi", "it", "pt", "es", "ja", "zh"} {
		assert.Contains(t, langs, l)
	}
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(langs))), len(langs), "no duplicates")
}

func TestDetectDoesNotAllocate(t *testing.T) {
	d := New()
	text := "RT @acme: Não entendo por que o atendimento nunca responde 😡 #fail https://t.co/x"
	assert.Zero(t, testing.AllocsPerRun(100, func() { d.Detect(text) }))
}

// Long texts overflow no lane of the accumulators: a language's n-grams
// repeated many times still win.
func TestDetectLongText(t *testing.T) {
	d := New()
	for _, tc := range []struct{ text, want string }{
		{"the weather is nice today and we are going out ", "en"},
		{"il fait beau aujourd'hui et nous sortons ", "fr"},
	} {
		assert.Equal(t, tc.want, d.Detect(strings.Repeat(tc.text, 2000)))
	}
}

func TestParseModel(t *testing.T) {
	good := New().marshal()
	_, err := parseModel(good)
	require.NoError(t, err)

	flip := append([]byte(nil), good...)
	flip[100] ^= 1
	_, err = parseModel(flip)
	assert.ErrorIs(t, err, errCorrupt)

	_, err = parseModel(good[:len(good)/2])
	assert.ErrorIs(t, err, errCorrupt)

	_, err = parseModel([]byte("not a model at all"))
	assert.ErrorContains(t, err, "not a language model")
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"hello world", "ça va? très bien", "http://x.y @z", "ﷺ", "a\u0301", "RT", "@", "\xff\xfe", "日本語のテキスト"} {
		f.Add(s)
	}
	d := New()
	langs := d.Languages()
	f.Fuzz(func(t *testing.T, text string) {
		got := d.Detect(text)
		if got != "" && !slices.Contains(langs, got) {
			t.Fatalf("Detect(%q) = %q, not a language of Languages()", text, got)
		}
		if again := d.Detect(text); again != got {
			t.Fatalf("Detect(%q) gave %q then %q", text, got, again)
		}
	})
}
