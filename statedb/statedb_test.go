package statedb

import (
	"math/rand/v2"
	"reflect"
	"runtime"
	"sync"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

var (
	addrA = types.Address{0: 0xa}
	addrB = types.Address{0: 0xb}
	addrC = types.Address{0: 0xc}
	key1  = types.Hash{31: 1}
	key2  = types.Hash{31: 2}
	val1  = types.Hash{31: 0x11}
	val2  = types.Hash{31: 0x22}
)

func u(v uint64) *uint256.Int { return uint256.NewInt(v) }

func TestRevertEveryKindOfChange(t *testing.T) {
	changes := map[string]func(s *StateDB){
		"AddBalance":       func(s *StateDB) { s.AddBalance(addrA, u(5)) },
		"AddBalanceNew":    func(s *StateDB) { s.AddBalance(addrC, u(5)) },
		"SubBalance":       func(s *StateDB) { s.SubBalance(addrA, u(5)) },
		"SetBalance":       func(s *StateDB) { s.SetBalance(addrA, u(1234)) },
		"SetNonce":         func(s *StateDB) { s.SetNonce(addrA, 77) },
		"SetCode":          func(s *StateDB) { s.SetCode(addrA, []byte{1, 2, 3}) },
		"ClearCode":        func(s *StateDB) { s.SetCode(addrB, nil) },
		"SetState":         func(s *StateDB) { s.SetState(addrA, key1, types.Hash{31: 0x33}) },
		"SetStateNewSlot":  func(s *StateDB) { s.SetState(addrA, key2, val2) },
		"SetStateZero":     func(s *StateDB) { s.SetState(addrA, key1, types.Hash{}) },
		"SetStateTwice":    func(s *StateDB) { s.SetState(addrA, key1, val2); s.SetState(addrA, key1, types.Hash{}) },
		"CreateAccount":    func(s *StateDB) { s.CreateAccount(addrA) },
		"CreateAccountNew": func(s *StateDB) { s.CreateAccount(addrC) },
		"CreateContract":   func(s *StateDB) { s.CreateAccount(addrC); s.CreateContract(addrC) },
		"SelfDestruct":     func(s *StateDB) { s.SelfDestruct(addrA) },
		"SelfDestruct6780": func(s *StateDB) { s.CreateContract(addrB); s.SelfDestruct6780(addrB) },
		"Touch":            func(s *StateDB) { s.AddBalance(addrC, new(uint256.Int)) },
		"Refund":           func(s *StateDB) { s.AddRefund(10); s.SubRefund(3) },
		"AccessAddress":    func(s *StateDB) { s.AddAddressToAccessList(addrC) },
		"AccessSlot":       func(s *StateDB) { s.AddSlotToAccessList(addrC, key1) },
		"AccessSlotWarm":   func(s *StateDB) { s.AddSlotToAccessList(addrA, key2) },
		"Transient":        func(s *StateDB) { s.SetTransientState(addrA, key1, val1) },
		"TransientClear":   func(s *StateDB) { s.SetTransientState(addrA, key2, types.Hash{}) },
		"Log":              func(s *StateDB) { s.AddLog(&types.Log{Address: addrA}) },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			s := New()
			s.SetBalance(addrA, u(100))
			s.SetStorage(addrA, map[types.Hash]types.Hash{key1: val1})
			s.SetCode(addrB, []byte{0xfe})
			s.Finalise(false)
			s.Prepare(forks.RulesFor(forks.Cancun), addrA, addrB, nil, nil, types.AccessList{{Address: addrA}})
			s.SetTransientState(addrA, key2, val2)
			s.AddRefund(4)
			s.SetState(addrA, key1, val2)
			rootBefore := s.Copy().IntermediateRoot(true)
			before := viewOf(s)
			id := s.Snapshot()
			change(s)
			if changed := viewOf(s); name != "Touch" && name != "AccessSlotWarm" && sameViewBool(changed, before) {
				t.Fatal("change did not change the state")
			}
			s.RevertToSnapshot(id)
			sameView(t, "after revert", viewOf(s), before)
			if got := s.IntermediateRoot(true); got != rootBefore {
				t.Fatalf("root after revert %s, want %s", got, rootBefore)
			}
		})
	}
}

