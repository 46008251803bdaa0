package evm

import (
	"os"
	"strings"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// loopCode counts down from n: JUMPDEST, PUSH1 1, SWAP1, SUB, DUP1,
// PUSH1 3, JUMPI, STOP — six instructions per iteration plus the jump.
func loopCode(n uint16) []byte {
	return []byte{0x61, byte(n >> 8), byte(n), 0x5b, 0x60, 0x01, 0x90, 0x03, 0x80, 0x60, 0x03, 0x57, 0x00}
}

// arithCode mixes arithmetic, memory and KECCAK256 inside a loop.
func arithCode() []byte {
	return asm("61ffff" + // counter
		"5b" + // 3: JUMPDEST
		"80 80 02 6007 0a 6000 52" + // counter*counter ** 7 -> mem[0]
		"6020 6000 20 50" + // keccak(mem[0:32]), pop
		"6001 90 03 80 6003 57 00")
}

func benchCode(b *testing.B, code []byte) {
	st := newFakeState()
	st.SetCode(testContract, code)
	e := newTestEVM(forks.Cancun, st)
	st.Prepare(e.Rules(), testCaller, types.Address{}, &testContract, nil, nil)
	var zero uint256.Int
	// Warm pools and caches.
	if _, _, err := e.Call(testCaller, testContract, nil, 1<<40, &zero); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var used uint64
	for i := 0; i < b.N; i++ {
		_, left, err := e.Call(testCaller, testContract, nil, 1<<40, &zero)
		if err != nil {
			b.Fatal(err)
		}
		used += 1<<40 - left
	}
	b.ReportMetric(float64(used)/b.Elapsed().Seconds()/1e6, "Mgas/s")
}

func BenchmarkLoop(b *testing.B)  { benchCode(b, loopCode(0xffff)) }
func BenchmarkArith(b *testing.B) { benchCode(b, arithCode()) }

// TestLoopDoesNotAllocate checks that the interpreter loop allocates
// nothing per instruction: 65535 iterations and 10 iterations must
// allocate the same.
func TestLoopDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	measure := func(code []byte) float64 {
		st := newFakeState()
		st.SetCode(testContract, code)
		e := newTestEVM(forks.Cancun, st)
		var zero uint256.Int
		e.Call(testCaller, testContract, nil, 1<<40, &zero)
		return testing.AllocsPerRun(5, func() {
			if _, _, err := e.Call(testCaller, testContract, nil, 1<<40, &zero); err != nil {
				t.Fatal(err)
			}
		})
	}
	short, long := measure(loopCode(10)), measure(loopCode(0xffff))
	if long > short {
		t.Fatalf("allocations grow with instructions: %v for 10 iterations, %v for 65535", short, long)
	}
}

// BenchmarkSnailtracer runs the snailtracer contract (a ray tracer written
// in Solidity, from revm's benchmark data in the shared fixtures).
func BenchmarkSnailtracer(b *testing.B) {
	hexCode, err := os.ReadFile("../../shared/fixtures/contracts/snailtracer.hex")
	if err != nil {
		b.Skip("fixtures not present: ../shared/fixtures/contracts/snailtracer.hex")
	}
	code, err := types.DecodeHex(strings.TrimSpace(string(hexCode)))
	if err != nil {
		b.Fatal(err)
	}
	st := newFakeState()
	st.SetCode(testContract, code)
	e := newTestEVM(forks.Cancun, st)
	input := []byte{0x30, 0x62, 0x7b, 0x7c}
	b.ReportAllocs()
	var used uint64
	for i := 0; i < b.N; i++ {
		st.Prepare(e.Rules(), testCaller, types.Address{}, &testContract, nil, nil)
		_, left, err := e.Call(testCaller, testContract, input, 1_000_000_000, new(uint256.Int))
		if err != nil {
			b.Fatal(err)
		}
		used += 1_000_000_000 - left
	}
	b.ReportMetric(float64(used)/b.Elapsed().Seconds()/1e6, "Mgas/s")
}
