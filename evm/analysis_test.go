package evm

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

func TestJumpdestAnalysis(t *testing.T) {
	cases := []struct {
		code  string
		dests []uint64 // valid JUMPDEST positions
	}{
		{"5b", []uint64{0}},
		{"605b5b", []uint64{2}}, // PUSH1 0x5b: data, then a real JUMPDEST
		{"7f" + string(bytes.Repeat([]byte("5b"), 32)) + "5b", []uint64{33}},
		{"5f5b", []uint64{1}}, // PUSH0 has no immediate
		{"615b", nil},         // truncated PUSH2 data
		{"005b605b", []uint64{1}},
		{"60", nil},
	}
	for _, c := range cases {
		code := asm(c.code)
		b := analyseJumpdests(code)
		want := map[uint64]bool{}
		for _, d := range c.dests {
			want[d] = true
		}
		for pos := uint64(0); pos < uint64(len(code))+8; pos++ {
			if b.has(pos) != want[pos] {
				t.Errorf("%s: position %d: got %v", c.code, pos, b.has(pos))
			}
		}
	}
}

// TestJumpIntoPushData runs JUMPs to real and fake JUMPDESTs.
func TestJumpIntoPushData(t *testing.T) {
	// PUSH1 4, JUMP, PUSH1 0x5b (data at 4... no: 0x5b at 4), STOP
	_, _, err, _ := runCode(t, forks.Cancun, asm("6004 56 60 5b 00"), 1000)
	if !errors.Is(err, ErrInvalidJump) {
		t.Fatalf("jump into PUSH data: %v", err)
	}
	_, _, err, _ = runCode(t, forks.Cancun, asm("6004 56 00 5b 00"), 1000)
	if err != nil {
		t.Fatalf("jump to JUMPDEST: %v", err)
	}
	// JUMPI with a false condition does not check the destination.
	_, _, err, _ = runCode(t, forks.Cancun, asm("6000 6063 57 00"), 1000)
	if err != nil {
		t.Fatalf("untaken JUMPI: %v", err)
	}
	// Destinations beyond the code or 64 bits.
	for _, code := range []string{"60ff 56", "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff 56"} {
		if _, _, err, _ = runCode(t, forks.Cancun, asm(code), 1000); !errors.Is(err, ErrInvalidJump) {
			t.Fatalf("%s: %v", code, err)
		}
	}
}

// TestJumpdestCacheConcurrent uses the shared cache from many goroutines
// (run with -race).
func TestJumpdestCacheConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				code := []byte{0x60, byte(i), 0x5b, byte(g)}
				h := types.Keccak256(code)
				if b := sharedJumpdests.analysis(h, code).jumpdests; !b.has(2) || b.has(1) {
					t.Error("wrong analysis")
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

// TestStaticCallWriteProtection checks that state changes inside
// STATICCALL fail and consume the forwarded gas.
func TestStaticCallWriteProtection(t *testing.T) {
	callee := types.HexToAddress("0xcccc")
	for _, inner := range []string{
		"6001 6000 55",                          // SSTORE
		"6000 6000 a0",                          // LOG0
		"6000 6000 6000 f0",                     // CREATE
		"6000 ff",                               // SELFDESTRUCT
		"6001 6000 5d",                          // TSTORE
		"6000 6000 6000 6000 6001 6000 6000 f1", // CALL with value
	} {
		st := newFakeState()
		st.SetCode(callee, asm(inner))
		// STATICCALL(gas 50000, callee, 0,0,0,0), return the success flag.
		st.SetCode(testContract, asm("6000 6000 6000 6000 61cccc 61c350 fa"+retTop))
		st.AddBalance(testContract, uint256.NewInt(10))
		e := newTestEVM(forks.Cancun, st)
		ret, _, err := e.Call(testCaller, testContract, nil, 100000, new(uint256.Int))
		if err != nil {
			t.Fatalf("%s: outer call failed: %v", inner, err)
		}
		if ret[31] != 0 {
			t.Errorf("%s: state change succeeded inside STATICCALL", inner)
		}
	}
}

// TestPlainGasSameInEveryFork checks what block metering relies on: a
// plain instruction costs the same constant gas, and has no dynamic gas,
// in every fork that defines it.
func TestPlainGasSameInEveryFork(t *testing.T) {
	for f := forks.Frontier; f <= forks.Latest; f++ {
		set := instructionSetFor(f)
		for op := range plainGas {
			if plainGas[op] == 0 || set[op].inline == 0 {
				continue
			}
			if set[op].constantGas != uint64(plainGas[op]) || (set[op].dynamicGas != nil) != blockMemoryOps[op] {
				t.Errorf("%v: %v costs %d (dynamic %v), blocks charge %d", f, OpCode(op), set[op].constantGas, set[op].dynamicGas != nil, plainGas[op])
			}
		}
	}
}

// TestAnalyseBlocks checks block boundaries, gas and stack bounds.
func TestAnalyseBlocks(t *testing.T) {
	// 0: PUSH1 1; 2: PUSH1 2; 4: ADD; 5: SLOAD; 6: POP; 7: JUMPDEST; 8: PUSH1 7; 10: JUMP; 11: DUP2; 12: PUSH0
	code := []byte{0x60, 1, 0x60, 2, 0x01, 0x54, 0x50, 0x5b, 0x60, 7, 0x56, 0x81, 0x5f}
	x := analyseBlocks(code)
	want := map[uint64]blockInfo{
		0:  {gas: 9, length: 5, minStack: 0, growth: 2},
		6:  {gas: 2, length: 1, minStack: 1, growth: 0},
		7:  {gas: 12, length: 4, minStack: 0, growth: 1},
		11: {gas: 5, length: 2, minStack: 2, growth: 2, late: true},
	}
	for pc := uint64(0); pc < uint64(len(code))+70; pc++ {
		b := x.at(pc)
		w, ok := want[pc]
		switch {
		case ok && b == nil:
			t.Errorf("no block at %d", pc)
		case !ok && b != nil:
			t.Errorf("unexpected block at %d: %+v", pc, *b)
		case ok && *b != w:
			t.Errorf("block at %d: %+v, want %+v", pc, *b, w)
		}
	}
}