func sameViewBool(a, b stateView) bool { return reflect.DeepEqual(a, b) }

func TestNestedSnapshots(t *testing.T) {
	s := New()
	s.SetBalance(addrA, u(1))
	s.Finalise(false)

	v0 := viewOf(s)
	id0 := s.Snapshot()
	s.AddBalance(addrA, u(1))
	s.SetState(addrA, key1, val1)
	v1 := viewOf(s)
	id1 := s.Snapshot()
	s.SetState(addrA, key1, val2)
	s.SetNonce(addrB, 3)
	v2 := viewOf(s)
	id2 := s.Snapshot()
	s.SelfDestruct(addrA)
	s.AddLog(&types.Log{})

	s.RevertToSnapshot(id2)
	sameView(t, "to id2", viewOf(s), v2)
	s.RevertToSnapshot(id1)
	sameView(t, "to id1", viewOf(s), v1)
	if got := s.GetState(addrA, key1); got != val1 {
		t.Fatalf("slot %x after revert, want %x", got, val1)
	}
	s.SetCode(addrA, []byte{1})
	s.RevertToSnapshot(id0)
	sameView(t, "to id0", viewOf(s), v0)
	if s.Exist(addrB) {
		t.Fatal("account created after the snapshot survived the revert")
	}
}

func TestRevertUnknownSnapshotPanics(t *testing.T) {
	s := New()
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	s.RevertToSnapshot(5)
}

func TestEIP161TouchedEmptyDeleted(t *testing.T) {
	for _, deleteEmpty := range []bool{false, true} {
		s := New()
		s.CreateAccount(addrA) // empty pre-state accounts
		s.CreateAccount(addrB)
		s.CreateAccount(addrC)
		s.Finalise(false)

		s.AddBalance(addrA, new(uint256.Int)) // touch by zero add
		s.SubBalance(addrB, new(uint256.Int)) // touch by zero sub
		s.Finalise(deleteEmpty)
		if s.Exist(addrA) == deleteEmpty || s.Exist(addrB) == deleteEmpty {
			t.Fatalf("deleteEmpty=%v: touched empty accounts exist: %v %v", deleteEmpty, s.Exist(addrA), s.Exist(addrB))
		}
		if !s.Exist(addrC) {
			t.Fatalf("deleteEmpty=%v: untouched empty account deleted", deleteEmpty)
		}
	}

	// A touch of a non-existent account creates nothing under EIP-161.
	s := New()
	s.AddBalance(addrA, new(uint256.Int))
	if !s.Exist(addrA) || !s.Empty(addrA) {
		t.Fatal("zero add should create an empty account within the transaction")
	}
	if root := s.IntermediateRoot(true); root != types.EmptyRootHash {
		t.Fatalf("root %s, want empty", root)
	}

	// A touch that is reverted does not delete.
	s = New()
	s.CreateAccount(addrA)
	s.Finalise(false)
	id := s.Snapshot()
	s.AddBalance(addrA, new(uint256.Int))
	s.RevertToSnapshot(id)
	s.Finalise(true)
	if !s.Exist(addrA) {
		t.Fatal("reverted touch deleted the account")
	}

	// An account that becomes empty by a balance change is deleted.
	s = New()
	s.SetBalance(addrA, u(3))
	s.Finalise(true)
	s.SubBalance(addrA, u(3))
	s.Finalise(true)
	if s.Exist(addrA) {
		t.Fatal("account emptied in the transaction survived")
	}
}

