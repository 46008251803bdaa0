//go:build race

package merkle

// raceEnabled reports a -race build, whose instrumentation allocates, so
// allocation-count tests skip under it.
const raceEnabled = true
