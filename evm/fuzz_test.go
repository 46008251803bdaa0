package evm

import (
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

func FuzzParseDelegation(f *testing.F) {
	f.Add(DelegationCode(types.HexToAddress("0x1234")))
	f.Add([]byte{0xef, 0x01})
	f.Fuzz(func(t *testing.T, code []byte) {
		a, ok := ParseDelegation(code)
		if ok != (len(code) == 23 && code[0] == 0xef && code[1] == 1 && code[2] == 0) {
			t.Fatalf("ok=%v for %x", ok, code)
		}
		if ok && string(DelegationCode(a)) != string(code) {
			t.Fatal("round trip")
		}
	})
}

// FuzzInterpreter runs arbitrary bytecode under every fork: whatever the
// code, execution must end with a result or an error, never a panic, and
// never report more gas left than it was given.
func FuzzInterpreter(f *testing.F) {
	f.Add([]byte{0x60, 0x01, 0x60, 0x00, 0x55}, uint8(16))
	f.Add(arithCode(), uint8(15))
	f.Add(asm("6000 6000 6000 6000 6000 30 5a f1 3d 6000 6000 3e"), uint8(10))
	f.Add(asm("6020 6000 6000 39 6000 6000 6000 f0 3b"), uint8(4))
	f.Fuzz(func(t *testing.T, code []byte, fork uint8) {
		st := newFakeState()
		st.SetCode(testContract, code)
		st.AddBalance(testContract, uint256.NewInt(1000))
		e := newTestEVM(forks.Fork(int(fork)%int(forks.Latest+1)), st)
		st.Prepare(e.Rules(), testCaller, types.Address{}, &testContract, nil, nil)
		const gas = 200000
		_, left, _ := e.Call(testCaller, testContract, []byte{1, 2, 3}, gas, new(uint256.Int))
		if left > gas {
			t.Fatalf("gas left %d > %d", left, gas)
		}
	})
}
