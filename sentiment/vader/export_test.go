package vader

// LoadBaseForBench decodes the govader assets from scratch, as the first
// New of a process does.
func LoadBaseForBench() error { return loadBase().err }

// LoadEmojiForBench decodes the emoji descriptions from scratch, as the
// first text with a non-ASCII character of a process does.
func LoadEmojiForBench() error {
	_, err := loadEmoji()
	return err
}
