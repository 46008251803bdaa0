package persist

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// Commit writes s as the state after block number, which must be above the
// head's, atomically: after a crash the database holds either this block
// or the previous head, never a mix. It returns the state root.
//
// s must have no unfinalised transaction (evm.ExecuteBlock leaves it so);
// its root is taken with IntermediateRoot(false). s may be a state from
// State or StateAt of this database or an in-memory statedb.New state;
// either way the database stores only what differs from its head. A state
// keeps working after Commit and may be committed again for later blocks.
// A state from StateAt whose root has since been pruned is refused.
func (db *DB) Commit(number uint64, s *statedb.StateDB) (types.Hash, error) {
	if err := s.Err(); err != nil {
		return types.Hash{}, fmt.Errorf("persist: state failed to load from the database: %w", err)
	}
	head, hasHead := db.Head()
	if hasHead && number <= head.Number {
		return types.Hash{}, fmt.Errorf("persist: block %d is not above the head, block %d", number, head.Number)
	}
	rd, _ := s.Backend().(*reader)
	if b := s.Backend(); b != nil && (rd == nil || rd.db != db) {
		return types.Hash{}, errors.New("persist: the state was opened on another database")
	}
	if rd != nil {
		base, _, _ := rd.snapshot()
		ok, err := db.retained(base)
		if err != nil {
			return types.Hash{}, err
		}
		if !ok {
			return types.Hash{}, fmt.Errorf("%w: the state's base root %x was pruned", ErrPruned, base)
		}
	}
	s.IntermediateRoot(false)
	if err := s.Err(); err != nil {
		return types.Hash{}, fmt.Errorf("persist: state failed to load from the database: %w", err)
	}

	b := db.kv.NewBatch()
	defer b.Close()
	put := func(h types.Hash, enc []byte) error { return b.Set(hashKey(prefixNode, h), enc, nil) }
	acct := s.AccountTrie()
	root, err := acct.NewNodes(put)
	if err != nil {
		return types.Hash{}, err
	}
	written := []*merkle.Trie{acct}

	storage := map[types.Hash]*merkle.Trie{}
	s.StorageTries(func(ah types.Hash, t *merkle.Trie) { storage[ah] = t })

	oldRoot := types.EmptyRootHash
	if hasHead {
		oldRoot = head.Root
	}
	err = merkle.Diff(merkle.Open(oldRoot, db), acct, func(k, ov, nv []byte) error {
		ah := types.Hash(k)
		if nv == nil {
			// Deleted: its flat account and storage go.
			if err := b.Delete(hashKey(prefixAcct, ah), nil); err != nil {
				return err
			}
			return b.DeleteRange(slotKey(ah, types.Hash{}), slotsEnd(ah), nil)
		}
		if err := b.Set(hashKey(prefixAcct, ah), nv, nil); err != nil {
			return err
		}
		na, err := DecodeAccount(nv)
		if err != nil {
			return err
		}
		oa := statedb.StoredAccount{Root: types.EmptyRootHash, CodeHash: types.EmptyCodeHash}
		if ov != nil {
			if oa, err = DecodeAccount(ov); err != nil {
				return err
			}
		}
		if na.CodeHash != oa.CodeHash && na.CodeHash != types.EmptyCodeHash {
			if err := db.putCode(b, s, na.CodeHash); err != nil {
				return err
			}
		}
		if na.Root == oa.Root {
			return nil
		}
		nt := storage[ah]
		if nt == nil {
			if na.Root != types.EmptyRootHash {
				return fmt.Errorf("persist: storage of account %x changed but its trie is not in memory", ah)
			}
			nt = merkle.New()
		}
		if got, err := nt.NewNodes(put); err != nil {
			return err
		} else if got != na.Root {
			return fmt.Errorf("persist: storage trie of account %x has root %x, account says %x", ah, got, na.Root)
		}
		written = append(written, nt)
		return merkle.Diff(merkle.Open(oa.Root, db), nt, func(sk, _, sv []byte) error {
			key := slotKey(ah, types.Hash(sk))
			if sv == nil {
				return b.Delete(key, nil)
			}
			return b.Set(key, sv, nil)
		})
	})
	if err != nil {
		return types.Hash{}, fmt.Errorf("persist: committing block %d: %w", number, err)
	}

	// Retained roots: this one, and drop the oldest beyond Retain.
	roots, err := db.Roots()
	if err != nil {
		return types.Hash{}, err
	}
	if err := b.Set(rootKey(number), root[:], nil); err != nil {
		return types.Hash{}, err
	}
	for i := 0; i < len(roots)+1-db.opts.Retain; i++ {
		if err := b.Delete(rootKey(roots[i].Number), nil); err != nil {
			return types.Hash{}, err
		}
	}
	hv := make([]byte, 8, 40)
	binary.BigEndian.PutUint64(hv, number)
	hv = append(hv, root[:]...)
	if err := b.Set([]byte{prefixHead}, hv, nil); err != nil {
		return types.Hash{}, err
	}

	db.mu.Lock()
	err = b.Commit(pebble.Sync)
	if err == nil {
		db.head, db.hasHead = Head{Number: number, Root: root}, true
	}
	db.mu.Unlock()
	if err != nil {
		return types.Hash{}, fmt.Errorf("persist: writing block %d: %w", number, err)
	}
	for _, t := range written {
		t.MarkStored()
	}
	if rd != nil {
		rd.advance(root)
	}
	db.sinceGC++
	if db.opts.PruneEvery > 0 && db.sinceGC >= db.opts.PruneEvery {
		if _, err := db.Prune(); err != nil {
			return root, fmt.Errorf("persist: block %d committed, pruning failed: %w", number, err)
		}
	}
	return root, nil
}

