package statedb

import (
	"runtime"

	"github.com/plasmaxpl/engine/internal/split"
	"github.com/plasmaxpl/engine/types"
)

// Finalise ends a transaction. Accounts that self-destructed are deleted
// with their storage, and with deleteEmptyObjects (EIP-158 and later) so
// are touched accounts that are empty. The transaction's storage writes
// become the committed values that GetCommittedState returns; the journal,
// refund counter, access list and transient storage are cleared, and
// earlier snapshot identifiers become invalid.
func (s *StateDB) Finalise(deleteEmptyObjects bool) {
	s.finaliseGen++
	gen := s.finaliseGen
	for i := range s.journal {
		e := &s.journal[i]
		if e.kind.dirties() {
			s.finaliseAccount(e.addr, gen, deleteEmptyObjects)
		}
	}
	if s.ripemdTouched {
		s.finaliseAccount(ripemdAddr, gen, deleteEmptyObjects)
		s.ripemdTouched = false
	}
	if cap(s.journal) > maxRetainedJournal {
		s.journal = nil // do not keep a bulk load's journal alive
	} else {
		clear(s.journal)
		s.journal = s.journal[:0]
	}
	s.refund = 0
	clear(s.transient)
	clear(s.accessAddrs)
	s.warmPrecompiles = nil
	clear(s.accessSlots)
}

// maxRetainedJournal is the journal capacity (in entries) kept for reuse
// across transactions.
const maxRetainedJournal = 1 << 16

func (s *StateDB) finaliseAccount(addr types.Address, gen uint64, deleteEmpty bool) {
	a := s.accounts[addr]
	if a == nil {
		// Deleted earlier in this walk, or its creation was reverted.
		return
	}
	if a.finaliseGen == gen {
		return
	}
	a.finaliseGen = gen
	if a.selfDestructed || (deleteEmpty && a.empty()) {
		s.dropAccount(addr)
	} else {
		a.finalise()
	}
	s.pendingAccounts[addr] = struct{}{}
}

// rootScratch holds IntermediateRoot's buffers between calls.
type rootScratch struct {
	data    []byte // messages to hash, back to back (32 or 20 bytes each)
	offsets []uint32
	out     []types.Hash

	rootSet
	deleted []types.Address
	keys    []types.Hash
	spans   []int // accs[i]'s slots are keys[spans[i]:spans[i+1]]

	pendingAddrs []types.Address // the pending accounts' addresses
	pendingAccs  []*account      // and accounts, nil for deleted ones
}

// rootSet sorts live accounts for the root.
type rootSet struct {
	addrOwners []*account // accounts whose address is still to be hashed
	live       []*account // accounts to re-encode
	accs       []*account // accounts with pending storage
}

func (rs *rootSet) add(a *account) {
	if !a.hashed {
		rs.addrOwners = append(rs.addrOwners, a)
	}
	rs.live = append(rs.live, a)
	if len(a.pending) > 0 {
		rs.accs = append(rs.accs, a)
	}
}

// merge appends o's accounts to rs's.
func (rs *rootSet) merge(o *rootSet) {
	rs.addrOwners = append(rs.addrOwners, o.addrOwners...)
	rs.live = append(rs.live, o.live...)
	rs.accs = append(rs.accs, o.accs...)
}

func (sc *rootScratch) push(msg []byte) {
	if len(sc.offsets) == 0 {
		sc.offsets = append(sc.offsets, 0)
	}
	sc.data = append(sc.data, msg...)
	sc.offsets = append(sc.offsets, uint32(len(sc.data)))
}

func (sc *rootScratch) reset() {
	clear(sc.addrOwners)
	clear(sc.live)
	clear(sc.accs)
	clear(sc.pendingAccs)
	sc.data, sc.offsets, sc.out = sc.data[:0], sc.offsets[:0], sc.out[:0]
	sc.addrOwners, sc.live, sc.accs = sc.addrOwners[:0], sc.live[:0], sc.accs[:0]
	sc.keys, sc.spans = sc.keys[:0], sc.spans[:0]
}

