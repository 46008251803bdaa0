// Package statedb is the world state the EVM runs against: accounts,
// storage and code held in memory, a journal that makes every change within
// a transaction revertible, the per-transaction state of EIP-2929 access
// lists and EIP-1153 transient storage, and the Merkle state root
// (Ethereum's secure Merkle Patricia Trie, so roots equal Ethereum's).
//
// A block processor uses it like this: load the pre-state (SetBalance,
// SetNonce, SetCode, SetStorage) and call Finalise(false); then for each
// transaction SetTxContext, Prepare, execute, Finalise(rules.IsEIP158);
// finally IntermediateRoot for the state root.
//
// *StateDB implements evm.StateDB. It is not safe for concurrent use, with
// one exception that a parallel executor may rely on: while nothing writes,
// the read methods (Get*, Exist, Empty, HasSelfDestructed, Dump) may run on
// many goroutines. GetStorageRoot is a read in this sense only when
// IntermediateRoot has run since the last storage change, since otherwise
// it brings the account's storage trie up to date. Copy is not a read: it
// also settles the original's tries.
package statedb

import (
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/types"
)

// ripemdAddr is the RIPEMD-160 precompile. A touch of it survives the
// revert of the frame that made it: in mainnet block 2675119 the empty
// account at 0x03 was cleared although the call that touched it ran out of
// gas, and consensus has kept that behaviour since.
var ripemdAddr = types.Address{19: 3}

type slotKey struct {
	addr types.Address
	key  types.Hash
}

// StateDB is an in-memory world state. The zero value is not usable; call New.
type StateDB struct {
	accounts map[types.Address]*account
	codes    map[types.Hash][]byte // code by hash, deduplicated

	trie *merkle.Trie // account trie
	// pendingAccounts are the addresses finalised since the account trie
	// was last updated. At IntermediateRoot an address with an account
	// object is (re-)encoded, one without is deleted.
	pendingAccounts map[types.Address]struct{}
	// applied and appliedDeleted are pending too: the accounts that
	// ApplyWrites brought up to date and the addresses it deleted, kept as
	// lists rather than in pendingAccounts because a bulk write names
	// thousands of distinct accounts, which IntermediateRoot then needs
	// neither to insert into a map nor to look up again. An address also
	// in pendingAccounts was changed after ApplyWrites: the map's entry
	// wins.
	applied        []*account
	appliedDeleted []types.Address
	encBuf         []byte // scratch for account encodings
	scratch        rootScratch
	hasher         gpu.BatchHasher
	rootWorkers    int // goroutines for the account trie (see IntermediateRootWorkers)

	journal       []journalEntry
	ripemdTouched bool   // the RIPEMD-160 touch exception, see ripemdAddr
	finaliseGen   uint64 // bumped by every Finalise

	refund      uint64
	accessAddrs map[types.Address]struct{}
	// warmPrecompiles are the precompiles Prepare warmed without putting
	// them in accessAddrs (the caller's slice, not copied): all of them at
	// low addresses (see lowAddress), so that a lookup of any other
	// address skips them at once.
	warmPrecompiles []types.Address
	accessSlots     map[slotKey]struct{}
	transient       map[slotKey]types.Hash

	txHash   types.Hash
	txIndex  int
	logs     []*types.Log
	logIndex uint

	// backend, when set, holds the committed state this one was opened
	// from (see backend.go); loadMu guards loading from it.
	backend Backend
	loadMu  sync.Mutex
	loadErr atomic.Pointer[error]
}

// New returns an empty state that hashes with gpu.Default().
func New() *StateDB { return NewWithHasher(gpu.Default()) }