// slotsEnd is the first key after the flat storage of the account with
// address hash ah.
func slotsEnd(ah types.Hash) []byte {
	k := []byte{prefixSlot}
	for i := 31; i >= 0; i-- {
		if ah[i] != 0xff {
			k = append(k, ah[:i+1]...)
			k[len(k)-1]++
			return k
		}
	}
	return []byte{prefixSlot + 1}
}

// putCode adds the code with hash h to the batch unless the database has it.
func (db *DB) putCode(b *pebble.Batch, s *statedb.StateDB, h types.Hash) error {
	if _, err := db.get(hashKey(prefixCode, h)); err == nil {
		return nil
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return err
	}
	code, ok := s.CodeByHash(h)
	if !ok {
		return fmt.Errorf("persist: code %x is neither in the state nor in the database", h)
	}
	return b.Set(hashKey(prefixCode, h), code, nil)
}

// PruneStats reports what Prune kept and deleted.
type PruneStats struct {
	Roots                   int
	NodesKept, NodesDeleted int
	CodesKept, CodesDeleted int
}

// Prune deletes every trie node and code that no retained root reaches.
// It marks by walking the retained account tries and, from their
// accounts, the storage tries and code, then sweeps in one batch; a crash
// during it leaves the database as it was.
func (db *DB) Prune() (PruneStats, error) {
	db.sinceGC = 0
	var st PruneStats
	roots, err := db.Roots()
	if err != nil {
		return st, err
	}
	st.Roots = len(roots)
	acctSeen := map[types.Hash]struct{}{}
	storSeen := map[types.Hash]struct{}{}
	codes := map[types.Hash]struct{}{}
	seen := func(set map[types.Hash]struct{}) func(types.Hash) bool {
		return func(h types.Hash) bool {
			if _, ok := set[h]; ok {
				return false
			}
			set[h] = struct{}{}
			return true
		}
	}
	for _, r := range roots {
		err := merkle.Walk(r.Root, db, seen(acctSeen), func(_, v []byte) error {
			a, err := DecodeAccount(v)
			if err != nil {
				return err
			}
			codes[a.CodeHash] = struct{}{}
			return merkle.Walk(a.Root, db, seen(storSeen), nil)
		})
		if err != nil {
			return st, fmt.Errorf("persist: pruning, walking root %x of block %d: %w", r.Root, r.Number, err)
		}
	}
	b := db.kv.NewBatch()
	defer b.Close()
	sweep := func(prefix byte, keep func(types.Hash) bool) (kept, deleted int, err error) {
		it, err := db.kv.NewIter(&pebble.IterOptions{LowerBound: []byte{prefix}, UpperBound: []byte{prefix + 1}})
		if err != nil {
			return 0, 0, err
		}
		defer it.Close()
		for it.First(); it.Valid(); it.Next() {
			k := it.Key()
			if len(k) == 33 && keep(types.Hash(k[1:])) {
				kept++
				continue
			}
			deleted++
			if err := b.Delete(k, nil); err != nil {
				return 0, 0, err
			}
		}
		return kept, deleted, it.Error()
	}
	in := func(sets ...map[types.Hash]struct{}) func(types.Hash) bool {
		return func(h types.Hash) bool {
			for _, s := range sets {
				if _, ok := s[h]; ok {
					return true
				}
			}
			return false
		}
	}
	if st.NodesKept, st.NodesDeleted, err = sweep(prefixNode, in(acctSeen, storSeen)); err != nil {
		return st, err
	}
	if st.CodesKept, st.CodesDeleted, err = sweep(prefixCode, in(codes)); err != nil {
		return st, err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return st, fmt.Errorf("persist: pruning: %w", err)
	}
	return st, nil
}
