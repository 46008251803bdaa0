//go:build race

package evm

// raceEnabled reports a -race build, whose instrumentation allocates, so
// allocation-count tests skip under it.
const raceEnabled = true