func TestRipemdTouchSurvivesRevert(t *testing.T) {
	other := types.Address{19: 4}
	s := New()
	s.CreateAccount(ripemdAddr)
	s.CreateAccount(other)
	s.Finalise(false)

	id := s.Snapshot()
	s.AddBalance(ripemdAddr, new(uint256.Int))
	s.AddBalance(other, new(uint256.Int))
	s.RevertToSnapshot(id)
	s.Finalise(true)
	if s.Exist(ripemdAddr) {
		t.Fatal("empty RIPEMD-160 account survived although touched in a reverted frame")
	}
	if !s.Exist(other) {
		t.Fatal("the revert exception must apply to 0x03 only")
	}

	// Without a pre-existing account the reverted touch creates nothing.
	s = New()
	id = s.Snapshot()
	s.AddBalance(ripemdAddr, new(uint256.Int))
	s.RevertToSnapshot(id)
	s.Finalise(true)
	if s.Exist(ripemdAddr) {
		t.Fatal("reverted creation of 0x03 survived")
	}

	// The exception lasts one transaction.
	s = New()
	s.CreateAccount(ripemdAddr)
	s.Finalise(false)
	id = s.Snapshot()
	s.AddBalance(ripemdAddr, new(uint256.Int))
	s.RevertToSnapshot(id)
	s.Finalise(false)
	s.Finalise(true)
	if !s.Exist(ripemdAddr) {
		t.Fatal("RIPEMD touch leaked into the next transaction")
	}
}

func TestSelfDestruct(t *testing.T) {
	s := New()
	s.SetBalance(addrA, u(50))
	s.SetNonce(addrA, 1)
	s.SetCode(addrA, []byte{0x60, 0x00})
	s.SetStorage(addrA, map[types.Hash]types.Hash{key1: val1, key2: val2})
	s.IntermediateRoot(false)

	s.SelfDestruct(addrC) // no account: nothing happens
	if s.Exist(addrC) || s.HasSelfDestructed(addrC) {
		t.Fatal("self-destruct of a missing account created it")
	}
	s.SelfDestruct(addrA)
	if !s.HasSelfDestructed(addrA) || !s.Exist(addrA) {
		t.Fatal("destroyed account must exist and report HasSelfDestructed until Finalise")
	}
	if b := s.GetBalance(addrA); !b.IsZero() {
		t.Fatal("balance not zeroed")
	}
	if s.GetState(addrA, key1) != val1 || s.GetCodeSize(addrA) != 2 {
		t.Fatal("storage and code stay readable until Finalise")
	}
	s.AddBalance(addrA, u(7)) // value sent after destruction is burnt
	s.Finalise(false)         // deleted even without EIP-161
	if s.Exist(addrA) || s.HasSelfDestructed(addrA) {
		t.Fatal("destroyed account survived Finalise")
	}
	if root := s.IntermediateRoot(false); root != types.EmptyRootHash {
		t.Fatalf("root %s, want empty", root)
	}

	// Recreated in a later transaction: empty storage, same root as a
	// state that never held the old account.
	s.AddBalance(addrA, u(1))
	if s.GetState(addrA, key1) != (types.Hash{}) || s.GetCommittedState(addrA, key1) != (types.Hash{}) {
		t.Fatal("recreated account sees old storage")
	}
	s.SetState(addrA, key2, val1)
	got := s.IntermediateRoot(true)
	f := New()
	f.SetBalance(addrA, u(1))
	f.SetStorage(addrA, map[types.Hash]types.Hash{key2: val1})
	if want := f.IntermediateRoot(true); got != want {
		t.Fatalf("root after recreation %s, want %s", got, want)
	}
}

