package evm

import (
	"errors"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// initcodeReturning returns initcode that deploys the given runtime code
// (at most 32 bytes).
func initcodeReturning(runtime []byte) []byte {
	// PUSH32 runtime (left-aligned), PUSH1 0, MSTORE, PUSH1 len, PUSH1 0, RETURN
	code := []byte{0x7f}
	var word [32]byte
	copy(word[:], runtime)
	code = append(code, word[:]...)
	return append(code, 0x60, 0x00, 0x52, 0x60, byte(len(runtime)), 0x60, 0x00, 0xf3)
}

func balanceOf(s *fakeState, a types.Address) uint64 {
	b := s.GetBalance(a)
	return b.Uint64()
}

func TestCreateAddress(t *testing.T) {
	// Known vectors: the first contracts created by a well-known account.
	sender := types.HexToAddress("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0")
	for nonce, want := range []string{
		"0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d",
		"0x343c43a37d37dff08ae8c4a11544c718abb4fcf8",
		"0xf778b86fa74e846c4f0a1fbd1335fe81c00a0c91",
		"0xfffd933a0bc612844eaf0c6fe3e5b8e9b6c1d19c",
	} {
		if got := CreateAddress(sender, uint64(nonce)); got != types.HexToAddress(want) {
			t.Errorf("nonce %d: got %v want %s", nonce, got, want)
		}
	}
	// EIP-1014 example 2.
	got := CreateAddress2(types.HexToAddress("0xdeadbeef00000000000000000000000000000000"), [32]byte{}, types.Keccak256([]byte{0x00}))
	if got != types.HexToAddress("0xB928f69Bb1D91Cd65274e3c79d8986362984fDA3") {
		t.Errorf("create2: %v", got)
	}
}

func TestCreateDeploys(t *testing.T) {
	st := newFakeState()
	st.AddBalance(testCaller, uint256.NewInt(1000))
	st.SetNonce(testCaller, 5)
	e := newTestEVM(forks.Cancun, st)
	runtime := []byte{0x60, 0x01, 0x00}
	ret, addr, left, err := e.Create(testCaller, initcodeReturning(runtime), 100000, uint256.NewInt(7))
	if err != nil {
		t.Fatal(err)
	}
	if addr != CreateAddress(testCaller, 5) || st.GetNonce(testCaller) != 6 {
		t.Fatalf("address %v nonce %d", addr, st.GetNonce(testCaller))
	}
	if string(ret) != string(runtime) || string(st.GetCode(addr)) != string(runtime) {
		t.Fatalf("code %x", st.GetCode(addr))
	}
	if st.GetNonce(addr) != 1 || balanceOf(st, addr) != 7 {
		t.Fatalf("new account nonce %d balance %v", st.GetNonce(addr), st.GetBalance(addr))
	}
	// initcode: PUSH32, PUSH1, MSTORE, PUSH1, PUSH1 (5*3), memory 3,
	// RETURN 0, deposit 200*3.
	if used := 100000 - left; used != 5*3+3+600 {
		t.Fatalf("used %d", used)
	}
}

func TestCreateFailures(t *testing.T) {
	ef := initcodeReturning([]byte{0xef, 0x00})
	cases := []struct {
		name     string
		fork     forks.Fork
		initcode []byte
		gas      uint64
		setup    func(*fakeState, types.Address)
		err      error
		keepGas  bool
	}{
		{"EIP-3541 0xEF", forks.London, ef, 100000, nil, ErrInvalidCode, false},
		{"0xEF before London", forks.Berlin, ef, 100000, nil, nil, true},
		{"collision nonce", forks.Cancun, initcodeReturning(nil), 100000,
			func(s *fakeState, a types.Address) { s.SetNonce(a, 1) }, ErrContractAddressCollision, false},
		{"collision code", forks.Cancun, initcodeReturning(nil), 100000,
			func(s *fakeState, a types.Address) { s.SetCode(a, []byte{1}) }, ErrContractAddressCollision, false},
		{"collision storage (EIP-7610)", forks.Cancun, initcodeReturning(nil), 100000,
			func(s *fakeState, a types.Address) { s.setStorage(a, types.Hash{}, types.Hash{31: 1}) }, ErrContractAddressCollision, false},
		{"balance only is no collision", forks.Cancun, initcodeReturning(nil), 100000,
			func(s *fakeState, a types.Address) { s.AddBalance(a, uint256.NewInt(1)) }, nil, true},
		{"deposit out of gas (Homestead)", forks.Homestead, initcodeReturning([]byte{1, 2, 3}), 18 + 599, nil, ErrCodeStoreOutOfGas, false},
		{"revert keeps gas", forks.Cancun, asm("6000 6000 fd"), 100000, nil, ErrExecutionReverted, true},
	}
	for _, c := range cases {
		st := newFakeState()
		st.AddBalance(testCaller, uint256.NewInt(1000))
		addr := CreateAddress(testCaller, 0)
		if c.setup != nil {
			c.setup(st, addr)
		}
		e := newTestEVM(c.fork, st)
		_, _, left, err := e.Create(testCaller, c.initcode, c.gas, new(uint256.Int))
		if !errors.Is(err, c.err) && err != c.err {
			t.Errorf("%s: err %v want %v", c.name, err, c.err)
		}
		if (left != 0) != c.keepGas {
			t.Errorf("%s: gas left %d", c.name, left)
		}
		if st.GetNonce(testCaller) != 1 {
			t.Errorf("%s: sender nonce %d, want 1 (incremented even on failure)", c.name, st.GetNonce(testCaller))
		}
	}
	// Frontier: a failed deposit leaves the account with empty code and keeps the gas.
	st := newFakeState()
	e := newTestEVM(forks.Frontier, st)
	_, addr, left, err := e.Create(testCaller, initcodeReturning([]byte{1, 2, 3}), 18+599, new(uint256.Int))
	if err != ErrCodeStoreOutOfGas || left != 599 || len(st.GetCode(addr)) != 0 || !st.Exist(addr) {
		t.Errorf("Frontier deposit: err %v left %d code %x", err, left, st.GetCode(addr))
	}
}

func TestInitcodeSizeLimit(t *testing.T) {
	// CREATE with size MaxInitCodeSize+1 fails in Shanghai, not in Paris.
	code := asm("620" + "0c001" + " 6000 6000 f0" + retTop) // PUSH3 0x00c001 (49153)
	for _, c := range []struct {
		fork forks.Fork
		ok   bool
	}{{forks.Paris, true}, {forks.Shanghai, false}} {
		_, _, err, _ := runCode(t, c.fork, code, 10_000_000)
		if (err == nil) != c.ok {
			t.Errorf("%v: %v", c.fork, err)
		}
		if !c.ok && !errors.Is(err, ErrMaxInitCodeSizeExceeded) {
			t.Errorf("%v: want ErrMaxInitCodeSizeExceeded, got %v", c.fork, err)
		}
	}
}

func TestDelegation(t *testing.T) {
	target := types.HexToAddress("0x7777")
	eoa := types.HexToAddress("0xe0a")
	if _, ok := ParseDelegation(append(DelegationCode(target), 0)); ok {
		t.Fatal("24-byte designator accepted")
	}
	if a, ok := ParseDelegation(DelegationCode(target)); !ok || a != target {
		t.Fatal("designator not parsed")
	}
	st := newFakeState()
	st.SetCode(target, asm("30"+retTop)) // returns ADDRESS
	st.SetCode(eoa, DelegationCode(target))
	// Caller: CALL eoa, then EXTCODESIZE eoa; return both as 64 bytes.
	caller := asm("6020 6000 6000 6000 6000 610e0a 61ffff f1 50" + // CALL, output at 0
		"610e0a 3b 6020 52 6040 6000 f3") // EXTCODESIZE at 32
	st.SetCode(testContract, caller)
	for _, fork := range []forks.Fork{forks.Cancun, forks.Prague} {
		e := newTestEVM(fork, st)
		st.Prepare(e.Rules(), testCaller, types.Address{}, &testContract, nil, nil)
		ret, left, err := e.Call(testCaller, testContract, nil, 1_000_000, new(uint256.Int))
		if err != nil {
			t.Fatalf("%v: %v", fork, err)
		}
		ran := types.BytesToAddress(ret[:32])
		size := new(uint256.Int).SetBytes(ret[32:]).Uint64()
		if size != 23 {
			t.Errorf("%v: EXTCODESIZE %d, want 23 (the designator itself)", fork, size)
		}
		if fork == forks.Prague && ran != eoa {
			t.Errorf("Prague: delegate code did not run in the EOA's context (%v)", ran)
		}
		if fork == forks.Cancun && ran != (types.Address{}) {
			t.Errorf("Cancun: designator must not be followed")
		}
		if fork == forks.Prague && !st.AddressInAccessList(target) {
			t.Errorf("delegate not warmed")
		}
		_ = left
	}
}

func TestSelfdestruct6780(t *testing.T) {
	// A pre-existing contract self-destructs to itself: in Cancun its balance stays.
	st := newFakeState()
	st.SetCode(testContract, asm("30 ff"))
	st.AddBalance(testContract, uint256.NewInt(50))
	e := newTestEVM(forks.Cancun, st)
	if _, _, err := e.Call(testCaller, testContract, nil, 100000, new(uint256.Int)); err != nil {
		t.Fatal(err)
	}
	if balanceOf(st, testContract) != 50 || st.HasSelfDestructed(testContract) {
		t.Fatal("Cancun: pre-existing contract destroyed or balance lost")
	}
	// Before Cancun the same burns the balance and destroys the account.
	st = newFakeState()
	st.SetCode(testContract, asm("30 ff"))
	st.AddBalance(testContract, uint256.NewInt(50))
	e = newTestEVM(forks.Shanghai, st)
	if _, _, err := e.Call(testCaller, testContract, nil, 100000, new(uint256.Int)); err != nil {
		t.Fatal(err)
	}
	if balanceOf(st, testContract) != 0 || !st.HasSelfDestructed(testContract) {
		t.Fatal("Shanghai: selfdestruct to self must burn")
	}
}
