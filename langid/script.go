package langid

import "unicode"

// script is a writing system, as far as language identification cares.
type script uint8

const (
	scriptOther script = iota // letters of scripts we do not name
	scriptLatin
	scriptArabic
	scriptDevanagari
	scriptCyrillic
	scriptGreek
	scriptHebrew
	scriptThai
	scriptHangul
	scriptKana
	scriptHan
	scriptGeorgian
	scriptArmenian
	scriptBengali
	scriptGurmukhi
	scriptGujarati
	scriptTamil
	scriptTelugu
	scriptKannada
	scriptMalayalam
	numScripts
)

// scriptLang is the language a text written mostly in a script is taken
// to be in, when the script alone decides; "" where it cannot (Cyrillic
// serves Russian, Ukrainian, Bulgarian, Serbian and more) and for Latin,
// which the model decides.
var scriptLang = [numScripts]string{
	scriptArabic:     "ar",
	scriptDevanagari: "hi",
	scriptGreek:      "el",
	scriptHebrew:     "he",
	scriptThai:       "th",
	scriptHangul:     "ko",
	scriptKana:       "ja",
	scriptHan:        "zh",
	scriptGeorgian:   "ka",
	scriptArmenian:   "hy",
	scriptBengali:    "bn",
	scriptGurmukhi:   "pa",
	scriptGujarati:   "gu",
	scriptTamil:      "ta",
	scriptTelugu:     "te",
	scriptKannada:    "kn",
	scriptMalayalam:  "ml",
}

// blocks maps Unicode blocks to scripts, in order, for letters above U+024F.
var blocks = [...]struct {
	lo, hi rune
	s      script
}{
	{0x0370, 0x03FF, scriptGreek},
	{0x0400, 0x052F, scriptCyrillic},
	{0x0530, 0x058F, scriptArmenian},
	{0x0590, 0x05FF, scriptHebrew},
	{0x0600, 0x06FF, scriptArabic},
	{0x0750, 0x077F, scriptArabic},
	{0x08A0, 0x08FF, scriptArabic},
	{0x0900, 0x097F, scriptDevanagari},
	{0x0980, 0x09FF, scriptBengali},
	{0x0A00, 0x0A7F, scriptGurmukhi},
	{0x0A80, 0x0AFF, scriptGujarati},
	{0x0B80, 0x0BFF, scriptTamil},
	{0x0C00, 0x0C7F, scriptTelugu},
	{0x0C80, 0x0CFF, scriptKannada},
	{0x0D00, 0x0D7F, scriptMalayalam},
	{0x0E00, 0x0E7F, scriptThai},
	{0x10A0, 0x10FF, scriptGeorgian},
	{0x1100, 0x11FF, scriptHangul},
	{0x1E00, 0x1EFF, scriptLatin},
	{0x1F00, 0x1FFF, scriptGreek},
	{0x3040, 0x30FF, scriptKana},
	{0x3130, 0x318F, scriptHangul},
	{0x31F0, 0x31FF, scriptKana},
	{0x3400, 0x4DBF, scriptHan},
	{0x4E00, 0x9FFF, scriptHan},
	{0xAC00, 0xD7AF, scriptHangul},
	{0xF900, 0xFAFF, scriptHan},
	{0xFB50, 0xFDFF, scriptArabic},
	{0xFE70, 0xFEFF, scriptArabic},
	{0xFF66, 0xFF9F, scriptKana},
}

// scriptOf returns the script of a non-ASCII letter.
func scriptOf(r rune) script {
	if r < 0x250 {
		return scriptLatin
	}
	lo, hi := 0, len(blocks)
	for lo < hi {
		m := (lo + hi) / 2
		switch b := blocks[m]; {
		case r < b.lo:
			hi = m
		case r > b.hi:
			lo = m + 1
		default:
			return b.s
		}
	}
	if unicode.Is(unicode.Latin, r) {
		return scriptLatin
	}
	return scriptOther
}

// dominant returns the script most letters were written in and its
// language, or "" when the text has no letters or the script does not
// decide. Kana among Han characters make the text Japanese.
func dominant(counts *[numScripts]int) (script, string) {
	if counts[scriptKana] > 0 {
		counts[scriptKana] += counts[scriptHan]
		counts[scriptHan] = 0
	}
	best := scriptOther
	for s := scriptLatin; s < numScripts; s++ {
		if counts[s] > counts[best] {
			best = s
		}
	}
	if counts[best] == 0 {
		return scriptOther, ""
	}
	return best, scriptLang[best]
}