func TestSelfDestruct6780(t *testing.T) {
	s := New()
	s.SetBalance(addrA, u(10))
	s.SetCode(addrA, []byte{0xff})
	s.Finalise(false)

	s.SelfDestruct6780(addrA) // existed before: nothing
	if s.HasSelfDestructed(addrA) {
		t.Fatal("pre-existing contract destroyed under EIP-6780")
	}
	if b := s.GetBalance(addrA); b.Uint64() != 10 {
		t.Fatal("balance changed")
	}

	s.CreateAccount(addrB)
	s.CreateContract(addrB)
	s.SetCode(addrB, []byte{0xff})
	s.SetState(addrB, key1, val1)
	s.SelfDestruct6780(addrB)
	if !s.HasSelfDestructed(addrB) {
		t.Fatal("contract created in the transaction not destroyed")
	}
	s.Finalise(true)
	if s.Exist(addrB) || !s.Exist(addrA) {
		t.Fatal("wrong accounts deleted")
	}

	// The created flag ends with the transaction.
	s.CreateAccount(addrC)
	s.CreateContract(addrC)
	s.SetNonce(addrC, 1)
	s.Finalise(true)
	s.SelfDestruct6780(addrC)
	if s.HasSelfDestructed(addrC) {
		t.Fatal("created flag outlived its transaction")
	}
}

func TestCreateAccountOverExisting(t *testing.T) {
	s := New()
	s.SetBalance(addrA, u(42))
	s.SetNonce(addrA, 5)
	s.SetCode(addrA, []byte{1, 2})
	s.SetStorage(addrA, map[types.Hash]types.Hash{key1: val1})
	s.IntermediateRoot(false)

	before := viewOf(s)
	id := s.Snapshot()
	s.CreateAccount(addrA)
	if b := s.GetBalance(addrA); b.Uint64() != 42 {
		t.Fatalf("balance %d, want 42 kept", b.Uint64())
	}
	if s.GetNonce(addrA) != 0 || s.GetCodeSize(addrA) != 0 || s.GetCodeHash(addrA) != types.EmptyCodeHash {
		t.Fatal("nonce or code kept")
	}
	if s.GetState(addrA, key1) != (types.Hash{}) || s.GetCommittedState(addrA, key1) != (types.Hash{}) {
		t.Fatal("storage kept")
	}
	if s.GetStorageRoot(addrA) != types.EmptyRootHash {
		t.Fatal("storage root of the new account not empty")
	}
	s.RevertToSnapshot(id)
	sameView(t, "revert of CreateAccount", viewOf(s), before)

	s.CreateAccount(addrA)
	got := s.IntermediateRoot(true)
	f := New()
	f.SetBalance(addrA, u(42))
	if want := f.IntermediateRoot(true); got != want {
		t.Fatalf("root %s, want %s", got, want)
	}
}

func TestCommittedStateAndStorageRoot(t *testing.T) {
	s := New()
	s.SetNonce(addrA, 1)
	if s.GetStorageRoot(addrC) != (types.Hash{}) {
		t.Fatal("missing account must have a zero storage root")
	}
	if s.GetStorageRoot(addrA) != types.EmptyRootHash {
		t.Fatal("account without storage must have the empty root")
	}
	s.SetState(addrA, key1, val1)
	if s.GetCommittedState(addrA, key1) != (types.Hash{}) {
		t.Fatal("committed value changed within the transaction")
	}
	if s.GetStorageRoot(addrA) != types.EmptyRootHash {
		t.Fatal("storage root must be the one at the start of the transaction")
	}
	s.Finalise(true)
	if s.GetCommittedState(addrA, key1) != val1 {
		t.Fatal("Finalise did not commit")
	}
	f := New()
	f.SetStorage(addrB, map[types.Hash]types.Hash{key1: val1})
	f.IntermediateRoot(false)
	want := f.accounts[addrB].root
	if want == types.EmptyRootHash {
		t.Fatal("reference root is empty")
	}
	if got := s.GetStorageRoot(addrA); got != want {
		t.Fatalf("storage root %s, want %s", got, want)
	}
	s.SetState(addrA, key1, types.Hash{})
	if got := s.GetStorageRoot(addrA); got != want {
		t.Fatal("storage root moved within the transaction")
	}
	s.Finalise(true)
	if got := s.GetStorageRoot(addrA); got != types.EmptyRootHash {
		t.Fatalf("cleared storage root %s", got)
	}
}

