package evm

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

var (
	testCaller   = types.HexToAddress("0x1000000000000000000000000000000000000001")
	testContract = types.HexToAddress("0x2000000000000000000000000000000000000002")
)

// asm assembles a tiny program: hex bytes separated by spaces, e.g. "6001 6002 01".
func asm(s string) []byte {
	b, err := types.DecodeHex(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func newTestEVM(fork forks.Fork, st *fakeState) *EVM {
	return New(BlockContext{Number: 1000, GasLimit: 30_000_000, GetHash: func(n uint64) types.Hash {
		return types.Keccak256([]byte{byte(n)})
	}}, st, Config{ChainID: 1, Rules: forks.RulesFor(fork)})
}

// runCode installs code at testContract and calls it.
func runCode(t testing.TB, fork forks.Fork, code []byte, gas uint64) ([]byte, uint64, error, *fakeState) {
	t.Helper()
	st := newFakeState()
	st.SetCode(testContract, code)
	st.AddBalance(testCaller, uint256.NewInt(1e18))
	e := newTestEVM(fork, st)
	st.Prepare(e.Rules(), testCaller, types.Address{}, &testContract, nil, nil)
	ret, left, err := e.Call(testCaller, testContract, nil, gas, new(uint256.Int))
	return ret, left, err, st
}

// retTop is code that returns the top of the stack as 32 bytes.
const retTop = "6000 52 6020 6000 f3"

func TestSimpleAdd(t *testing.T) {
	ret, left, err, _ := runCode(t, forks.Cancun, asm("6002 6003 01"+retTop), 100000)
	if err != nil {
		t.Fatal(err)
	}
	if got := new(uint256.Int).SetBytes(ret); got.Uint64() != 5 {
		t.Fatalf("got %v", got)
	}
	// PUSH1 PUSH1 ADD PUSH1 MSTORE(3+3 mem) PUSH1 PUSH1 RETURN
	want := uint64(100000 - (3 + 3 + 3 + 3 + 3 + 3 + 3 + 3 + 0))
	if left != want {
		t.Fatalf("gas left %d want %d", left, want)
	}
}

func TestStackErrors(t *testing.T) {
	_, left, err, _ := runCode(t, forks.Cancun, asm("01"), 1000)
	if !errors.Is(err, ErrStackUnderflow) || left != 0 {
		t.Fatalf("underflow: %v %d", err, left)
	}
	// 1025 pushes overflow the stack.
	code := bytes.Repeat([]byte{0x5f}, 1025)
	_, _, err, _ = runCode(t, forks.Cancun, code, 100000)
	if !errors.Is(err, ErrStackOverflow) {
		t.Fatalf("overflow: %v", err)
	}
	_, _, err, _ = runCode(t, forks.London, asm("5f"), 1000)
	if !errors.Is(err, ErrInvalidOpcode) {
		t.Fatalf("PUSH0 before Shanghai: %v", err)
	}
	_, _, err, _ = runCode(t, forks.Cancun, asm("fe"), 1000)
	if !errors.Is(err, ErrInvalidOpcode) || err.Error() != "invalid opcode: INVALID" {
		t.Fatalf("INVALID: %v", err)
	}
}

func TestRevertKeepsGasAndData(t *testing.T) {
	// SSTORE(0,1) then REVERT with 32 bytes of memory.
	ret, left, err, st := runCode(t, forks.Cancun, asm("6001 6000 55 602a 6000 52 6020 6000 fd"), 100000)
	if err != ErrExecutionReverted {
		t.Fatal(err)
	}
	if left == 0 || len(ret) != 32 || ret[31] != 0x2a {
		t.Fatalf("left %d ret %x", left, ret)
	}
	if v := st.GetState(testContract, types.Hash{}); !v.IsZero() {
		t.Fatal("storage change survived revert")
	}
}

func TestKeccak256Op(t *testing.T) {
	// MSTORE 0xff..ff at 0, KECCAK256(0, 32), and KECCAK256 of nothing.
	word := bytes.Repeat([]byte{0xff}, 32)
	ret, _, err, _ := runCode(t, forks.Cancun, asm("7f"+strings.Repeat("ff", 32)+"6000 52 6020 6000 20"+retTop), 100000)
	if want := types.Keccak256(word); err != nil || !bytes.Equal(ret, want[:]) {
		t.Fatalf("got %x want %x (%v)", ret, want, err)
	}
	ret, _, err, _ = runCode(t, forks.Cancun, asm("6000 6000 20"+retTop), 100000)
	if err != nil || types.Hash(ret) != types.EmptyCodeHash {
		t.Fatalf("empty: %x", ret)
	}
}

func TestBlockhashWindow(t *testing.T) {
	// Number is 1000: 744..999 answer, 743 and 1000 do not.
	for n, ok := range map[uint64]bool{743: false, 744: true, 999: true, 1000: false} {
		code := asm(fmt.Sprintf("61%04x 40", n) + retTop)
		ret, _, err, _ := runCode(t, forks.Cancun, code, 100000)
		if err != nil {
			t.Fatal(err)
		}
		want := types.Hash{}
		if ok {
			want = types.Keccak256([]byte{byte(n)})
		}
		if types.Hash(ret) != want {
			t.Errorf("BLOCKHASH(%d) = %x", n, ret)
		}
	}
}
