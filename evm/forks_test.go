package evm

import (
	"testing"

	"github.com/plasmaxpl/engine/evm/forks"
)

// TestForkGasSchedule checks the cost of single instructions across forks
// against the values the EIPs give (Yellow Paper, EIP-150, EIP-160,
// EIP-1884, EIP-2929).
func TestForkGasSchedule(t *testing.T) {
	const pushes = 3 // one PUSH1 before the instruction under test
	cases := []struct {
		name string
		code string // PUSH1 operand, then the instruction
		cost map[forks.Fork]uint64
	}{
		{"BALANCE", "6042 31", map[forks.Fork]uint64{forks.Frontier: 20, forks.TangerineWhistle: 400, forks.Istanbul: 700, forks.Berlin: 2600}},
		{"SLOAD", "6042 54", map[forks.Fork]uint64{forks.Frontier: 50, forks.TangerineWhistle: 200, forks.Istanbul: 800, forks.Berlin: 2100}},
		{"EXTCODESIZE", "6042 3b", map[forks.Fork]uint64{forks.Frontier: 20, forks.TangerineWhistle: 700, forks.Berlin: 2600}},
		{"EXTCODEHASH", "6042 3f", map[forks.Fork]uint64{forks.Constantinople: 400, forks.Istanbul: 700, forks.Berlin: 2600}},
		// EXP with a two-byte exponent: 10 + 2 * (10 before EIP-160, 50 after).
		{"EXP", "610100 6002 0a", map[forks.Fork]uint64{forks.Frontier: 3 + 30, forks.Homestead: 3 + 30, forks.SpuriousDragon: 3 + 110}},
		{"SELFBALANCE", "6000 50 47", map[forks.Fork]uint64{forks.Istanbul: 2 + 5}},
		{"TLOAD", "6042 5c", map[forks.Fork]uint64{forks.Cancun: 100}},
		{"PUSH0", "6000 50 5f", map[forks.Fork]uint64{forks.Shanghai: 2 + 2}},
		{"BLOBBASEFEE", "6000 50 4a", map[forks.Fork]uint64{forks.Cancun: 2 + 2}},
	}
	for _, c := range cases {
		for fork, cost := range c.cost {
			// Run to completion (the instruction, then STOP at the end).
			_, left, err, _ := runCode(t, fork, asm(c.code), 100000)
			if err != nil {
				t.Errorf("%s %v: %v", c.name, fork, err)
				continue
			}
			if used := 100000 - left; used != cost+pushes {
				t.Errorf("%s %v: used %d, want %d", c.name, fork, used, cost+pushes)
			}
		}
	}
}

// TestCallNewAccountGas checks CALL's 25000 new-account charge: before
// EIP-161 for any non-existent target, after only when value is sent to
// an empty account.
func TestCallNewAccountGas(t *testing.T) {
	// CALL(gas 0, to 0xdead, value v, 0, 0, 0, 0)
	call := func(v string) []byte { return asm("6000 6000 6000 6000 60" + v + " 61dead 6000 f1") }
	const pushes = 7 * 3
	for _, c := range []struct {
		fork  forks.Fork
		value string
		want  uint64
	}{
		{forks.Homestead, "00", 40 + 25000},
		{forks.TangerineWhistle, "00", 700 + 25000},
		{forks.SpuriousDragon, "00", 700},
		// Value: transfer 9000 and new account 25000; the callee gets the
		// 2300 stipend on top of the gas the caller paid for, and a
		// code-less callee hands it all back.
		{forks.SpuriousDragon, "01", 700 + 9000 + 25000 - 2300},
		{forks.Berlin, "01", 2600 + 9000 + 25000 - 2300},
	} {
		_, left, err, _ := runCode(t, c.fork, call(c.value), 100000)
		if err != nil {
			t.Fatalf("%v: %v", c.fork, err)
		}
		if used := 100000 - left; used != c.want+pushes {
			t.Errorf("%v value %s: used %d want %d", c.fork, c.value, used, c.want+pushes)
		}
	}
}

// TestSelfdestructGas checks SELFDESTRUCT to a non-existent beneficiary by a
// contract without balance: free in Frontier, 5000 + 25000 new account with
// EIP-150, no new-account charge without value from EIP-161, plus the cold
// beneficiary (2600) from EIP-2929; the 24000 refund ends with EIP-3529.
func TestSelfdestructGas(t *testing.T) {
	for _, c := range []struct {
		fork   forks.Fork
		gas    uint64
		refund uint64
	}{
		{forks.Frontier, 0, 24000},
		{forks.TangerineWhistle, 5000 + 25000, 24000},
		{forks.SpuriousDragon, 5000, 24000},
		{forks.Berlin, 5000 + 2600, 24000},
		{forks.London, 5000 + 2600, 0},
		{forks.Cancun, 5000 + 2600, 0},
	} {
		_, left, err, st := runCode(t, c.fork, asm("61dead ff"), 100000)
		if err != nil {
			t.Fatalf("%v: %v", c.fork, err)
		}
		if used := 100000 - left; used != c.gas+3 || st.GetRefund() != c.refund {
			t.Errorf("%v: used %d refund %d, want %d %d", c.fork, used, st.GetRefund(), c.gas+3, c.refund)
		}
	}
}
