package vader

// LoadBaseForBench decodes the embedded lexicon from scratch, as the
// first New of a process does.
func LoadBaseForBench() { loadBase() }

// LoadEmojiForBench decodes the emoji descriptions from scratch, as the
// first text with a non-ASCII character of a process does.
func LoadEmojiForBench() { loadEmoji() }