// parallelStorageThreshold is the number of accounts with changed storage
// from which IntermediateRoot updates storage tries on several goroutines.
const parallelStorageThreshold = 8

// IntermediateRoot finalises the current transaction (see Finalise) and
// returns the state root. Only accounts changed since the previous call are
// re-encoded. The trie keys of all changed slots and new accounts are
// hashed in one batch; the storage tries of different accounts are then
// updated and hashed concurrently when many changed. The result does not
// depend on the order or concurrency of the updates.
func (s *StateDB) IntermediateRoot(deleteEmptyObjects bool) types.Hash {
	s.Finalise(deleteEmptyObjects)
	if len(s.pendingAccounts) == 0 && len(s.applied) == 0 && len(s.appliedDeleted) == 0 {
		return s.trie.Hash()
	}
	sc := &s.scratch
	sc.reset()
	deleted := sc.deleted[:0]
	addrs, accs := s.pendingLookups()
	for i, addr := range addrs {
		if a := accs[i]; a == nil {
			deleted = append(deleted, addr)
		} else {
			sc.add(a)
		}
	}
	s.classifyApplied()
	clear(s.pendingAccounts)
	for _, a := range sc.addrOwners {
		sc.push(a.addr[:])
	}
	for _, addr := range deleted {
		sc.push(addr[:])
	}
	sc.deleted = deleted
	nAddr := len(sc.addrOwners) + len(deleted)
	for _, a := range sc.accs {
		sc.spans = append(sc.spans, len(sc.keys))
		for k := range a.pending {
			sc.keys = append(sc.keys, k)
			sc.push(k[:])
		}
		clear(a.pending)
	}
	sc.spans = append(sc.spans, len(sc.keys))

	if n := len(sc.offsets) - 1; n > 0 {
		if cap(sc.out) < n {
			sc.out = make([]types.Hash, n)
		}
		sc.out = sc.out[:n]
		s.hashBatch(sc.data, sc.offsets, sc.out)
	}
	for i, a := range sc.addrOwners {
		a.addrHash, a.hashed = sc.out[i], true
	}
	s.updateStorageTries(sc.out[nAddr:])
	if s.rootWorkers > 1 {
		return s.accountTrieParallel(nAddr)
	}
	for i := len(sc.addrOwners); i < nAddr; i++ {
		s.trie.Delete(sc.out[i][:])
	}

	buf := s.encBuf[:0] // the trie copies values
	for _, a := range sc.live {
		buf = encodeAccount(buf[:0], a.nonce, &a.balance, &a.root, &a.codeHash)
		s.trie.Update(a.addrHash[:], buf)
	}
	s.encBuf = buf
	return s.trie.Hash()
}

// updateStorageTries writes the batch's slots into the storage tries of
// s.scratch.accs (hashes[i] is the trie key of s.scratch.keys[i]) and
// rehashes them, over a bounded number of goroutines when there are enough
// accounts. Each trie is touched by one goroutine only.
func (s *StateDB) updateStorageTries(hashes []types.Hash) {
	sc := &s.scratch
	one := func(i int, buf []byte) []byte {
		a := sc.accs[i]
		lo, hi := sc.spans[i], sc.spans[i+1]
		if s.applySlotsWorkers(a, sc.keys[lo:hi], hashes[lo:hi]) {
			return buf
		}
		return a.applySlots(sc.keys[lo:hi], hashes[lo:hi], buf, s.hasher)
	}
	workers := min(runtime.GOMAXPROCS(0), len(sc.accs)/parallelStorageThreshold+1)
	if workers <= 1 {
		var buf []byte
		for i := range sc.accs {
			buf = one(i, buf)
		}
		return
	}
	// Encoding buffers, one per goroutine at a time.
	bufs := make(chan []byte, workers)
	for range workers {
		bufs <- nil
	}
	split.Each(len(sc.accs), workers, 1, func(i int) {
		buf := <-bufs
		bufs <- one(i, buf)
	})
}