// NewWithHasher returns an empty state whose tries and trie keys are hashed
// with h. h must be safe for concurrent use: storage tries are hashed in
// parallel.
func NewWithHasher(h gpu.BatchHasher) *StateDB {
	return &StateDB{
		hasher:          h,
		accounts:        make(map[types.Address]*account),
		codes:           make(map[types.Hash][]byte),
		trie:            merkle.NewWithHasher(h),
		pendingAccounts: make(map[types.Address]struct{}),
		encBuf:          make([]byte, 0, maxAccountRLP),
		accessAddrs:     make(map[types.Address]struct{}),
		accessSlots:     make(map[slotKey]struct{}),
		transient:       make(map[slotKey]types.Hash),
	}
}

func (s *StateDB) appendEntry(e journalEntry) { s.journal = append(s.journal, e) }

// getOrNew returns the account at addr, creating (journaled) an empty one
// when it does not exist.
func (s *StateDB) getOrNew(addr types.Address) *account {
	if a := s.account(addr); a != nil {
		return a
	}
	a := newAccount(addr)
	s.accounts[addr] = a
	s.appendEntry(journalEntry{kind: entryCreate, addr: addr})
	return a
}

// touch marks an account dirty without changing it, so that EIP-161 can
// delete it at Finalise if it is empty.
func (s *StateDB) touch(a *account) {
	s.appendEntry(journalEntry{kind: entryTouch, addr: a.addr})
	if a.addr == ripemdAddr {
		s.ripemdTouched = true
	}
}

// CreateAccount creates a fresh account at addr. An existing account is
// replaced: its balance is carried over, while nonce, code and storage
// start empty.
func (s *StateDB) CreateAccount(addr types.Address) {
	prev := s.account(addr)
	a := newAccount(addr)
	if prev != nil {
		a.balance = prev.balance
		a.addrHash, a.hashed = prev.addrHash, prev.hashed
	}
	s.accounts[addr] = a
	s.appendEntry(journalEntry{kind: entryCreate, addr: addr, prevAcct: prev})
}

// CreateContract marks addr (which must exist) as created by a contract
// creation in this transaction, which lets SelfDestruct6780 delete it.
func (s *StateDB) CreateContract(addr types.Address) {
	a := s.getOrNew(addr)
	if a.created {
		return
	}
	s.appendEntry(journalEntry{kind: entryCreated, addr: addr, prevBool: false})
	a.created = true
}

// SubBalance subtracts v from the balance of addr (creating the account if
// needed). The caller checks for sufficient funds; the result wraps
// otherwise. Subtracting zero touches the account.
func (s *StateDB) SubBalance(addr types.Address, v *uint256.Int) {
	a := s.getOrNew(addr)
	if v.IsZero() {
		if a.empty() {
			s.touch(a)
		}
		return
	}
	s.appendEntry(journalEntry{kind: entryBalance, addr: addr, prevBal: a.balance})
	a.balance.Sub(&a.balance, v)
}

// AddBalance adds v to the balance of addr (creating the account if
// needed). Adding zero touches the account (EIP-161).
func (s *StateDB) AddBalance(addr types.Address, v *uint256.Int) {
	a := s.getOrNew(addr)
	if v.IsZero() {
		if a.empty() {
			s.touch(a)
		}
		return
	}
	s.appendEntry(journalEntry{kind: entryBalance, addr: addr, prevBal: a.balance})
	a.balance.Add(&a.balance, v)
}

// SetBalance sets the balance of addr (creating the account if needed).
// It is meant for loading pre-state and genesis allocations.
func (s *StateDB) SetBalance(addr types.Address, v *uint256.Int) {
	a := s.getOrNew(addr)
	s.appendEntry(journalEntry{kind: entryBalance, addr: addr, prevBal: a.balance})
	a.balance = *v
}

// GetBalance returns the balance of addr (zero if it does not exist).
func (s *StateDB) GetBalance(addr types.Address) uint256.Int {
	if a := s.account(addr); a != nil {
		return a.balance
	}
	return uint256.Int{}
}

