package vader

// LoadBaseForBench decodes the embedded lexicon from scratch, as the
// first New of a process does.
func LoadBaseForBench() { loadBase() }

// BuildBaseForBench builds the default table from the embedded lexicon,
// as the first New of a process did before the table was generated.
func BuildBaseForBench() { buildBase() }

// EmojiDescription returns the text that VADER substitutes for a
// single-code-point emoji, such as "grinning face" for U+1F600.
func EmojiDescription(r rune) (string, bool) {
	d, ok := defaultBase().emojiMap()[r]
	return d, ok
}

// LoadEmojiForBench decodes the emoji descriptions from scratch, as the
// first text with a non-ASCII character of a process does.
func LoadEmojiForBench() { loadEmoji() }
