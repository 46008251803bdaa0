package statedb

import (
	"maps"
	"reflect"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// Helpers shared by the unit tests and the fuzz target: a random operation
// driver and a complete view of the state for equality checks.

var testAddrs = []types.Address{
	{19: 1}, {19: 2}, ripemdAddr, {19: 4}, {0: 0xaa, 19: 5}, {0: 0xbb, 19: 6},
}

func testKey(i byte) types.Hash { return types.Hash{31: i} }

// acctView is everything observable about one account object.
type acctView struct {
	Nonce          uint64
	Balance        uint256.Int
	CodeHash       types.Hash
	Code           string
	Committed      map[types.Hash]types.Hash
	Dirty          map[types.Hash]types.Hash
	Created        bool
	SelfDestructed bool
}

// stateView is everything a journal revert must restore.
type stateView struct {
	Accounts    map[types.Address]acctView
	Refund      uint64
	AccessAddrs map[types.Address]struct{}
	AccessSlots map[slotKey]struct{}
	Transient   map[slotKey]types.Hash
	Logs        int
	LogIndex    uint
}

func viewOf(s *StateDB) stateView {
	v := stateView{
		Accounts:    make(map[types.Address]acctView),
		Refund:      s.refund,
		AccessAddrs: maps.Clone(s.accessAddrs),
		AccessSlots: maps.Clone(s.accessSlots),
		Transient:   maps.Clone(s.transient),
		Logs:        len(s.logs),
		LogIndex:    s.logIndex,
	}
	for addr, a := range s.accounts {
		av := acctView{
			Nonce: a.nonce, Balance: a.balance, CodeHash: a.codeHash, Code: string(a.code),
			Committed: maps.Clone(a.committed), Dirty: maps.Clone(a.dirty),
			Created: a.created, SelfDestructed: a.selfDestructed,
		}
		if len(av.Committed) == 0 {
			av.Committed = nil
		}
		if len(av.Dirty) == 0 {
			av.Dirty = nil
		}
		v.Accounts[addr] = av
	}
	return v
}

func sameView(t testing.TB, what string, got, want stateView) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: state differs\n got  %+v\n want %+v", what, got, want)
	}
}

// freshRoot loads the finalised contents of s into a new state and returns
// its root: an independent path to the root that IntermediateRoot must
// agree with.
func freshRoot(s *StateDB) types.Hash {
	f := New()
	for addr, d := range s.Dump() {
		f.SetBalance(addr, &d.Balance)
		f.SetNonce(addr, d.Nonce)
		f.SetCode(addr, d.Code)
		f.SetStorage(addr, d.Storage)
	}
	return f.IntermediateRoot(false)
}

// applyOp performs one operation chosen by op on s; arg chooses operands.
func applyOp(s *StateDB, op, arg byte) {
	addr := testAddrs[int(arg)%len(testAddrs)]
	key := testKey(arg >> 4 & 3)
	val := types.Hash{31: arg >> 6}
	amount := uint256.NewInt(uint64(arg >> 5))
	switch op % 17 {
	case 0:
		s.AddBalance(addr, amount)
	case 1:
		if b := s.GetBalance(addr); b.Cmp(amount) >= 0 {
			s.SubBalance(addr, amount)
		}
	case 2:
		s.SetNonce(addr, uint64(arg>>5))
	case 3:
		if arg&0x80 != 0 {
			s.SetCode(addr, nil)
		} else {
			s.SetCode(addr, []byte{0x60, arg})
		}
	case 4:
		s.SetState(addr, key, val)
	case 5:
		s.CreateAccount(addr)
	case 6:
		s.CreateContract(addr)
	case 7:
		s.SelfDestruct(addr)
	case 8:
		s.SelfDestruct6780(addr)
	case 9:
		s.AddRefund(uint64(arg))
	case 10:
		if r := s.GetRefund(); r > 0 {
			s.SubRefund(uint64(arg) % (r + 1))
		}
	case 11:
		s.AddAddressToAccessList(addr)
	case 12:
		s.AddSlotToAccessList(addr, key)
	case 13:
		s.SetTransientState(addr, key, val)
	case 14:
		s.AddLog(&types.Log{Address: addr, Data: []byte{arg}})
	case 15:
		s.AddBalance(addr, new(uint256.Int)) // touch
	case 16:
		s.SubBalance(addr, new(uint256.Int)) // touch
	}
}

// runScript interprets data as transactions of operations with nested
// snapshots. Each revert is checked against the view taken at its
// snapshot, and each state root against a fresh load of the same state.
func runScript(t testing.TB, data []byte) {
	s := New()
	type frame struct {
		id   int
		view stateView
	}
	var frames []frame
	rules := forks.RulesFor(forks.Cancun)
	for i := 0; i+1 < len(data); i += 2 {
		op, arg := data[i], data[i+1]
		switch op >> 5 {
		case 0, 1, 2, 3:
			applyOp(s, op, arg)
		case 4:
			frames = append(frames, frame{s.Snapshot(), viewOf(s)})
		case 5:
			if len(frames) > 0 {
				f := frames[len(frames)-1]
				frames = frames[:len(frames)-1]
				if arg&1 == 0 {
					s.RevertToSnapshot(f.id)
					sameView(t, "revert", viewOf(s), f.view)
				}
			}
		case 6:
			frames = frames[:0]
			deleteEmpty := arg&1 == 1
			if arg&2 == 0 {
				s.Finalise(deleteEmpty)
			} else {
				got := s.IntermediateRoot(deleteEmpty)
				if want := freshRoot(s); got != want {
					t.Fatalf("root %s, fresh load gives %s", got, want)
				}
			}
			s.Prepare(rules, testAddrs[0], testAddrs[1], nil, nil, nil)
		case 7:
			// Copy and continue on the copy: the original must not change.
			before := viewOf(s)
			c := s.Copy()
			applyOp(c, op, arg)
			c.IntermediateRoot(true)
			sameView(t, "original after copy", viewOf(s), before)
			s = c
			frames = frames[:0]
		}
	}
	got := s.IntermediateRoot(true)
	if want := freshRoot(s); got != want {
		t.Fatalf("final root %s, fresh load gives %s", got, want)
	}
}

func FuzzJournal(f *testing.F) {
	f.Add([]byte{0x00, 0x20, 0x80, 0, 0x04, 0x55, 0xa0, 0, 0xc0, 2})
	f.Add([]byte{0x05, 0x01, 0x06, 0x01, 0x80, 0, 0x07, 0x01, 0x08, 0x01, 0xa0, 1, 0xc0, 3, 0x07, 0x01})
	f.Add([]byte{0x80, 0, 0x0f, 0x02, 0xa0, 0, 0xc0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		runScript(t, data)
	})
}