func TestCopyIndependent(t *testing.T) {
	s := New()
	s.SetBalance(addrA, u(1))
	s.SetCode(addrA, []byte{9})
	s.SetStorage(addrA, map[types.Hash]types.Hash{key1: val1})
	s.IntermediateRoot(false)
	s.SetState(addrA, key2, val2) // unfinalised
	s.AddLog(&types.Log{Data: []byte{1}})
	id := s.Snapshot()
	s.CreateAccount(addrA)

	c := s.Copy()
	before := viewOf(s)
	rootS := s.Copy().IntermediateRoot(true)

	c.RevertToSnapshot(id) // journal copied: revert works on the copy
	c.SetState(addrA, key1, val2)
	c.SetBalance(addrB, u(9))
	c.SetCode(addrB, []byte{9})
	c.Logs()[0].Data[0] = 7
	c.IntermediateRoot(true)
	sameView(t, "original after changes to the copy", viewOf(s), before)
	if s.Logs()[0].Data[0] != 1 {
		t.Fatal("log shared with the copy")
	}
	if got := s.IntermediateRoot(true); got != rootS {
		t.Fatalf("original root %s, want %s", got, rootS)
	}
	if got, want := c.IntermediateRoot(true), freshRoot(c); got != want {
		t.Fatalf("copy root %s, fresh %s", got, want)
	}
}

func TestTransientStorageAndAccessList(t *testing.T) {
	s := New()
	dest := addrB
	pre := []types.Address{{19: 1}, {19: 2}}
	al := types.AccessList{{Address: addrC, StorageKeys: []types.Hash{key1}}}

	s.Prepare(forks.RulesFor(forks.Istanbul), addrA, addrC, &dest, pre, al)
	if s.AddressInAccessList(addrA) {
		t.Fatal("access list built before Berlin")
	}
	s.Prepare(forks.RulesFor(forks.Berlin), addrA, addrC, &dest, pre, al)
	for _, a := range []types.Address{addrA, addrB, pre[0], pre[1], addrC} {
		if !s.AddressInAccessList(a) {
			t.Fatalf("%s not warm", a)
		}
	}
	if a, sl := s.SlotInAccessList(addrC, key1); !a || !sl {
		t.Fatal("access list slot not warm")
	}
	if a, sl := s.SlotInAccessList(addrC, key2); !a || sl {
		t.Fatal("unlisted slot warm")
	}
	coinbase := types.Address{0: 0xcb}
	s.Prepare(forks.RulesFor(forks.Berlin), addrA, coinbase, nil, nil, nil)
	if s.AddressInAccessList(coinbase) || s.AddressInAccessList(addrB) {
		t.Fatal("coinbase warm before Shanghai, or access list not reset")
	}
	s.Prepare(forks.RulesFor(forks.Shanghai), addrA, coinbase, nil, nil, nil)
	if !s.AddressInAccessList(coinbase) {
		t.Fatal("coinbase cold from Shanghai (EIP-3651)")
	}

	id := s.Snapshot()
	s.AddSlotToAccessList(addrB, key2)
	s.SetTransientState(addrB, key2, val1)
	if a, sl := s.SlotInAccessList(addrB, key2); !a || !sl {
		t.Fatal("slot not added")
	}
	if s.GetTransientState(addrB, key2) != val1 {
		t.Fatal("transient write lost")
	}
	s.RevertToSnapshot(id)
	if s.AddressInAccessList(addrB) || s.GetTransientState(addrB, key2) != (types.Hash{}) {
		t.Fatal("revert left access list or transient storage")
	}

	s.SetTransientState(addrB, key2, val1)
	s.AddRefund(5)
	s.Finalise(true)
	if s.GetTransientState(addrB, key2) != (types.Hash{}) || s.GetRefund() != 0 {
		t.Fatal("Finalise left transient storage or refund")
	}
	s.SetTransientState(addrB, key2, val1)
	s.Prepare(forks.RulesFor(forks.Cancun), addrA, coinbase, nil, nil, nil)
	if s.GetTransientState(addrB, key2) != (types.Hash{}) {
		t.Fatal("Prepare left transient storage")
	}
	if s.Exist(addrB) {
		t.Fatal("transient storage created an account")
	}
}

