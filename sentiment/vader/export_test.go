package vader

// LoadBaseForBench decodes the govader assets from scratch, as the first
// New of a process does.
func LoadBaseForBench() error { return loadBase().err }
