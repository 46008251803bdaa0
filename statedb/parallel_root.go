package statedb

import (
	"github.com/plasmaxpl/engine/internal/split"
	"github.com/plasmaxpl/engine/types"
)

// IntermediateRootWorkers is IntermediateRoot with the account trie
// updated and hashed by up to workers goroutines, one subtree of the root
// branch each (storage tries are hashed concurrently either way). The root
// is the same for every worker count; a parallel block executor calls it
// so that the state root, a large share of a block's time, uses the cores
// the block was given.
func (s *StateDB) IntermediateRootWorkers(deleteEmptyObjects bool, workers int) types.Hash {
	s.rootWorkers = workers
	defer func() { s.rootWorkers = 0 }()
	return s.IntermediateRoot(deleteEmptyObjects)
}

// accountTrieParallel writes the scratch's deleted and live accounts into
// the account trie with merkle's parallel update and hashes it. nAddr is
// the number of address hashes at the start of the scratch's hash batch.
func (s *StateDB) accountTrieParallel(nAddr int) types.Hash {
	sc := &s.scratch
	nDel := nAddr - len(sc.addrOwners)
	keys := make([][]byte, nDel+len(sc.live))
	for i := range nDel {
		keys[i] = sc.out[len(sc.addrOwners)+i][:]
	}
	for i, a := range sc.live {
		keys[nDel+i] = a.addrHash[:]
	}
	// The accounts are encoded by the goroutines that store them.
	return s.trie.UpdateHashParallelFunc(keys, func(i int, buf []byte) []byte {
		if i < nDel {
			return nil
		}
		a := sc.live[i-nDel]
		return encodeAccount(buf, a.nonce, &a.balance, &a.root, &a.codeHash)
	}, s.rootWorkers)
}

// parallelSlotsMin is the number of changed slots of one account from
// which IntermediateRootWorkers updates and hashes its storage trie on
// several goroutines (a popular contract's storage in a busy block).
const parallelSlotsMin = 512

// applySlotsWorkers is applySlots with the storage trie split under its
// root branch over workers goroutines; it reports false (and does nothing)
// when the account's storage is not to be split.
func (s *StateDB) applySlotsWorkers(a *account, keys, hashes []types.Hash) bool {
	if s.rootWorkers <= 1 || len(keys) < parallelSlotsMin || a.trie == nil {
		return false
	}
	hk := make([][]byte, len(keys))
	for i := range hashes {
		hk[i] = hashes[i][:]
	}
	// The values are looked up and encoded by the goroutines that store
	// them (a.committed is only read meanwhile).
	a.root = a.trie.UpdateHashParallelFunc(hk, func(i int, buf []byte) []byte {
		if v, ok := a.committed[keys[i]]; ok && v != (types.Hash{}) {
			return encodeStorageValue(buf, &v)
		}
		return nil
	}, s.rootWorkers)
	return true
}

// pendingLookups returns the pending addresses and their accounts (nil:
// deleted): those of pendingAccounts, looked up on s.rootWorkers
// goroutines when there are many, then the addresses ApplyWrites deleted
// that pendingAccounts does not name (classifyApplied takes the accounts
// it wrote).
func (s *StateDB) pendingLookups() ([]types.Address, []*account) {
	sc := &s.scratch
	addrs := sc.pendingAddrs[:0]
	for addr := range s.pendingAccounts {
		addrs = append(addrs, addr)
	}
	n := len(addrs)
	accs := sc.pendingAccs[:0]
	if cap(accs) < n {
		accs = make([]*account, n, n+len(s.appliedDeleted))
	}
	accs = accs[:n]
	split.Ranges(n, s.rootWorkers, 1024, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			accs[i] = s.accounts[addrs[i]]
		}
	})
	for i := range s.appliedDeleted {
		if addr := &s.appliedDeleted[i]; !s.pendingIn(addr) {
			addrs, accs = append(addrs, *addr), append(accs, nil)
		}
	}
	s.appliedDeleted = s.appliedDeleted[:0]
	sc.pendingAddrs, sc.pendingAccs = addrs, accs
	return addrs, accs
}

// pendingIn reports whether pendingAccounts names addr.
func (s *StateDB) pendingIn(addr *types.Address) bool {
	if len(s.pendingAccounts) == 0 {
		return false
	}
	_, ok := s.pendingAccounts[*addr]
	return ok
}

// classifyApplied adds the accounts ApplyWrites wrote, except those that
// pendingAccounts names, to the scratch's rootSet, and empties the list. A
// long list is split over s.rootWorkers goroutines: the work is mostly
// cache misses on the accounts, which the cores then take in parallel.
func (s *StateDB) classifyApplied() {
	n := len(s.applied)
	parts := make([]rootSet, max(min(s.rootWorkers, n/1024), 1))
	split.Each(len(parts), len(parts), 1, func(i int) {
		for _, a := range s.applied[n*i/len(parts) : n*(i+1)/len(parts)] {
			if !s.pendingIn(&a.addr) {
				parts[i].add(a)
			}
		}
	})
	for i := range parts {
		s.scratch.merge(&parts[i])
	}
	clear(s.applied)
	s.applied = s.applied[:0]
}

// hashBatch is s.hasher.HashBatch split over s.rootWorkers goroutines when
// the batch is large enough to pay for them (the digests do not depend on
// the split).
func (s *StateDB) hashBatch(data []byte, offsets []uint32, out []types.Hash) {
	split.Ranges(len(out), s.rootWorkers, 1024, func(lo, hi int) {
		s.hasher.HashBatch(data, offsets[lo:hi+1], out[lo:hi])
	})
}