func TestLogs(t *testing.T) {
	s := New()
	h1 := types.Hash{1}
	s.SetTxContext(h1, 0)
	s.AddLog(&types.Log{Address: addrA})
	id := s.Snapshot()
	s.AddLog(&types.Log{Address: addrB})
	s.RevertToSnapshot(id)
	s.AddLog(&types.Log{Address: addrC})
	logs := s.Logs()
	if len(logs) != 2 || logs[1].Address != addrC || logs[1].Index != 1 || logs[1].TxHash != h1 {
		t.Fatalf("logs %+v", logs)
	}
	s.Finalise(true)
	h2 := types.Hash{2}
	s.SetTxContext(h2, 1)
	s.AddLog(&types.Log{Address: addrA})
	if l := s.Logs(); len(l) != 1 || l[0].Index != 2 || l[0].TxIndex != 1 || l[0].TxHash != h2 {
		t.Fatalf("second tx logs %+v", l)
	}
}

func TestCodeDeduplicated(t *testing.T) {
	s := New()
	code := []byte{0x60, 0x01}
	s.SetCode(addrA, code)
	s.SetCode(addrB, code)
	code[0] = 0 // the state keeps its own copy
	if len(s.codes) != 1 || &s.GetCode(addrA)[0] != &s.GetCode(addrB)[0] {
		t.Fatal("code not deduplicated")
	}
	if s.GetCode(addrA)[0] != 0x60 {
		t.Fatal("code aliased the caller's slice")
	}
	if s.GetCodeHash(addrA) != types.Keccak256([]byte{0x60, 0x01}) {
		t.Fatal("wrong code hash")
	}
	if s.GetCodeHash(addrC) != (types.Hash{}) || !s.Empty(addrC) || s.Exist(addrC) {
		t.Fatal("missing account")
	}
}

func TestRandomScripts(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 400
	if testing.Short() {
		n = 50
	}
	for range n {
		data := make([]byte, 2*(1+r.IntN(150)))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		runScript(t, data)
	}
}

func TestParallelStorageRoots(t *testing.T) {
	build := func() *StateDB {
		s := New()
		for i := range 300 {
			a := benchAddr(i)
			s.SetNonce(a, 1)
			for j := range i%7 + 1 {
				s.SetState(a, types.Hash{31: byte(j)}, types.Hash{30: byte(i), 31: byte(j + 1)})
			}
		}
		return s
	}
	prev := runtime.GOMAXPROCS(1)
	serial := build().IntermediateRoot(true)
	runtime.GOMAXPROCS(4)
	s := build()
	parallel := s.IntermediateRoot(true)
	runtime.GOMAXPROCS(prev)
	if serial != parallel {
		t.Fatalf("serial root %s, parallel %s", serial, parallel)
	}
	if want := freshRoot(s); parallel != want {
		t.Fatalf("root %s, fresh load %s", parallel, want)
	}
	// Change one slot in many accounts: incremental update, in parallel.
	for i := range 300 {
		s.SetState(benchAddr(i), types.Hash{31: 0}, types.Hash{})
	}
	if got, want := s.IntermediateRoot(true), freshRoot(s); got != want {
		t.Fatalf("incremental root %s, fresh load %s", got, want)
	}
}

// TestConcurrentReaders checks (under -race) the promise that readers may
// share a state once its root has been computed.
func TestConcurrentReaders(t *testing.T) {
	s := New()
	for i := range 64 {
		a := benchAddr(i)
		s.SetBalance(a, u(uint64(i)+1))
		s.SetState(a, key1, val1)
	}
	s.IntermediateRoot(true)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 64 {
				a := benchAddr((i + g*16) % 64)
				if s.GetState(a, key1) != val1 || s.GetCommittedState(a, key1) != val1 ||
					s.GetStorageRoot(a) == types.EmptyRootHash || !s.Exist(a) {
					t.Error("wrong read")
				}
				_ = s.GetBalance(a)
			}
		})
	}
	wg.Wait()
}
