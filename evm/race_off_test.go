//go:build !race

package evm

const raceEnabled = false
