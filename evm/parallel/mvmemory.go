package parallel

import (
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/internal/freelist"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// locKind says which part of an account a location holds.
type locKind uint8

const (
	locExist   locKind = iota // the account exists (possibly empty)
	locBalance                // balance: an absolute value or a credit/debit delta
	locNonce                  // nonce
	locCode                   // code hash (and the code)
	locWipe                   // storage wiped (account destroyed or re-created)
	locSlot                   // one storage slot

	numFields = int(locWipe) + 1 // the account-level kinds
)

// location is one piece of state that transactions read and write.
// Account-level kinds leave slot zero.
type location struct {
	addr types.Address
	slot types.Hash
	kind locKind
}

// mvValue is the value written to a location. Which fields matter depends on
// the kind: flag (exist, wipe; for balance: the value is a delta added to
// the value below), word (the balance, the nonce in its low word, or a
// slot value or code hash as a big-endian number), code (the code of the
// code hash).
type mvValue struct {
	word uint256.Int
	code []byte
	flag bool
}

// hashValue is the value of a slot or code hash h.
func hashValue(h types.Hash) (v mvValue) {
	v.word.SetBytes32(h[:])
	return v
}

// hash returns the slot value or code hash of v.
func (v *mvValue) hash() types.Hash { return v.word.Bytes32() }

// nonce returns the nonce of v.
func (v *mvValue) nonce() uint64 { return v.word[0] }

// mvEntry is one transaction's write to a location.
type mvEntry struct {
	tx       int
	estimate bool // the writer was aborted; its next incarnation probably writes here again
	val      mvValue
}

// mvCell holds the writes to one location of an account, sorted by
// transaction index. Everything in it is guarded by its lock (lock): the
// account's mutex for the account-level cells, the slot's stripe mutex for
// a storage slot.
type mvCell struct {
	acct    *mvAccount
	slot    *mvSlot // storage slots only
	entries []mvEntry
	// first is the lowest writer's index plus one (0: no entry),
	// published for reads that skip the lock when no transaction below
	// the reader wrote c: the reader's own write and those above it, the
	// usual case of a validation, do not make it take the lock.
	first atomic.Int32
	kind  locKind
}

// noneBelow reports whether no transaction below tx wrote c, at this
// instant.
func (c *mvCell) noneBelow(tx int) bool {
	f := c.first.Load()
	return f == 0 || int(f) > tx
}

// published updates first after entries changed. The caller holds the lock.
func (c *mvCell) published() {
	if len(c.entries) == 0 {
		c.first.Store(0)
	} else {
		c.first.Store(int32(c.entries[0].tx + 1))
	}
}

// feeSlots holds, per transaction, the balance delta it credited to the
// beneficiary without reading the balance (its fee): nil for none,
// feeEstimate while the writer is aborted. A transaction has either an
// entry in the balance cell or a fee, never both. Each slot is written by
// its transaction's executor without the lock, so that the transactions
// do not all take the beneficiary's lock to pay it.
type feeSlots []txSlot

// txSlot is MVMemory's state of one transaction, on a cache line of its
// own: neighbouring transactions usually run on different workers (see
// Scheduler).
type txSlot struct {
	// written lists the cells the transaction's last incarnation wrote
	// (or is expected to write); only its executor touches it.
	written []*mvCell
	// fee is its fee to the beneficiary once fees are kept apart (see
	// feeSlots).
	fee atomic.Pointer[uint256.Int]
	_   [cacheLine - 32]byte
}

// feeEstimate marks a fee whose writer was aborted.
var feeEstimate = new(uint256.Int)

// mvSlot is the cell of one storage slot, with the slot's value before the
// block once it was needed.
type mvSlot struct {
	cell      mvCell
	stripe    *slotStripe // whose mutex guards cell and base
	key       types.Hash
	base      uint256.Int // the value before the block, as a word
	baseKnown bool
	baseReady atomic.Bool // baseKnown, published
}

// baseAccount is an account's fields before the block.
type baseAccount struct {
	ref      statedb.AccountRef // for the bulk write (see refReader)
	exists   bool
	balance  uint256.Int
	nonce    uint64
	codeHash types.Hash
	code     []byte
}

// mvAccount is every location of one account: the account fields in
// fixed cells and the storage slots touched in the block, and the account
// before the block once it was needed. mu guards the fields (the wipe
// marker among them); the slots are split into stripes by key, each with
// its own mutex, so that the transactions of a popular contract do not all
// queue on one lock. A slot read that must see the wipe marker takes the
// slot's stripe and then mu (never the other way round).
type mvAccount struct {
	mu        sync.Mutex
	addr      types.Address
	baseKnown bool
	base      baseAccount
	// baseReady (baseKnown, published) is read by every lock-free read:
	// away from mu, which writers of a busy account keep taking.
	baseReady atomic.Bool
	fields    [numFields]mvCell
	// slots holds the storage slots touched in the block, created on the
	// first one (under mu) and published for lookups that do not take mu.
	slots atomic.Pointer[slotTable]
	// senderTxs is how many of the block's transactions the account sends
	// (known accounts only; counted before execution).
	senderTxs int32
	// calls is how many of the block's transactions are sent to the
	// account (known accounts only): a guess at its slots to come.
	calls int32
	// fees is set on the beneficiary alone, once its fees are kept apart
	// from its balance cell.
	fees *feeSlots

	// Kept by the commit alone (see bulkChecks): the exact balance before
	// the transaction being checked, once needed, and whether a committed
	// transaction wrote the storage.
	chkBal        uint256.Int
	chkBalKnown   bool
	chkStorageSet bool
}

func (a *mvAccount) init(addr types.Address) {
	a.addr = addr
	for k := range a.fields {
		a.fields[k].acct, a.fields[k].kind = a, locKind(k)
	}
}

func newMVAccount(addr types.Address) *mvAccount {
	a := new(mvAccount)
	a.init(addr)
	return a
}

// slotStripes is the number of locks an account's storage slots are
// split over.
const slotStripes = 16

// slotTable is an account's storage slots, by stripe.
type slotTable [slotStripes]slotStripe

// slotStripe is one stripe of an account's slots: the slots whose key ends
// in its index, and the mutex that guards them. Padded to its own cache
// line, so that two workers on neighbouring stripes do not contend.
type slotStripe struct {
	mu sync.Mutex
	m  map[types.Hash]*mvSlot
	_  [48]byte
}

// table returns a's slot table, creating it.
func (a *mvAccount) table() *slotTable {
	if t := a.slots.Load(); t != nil {
		return t
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.slots.Load()
	if t == nil {
		t = new(slotTable)
		a.slots.Store(t)
	}
	return t
}

func (t *slotTable) stripe(key types.Hash) *slotStripe {
	return &t[key[types.HashLength-1]%slotStripes]
}

// slotLocked returns the cell of storage slot key in stripe st (whose lock
// the caller holds), creating it.
func (a *mvAccount) slotLocked(st *slotStripe, key types.Hash) *mvCell {
	sl := st.m[key]
	if sl == nil {
		if st.m == nil {
			// Two slots per call to the account, spread over the
			// stripes: a popular contract's maps do not grow step by
			// step while both workers fill them.
			st.m = make(map[types.Hash]*mvSlot, max(4, int(a.calls)*2/slotStripes))
		}
		sl = &mvSlot{key: key, stripe: st}
		sl.cell = mvCell{acct: a, slot: sl, kind: locSlot}
		st.m[key] = sl
	}
	return &sl.cell
}

// readSlot returns the cell of storage slot key (creating it) and its value
// for transaction tx, as resolve does, under the stripe's lock.
func (a *mvAccount) readSlot(key types.Hash, base *baseReader, tx int) (c *mvCell, val mvValue, blocker int, fromBase bool) {
	st := a.table().stripe(key)
	st.mu.Lock()
	c = a.slotLocked(st, key)
	val, blocker, fromBase = c.resolveSlotBase(base, tx)
	st.mu.Unlock()
	return c, val, blocker, fromBase
}

// numSlots is the number of slots of a. No writer may run meanwhile.
func (a *mvAccount) numSlots() int {
	t := a.slots.Load()
	if t == nil {
		return 0
	}
	n := 0
	for i := range t {
		n += len(t[i].m)
	}
	return n
}

// lock takes the mutex that guards c.
func (c *mvCell) lock() {
	if c.slot != nil {
		c.slot.stripe.mu.Lock()
	} else {
		c.acct.mu.Lock()
	}
}

func (c *mvCell) unlock() {
	if c.slot != nil {
		c.slot.stripe.mu.Unlock()
	} else {
		c.acct.mu.Unlock()
	}
}

// below returns the position of the highest entry written by a transaction
// before tx, or -1. Entries are few: a linear scan from the top.
func (c *mvCell) below(tx int) int {
	i := len(c.entries) - 1
	for i >= 0 && c.entries[i].tx >= tx {
		i--
	}
	return i
}

// find returns the position of tx's entry and whether there is one; else
// where it would go.
func (c *mvCell) find(tx int) (int, bool) {
	i := c.below(tx) + 1
	return i, i < len(c.entries) && c.entries[i].tx == tx
}

// write records (or replaces) tx's value, taking the first versions'
// storage from ar (when not nil). The caller holds the lock.
func (c *mvCell) write(tx int, v *mvValue, ar *arena) {
	i, ok := c.find(tx)
	if !ok {
		if cap(c.entries) == 0 && ar != nil {
			c.entries = carve(&ar.entries, 1)[:0]
		}
		c.entries = append(c.entries, mvEntry{})
		copy(c.entries[i+1:], c.entries[i:])
	}
	c.entries[i] = mvEntry{tx: tx, val: *v}
	c.published()
}

func (c *mvCell) remove(tx int) {
	if i, ok := c.find(tx); ok {
		c.entries = append(c.entries[:i], c.entries[i+1:]...)
		c.published()
	}
}

func (c *mvCell) markEstimate(tx int) {
	if i, ok := c.find(tx); ok {
		c.entries[i].estimate = true
	}
}

// writtenBelow reports whether a transaction below cutoff wrote c. With
// cutoff allTxs (whole block) any entry answers, without a look at the
// entries, which live elsewhere (in a worker's arena: one cache miss per
// written cell of every account, in the pass that finds the accounts to
// commit). allTxs is a cutoff for this test only, not a transaction.
func (c *mvCell) writtenBelow(cutoff int) bool {
	if len(c.entries) > 0 && (cutoff == allTxs || c.entries[0].tx < cutoff) {
		return true
	}
	if c.kind == locBalance && c.acct.fees != nil {
		fees := *c.acct.fees
		for t := range min(cutoff, len(fees)) {
			if fees[t].fee.Load() != nil {
				return true
			}
		}
	}
	return false
}

const mvShards = 32

// allTxs is the cutoff above every transaction of a block (see
// writtenBelow).
const allTxs = math.MaxInt

// MVMemory is Block-STM's multi-version memory: for every location, the
// values written by each transaction of the block, so that transaction i
// reads the value written by the highest transaction below i (or the state
// before the block when there is none). Locations are grouped by account:
// one lookup by address finds all of an account's cells, and read and
// write sets hold the cells themselves. It is safe for concurrent use.
type MVMemory struct {
	// pre holds the accounts known before execution (senders, recipients,
	// the beneficiary); it is read-only while transactions run.
	pre    [knownParts]*addrTable
	shards [mvShards]struct {
		mu sync.RWMutex
		m  map[types.Address]*mvAccount
	}
	known [knownParts]*knownBuf // storage of pre
	// txs[i] is transaction i's written cells and fee.
	txs []txSlot
	// feeAcct is the beneficiary once its fees are kept apart (see
	// feeSlots); nil before.
	feeAcct *mvAccount
	// maxSenderTxs is the most transactions one sender sends in the block.
	maxSenderTxs atomic.Int32
}

// separateFees keeps, from now on, the balance deltas credited to addr (the
// beneficiary) out of its cell's entries. No other goroutine may use mv
// meanwhile.
func (mv *MVMemory) separateFees(addr types.Address) {
	a := mv.account(&addr)
	fees := feeSlots(mv.txs)
	a.fees = &fees
	mv.feeAcct = a
}

// NewMVMemory returns an empty memory for a block of n transactions.
func NewMVMemory(n int) *MVMemory {
	return &MVMemory{txs: make([]txSlot, n)}
}

// knownParts is the number of parts the known accounts are split into (by
// the low bits of their address hash), so that the workers create them
// and read them from the state before the block at the same time, each
// part in its own table.
const knownParts = 4

// addrHash is the hash that places an address in the known accounts: its
// low bits pick the part, its high bits the slot of the part's table. It
// is seeded per process, so that chosen addresses cannot be made to
// collide.
func addrHash(addr *types.Address) uint64 { return maphash.Bytes(addrSeed, addr[:]) }

var addrSeed = maphash.MakeSeed()

// knownAddr is an address the block is known to touch, with its hash.
type knownAddr struct {
	addr  types.Address
	hash  uint64
	tx    int   // the transaction it sends, or -1
	calls int32 // with tx -1: how many transactions this entry calls it
}

// addKnownPart creates, in one allocation, the accounts of part p among
// known (the accounts a block is known to touch), counts how often each is
// listed as a sender, and reads each from the state before the block, so
// that looking them up takes no lock and neither do their first reads.
// Each part is built by one goroutine, before any other use of mv; idx
// lists the entries of known that fall in part p.
func (mv *MVMemory) addKnownPart(p int, known []knownAddr, idx []int32, base *baseReader) {
	bound := len(idx)
	kb := knownCache.Get()
	if cap(kb.slab) < bound {
		kb.slab = make([]mvAccount, bound)
	} else {
		kb.slab = kb.slab[:bound] // cleared by putKnownBuf
	}
	kb.pre.reset(bound)
	pre, slab, n := &kb.pre, kb.slab, 0
	for _, i := range idx {
		k := &known[i]
		a := pre.get(&k.addr, k.hash)
		if a == nil {
			a = &slab[n]
			n++
			a.init(k.addr)
			pre.add(a, k.hash)
		}
		if k.tx >= 0 {
			a.senderTxs++
		} else {
			a.calls += k.calls
		}
	}
	kb.slab = slab[:n]
	base.readBase(kb.slab)
	most := int32(0)
	for i := range kb.slab {
		most = max(most, kb.slab[i].senderTxs)
	}
	for cur := mv.maxSenderTxs.Load(); most > cur && !mv.maxSenderTxs.CompareAndSwap(cur, most); cur = mv.maxSenderTxs.Load() {
	}
	mv.known[p], mv.pre[p] = kb, pre
}

// knownAccount returns the known account of addr, or nil.
func (mv *MVMemory) knownAccount(addr *types.Address) *mvAccount {
	h := addrHash(addr)
	return mv.pre[h%knownParts].get(addr, h)
}

// knownBuf is the storage of one part of a block's known accounts,
// together the largest allocation of a parallel block: it is kept from one
// block to the next (up to knownCacheBytes; a sync.Pool would drop it at
// every collection, and allocating it afresh costs the page faults of
// memory the runtime gave back to the operating system meanwhile).
type knownBuf struct {
	pre  addrTable
	slab []mvAccount
}

const (
	knownCacheBufs  = knownParts // one block's parts
	knownCacheBytes = 8 << 20    // per part: about 18,000 accounts
)

var knownCache = freelist.List[knownBuf]{Max: knownCacheBufs, New: func() *knownBuf { return new(knownBuf) }}

func putKnownBuf(kb *knownBuf) {
	if uintptr(cap(kb.slab))*unsafe.Sizeof(mvAccount{}) > knownCacheBytes {
		return
	}
	// The accounts hold pointers into the finished block: cleared now, so
	// that the cache does not keep that block alive, and addKnownPart
	// finds them zero.
	clear(kb.slab[:cap(kb.slab)])
	clear(kb.pre.slots)
	kb.slab = kb.slab[:0]
	knownCache.Put(kb)
}

// release hands mv's recyclable storage back; mv is not used afterwards.
func (mv *MVMemory) release() {
	for p := range mv.known {
		mv.releasePart(p)
	}
}

// releasePart hands part p of the known accounts back; the parts may be
// released concurrently.
func (mv *MVMemory) releasePart(p int) {
	if kb := mv.known[p]; kb != nil {
		mv.known[p], mv.pre[p] = nil, nil
		putKnownBuf(kb)
	}
}

// addrTable is the index of one part of a block's known accounts: open
// addressing with linear probing, filled before the workers start and only
// read while they run. A lookup costs one hash of the address and usually
// one probe, less than a general map.
type addrTable struct {
	slots []*mvAccount
	shift uint
}

// reset empties t for up to n accounts, keeping the load at most one half.
func (t *addrTable) reset(n int) {
	bits := uint(4)
	for 1<<bits < 2*n {
		bits++
	}
	size := 1 << bits
	if cap(t.slots) >= size {
		t.slots = t.slots[:size]
		clear(t.slots)
	} else {
		t.slots = make([]*mvAccount, size)
	}
	t.shift = 64 - bits
}

// get returns the account of addr, whose hash is h, or nil.
func (t *addrTable) get(addr *types.Address, h uint64) *mvAccount {
	if t == nil || len(t.slots) == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := h >> t.shift; ; i = (i + 1) & mask {
		a := t.slots[i]
		if a == nil || a.addr == *addr {
			return a
		}
	}
}

// add inserts a, whose address (of hash h) t does not hold.
func (t *addrTable) add(a *mvAccount, h uint64) {
	mask := uint64(len(t.slots) - 1)
	i := h >> t.shift
	for t.slots[i] != nil {
		i = (i + 1) & mask
	}
	t.slots[i] = a
}

func shardOf(addr types.Address) uint { return (uint(addr[19]) ^ uint(addr[0])<<3) % mvShards }

// account returns the cells of addr, creating them.
func (mv *MVMemory) account(addr *types.Address) *mvAccount {
	if a := mv.knownAccount(addr); a != nil {
		return a
	}
	if a := mv.shardAccount(*addr); a != nil {
		return a
	}
	sh := &mv.shards[shardOf(*addr)]
	sh.mu.Lock()
	a := sh.m[*addr]
	if a == nil {
		if sh.m == nil {
			sh.m = make(map[types.Address]*mvAccount)
		}
		a = newMVAccount(*addr)
		sh.m[*addr] = a
	}
	sh.mu.Unlock()
	return a
}

// shardAccount returns the cells of addr among the accounts created while
// the block ran (not known before), or nil.
func (mv *MVMemory) shardAccount(addr types.Address) *mvAccount {
	sh := &mv.shards[shardOf(addr)]
	sh.mu.RLock()
	a := sh.m[addr]
	sh.mu.RUnlock()
	return a
}

// accountGroups is the number of groups accountsIn splits the accounts
// into: the known accounts' parts, then the shards of the others.
const accountGroups = knownParts + mvShards

// accountsIn calls fn for every account of group g (see accountGroups).
// No writer may run meanwhile; the groups may be walked concurrently.
func (mv *MVMemory) accountsIn(g int, fn func(*mvAccount)) {
	if g < knownParts {
		if pre := mv.pre[g]; pre != nil {
			for _, a := range pre.slots {
				if a != nil {
					fn(a)
				}
			}
		}
		return
	}
	for _, a := range mv.shards[g-knownParts].m {
		fn(a)
	}
}

// writeEntry is one location of a write set with its value; acct is the
// location's account in MVMemory.
type writeEntry struct {
	loc  location
	acct *mvAccount
	val  mvValue
}

// Record replaces transaction tx's writes with ws and reports whether ws
// wrote a location the previous incarnation did not (which obliges the
// transactions above tx to be validated again). Write sets list an
// account's locations together, so each account is locked once.
func (mv *MVMemory) Record(tx int, ws []writeEntry, ar *arena) (wroteNew bool) {
	prev := mv.txs[tx].written
	next := carve(&ar.cells, len(ws))[:0]
	var locked *mvAccount
	fa := mv.feeAcct
	var fee *uint256.Int
	for i := range ws {
		w := &ws[i]
		a := w.acct
		if a == fa && w.val.flag && w.loc.kind == locBalance {
			fee = &w.val.word
			continue
		}
		if w.loc.kind == locSlot {
			// Under the slot's stripe lock alone (table may take a.mu).
			if locked != nil {
				locked.mu.Unlock()
				locked = nil
			}
			st := a.table().stripe(w.loc.slot)
			st.mu.Lock()
			c := a.slotLocked(st, w.loc.slot)
			c.write(tx, &w.val, ar)
			st.mu.Unlock()
			next = append(next, c)
			continue
		}
		if a != locked {
			if locked != nil {
				locked.mu.Unlock()
			}
			a.mu.Lock()
			locked = a
		}
		c := &a.fields[w.loc.kind]
		c.write(tx, &w.val, ar)
		next = append(next, c)
	}
	if locked != nil {
		locked.mu.Unlock()
	}
	if fa != nil {
		if old := (*fa.fees)[tx].fee.Swap(fee); old == nil && fee != nil {
			wroteNew = true
		}
	}
	for _, c := range next {
		if !containsCell(prev, c) {
			wroteNew = true
			break
		}
	}
	for _, c := range prev {
		if !containsCell(next, c) {
			c.lock()
			c.remove(tx)
			c.unlock()
		}
	}
	mv.txs[tx].written = next
	return wroteNew
}

func containsCell(cs []*mvCell, c *mvCell) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// Estimate marks tx's writes as estimates: readers above tx wait for its
// next incarnation instead of reading values that are probably stale.
func (mv *MVMemory) Estimate(tx int) {
	if fa := mv.feeAcct; fa != nil && (*fa.fees)[tx].fee.Load() != nil {
		(*fa.fees)[tx].fee.Store(feeEstimate)
	}
	for _, c := range mv.txs[tx].written {
		c.lock()
		c.markEstimate(tx)
		c.unlock()
	}
}

// expect marks account-level locations of a that tx is known in advance to
// write (a sender's nonce and balance) as estimates, so that readers above
// tx wait for it instead of executing against the state before it. It runs
// before the workers start.
func (mv *MVMemory) expect(tx int, a *mvAccount, kinds ...locKind) {
	for _, k := range kinds {
		c := &a.fields[k]
		c.write(tx, &mvValue{}, nil)
		c.markEstimate(tx)
		mv.txs[tx].written = append(mv.txs[tx].written, c)
	}
}

// baseReader is the state before the block, shared by all transactions.
type baseReader struct {
	state evm.BlockState
	// refs is state when it reads through account references (nil
	// otherwise), found once for every read of the block.
	refs refReader
	// rootMu serialises GetStorageRoot, which updates the base state's
	// storage trie lazily.
	rootMu sync.Mutex
}

// refReader finds accounts and reads their fields and storage slots
// through references, which the bulk write of the final state gives back
// (statedb.StateDB does): a popular contract's slots are then read without
// a lookup of the contract at each.
type refReader interface {
	AccountRefOf(types.Address) statedb.AccountRef
	StateOf(ref statedb.AccountRef, key types.Hash) types.Hash
}

func newBaseReader(state evm.BlockState) *baseReader {
	r, _ := state.(refReader)
	return &baseReader{state: state, refs: r}
}

// baseValue returns c's value before the block, reading it from the base
// state the first time. The caller holds the lock.
func (c *mvCell) baseValue(base *baseReader) mvValue {
	var v mvValue
	if c.kind == locSlot {
		sl := c.slot
		if !sl.baseKnown {
			var h types.Hash
			if base.refs != nil && c.acct.baseReady.Load() {
				h = base.refs.StateOf(c.acct.base.ref, sl.key)
			} else {
				h = base.state.GetState(c.acct.addr, sl.key)
			}
			sl.base.SetBytes32(h[:])
			sl.baseKnown = true
			sl.baseReady.Store(true)
		}
		v.word = sl.base
		return v
	}
	b := c.acct.baseFields(base)
	switch c.kind {
	case locExist:
		v.flag = b.exists
	case locBalance:
		v.word = b.balance
	case locNonce:
		v.word[0] = b.nonce
	case locCode:
		v.word.SetBytes32(b.codeHash[:])
		v.code = b.code
	}
	return v
}

// baseFields returns the account before the block, reading it the first
// time. The caller holds the lock.
func (a *mvAccount) baseFields(base *baseReader) *baseAccount {
	if a.baseKnown {
		return &a.base
	}
	b := &a.base
	if base.refs != nil {
		b.ref = base.refs.AccountRefOf(a.addr)
		a.readRef()
		return b
	}
	s := base.state
	b.exists, b.balance, b.nonce = s.Exist(a.addr), s.GetBalance(a.addr), s.GetNonce(a.addr)
	b.codeHash = s.GetCodeHash(a.addr)
	if b.codeHash != (types.Hash{}) {
		b.code = s.GetCode(a.addr)
	}
	if b.codeHash == (types.Hash{}) {
		b.codeHash, b.code = types.EmptyCodeHash, nil
	}
	a.baseKnown = true
	a.baseReady.Store(true)
	return b
}

// readRef reads the account before the block from a.base.ref.
func (a *mvAccount) readRef() {
	b := &a.base
	b.exists, b.balance, b.nonce, b.codeHash, b.code = b.ref.Read()
	a.baseKnown = true
	a.baseReady.Store(true)
}

// readBase reads every account of accts (none read yet) from the state
// before the block: all the lookups first, then all the fields, so that
// the processor overlaps the cache misses of many accounts rather than
// waiting for each account's fields right after its lookup (the two loads
// of one account depend on each other; those of different accounts do
// not).
func (base *baseReader) readBase(accts []mvAccount) {
	if base.refs == nil {
		for i := range accts {
			accts[i].baseFields(base)
		}
		return
	}
	for i := range accts {
		accts[i].base.ref = base.refs.AccountRefOf(accts[i].addr)
	}
	for i := range accts {
		accts[i].readRef()
	}
}

// resolve returns the value of c for transaction tx: from the highest
// writer below tx, else from the state before the block. For balances the
// deltas above the newest absolute value are summed. blocker >= 0 means
// the read hit an estimate written by blocker. A slot reads zero when the
// account's storage was wiped after the newest write to it.
func (c *mvCell) resolve(base *baseReader, tx int) (val mvValue, blocker int) {
	val, blocker, _ = c.resolveRead(base, tx)
	return val, blocker
}

// resolveRead is resolve that also reports whether the value is the one
// before the block because no transaction below tx wrote c (nor, for a
// slot, wiped the storage): a validation that finds that still so needs
// no value (see baseStill).
func (c *mvCell) resolveRead(base *baseReader, tx int) (val mvValue, blocker int, fromBase bool) {
	// No version below tx and the value before the block known: the
	// value before the block, without the lock (a read at this instant).
	if c.baseStill(tx) {
		if c.kind == locSlot {
			if c.slot.baseReady.Load() {
				val.word = c.slot.base
				return val, -1, true
			}
		} else if c.acct.baseReady.Load() {
			return c.baseValue(base), -1, true
		}
	}
	c.lock()
	if c.kind == locSlot {
		val, blocker, fromBase = c.resolveSlotBase(base, tx)
	} else {
		val, blocker = c.resolveLocked(base, tx)
		fromBase = c.baseStill(tx) // stable under the lock
	}
	c.unlock()
	return val, blocker, fromBase
}

// baseStill reports whether c's value for transaction tx is, at this
// instant, the one before the block because no transaction below tx wrote
// c (nor, for a slot, wiped the storage): a read that got the value
// before the block for the same reason then read what it would read now.
func (c *mvCell) baseStill(tx int) bool {
	if !c.noneBelow(tx) {
		return false
	}
	switch c.kind {
	case locSlot:
		return c.acct.fields[locWipe].noneBelow(tx)
	case locBalance:
		return c.acct.fees == nil
	}
	return true
}

// resolveFinal is resolve once no transaction is being executed or
// recorded any more (the commit): the versions no longer change, so the
// lock is only needed to read the value before the block the first time.
func (c *mvCell) resolveFinal(base *baseReader, tx int) (val mvValue, blocker int) {
	ready := c.acct.baseReady.Load()
	if c.kind == locSlot {
		ready = c.slot.baseReady.Load()
	} else if ready && c.baseStill(tx) {
		// Not written below tx (most fields of most accounts are never
		// written): the value before the block.
		return c.baseValue(base), -1
	}
	if ready {
		return c.resolveLocked(base, tx)
	}
	c.lock()
	val, blocker = c.resolveLocked(base, tx)
	c.unlock()
	return val, blocker
}

// resolveLocked is resolve with c's lock held.
func (c *mvCell) resolveLocked(base *baseReader, tx int) (val mvValue, blocker int) {
	if c.kind == locSlot {
		return c.resolveSlotLocked(base, tx)
	}
	i := c.below(tx)
	if c.kind == locBalance && c.acct.fees != nil {
		return c.resolveFees(base, tx, i)
	}
	if i < 0 {
		return c.baseValue(base), -1
	}
	e := &c.entries[i]
	if e.estimate {
		return val, e.tx
	}
	if c.kind != locBalance || !e.val.flag {
		return e.val, -1
	}
	// A chain of deltas: sum down to an absolute value or the base.
	for ; i >= 0; i-- {
		e := &c.entries[i]
		if e.estimate {
			return mvValue{}, e.tx
		}
		val.word.Add(&val.word, &e.val.word)
		if !e.val.flag {
			return val, -1
		}
	}
	val.word.Add(&val.word, &c.acct.baseFields(base).balance)
	return val, -1
}

// resolveSlotLocked is resolveLocked for a storage slot: the caller holds
// the slot's stripe lock, and the account's lock is taken (after it) only
// to read the wipe marker when the account has one. The marker and the
// slot are then not read at one instant; a wipe recorded in between is a
// new write of its transaction, after which every read above it is
// validated again.
func (c *mvCell) resolveSlotLocked(base *baseReader, tx int) (val mvValue, blocker int) {
	val, blocker, _ = c.resolveSlotBase(base, tx)
	return val, blocker
}

// resolveSlotBase is resolveSlotLocked that also reports whether the value
// is the one before the block because no transaction below tx wrote the
// slot or wiped the storage.
func (c *mvCell) resolveSlotBase(base *baseReader, tx int) (val mvValue, blocker int, fromBase bool) {
	i := c.below(tx)
	w := -1
	if i >= 0 {
		e := &c.entries[i]
		if e.estimate {
			return val, e.tx, false
		}
		w = e.tx
	}
	wiped := false
	if wc := &c.acct.fields[locWipe]; !wc.noneBelow(tx) {
		c.acct.mu.Lock()
		j := wc.below(tx)
		var wtx int
		var west bool
		if j >= 0 {
			wtx, west = wc.entries[j].tx, wc.entries[j].estimate
		}
		c.acct.mu.Unlock()
		if j >= 0 {
			if west {
				return val, wtx, false
			}
			if wtx > w {
				return val, -1, false
			}
			wiped = true
		}
	}
	if i >= 0 {
		val.word = c.entries[i].val.word
		return val, -1, false
	}
	return c.baseValue(base), -1, !wiped
}

// resolveFees is resolveLocked for a balance whose fees are kept apart; i
// is c.below(tx). The entries' deltas are summed down to the newest
// absolute value (or the base), and the fees of the transactions between
// it and tx are added.
func (c *mvCell) resolveFees(base *baseReader, tx, i int) (val mvValue, blocker int) {
	from := -1 // the newest absolute value's writer
	for ; i >= 0; i-- {
		e := &c.entries[i]
		if e.estimate {
			return mvValue{}, e.tx
		}
		val.word.Add(&val.word, &e.val.word)
		if !e.val.flag {
			from = e.tx
			break
		}
	}
	if i < 0 {
		val.word.Add(&val.word, &c.acct.baseFields(base).balance)
	}
	fees := *c.acct.fees
	for t := tx - 1; t > from; t-- {
		switch f := fees[t].fee.Load(); f {
		case nil:
		case feeEstimate:
			return mvValue{}, t
		default:
			val.word.Add(&val.word, f)
		}
	}
	return val, -1
}
