package statedb

import (
	"maps"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/types"
)

// account is the live object of one existing account. An address with no
// account object does not exist.
//
// Storage lives in three layers:
//   - committed: the values as of the last Finalise (the start of the
//     current transaction), non-zero slots only. In this in-memory state it
//     is the account's whole storage.
//   - dirty: the writes of the current transaction, zeros included; folded
//     into committed at Finalise.
//   - pending: slots whose committed value changed since the storage trie
//     was last brought up to date; IntermediateRoot (or GetStorageRoot)
//     writes them into the trie.
type account struct {
	addr     types.Address
	addrHash types.Hash // keccak256(addr), valid when hashed
	hashed   bool

	nonce    uint64
	balance  uint256.Int
	codeHash types.Hash
	code     []byte // shared with the code store; never mutated

	committed map[types.Hash]types.Hash
	dirty     map[types.Hash]types.Hash
	pending   map[types.Hash]struct{}
	trie      *merkle.Trie // storage trie; nil until first needed
	root      types.Hash   // storage root of the trie as last hashed

	// backed is set for an account loaded from a Backend whose storage
	// has not been replaced since: committed is then a cache of the
	// stored storage at root origin, zero values included.
	backed bool
	origin types.Hash

	// created is set by CreateContract: the account was created by a
	// contract creation in the current transaction (EIP-6780).
	created        bool
	selfDestructed bool

	// finaliseGen deduplicates the account while Finalise walks the journal.
	finaliseGen uint64
}

func newAccount(addr types.Address) *account {
	return &account{addr: addr, codeHash: types.EmptyCodeHash, root: types.EmptyRootHash}
}

// empty reports emptiness in the sense of EIP-161: zero nonce, zero balance
// and no code.
func (a *account) empty() bool {
	return a.nonce == 0 && a.balance.IsZero() && a.codeHash == types.EmptyCodeHash
}

// state returns the current value of a slot.
func (a *account) state(key types.Hash) types.Hash {
	if v, ok := a.dirty[key]; ok {
		return v
	}
	return a.committed[key]
}

// finalise folds the transaction's storage writes into the committed layer
// and records the changed slots for the trie.
func (a *account) finalise() {
	if len(a.dirty) > 0 {
		a.slotMaps(len(a.dirty))
		for k, v := range a.dirty {
			a.commitSlot(k, v)
		}
		clear(a.dirty)
	}
	a.created = false
}

// updateRoot writes the pending slots into the storage trie and rehashes
// it. IntermediateRoot does the same for many accounts at once, with the
// trie keys hashed in one batch.
func (a *account) updateRoot(h gpu.BatchHasher) {
	if len(a.pending) == 0 {
		return
	}
	keys := make([]types.Hash, 0, len(a.pending))
	data := make([]byte, 0, len(a.pending)*types.HashLength)
	offsets := make([]uint32, 1, len(a.pending)+1)
	for k := range a.pending {
		keys = append(keys, k)
		data = append(data, k[:]...)
		offsets = append(offsets, uint32(len(data)))
	}
	clear(a.pending)
	hashes := make([]types.Hash, len(keys))
	h.HashBatch(data, offsets, hashes)
	a.applySlots(keys, hashes, nil, h)
}

// applySlots writes the committed values of keys (whose trie keys are
// hashes) into the storage trie and rehashes it. buf is a reusable
// encoding buffer; the grown buffer is returned.
func (a *account) applySlots(keys, hashes []types.Hash, buf []byte, h gpu.BatchHasher) []byte {
	if a.trie == nil {
		a.trie = merkle.NewWithHasher(h)
	}
	for i := range keys {
		if v, ok := a.committed[keys[i]]; ok && v != (types.Hash{}) {
			buf = encodeStorageValue(buf[:0], &v)
			a.trie.Update(hashes[i][:], buf) // the trie copies values
		} else {
			a.trie.Delete(hashes[i][:])
		}
	}
	a.root = a.trie.Hash()
	return buf
}

// deepCopy returns an independent copy of the account.
func (a *account) deepCopy() *account {
	c := *a
	c.committed = maps.Clone(a.committed)
	c.dirty = maps.Clone(a.dirty)
	c.pending = maps.Clone(a.pending)
	if a.trie != nil {
		c.trie = a.trie.Copy()
	}
	return &c
}

// slotMaps creates the committed and pending maps if needed, sized for n
// slots.
func (a *account) slotMaps(n int) {
	if a.committed == nil {
		a.committed = make(map[types.Hash]types.Hash, n)
	}
	if a.pending == nil {
		a.pending = make(map[types.Hash]struct{}, n)
	}
}

// commitSlot makes v the committed value of slot k, marking the slot
// pending for the next root when the value changed (finalise's work for
// one slot; slotMaps must have run).
func (a *account) commitSlot(k, v types.Hash) {
	if !a.slotChanges(k, v) {
		return
	}
	a.setCommitted(k, v)
	a.pending[k] = struct{}{}
}

// slotChanges reports whether committing v to slot k changes its
// committed value; zero written over zero (possibly after a reverted or
// overwritten non-zero write) does not. It only reads a's maps.
func (a *account) slotChanges(k, v types.Hash) bool {
	old, ok := a.committed[k]
	if v == (types.Hash{}) {
		return ok && old != (types.Hash{})
	}
	return !ok || old != v
}

// setCommitted makes v the committed value of slot k.
func (a *account) setCommitted(k, v types.Hash) {
	switch {
	case v != (types.Hash{}):
		a.committed[k] = v
	case a.backed:
		a.committed[k] = types.Hash{} // the backend still has the old value
	default:
		delete(a.committed, k)
	}
}
