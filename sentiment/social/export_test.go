package social

// DefaultNeutralBand lets the external tests check the default they chose.
const DefaultNeutralBand = defaultNeutralBand
