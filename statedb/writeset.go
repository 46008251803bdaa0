package statedb

import (
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/internal/split"
	"github.com/plasmaxpl/engine/types"
)

// AccountWrite is the final state of one account after a run of
// transactions, as a parallel executor knows it: whether the account
// exists, its fields, and the storage slots that changed.
type AccountWrite struct {
	Addr types.Address
	// Exists false deletes the account (and its storage).
	Exists bool
	// Wiped replaces the storage: the account was destroyed or re-created,
	// so its storage before is gone and Slots is all there is.
	Wiped    bool
	Balance  uint256.Int
	Nonce    uint64
	CodeHash types.Hash // EmptyCodeHash for no code
	Code     []byte
	Slots    []SlotWrite
	// Ref, when set, is the account Addr had when the writer read it
	// (AccountRefOf), which spares ApplyWrites the lookup; it must still
	// be Addr's account (nothing but bulk writes of other accounts may
	// have changed the state since).
	Ref AccountRef
}

// AccountRef refers to one account of a StateDB, as AccountRefOf returns
// it. The zero AccountRef refers to none.
type AccountRef struct{ a *account }

// SlotWrite is the final value of one storage slot (zero: empty).
type SlotWrite struct {
	Key, Value types.Hash
}

// ApplyWrites brings the accounts named in ws to the state they describe,
// as if the transactions that produced them had been executed here, each
// followed by Finalise: the changes are not journaled and cannot be
// reverted, the committed storage is updated, and the accounts are marked
// for the next IntermediateRoot. It must be called between transactions
// (after Finalise), and each address may appear once.
//
// It is the bulk commit of a parallel executor, which knows only final
// values: one call per block instead of one state operation per write.
func (s *StateDB) ApplyWrites(ws []AccountWrite) { s.ApplyWritesWorkers(ws, 1) }

// minParallelWrites is the number of accounts from which
// ApplyWritesWorkers splits the work.
const minParallelWrites = 128

// bigApplySlots is the number of slots from which ApplyWritesWorkers
// commits an account's slots on all its goroutines.
const bigApplySlots = 512

// commitSlotsWorkers is commitSlot for every slot of slots (distinct keys)
// on up to workers goroutines: the slots whose value changes are found by
// all of them (the maps are only read meanwhile), then one goroutine
// writes the committed values while another marks the slots pending. a
// must not be backed (its reads would load into the map).
func (a *account) commitSlotsWorkers(slots []SlotWrite, workers int) {
	a.slotMaps(len(slots))
	changed := make([]bool, len(slots))
	split.Ranges(len(slots), workers, 256, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			changed[i] = a.slotChanges(slots[i].Key, slots[i].Value)
		}
	})
	split.Each(2, workers, 1, func(m int) {
		for i := range slots {
			if !changed[i] {
				continue
			}
			if m == 1 {
				a.pending[slots[i].Key] = struct{}{}
			} else {
				a.setCommitted(slots[i].Key, slots[i].Value)
			}
		}
	})
}