// GetNonce returns the nonce of addr (zero if it does not exist).
func (s *StateDB) GetNonce(addr types.Address) uint64 {
	if a := s.account(addr); a != nil {
		return a.nonce
	}
	return 0
}

// SetNonce sets the nonce of addr (creating the account if needed).
func (s *StateDB) SetNonce(addr types.Address, n uint64) {
	a := s.getOrNew(addr)
	s.appendEntry(journalEntry{kind: entryNonce, addr: addr, prevU64: a.nonce})
	a.nonce = n
}

// GetCodeHash returns the code hash of addr: EmptyCodeHash for an account
// without code, the zero hash when the account does not exist.
func (s *StateDB) GetCodeHash(addr types.Address) types.Hash {
	if a := s.account(addr); a != nil {
		return a.codeHash
	}
	return types.Hash{}
}

// GetCode returns the code of addr. The slice is shared: do not modify it.
func (s *StateDB) GetCode(addr types.Address) []byte {
	if a := s.account(addr); a != nil {
		return a.code
	}
	return nil
}

// GetCodeSize returns the length of the code of addr.
func (s *StateDB) GetCodeSize(addr types.Address) int {
	if a := s.account(addr); a != nil {
		return len(a.code)
	}
	return 0
}

// SetCode sets the code of addr (creating the account if needed). The
// state keeps its own copy of code.
func (s *StateDB) SetCode(addr types.Address, code []byte) {
	a := s.getOrNew(addr)
	s.appendEntry(journalEntry{kind: entryCode, addr: addr, prevHash: a.codeHash})
	if len(code) == 0 {
		a.code, a.codeHash = nil, types.EmptyCodeHash
		return
	}
	h := types.Keccak256(code)
	stored, ok := s.codes[h]
	if !ok {
		stored = append([]byte(nil), code...)
		s.codes[h] = stored
	}
	a.code, a.codeHash = stored, h
}

// AddRefund adds gas to the refund counter.
func (s *StateDB) AddRefund(gas uint64) {
	s.appendEntry(journalEntry{kind: entryRefund, prevU64: s.refund})
	s.refund += gas
}

// SubRefund removes gas from the refund counter. Going below zero is a bug
// in the caller's gas accounting and panics.
func (s *StateDB) SubRefund(gas uint64) {
	if gas > s.refund {
		panic("statedb: refund counter below zero")
	}
	s.appendEntry(journalEntry{kind: entryRefund, prevU64: s.refund})
	s.refund -= gas
}

// GetRefund returns the refund counter.
func (s *StateDB) GetRefund() uint64 { return s.refund }

// GetCommittedState returns the value of a slot at the start of the current
// transaction.
func (s *StateDB) GetCommittedState(addr types.Address, key types.Hash) types.Hash {
	if a := s.account(addr); a != nil {
		return s.committedState(a, key)
	}
	return types.Hash{}
}

// GetState returns the current value of a slot.
func (s *StateDB) GetState(addr types.Address, key types.Hash) types.Hash {
	return s.slotValue(s.account(addr), key)
}

// slotValue is the current value of a's slot key (zero without a).
func (s *StateDB) slotValue(a *account, key types.Hash) types.Hash {
	if a == nil {
		return types.Hash{}
	}
	if v, ok := a.dirty[key]; ok {
		return v
	}
	return s.committedState(a, key)
}

// SetState writes a slot (creating the account if needed).
func (s *StateDB) SetState(addr types.Address, key, value types.Hash) {
	a := s.getOrNew(addr)
	prev, had := a.dirty[key]
	if !had {
		prev = s.committedState(a, key)
	}
	if prev == value {
		return
	}
	s.appendEntry(journalEntry{kind: entryStorage, addr: addr, key: key, prevHash: prev, prevBool: had})
	if a.dirty == nil {
		a.dirty = make(map[types.Hash]types.Hash)
	}
	a.dirty[key] = value
}

