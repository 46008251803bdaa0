package statedb

import (
	"maps"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// Copy returns a deep, independent copy of the state, including the
// unfinalised changes of the current transaction and its journal (snapshot
// identifiers taken before the copy remain valid in both).
func (s *StateDB) Copy() *StateDB {
	c := &StateDB{
		hasher:          s.hasher,
		accounts:        make(map[types.Address]*account, len(s.accounts)),
		codes:           maps.Clone(s.codes), // the code slices are immutable
		trie:            s.trie.Copy(),
		pendingAccounts: s.pendingCopy(),
		journal:         make([]journalEntry, len(s.journal), cap(s.journal)),
		ripemdTouched:   s.ripemdTouched,
		finaliseGen:     s.finaliseGen,
		refund:          s.refund,
		accessAddrs:     maps.Clone(s.accessAddrs),
		warmPrecompiles: s.warmPrecompiles,
		accessSlots:     maps.Clone(s.accessSlots),
		transient:       maps.Clone(s.transient),
		txHash:          s.txHash,
		txIndex:         s.txIndex,
		logIndex:        s.logIndex,
		backend:         s.backend,
	}
	c.loadErr.Store(s.loadErr.Load())
	for addr, a := range s.accounts {
		if a == nil {
			c.accounts[addr] = nil // known absent (opened states)
			continue
		}
		c.accounts[addr] = a.deepCopy()
	}
	copy(c.journal, s.journal)
	for i := range c.journal {
		if p := c.journal[i].prevAcct; p != nil {
			c.journal[i].prevAcct = p.deepCopy()
		}
	}
	if s.logs != nil {
		c.logs = make([]*types.Log, len(s.logs))
		for i, l := range s.logs {
			cl := *l
			cl.Topics = append([]types.Hash(nil), l.Topics...)
			cl.Data = append([]byte(nil), l.Data...)
			c.logs[i] = &cl
		}
	}
	return c
}

// DumpAccount is one account of a Dump.
type DumpAccount struct {
	Balance uint256.Int
	Nonce   uint64
	Code    []byte                    // nil when the account has none
	Storage map[types.Hash]types.Hash // non-zero slots only; nil when none
}

// Dump returns every existing account with its current balance, nonce,
// code and non-zero storage (unfinalised changes included). For a state
// opened on a Backend it covers only what was loaded or changed.
func (s *StateDB) Dump() map[types.Address]DumpAccount {
	out := make(map[types.Address]DumpAccount, len(s.accounts))
	for addr, a := range s.accounts {
		if a == nil {
			continue
		}
		d := DumpAccount{Balance: a.balance, Nonce: a.nonce}
		if len(a.code) > 0 {
			d.Code = append([]byte(nil), a.code...)
		}
		st := make(map[types.Hash]types.Hash, len(a.committed)+len(a.dirty))
		for k, v := range a.committed {
			if v != (types.Hash{}) {
				st[k] = v
			}
		}
		for k, v := range a.dirty {
			if v == (types.Hash{}) {
				delete(st, k)
			} else {
				st[k] = v
			}
		}
		if len(st) > 0 {
			d.Storage = st
		}
		out[addr] = d
	}
	return out
}

// pendingCopy returns the addresses pending for the next root, the
// applied lists included, as a new map (a copy's accounts are its own).
func (s *StateDB) pendingCopy() map[types.Address]struct{} {
	m := maps.Clone(s.pendingAccounts)
	for _, a := range s.applied {
		m[a.addr] = struct{}{}
	}
	for _, addr := range s.appliedDeleted {
		m[addr] = struct{}{}
	}
	return m
}