// ApplyWritesWorkers is ApplyWrites on up to workers goroutines: the
// accounts are looked up and their fields and storage written
// concurrently (each account by one goroutine); the state's own maps are
// changed by one goroutine meanwhile.
func (s *StateDB) ApplyWritesWorkers(ws []AccountWrite, workers int) {
	if len(ws) < minParallelWrites {
		workers = 1
	}
	// The first bulk write since the last root keeps its accounts in
	// lists; a second one goes to the map.
	listed := len(s.applied) == 0 && len(s.appliedDeleted) == 0
	// Looked up, and new account objects made, on all the workers; the
	// maps are changed below by one goroutine. olds[i] is the account
	// before, accs[i] the one after (nil: deleted).
	olds := make([]*account, len(ws))
	accs := make([]*account, len(ws))
	split.Each(len(ws), workers, 64, func(i int) {
		w := &ws[i]
		a := w.Ref.a
		if a == nil {
			a = s.account(w.Addr)
		}
		olds[i], accs[i] = a, a
		switch {
		case !w.Exists:
			accs[i] = nil
		case a == nil || w.Wiped:
			n := newAccount(w.Addr)
			if a != nil {
				n.addrHash, n.hashed = a.addrHash, a.hashed
			}
			accs[i] = n
		}
	})
	// An account with many slots (a popular contract's) would be one
	// goroutine's work while the others wait for it: its slots are
	// committed by all of them first (see commitSlotsWorkers).
	big := func(i int) bool {
		return workers > 1 && accs[i] != nil && !accs[i].backed && len(ws[i].Slots) >= bigApplySlots
	}
	for i := range ws {
		if big(i) {
			accs[i].commitSlotsWorkers(ws[i].Slots, workers)
		}
	}
	apply := func(i int) {
		a := accs[i]
		if a == nil {
			return
		}
		w := &ws[i]
		a.nonce = w.Nonce
		a.balance = w.Balance
		if len(w.Slots) > 0 && !big(i) { // a big account's slots are committed above
			// Straight into the committed values: the slots are final
			// and distinct, so they need no pass through dirty.
			a.slotMaps(len(w.Slots))
			for _, sl := range w.Slots {
				if a.backed {
					s.committedState(a, sl.Key) // compared with the stored value
				}
				a.commitSlot(sl.Key, sl.Value)
			}
		}
		a.finalise()
		a.selfDestructed = false
	}
	// The state's own maps, changed by one goroutine.
	setMaps := func() {
		for i := range ws {
			w := &ws[i]
			if !listed {
				s.pendingAccounts[w.Addr] = struct{}{}
			}
			a := accs[i]
			if a == nil {
				if olds[i] != nil {
					s.dropAccount(w.Addr)
				}
				if listed {
					s.appliedDeleted = append(s.appliedDeleted, w.Addr)
				}
				continue
			}
			if a != olds[i] {
				s.accounts[w.Addr] = a
			}
			if w.CodeHash != a.codeHash {
				if w.CodeHash == types.EmptyCodeHash || len(w.Code) == 0 {
					a.code, a.codeHash = nil, types.EmptyCodeHash
				} else {
					stored, ok := s.codes[w.CodeHash]
					if !ok {
						stored = append([]byte(nil), w.Code...)
						s.codes[w.CodeHash] = stored
					}
					a.code, a.codeHash = stored, w.CodeHash
				}
			}
		}
	}
	// The maps are set while the other goroutines write the accounts'
	// fields (the maps and those fields are apart): one goroutine alone
	// on the maps of 2,000 new accounts would leave the others idle.
	const chunk = 64
	split.Each(1+(len(ws)+chunk-1)/chunk, workers, 1, func(u int) {
		if u == 0 {
			setMaps()
			return
		}
		for i := (u - 1) * chunk; i < min(u*chunk, len(ws)); i++ {
			apply(i)
		}
	})
	if listed {
		for _, a := range accs {
			if a != nil {
				s.applied = append(s.applied, a)
			}
		}
	}
}

// AccountRefOf returns a reference to addr's account (the zero AccountRef
// when it does not exist), for AccountRef.Read and for the AccountWrite
// that later gives its final values. It only looks the account up: a
// reader of many accounts that first looks them all up and then reads
// them all lets the processor overlap their cache misses.
func (s *StateDB) AccountRefOf(addr types.Address) AccountRef { return AccountRef{s.account(addr)} }

// StateOf is GetState for the account ref refers to, without looking it
// up again.
func (s *StateDB) StateOf(ref AccountRef, key types.Hash) types.Hash { return s.slotValue(ref.a, key) }

// Read returns the fields of the account r refers to in one go: whether it
// exists, its balance, nonce, code hash (EmptyCodeHash for no code) and
// code (shared: do not modify it). Nothing exists behind the zero
// AccountRef.
func (r AccountRef) Read() (exists bool, balance uint256.Int, nonce uint64, codeHash types.Hash, code []byte) {
	a := r.a
	if a == nil {
		return false, balance, 0, types.EmptyCodeHash, nil
	}
	return true, a.balance, a.nonce, a.codeHash, a.code
}