// SetStorage replaces the whole storage of addr (creating the account if
// needed) with the non-zero entries of storage, which become the committed
// values. It is meant for loading pre-state and cannot be reverted.
func (s *StateDB) SetStorage(addr types.Address, storage map[types.Hash]types.Hash) {
	a := s.getOrNew(addr)
	a.committed = make(map[types.Hash]types.Hash, len(storage))
	a.pending = make(map[types.Hash]struct{}, len(storage))
	clear(a.dirty)
	a.trie = nil
	a.root = types.EmptyRootHash
	a.backed = false
	for k, v := range storage {
		if v != (types.Hash{}) {
			a.committed[k] = v
			a.pending[k] = struct{}{}
		}
	}
	s.pendingAccounts[addr] = struct{}{}
}

// GetStorageRoot returns the storage root of addr as of the start of the
// current transaction, or the zero hash when the account does not exist.
func (s *StateDB) GetStorageRoot(addr types.Address) types.Hash {
	a := s.account(addr)
	if a == nil {
		return types.Hash{}
	}
	if len(a.committed) == 0 && !a.backed {
		return types.EmptyRootHash
	}
	a.updateRoot(s.hasher)
	return a.root
}

// GetTransientState returns an EIP-1153 transient storage slot.
func (s *StateDB) GetTransientState(addr types.Address, key types.Hash) types.Hash {
	return s.transient[slotKey{addr, key}]
}

// SetTransientState writes an EIP-1153 transient storage slot.
func (s *StateDB) SetTransientState(addr types.Address, key, value types.Hash) {
	k := slotKey{addr, key}
	prev := s.transient[k]
	if prev == value {
		return
	}
	s.appendEntry(journalEntry{kind: entryTransient, addr: addr, key: key, prevHash: prev})
	if value == (types.Hash{}) {
		delete(s.transient, k)
	} else {
		s.transient[k] = value
	}
}

// SelfDestruct marks addr destroyed and zeroes its balance; the account and
// its storage are deleted at Finalise. It does nothing if addr does not
// exist.
func (s *StateDB) SelfDestruct(addr types.Address) {
	a := s.account(addr)
	if a == nil {
		return
	}
	s.appendEntry(journalEntry{kind: entrySelfDestruct, addr: addr, prevBool: a.selfDestructed, prevBal: a.balance})
	a.selfDestructed = true
	a.balance.Clear()
}

// HasSelfDestructed reports whether addr was destroyed in this transaction.
func (s *StateDB) HasSelfDestructed(addr types.Address) bool {
	if a := s.account(addr); a != nil {
		return a.selfDestructed
	}
	return false
}

// SelfDestruct6780 destroys addr only if CreateContract marked it in the
// current transaction (EIP-6780).
func (s *StateDB) SelfDestruct6780(addr types.Address) {
	if a := s.account(addr); a != nil && a.created {
		s.SelfDestruct(addr)
	}
}

// Exist reports whether addr exists, even if empty.
func (s *StateDB) Exist(addr types.Address) bool { return s.account(addr) != nil }

// Empty reports whether addr does not exist or is empty by EIP-161.
func (s *StateDB) Empty(addr types.Address) bool {
	a := s.account(addr)
	return a == nil || a.empty()
}

// AddressInAccessList reports whether addr is warm (EIP-2929).
func (s *StateDB) AddressInAccessList(addr types.Address) bool {
	_, ok := s.accessAddrs[addr]
	return ok || s.warmPrecompile(&addr)
}

// warmPrecompile reports whether addr is one of s.warmPrecompiles.
func (s *StateDB) warmPrecompile(addr *types.Address) bool {
	if len(s.warmPrecompiles) == 0 || !lowAddress(addr) {
		return false
	}
	for i := range s.warmPrecompiles {
		if s.warmPrecompiles[i] == *addr {
			return true
		}
	}
	return false
}

