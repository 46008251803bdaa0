package statedb

import (
	"runtime"
	"sync"
	"sync/atomic"

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
	clear(s.journal)
	s.journal = s.journal[:0]
	s.refund = 0
	clear(s.transient)
	clear(s.accessAddrs)
	clear(s.accessSlots)
}

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
		delete(s.accounts, addr)
	} else {
		a.finalise()
	}
	s.pendingAccounts[addr] = struct{}{}
}

// parallelStorageThreshold is the number of accounts with changed storage
// from which IntermediateRoot hashes storage tries on several goroutines.
const parallelStorageThreshold = 8

// IntermediateRoot finalises the current transaction (see Finalise) and
// returns the state root. Only accounts changed since the previous call are
// re-encoded; the storage tries of different accounts are hashed
// concurrently when many changed. The result does not depend on the order
// or concurrency of the updates.
func (s *StateDB) IntermediateRoot(deleteEmptyObjects bool) types.Hash {
	s.Finalise(deleteEmptyObjects)
	if len(s.pendingAccounts) == 0 {
		return s.trie.Hash()
	}

	// Bring storage tries up to date first: each account's root goes into
	// its account encoding.
	withStorage := s.withStorage[:0]
	for addr := range s.pendingAccounts {
		if a := s.accounts[addr]; a != nil && len(a.pending) > 0 {
			withStorage = append(withStorage, a)
		}
	}
	updateStorageRoots(withStorage)
	clear(withStorage)
	s.withStorage = withStorage[:0]

	buf := s.encBuf[:0] // the trie copies values
	for addr := range s.pendingAccounts {
		a := s.accounts[addr]
		if a == nil {
			h := types.Keccak256(addr[:])
			s.trie.Delete(h[:])
			continue
		}
		buf = encodeAccount(buf[:0], a.nonce, &a.balance, &a.root, &a.codeHash)
		s.trie.Update(a.hash()[:], buf)
	}
	s.encBuf = buf
	clear(s.pendingAccounts)
	return s.trie.Hash()
}

// updateStorageRoots rehashes the storage tries of accs, spreading the
// accounts over a bounded number of goroutines when there are enough of
// them. Each account's trie is touched by one goroutine only.
func updateStorageRoots(accs []*account) {
	workers := min(runtime.GOMAXPROCS(0), len(accs)/parallelStorageThreshold+1)
	if workers <= 1 {
		for _, a := range accs {
			a.hash() // the address hash is cached for the account trie
			a.updateRoot()
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(accs) {
					return
				}
				accs[i].hash()
				accs[i].updateRoot()
			}
		})
	}
	wg.Wait()
}
