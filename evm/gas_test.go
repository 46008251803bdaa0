package evm

import (
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

type sstoreCase struct {
	code     string
	used     uint64
	refund   uint64
	original byte
}

// The example tables of the EIP documents: each code runs on a slot whose
// value at the start of the transaction is original.
var (
	// https://eips.ethereum.org/EIPS/eip-1283 (Constantinople)
	sstoreEIP1283Table = []sstoreCase{
		{"0x60006000556000600055", 412, 0, 0},
		{"0x60006000556001600055", 20212, 0, 0},
		{"0x60016000556000600055", 20212, 19800, 0},
		{"0x60016000556002600055", 20212, 0, 0},
		{"0x60016000556001600055", 20212, 0, 0},
		{"0x60006000556000600055", 5212, 15000, 1},
		{"0x60006000556001600055", 5212, 4800, 1},
		{"0x60006000556002600055", 5212, 0, 1},
		{"0x60026000556000600055", 5212, 15000, 1},
		{"0x60026000556003600055", 5212, 0, 1},
		{"0x60026000556001600055", 5212, 4800, 1},
		{"0x60026000556002600055", 5212, 0, 1},
		{"0x60016000556000600055", 5212, 15000, 1},
		{"0x60016000556002600055", 5212, 0, 1},
		{"0x60016000556001600055", 412, 0, 1},
		{"0x600160005560006000556001600055", 40218, 19800, 0},
		{"0x600060005560016000556000600055", 10218, 19800, 1},
	}
	// https://eips.ethereum.org/EIPS/eip-2200 (Istanbul)
	sstoreEIP2200Table = []sstoreCase{
		{"0x60006000556000600055", 1612, 0, 0},
		{"0x60006000556001600055", 20812, 0, 0},
		{"0x60016000556000600055", 20812, 19200, 0},
		{"0x60016000556002600055", 20812, 0, 0},
		{"0x60016000556001600055", 20812, 0, 0},
		{"0x60006000556000600055", 5812, 15000, 1},
		{"0x60006000556001600055", 5812, 4200, 1},
		{"0x60006000556002600055", 5812, 0, 1},
		{"0x60026000556000600055", 5812, 15000, 1},
		{"0x60026000556003600055", 5812, 0, 1},
		{"0x60026000556001600055", 5812, 4200, 1},
		{"0x60026000556002600055", 5812, 0, 1},
		{"0x60016000556000600055", 5812, 15000, 1},
		{"0x60016000556002600055", 5812, 0, 1},
		{"0x60016000556001600055", 1612, 0, 1},
		{"0x600160005560006000556001600055", 40818, 19200, 0},
		{"0x600060005560016000556000600055", 10818, 19200, 1},
	}
	// https://eips.ethereum.org/EIPS/eip-3529 (London; the slot is warm)
	sstoreEIP3529Table = []sstoreCase{
		{"0x60006000556000600055", 212, 0, 0},
		{"0x60006000556001600055", 20112, 0, 0},
		{"0x60016000556000600055", 20112, 19900, 0},
		{"0x60016000556002600055", 20112, 0, 0},
		{"0x60016000556001600055", 20112, 0, 0},
		{"0x60006000556000600055", 3012, 4800, 1},
		{"0x60006000556001600055", 3012, 2800, 1},
		{"0x60006000556002600055", 3012, 0, 1},
		{"0x60026000556000600055", 3012, 4800, 1},
		{"0x60026000556003600055", 3012, 0, 1},
		{"0x60026000556001600055", 3012, 2800, 1},
		{"0x60026000556002600055", 3012, 0, 1},
		{"0x60016000556000600055", 3012, 4800, 1},
		{"0x60016000556002600055", 3012, 0, 1},
		{"0x60016000556001600055", 212, 0, 1},
		{"0x600160005560006000556001600055", 40118, 19900, 0},
		{"0x600060005560016000556000600055", 5918, 7600, 1},
	}
)

func runSstoreTable(t *testing.T, fork forks.Fork, table []sstoreCase, warm bool) {
	for i, c := range table {
		st := newFakeState()
		st.SetCode(testContract, asm(c.code))
		st.setStorage(testContract, types.Hash{}, types.Hash{31: c.original})
		e := newTestEVM(fork, st)
		st.Prepare(e.Rules(), testCaller, types.Address{}, &testContract, nil, nil)
		if warm {
			st.AddSlotToAccessList(testContract, types.Hash{})
		}
		const gas = 100000
		_, left, err := e.Call(testCaller, testContract, nil, gas, new(uint256.Int))
		if err != nil {
			t.Fatalf("%v case %d: %v", fork, i, err)
		}
		if used := gas - left; used != c.used || st.GetRefund() != c.refund {
			t.Errorf("%v case %d %s (original %d): used %d refund %d, want %d %d",
				fork, i, c.code, c.original, used, st.GetRefund(), c.used, c.refund)
		}
	}
}

func TestSstoreEIPTables(t *testing.T) {
	runSstoreTable(t, forks.Constantinople, sstoreEIP1283Table, false)
	runSstoreTable(t, forks.Istanbul, sstoreEIP2200Table, false)
	runSstoreTable(t, forks.London, sstoreEIP3529Table, true)
	runSstoreTable(t, forks.Cancun, sstoreEIP3529Table, true)
	// Petersburg reverts to the Frontier rules: 20000 to set, 5000 otherwise.
	runSstoreTable(t, forks.Petersburg, []sstoreCase{
		{"0x60006000556000600055", 12 + 5000 + 5000, 0, 0},
		{"0x60016000556000600055", 12 + 20000 + 5000, 15000, 0},
		{"0x60006000556001600055", 12 + 5000 + 20000, 15000, 1},
	}, false)
}

// TestSstoreSentry checks EIP-2200's rule that SSTORE fails with 2300 gas or less.
func TestSstoreSentry(t *testing.T) {
	code := asm("6001 6000 55") // 6 gas of pushes, then SSTORE
	for _, c := range []struct {
		fork forks.Fork
		gas  uint64
		ok   bool
	}{
		{forks.Istanbul, 6 + 2300, false},
		{forks.Istanbul, 6 + 20000, true},
		{forks.Constantinople, 6 + 20000, true}, // EIP-1283 had no sentry
	} {
		_, _, err, _ := runCode(t, c.fork, code, c.gas)
		if (err == nil) != c.ok {
			t.Errorf("%v gas %d: err %v", c.fork, c.gas, err)
		}
	}
}

// memCost is the Yellow Paper's memory cost for a size in bytes, computed
// with math/big.
func memCost(size uint64) *big.Int {
	w := new(big.Int).SetUint64((size + 31) / 32)
	sq := new(big.Int).Mul(w, w)
	sq.Div(sq, big.NewInt(512))
	return sq.Add(sq, new(big.Int).Mul(w, big.NewInt(3)))
}

func TestMemoryExpansionGas(t *testing.T) {
	for _, off := range []uint64{0, 1, 31, 32, 33, 1000, 4096, 32 * 1024, 100000, 1 << 20} {
		// PUSH1 0, PUSH4/8 off, MSTORE, STOP
		code := fmt.Sprintf("6000 67%016x 52 00", off)
		const gas = 10_000_000
		_, left, err, _ := runCode(t, forks.Cancun, asm(code), gas)
		want := memCost(off+32).Uint64() + 3 + 3 + 3
		if err != nil || gas-left != want {
			t.Errorf("MSTORE at %d: used %d want %d (%v)", off, gas-left, want, err)
		}
	}
	// Expansion only charges the difference: MSTORE at 0 then at 1024.
	_, left, err, _ := runCode(t, forks.Cancun, asm("6000 6000 52 6000 610400 52 00"), 100000)
	if want := memCost(1024+32).Uint64() + 6*3; err != nil || 100000-left != want {
		t.Errorf("two stores: used %d want %d", 100000-left, want)
	}
	// Offsets that do not fit in 64 bits, or whose cost would not, fail.
	huge := []string{
		"6000 68010000000000000000 52", // offset 2^64
		"6000 67ffffffffffffffff 52",   // offset+32 overflows
		"6000 64ffffffffff 52",         // 1 TB: gas overflow
		"7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 6000 6000 37", // CALLDATACOPY size 2^256-1
	}
	for _, code := range huge {
		_, left, err, _ := runCode(t, forks.Cancun, asm(code), 1_000_000)
		if !errors.Is(err, ErrOutOfGas) && !errors.Is(err, ErrGasUintOverflow) || left != 0 {
			t.Errorf("%s: err %v left %d", code, err, left)
		}
	}
	// A zero-size copy at a huge offset costs no memory.
	_, left, err, _ = runCode(t, forks.Cancun, asm("6000 6000 7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 37 00"), 1000)
	if err != nil || 1000-left != 3*3+3 {
		t.Errorf("zero-size copy: used %d err %v", 1000-left, err)
	}
}

// TestCallGasRules checks the 63/64 rule (EIP-150) against the pre-150
// rule that the requested gas must be available in full.
func TestCallGasRules(t *testing.T) {
	// CALL(gas=0xffffff, addr=0xdead, value=0, 0,0,0,0), then GAS, return it.
	code := asm("6000 6000 6000 6000 6000 61dead 62ffffff f1 50 5a" + retTop)
	_, _, err, _ := runCode(t, forks.Frontier, code, 100000)
	if !errors.Is(err, ErrOutOfGas) {
		t.Fatalf("Frontier: a call asking for more gas than left must fail, got %v", err)
	}
	ret, _, err, _ := runCode(t, forks.Cancun, code, 100000)
	if err != nil {
		t.Fatalf("Cancun: %v", err)
	}
	// 7 pushes (21), cold CALL to an empty account (2600): the callee has
	// no code, so all forwarded gas comes back; then POP and GAS (2 each).
	got := new(uint256.Int).SetBytes(ret).Uint64()
	if want := uint64(100000 - 21 - 2600 - 2 - 2); got != want {
		t.Fatalf("gas after call %d want %d", got, want)
	}
}