// lowAddress reports whether addr is below 2^16, where Ethereum's
// precompiles live.
func lowAddress(addr *types.Address) bool {
	return binary.BigEndian.Uint64(addr[0:8])|binary.BigEndian.Uint64(addr[8:16])|uint64(binary.BigEndian.Uint16(addr[16:18])) == 0
}

// SlotInAccessList reports whether addr and (addr, slot) are warm.
func (s *StateDB) SlotInAccessList(addr types.Address, slot types.Hash) (addressOk bool, slotOk bool) {
	_, addressOk = s.accessAddrs[addr]
	if !addressOk && !s.warmPrecompile(&addr) {
		return false, false
	}
	addressOk = true
	_, slotOk = s.accessSlots[slotKey{addr, slot}]
	return addressOk, slotOk
}

// AddAddressToAccessList warms addr.
func (s *StateDB) AddAddressToAccessList(addr types.Address) {
	if s.AddressInAccessList(addr) {
		return
	}
	s.accessAddrs[addr] = struct{}{}
	s.appendEntry(journalEntry{kind: entryAccessAddr, addr: addr})
}

// AddSlotToAccessList warms addr and (addr, slot).
func (s *StateDB) AddSlotToAccessList(addr types.Address, slot types.Hash) {
	s.AddAddressToAccessList(addr)
	k := slotKey{addr, slot}
	if _, ok := s.accessSlots[k]; ok {
		return
	}
	s.accessSlots[k] = struct{}{}
	s.appendEntry(journalEntry{kind: entryAccessSlot, addr: addr, key: slot})
}

// Prepare resets the per-transaction state (access list, transient storage,
// refund) and, from Berlin, warms the sender, the destination, the
// precompiles and the transaction's access list (EIP-2929, EIP-2930), and
// from Shanghai the coinbase (EIP-3651). These additions are not journaled:
// they belong to the start of the transaction.
func (s *StateDB) Prepare(rules forks.Rules, sender, coinbase types.Address, dest *types.Address, precompiles []types.Address, txAccesses types.AccessList) {
	s.refund = 0
	clear(s.transient)
	clear(s.accessAddrs)
	clear(s.accessSlots)
	s.warmPrecompiles = nil
	if !rules.IsBerlin {
		return
	}
	s.accessAddrs[sender] = struct{}{}
	if dest != nil {
		s.accessAddrs[*dest] = struct{}{}
	}
	// Precompiles at low addresses are warm without a map entry each: a
	// score of inserts per transaction otherwise.
	low := true
	for i := range precompiles {
		low = low && lowAddress(&precompiles[i])
	}
	if low {
		s.warmPrecompiles = precompiles
	} else {
		for _, p := range precompiles {
			s.accessAddrs[p] = struct{}{}
		}
	}
	for _, t := range txAccesses {
		s.accessAddrs[t.Address] = struct{}{}
		for _, k := range t.StorageKeys {
			s.accessSlots[slotKey{t.Address, k}] = struct{}{}
		}
	}
	if rules.IsShanghai {
		s.accessAddrs[coinbase] = struct{}{}
	}
}

// SetTxContext sets the transaction hash and index that logs added from now
// on carry, and starts a new list for Logs. Log.Index counts the logs of
// the block: it restarts when txIndex is 0.
func (s *StateDB) SetTxContext(txHash types.Hash, txIndex int) {
	s.txHash, s.txIndex = txHash, txIndex
	s.logs = nil
	if txIndex == 0 {
		s.logIndex = 0
	}
}

// AddLog records a log of the current transaction.
func (s *StateDB) AddLog(l *types.Log) {
	l.TxHash = s.txHash
	l.TxIndex = uint(s.txIndex)
	l.Index = s.logIndex
	s.logIndex++
	s.logs = append(s.logs, l)
	s.appendEntry(journalEntry{kind: entryLog})
}

// Logs returns the logs added since the last SetTxContext.
func (s *StateDB) Logs() []*types.Log { return s.logs }
