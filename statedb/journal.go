package statedb

import (
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// The journal records how to undo every change made since the last
// Finalise. Entries are plain structs in one slice (no per-entry
// allocation); a snapshot is the journal's length, and reverting to it
// undoes the entries after it in reverse order, so a revert costs time
// proportional to the number of reverted changes.
//
// Entries that concern an account also mark it dirty: at Finalise the
// accounts named by the surviving entries are exactly the accounts the
// transaction changed or touched (EIP-161).

type entryKind uint8

const (
	entryCreate       entryKind = iota // account object created or replaced; prevAcct is the old object (nil: none)
	entryBalance                       // prevBal
	entryNonce                         // prevU64
	entryCode                          // prevHash: the code hash (the code store has the code)
	entryStorage                       // key, prevHash; prevBool: the slot had a dirty value before
	entrySelfDestruct                  // prevBool (flag), prevBal
	entryCreated                       // prevBool: the EIP-6780 created flag
	entryTouch                         // nothing to undo: marks the account dirty (EIP-161)
	entryRefund                        // prevU64
	entryAccessAddr                    // addr added to the access list
	entryAccessSlot                    // (addr, key) added to the access list
	entryTransient                     // key, prevHash
	entryLog                           // one log appended
)

// dirties reports whether an entry of this kind marks its account dirty.
func (k entryKind) dirties() bool { return k <= entryTouch }

type journalEntry struct {
	kind     entryKind
	prevBool bool
	addr     types.Address
	key      types.Hash
	prevHash types.Hash
	prevU64  uint64
	prevBal  uint256.Int
	prevAcct *account
}

// revert undoes one entry. Entries are undone newest first, so the account
// object at s.accounts[e.addr] is the one the entry was recorded against.
func (s *StateDB) revertEntry(e *journalEntry) {
	switch e.kind {
	case entryCreate:
		if e.prevAcct == nil {
			s.dropAccount(e.addr)
		} else {
			s.accounts[e.addr] = e.prevAcct
		}
	case entryBalance:
		s.accounts[e.addr].balance = e.prevBal
	case entryNonce:
		s.accounts[e.addr].nonce = e.prevU64
	case entryCode:
		a := s.accounts[e.addr]
		a.code, a.codeHash = s.codes[e.prevHash], e.prevHash
	case entryStorage:
		a := s.accounts[e.addr]
		if e.prevBool {
			a.dirty[e.key] = e.prevHash
		} else {
			delete(a.dirty, e.key)
		}
	case entrySelfDestruct:
		a := s.accounts[e.addr]
		a.selfDestructed = e.prevBool
		a.balance = e.prevBal
	case entryCreated:
		s.accounts[e.addr].created = e.prevBool
	case entryTouch:
	case entryRefund:
		s.refund = e.prevU64
	case entryAccessAddr:
		delete(s.accessAddrs, e.addr)
	case entryAccessSlot:
		delete(s.accessSlots, slotKey{e.addr, e.key})
	case entryTransient:
		k := slotKey{e.addr, e.key}
		if e.prevHash == (types.Hash{}) {
			delete(s.transient, k)
		} else {
			s.transient[k] = e.prevHash
		}
	case entryLog:
		n := len(s.logs) - 1
		s.logs[n] = nil
		s.logs = s.logs[:n]
		s.logIndex--
	}
}

// Snapshot returns an identifier of the current state for RevertToSnapshot.
// Identifiers are valid until the next Finalise.
func (s *StateDB) Snapshot() int { return len(s.journal) }

// RevertToSnapshot undoes every change made since Snapshot returned id.
// Snapshots must be reverted in last-in first-out order; reverting to one
// invalidates the snapshots taken after it.
func (s *StateDB) RevertToSnapshot(id int) {
	if id < 0 || id > len(s.journal) {
		panic("statedb: revert to an unknown or invalidated snapshot")
	}
	for i := len(s.journal) - 1; i >= id; i-- {
		s.revertEntry(&s.journal[i])
		s.journal[i] = journalEntry{} // drop references
	}
	s.journal = s.journal[:id]
}
