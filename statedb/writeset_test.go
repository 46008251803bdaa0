package statedb

import (
	"fmt"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// ApplyWrites gives the same state and root as the equivalent state
// operations, also when accounts it wrote are changed again before the
// root (a withdrawal credit, the re-creation of an account it deleted), when
// an account was pending before it, and in a copy taken in between; for
// one goroutine and for several, with and without account references.
func TestApplyWritesMatchesOperations(t *testing.T) {
	addr := func(i int) types.Address {
		return types.Address{0: 0x5a, 17: byte(i >> 16), 18: byte(i >> 8), 19: byte(i)}
	}
	slot := func(i int) types.Hash { return types.Hash{31: byte(i), 30: 1} }
	code := []byte{0x60, 0x00, 0x60, 0x00, 0xf3}
	const n = 2100 // above minParallelWrites, and enough for a split classifyApplied
	base := New()
	for i := range n {
		base.SetBalance(addr(i), uint256.NewInt(uint64(1000+i)))
		if i%5 == 0 {
			base.SetState(addr(i), slot(i), types.Hash{31: 7})
		}
	}
	base.IntermediateRoot(true)

	// The block: every account but the last ten gets a new balance and
	// nonce, every third a slot, every seventh code; the last ten are
	// deleted, and ten new accounts appear.
	var ws []AccountWrite
	ops := func(s *StateDB) {
		for i := range n - 10 {
			s.SetBalance(addr(i), uint256.NewInt(uint64(5*i+1)))
			s.SetNonce(addr(i), uint64(i%4+1))
			if i%3 == 0 {
				s.SetState(addr(i), slot(i), types.Hash{31: byte(i)})
			}
			if i%7 == 0 {
				s.SetCode(addr(i), code)
			}
		}
		for i := n - 10; i < n; i++ {
			s.SelfDestruct(addr(i))
		}
		for i := n; i < n+10; i++ {
			s.SetBalance(addr(i), uint256.NewInt(9))
		}
		s.Finalise(true)
	}
	for i := range n + 10 {
		w := AccountWrite{Addr: addr(i), Exists: i < n-10 || i >= n, CodeHash: types.EmptyCodeHash}
		switch {
		case i >= n:
			w.Balance.SetUint64(9)
		case w.Exists:
			w.Balance.SetUint64(uint64(5*i + 1))
			w.Nonce = uint64(i%4 + 1)
			if i%3 == 0 {
				w.Slots = []SlotWrite{{Key: slot(i), Value: types.Hash{31: byte(i)}}}
			}
			if i%7 == 0 {
				w.CodeHash, w.Code = types.Keccak256(code), code
			}
		}
		ws = append(ws, w)
	}
	// After the block: a credit to a written account and to a deleted
	// one, which comes back, and the deletion of a written one.
	after := func(s *StateDB) {
		s.AddBalance(addr(1), uint256.NewInt(100))
		s.SelfDestruct(addr(4))
		s.AddBalance(addr(n-1), uint256.NewInt(100))
		s.Finalise(true)
	}
	// Before the block: a pending change to an account the block writes.
	before := func(s *StateDB) {
		s.SetState(addr(2), slot(99), types.Hash{31: 1})
		s.Finalise(true)
	}
	want := base.Copy()
	before(want)
	ops(want)
	after(want)
	wantRoot := want.IntermediateRoot(true)

	for _, run := range []struct {
		workers int
		refs    bool
	}{{1, false}, {4, false}, {1, true}, {4, true}} {
		workers := run.workers
		t.Run(fmt.Sprintf("workers=%d/refs=%v", workers, run.refs), func(t *testing.T) {
			got := base.Copy()
			before(got)
			ws := append([]AccountWrite(nil), ws...)
			if run.refs {
				// The references a reader took before the block: the
				// lookups are skipped, the result is the same.
				for i := range ws {
					ws[i].Ref = got.AccountRefOf(ws[i].Addr)
				}
			}
			got.ApplyWritesWorkers(ws, workers)
			mid := got.Copy()
			after(got)
			after(mid)
			if r := got.IntermediateRootWorkers(true, workers); r != wantRoot {
				t.Fatalf("root %x, want %x", r, wantRoot)
			}
			if r := mid.IntermediateRoot(true); r != wantRoot {
				t.Fatalf("copy taken after ApplyWrites: root %x, want %x", r, wantRoot)
			}
			if b := got.GetBalance(addr(n - 1)); b.Uint64() != 100 {
				t.Fatalf("re-created account has balance %v", b)
			}
			// A second round of changes on the same state is seen too.
			got.SetNonce(addr(3), 77)
			want2 := want.Copy()
			want2.SetNonce(addr(3), 77)
			if r, w := got.IntermediateRoot(true), want2.IntermediateRoot(true); r != w {
				t.Fatalf("after a further change: root %x, want %x", r, w)
			}
		})
	}
}

// The reads through an account reference give what the reads by address
// give: fields, storage (committed and written in the transaction), and
// nothing behind the reference of a missing account.
func TestAccountRefReads(t *testing.T) {
	s := New()
	a, missing := types.Address{1: 0xaa}, types.Address{1: 0xbb}
	s.SetBalance(a, uint256.NewInt(7))
	s.SetNonce(a, 3)
	s.SetCode(a, []byte{0x60, 0x00})
	s.SetState(a, types.Hash{31: 1}, types.Hash{31: 9})
	s.Finalise(true)
	s.SetState(a, types.Hash{31: 2}, types.Hash{31: 5}) // written, not finalised
	for _, addr := range []types.Address{a, missing} {
		ref := s.AccountRefOf(addr)
		exists, bal, nonce, codeHash, code := ref.Read()
		wExists, wBal, wNonce, wCodeHash, wCode := s.Exist(addr), s.GetBalance(addr), s.GetNonce(addr), s.GetCodeHash(addr), s.GetCode(addr)
		if addr == missing {
			wCodeHash = types.EmptyCodeHash
		}
		if exists != wExists || bal != wBal || nonce != wNonce || codeHash != wCodeHash || string(code) != string(wCode) {
			t.Fatalf("%x: ref reads %v %v %d %x %x, want %v %v %d %x %x", addr, exists, bal, nonce, codeHash, code, wExists, wBal, wNonce, wCodeHash, wCode)
		}
		for _, k := range []types.Hash{{31: 1}, {31: 2}, {31: 3}} {
			if got, want := s.StateOf(ref, k), s.GetState(addr, k); got != want {
				t.Fatalf("%x slot %x: StateOf %x, GetState %x", addr, k, got, want)
			}
		}
	}
}

// The slots of an account with many are committed on several goroutines
// exactly as one by one: the same committed values and pending slots, and
// through ApplyWritesWorkers the same root as with one goroutine.
func TestCommitSlotsWorkersMatchesCommitSlot(t *testing.T) {
	key := func(i int) types.Hash { return types.Hash{0: 0xc0, 30: byte(i >> 8), 31: byte(i)} }
	val := func(i int) types.Hash { return types.Hash{31: byte(i%250 + 1)} }
	const before, n = 1200, 2000 // slots before; slots written
	pre := make(map[types.Hash]types.Hash, before)
	for i := range before {
		pre[key(i)] = val(i)
	}
	// Every kind of write: the same value again, a new value, zero over a
	// value, zero over nothing, a value in a new slot.
	slots := make([]SlotWrite, 0, n)
	for i := range n {
		var v types.Hash
		switch i % 5 {
		case 0:
			v = val(i)
		case 1:
			v = val(i + 7)
		case 2:
		case 3:
			if i < before {
				v = val(i)
			}
		case 4:
			v = val(i + 3)
		}
		slots = append(slots, SlotWrite{Key: key(i), Value: v})
	}
	fresh := func() *account {
		a := newAccount(types.Address{1})
		a.committed = make(map[types.Hash]types.Hash, len(pre))
		for k, v := range pre {
			a.committed[k] = v
		}
		return a
	}
	one := fresh()
	one.slotMaps(len(slots))
	for _, sl := range slots {
		one.commitSlot(sl.Key, sl.Value)
	}
	for _, workers := range []int{2, 4} {
		many := fresh()
		many.commitSlotsWorkers(slots, workers)
		if len(many.committed) != len(one.committed) || len(many.pending) != len(one.pending) {
			t.Fatalf("workers %d: %d committed, %d pending; one by one %d, %d",
				workers, len(many.committed), len(many.pending), len(one.committed), len(one.pending))
		}
		for k, v := range one.committed {
			if got, ok := many.committed[k]; !ok || got != v {
				t.Fatalf("workers %d: slot %x committed %x (%v), want %x", workers, k, got, ok, v)
			}
		}
		for k := range one.pending {
			if _, ok := many.pending[k]; !ok {
				t.Fatalf("workers %d: slot %x not pending", workers, k)
			}
		}
	}
	if len(one.pending) == 0 || len(one.pending) == len(slots) {
		t.Fatalf("%d of %d slots pending: the writes do not mix changes and non-changes", len(one.pending), len(slots))
	}

	// Through ApplyWritesWorkers, with small accounts beside the big one.
	addr := func(i int) types.Address { return types.Address{0: 0x77, 18: byte(i >> 8), 19: byte(i)} }
	roots := map[int]types.Hash{}
	for _, workers := range []int{1, 2} {
		s := New()
		for k, v := range pre {
			s.SetState(addr(0), k, v)
		}
		s.SetNonce(addr(0), 1)
		for i := 1; i < 300; i++ {
			s.SetBalance(addr(i), uint256.NewInt(uint64(i)))
		}
		s.IntermediateRoot(true)
		ws := []AccountWrite{{Addr: addr(0), Exists: true, Nonce: 1, CodeHash: types.EmptyCodeHash, Slots: slots}}
		for i := 1; i < 300; i++ {
			ws = append(ws, AccountWrite{Addr: addr(i), Exists: true, Nonce: 1, CodeHash: types.EmptyCodeHash, Balance: *uint256.NewInt(uint64(2 * i))})
		}
		s.ApplyWritesWorkers(ws, workers)
		roots[workers] = s.IntermediateRoot(true)
	}
	if roots[1] != roots[2] {
		t.Fatalf("root with 1 goroutine %x, with 2 %x", roots[1], roots[2])
	}
}
