package parallel

import (
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// ripemdAddr is the RIPEMD-160 precompile, whose touch survives a revert
// (see statedb: mainnet block 2675119).
var ripemdAddr = types.Address{19: 3}

// Loaded fields of an object.
const (
	hasBalance uint8 = 1 << iota
	hasNonce
	hasCode
	hasAll = hasBalance | hasNonce | hasCode
)

// object is the transaction's live view of one existing account. Fields
// are loaded from before the transaction only when first needed, so that a
// transaction depends only on what it actually reads. A balance that was
// never read accumulates credits and debits in delta: paying a fee to the
// block's beneficiary or value to a popular address is then a blind write
// that other transactions do not conflict with.
type object struct {
	// fresh: created in this transaction (CreateAccount, or implicitly when
	// it did not exist); nonce, code and storage do not come from before.
	fresh bool
	has   uint8

	balance  uint256.Int
	delta    uint256.Int // net credit while the balance is not loaded
	nonce    uint64
	codeHash types.Hash
	code     []byte

	dirty smallMap[hashKey, types.Hash] // storage writes of this transaction

	// orig is the account's state before the transaction (the same for
	// every object the address has in the transaction), kept here so
	// that loading a field does not look the address up again.
	orig *origAccount

	created        bool // EIP-6780: created by a contract creation in this transaction
	selfDestructed bool
}

// origAccount caches the account fields as they were before the
// transaction (as read from MVMemory).
type origAccount struct {
	acct     *mvAccount
	has      uint8 // hasBalance, hasNonce, hasCode
	known    bool  // exists is loaded
	exists   bool
	balance  uint256.Int
	nonce    uint64
	codeHash types.Hash
	code     []byte
	// slots are the values of the account's slots before the
	// transaction, read from MVMemory (and recorded) the first time.
	slots smallMap[hashKey, types.Hash]
}

// readEntry is one read of the transaction: validation repeats it and
// compares the value.
type readEntry struct {
	cell *mvCell
	val  uint256.Int // readWord of the value read
	// fromBase: the value read was the one before the block because no
	// transaction below wrote the cell (see mvCell.baseStill).
	fromBase bool
}

// assumption is something a transaction relied on without reading it,
// checked against the exact state when the transaction commits.
type assumption struct {
	addr  types.Address
	acct  *mvAccount  // addr's account in MVMemory
	kind  uint8       // assumeNonZeroBalance, assumeStorage
	delta uint256.Int // assumeNonZeroBalance: balance before + delta != 0
	flag  bool        // assumeStorage: the storage was non-empty
}

const (
	assumeNonZeroBalance uint8 = iota
	assumeStorage
)

// blockedPanic unwinds an incarnation that read an estimate.
type blockedPanic struct{ blocker int }

type jKind uint8

const (
	jCreate       jKind = iota // prevObj: the object before (nil: did not exist)
	jBalAdd                    // amount added (to balance or delta)
	jBalSub                    // amount subtracted
	jNonce                     // prevU64
	jCode                      // prevHash, prevCode
	jStorage                   // key, prevHash, prevBool: had a dirty value
	jSelfDestruct              // prevBool, prevBal, prevDelta, prevHas
	jCreated                   // prevBool
	jTouch                     // marks dirty only
	jRefund                    // prevU64
	jAccessAddr
	jAccessSlot
	jTransient // key, prevHash
	jLog
)

type jEntry struct {
	kind     jKind
	prevBool bool
	prevHas  uint8
	addr     addrKey // the account's (akp), not its address: no copy of the argument
	key      types.Hash
	prevHash types.Hash
	prevU64  uint64
	amount   uint256.Int
	prevBal  uint256.Int
	prevObj  *object
	prevCode []byte
}

// view is one incarnation's state: it implements evm.StateDB over
// MVMemory, records what it reads and, at finalise, produces the write set.
// Its semantics (journal, EIP-161 touches, EIP-6780, the RIPEMD-160
// exception) are those of statedb.StateDB; the parallel-versus-sequential
// tests hold them equal.
type view struct {
	mv   *MVMemory
	base *baseReader
	tx   int

	orig    smallMap[addrKey, *origAccount]
	reads   []readEntry
	assumes []assumption

	accounts smallMap[addrKey, *object] // nil value: known not to exist
	journal  []jEntry
	refund   uint64

	accessAddrs   smallMap[addrKey, struct{}]
	precompiles   []types.Address // warm from Prepare on
	accessSlots   smallMap[slotKey, struct{}]
	transient     smallMap[slotKey, types.Hash]
	logs          []*types.Log
	ripemdTouched bool

	// Reused storage for the accounts of an incarnation.
	origPool    []origAccount
	objPool     []object
	addrScratch []addrKey
	wsScratch   []writeEntry
}

// reset prepares a used view for another incarnation, keeping its maps,
// journal and read-set storage (results get a copy of the reads). The
// slices handed out in results (logs, assumptions) are not reused.
func (v *view) reset(tx int) {
	v.tx = tx
	v.orig.reset()
	v.accounts.reset()
	v.accessAddrs.reset()
	v.accessSlots.reset()
	v.transient.reset()
	v.precompiles = nil
	clear(v.journal)
	v.journal = v.journal[:0]
	clear(v.reads)
	v.reads = v.reads[:0]
	v.assumes, v.logs = v.assumes[:0], nil
	v.refund, v.ripemdTouched = 0, false
	v.origPool = v.origPool[:0]
	v.objPool = v.objPool[:0]
}

func (v *view) newOrig() *origAccount {
	if len(v.origPool) < cap(v.origPool) {
		v.origPool = v.origPool[:len(v.origPool)+1]
		o := &v.origPool[len(v.origPool)-1]
		slots := o.slots // the storage is kept for the next transaction
		slots.reset()
		*o = origAccount{slots: slots}
		return o
	}
	return new(origAccount)
}

func (v *view) newObject() *object {
	if len(v.objPool) < cap(v.objPool) {
		v.objPool = v.objPool[:len(v.objPool)+1]
		o := &v.objPool[len(v.objPool)-1]
		d := o.dirty
		d.reset()
		*o = object{dirty: d}
		return o
	}
	return new(object)
}

func newView(mv *MVMemory, base *baseReader, tx int) *view {
	return &view{
		origPool: make([]origAccount, 0, 8),
		objPool:  make([]object, 0, 8),
		mv:       mv,
		base:     base,
		tx:       tx,
	}
}

// read resolves c, records it, and unwinds the incarnation on an estimate.
func (v *view) read(c *mvCell) mvValue {
	val, blocker, fromBase := c.resolveRead(v.base, v.tx)
	if blocker >= 0 {
		panic(blockedPanic{blocker})
	}
	v.reads = append(v.reads, readEntry{cell: c, val: readWord(c.kind, &val), fromBase: fromBase})
	return val
}

func (v *view) origOf(addr *types.Address) *origAccount {
	k := akp(addr)
	o, _ := v.orig.get(k)
	if o == nil {
		o = v.newOrig()
		o.acct = v.mv.account(addr)
		v.orig.add(k, o)
	}
	return o
}

// The fields of an account before the transaction, each read from
// MVMemory (and recorded) the first time.

func (v *view) existed(o *origAccount) bool {
	if !o.known {
		o.exists = v.read(&o.acct.fields[locExist]).flag
		o.known = true
	}
	return o.exists
}

func (v *view) balanceBefore(o *origAccount) *uint256.Int {
	if o.has&hasBalance == 0 {
		o.balance = v.read(&o.acct.fields[locBalance]).word
		o.has |= hasBalance
	}
	return &o.balance
}

func (v *view) nonceBefore(o *origAccount) uint64 {
	if o.has&hasNonce == 0 {
		val := v.read(&o.acct.fields[locNonce])
		o.nonce = val.nonce()
		o.has |= hasNonce
	}
	return o.nonce
}

func (v *view) codeBefore(o *origAccount) *origAccount {
	if o.has&hasCode == 0 {
		val := v.read(&o.acct.fields[locCode])
		o.codeHash, o.code = val.hash(), val.code
		o.has |= hasCode
	}
	return o
}

func (v *view) origSlot(o *origAccount, key types.Hash) types.Hash {
	k := hk(key)
	if val, ok := o.slots.get(k); ok {
		return val
	}
	c, mval, blocker, fromBase := o.acct.readSlot(key, v.base, v.tx)
	if blocker >= 0 {
		panic(blockedPanic{blocker})
	}
	v.reads = append(v.reads, readEntry{cell: c, val: mval.word, fromBase: fromBase})
	val := mval.hash()
	o.slots.add(k, val)
	return val
}

// get returns the live object of addr, nil when it does not exist.
func (v *view) get(addr *types.Address) *object {
	k := akp(addr)
	o, known := v.accounts.get(k)
	if known {
		return o
	}
	if oa := v.origOf(addr); v.existed(oa) {
		o = v.newObject()
		o.orig = oa
	}
	v.accounts.add(k, o)
	return o
}

func (v *view) getOrNew(addr *types.Address) *object {
	if o := v.get(addr); o != nil {
		return o
	}
	o := v.newObject()
	o.fresh, o.has, o.codeHash = true, hasAll, types.EmptyCodeHash
	o.orig = v.origOf(addr)
	k := akp(addr)
	v.accounts.set(k, o)
	v.journal = append(v.journal, jEntry{kind: jCreate, addr: k})
	return o
}

func (v *view) loadBalance(o *object) *uint256.Int {
	if o.has&hasBalance == 0 {
		o.balance.Add(v.balanceBefore(o.orig), &o.delta)
		o.delta.Clear()
		o.has |= hasBalance
	}
	return &o.balance
}

func (v *view) loadNonce(o *object) uint64 {
	if o.has&hasNonce == 0 {
		o.nonce = v.nonceBefore(o.orig)
		o.has |= hasNonce
	}
	return o.nonce
}

func (v *view) loadCode(o *object) {
	if o.has&hasCode == 0 {
		oa := v.codeBefore(o.orig)
		o.codeHash, o.code = oa.codeHash, oa.code
		o.has |= hasCode
	}
}

func (v *view) empty(o *object) bool {
	if v.loadNonce(o) != 0 {
		return false
	}
	v.loadCode(o)
	if o.codeHash != types.EmptyCodeHash {
		return false
	}
	return v.loadBalance(o).IsZero()
}

func (v *view) touch(addr *types.Address) {
	v.journal = append(v.journal, jEntry{kind: jTouch, addr: akp(addr)})
	if *addr == ripemdAddr {
		v.ripemdTouched = true
	}
}

// CreateAccount replaces addr with a fresh account that keeps its balance.
func (v *view) CreateAccount(addr types.Address) {
	prev := v.get(&addr)
	o := &object{fresh: true, has: hasNonce | hasCode, codeHash: types.EmptyCodeHash, orig: v.origOf(&addr)}
	switch {
	case prev == nil:
		o.has |= hasBalance
	case prev.has&hasBalance != 0:
		o.balance = prev.balance
		o.has |= hasBalance
	default:
		o.delta = prev.delta
	}
	k := akp(&addr)
	v.accounts.set(k, o)
	v.journal = append(v.journal, jEntry{kind: jCreate, addr: k, prevObj: prev})
}

func (v *view) CreateContract(addr types.Address) {
	o := v.getOrNew(&addr)
	if o.created {
		return
	}
	v.journal = append(v.journal, jEntry{kind: jCreated, addr: akp(&addr)})
	o.created = true
}

func (v *view) SubBalance(addr types.Address, amount *uint256.Int) {
	o := v.getOrNew(&addr)
	if amount.IsZero() {
		if v.empty(o) {
			v.touch(&addr)
		}
		return
	}
	v.journal = append(v.journal, jEntry{kind: jBalSub, addr: akp(&addr), amount: *amount})
	if o.has&hasBalance != 0 {
		o.balance.Sub(&o.balance, amount)
	} else {
		o.delta.Sub(&o.delta, amount)
	}
}

func (v *view) AddBalance(addr types.Address, amount *uint256.Int) {
	o := v.getOrNew(&addr)
	if amount.IsZero() {
		if v.empty(o) {
			v.touch(&addr)
		}
		return
	}
	v.journal = append(v.journal, jEntry{kind: jBalAdd, addr: akp(&addr), amount: *amount})
	if o.has&hasBalance != 0 {
		o.balance.Add(&o.balance, amount)
	} else {
		o.delta.Add(&o.delta, amount)
	}
}

func (v *view) GetBalance(addr types.Address) uint256.Int {
	if o := v.get(&addr); o != nil {
		return *v.loadBalance(o)
	}
	return uint256.Int{}
}

func (v *view) GetNonce(addr types.Address) uint64 {
	if o := v.get(&addr); o != nil {
		return v.loadNonce(o)
	}
	return 0
}

func (v *view) SetNonce(addr types.Address, n uint64) {
	o := v.getOrNew(&addr)
	prev := v.loadNonce(o)
	v.journal = append(v.journal, jEntry{kind: jNonce, addr: akp(&addr), prevU64: prev})
	o.nonce = n
}

func (v *view) GetCodeHash(addr types.Address) types.Hash {
	if o := v.get(&addr); o != nil {
		v.loadCode(o)
		return o.codeHash
	}
	return types.Hash{}
}

func (v *view) GetCode(addr types.Address) []byte {
	if o := v.get(&addr); o != nil {
		v.loadCode(o)
		return o.code
	}
	return nil
}

func (v *view) GetCodeSize(addr types.Address) int { return len(v.GetCode(addr)) }

func (v *view) SetCode(addr types.Address, code []byte) {
	o := v.getOrNew(&addr)
	v.loadCode(o)
	v.journal = append(v.journal, jEntry{kind: jCode, addr: akp(&addr), prevHash: o.codeHash, prevCode: o.code})
	if len(code) == 0 {
		o.code, o.codeHash = nil, types.EmptyCodeHash
		return
	}
	o.code = append([]byte(nil), code...)
	o.codeHash = types.Keccak256(o.code)
}

func (v *view) AddRefund(gas uint64) {
	v.journal = append(v.journal, jEntry{kind: jRefund, prevU64: v.refund})
	v.refund += gas
}

func (v *view) SubRefund(gas uint64) {
	if gas > v.refund {
		panic("parallel: refund counter below zero")
	}
	v.journal = append(v.journal, jEntry{kind: jRefund, prevU64: v.refund})
	v.refund -= gas
}

func (v *view) GetRefund() uint64 { return v.refund }

func (v *view) GetCommittedState(addr types.Address, key types.Hash) types.Hash {
	o := v.get(&addr)
	if o == nil || o.fresh {
		return types.Hash{}
	}
	return v.origSlot(o.orig, key)
}

func (v *view) state(o *object, key types.Hash) types.Hash {
	if val, ok := o.dirty.get(hk(key)); ok {
		return val
	}
	if o.fresh {
		return types.Hash{}
	}
	return v.origSlot(o.orig, key)
}

func (v *view) GetState(addr types.Address, key types.Hash) types.Hash {
	if o := v.get(&addr); o != nil {
		return v.state(o, key)
	}
	return types.Hash{}
}

func (v *view) SetState(addr types.Address, key, value types.Hash) {
	o := v.getOrNew(&addr)
	prev, had := o.dirty.get(hk(key))
	if !had {
		prev = v.state(o, key)
	}
	if prev == value {
		return
	}
	v.journal = append(v.journal, jEntry{kind: jStorage, addr: akp(&addr), key: key, prevHash: prev, prevBool: had})
	o.dirty.set(hk(key), value)
}

// nonEmptyRoot stands for a storage root other than the empty one; only
// emptiness is ever asked of GetStorageRoot (EIP-7610).
var nonEmptyRoot = types.Hash{0: 1}

// GetStorageRoot answers whether addr had storage before the transaction.
// The answer is taken from the state before the block and checked against
// the exact state when the transaction commits.
func (v *view) GetStorageRoot(addr types.Address) types.Hash {
	o := v.get(&addr)
	if o == nil {
		return types.Hash{}
	}
	if o.fresh {
		return types.EmptyRootHash
	}
	v.base.rootMu.Lock()
	r := v.base.state.GetStorageRoot(addr)
	v.base.rootMu.Unlock()
	nonEmpty := r != types.Hash{} && r != types.EmptyRootHash
	v.assumes = append(v.assumes, assumption{addr: addr, acct: v.origOf(&addr).acct, kind: assumeStorage, flag: nonEmpty})
	if nonEmpty {
		return nonEmptyRoot
	}
	return types.EmptyRootHash
}

func (v *view) GetTransientState(addr types.Address, key types.Hash) types.Hash {
	val, _ := v.transient.get(sk(&addr, key))
	return val
}

func (v *view) SetTransientState(addr types.Address, key, value types.Hash) {
	k := sk(&addr, key)
	prev, _ := v.transient.get(k)
	if prev == value {
		return
	}
	v.journal = append(v.journal, jEntry{kind: jTransient, addr: akp(&addr), key: key, prevHash: prev})
	if value == (types.Hash{}) {
		v.transient.del(k)
	} else {
		v.transient.set(k, value)
	}
}

func (v *view) SelfDestruct(addr types.Address) {
	o := v.get(&addr)
	if o == nil {
		return
	}
	v.journal = append(v.journal, jEntry{kind: jSelfDestruct, addr: akp(&addr), prevBool: o.selfDestructed,
		prevBal: o.balance, amount: o.delta, prevHas: o.has})
	o.selfDestructed = true
	o.balance.Clear()
	o.delta.Clear()
	o.has |= hasBalance
}

func (v *view) HasSelfDestructed(addr types.Address) bool {
	if o := v.get(&addr); o != nil {
		return o.selfDestructed
	}
	return false
}

func (v *view) SelfDestruct6780(addr types.Address) {
	if o := v.get(&addr); o != nil && o.created {
		v.SelfDestruct(addr)
	}
}

func (v *view) Exist(addr types.Address) bool { return v.get(&addr) != nil }

func (v *view) Empty(addr types.Address) bool {
	o := v.get(&addr)
	return o == nil || v.empty(o)
}

func (v *view) AddressInAccessList(addr types.Address) bool {
	return v.warm(akp(&addr), &addr)
}

func (v *view) SlotInAccessList(addr types.Address, slot types.Hash) (addressOk bool, slotOk bool) {
	k := akp(&addr)
	if !v.warm(k, &addr) {
		return false, false
	}
	return true, v.accessSlots.has(slotKey{k, hk(slot)})
}

func (v *view) AddAddressToAccessList(addr types.Address) {
	v.addAddress(akp(&addr), &addr)
}

// addAddress is AddAddressToAccessList for addr, whose key is k.
func (v *view) addAddress(k addrKey, addr *types.Address) {
	if v.warm(k, addr) {
		return
	}
	v.accessAddrs.set(k, struct{}{})
	v.journal = append(v.journal, jEntry{kind: jAccessAddr, addr: k})
}

func (v *view) AddSlotToAccessList(addr types.Address, slot types.Hash) {
	k := akp(&addr)
	v.addAddress(k, &addr)
	sk := slotKey{k, hk(slot)}
	if v.accessSlots.has(sk) {
		return
	}
	v.accessSlots.set(sk, struct{}{})
	v.journal = append(v.journal, jEntry{kind: jAccessSlot, addr: k, key: slot})
}

// warm reports whether addr, whose key is k, is in the access list: added,
// or one of the precompiles Prepare was given.
func (v *view) warm(k addrKey, addr *types.Address) bool {
	if v.accessAddrs.has(k) {
		return true
	}
	if k.a != 0 || k.b != 0 || k.c&0xffff_ffff_ffff != 0 {
		return false // a precompile's address is zero up to its last two bytes
	}
	for _, p := range v.precompiles {
		if p == *addr {
			return true
		}
	}
	return false
}

func (v *view) Prepare(rules forks.Rules, sender, coinbase types.Address, dest *types.Address, precompiles []types.Address, txAccesses types.AccessList) {
	v.refund = 0
	v.transient.reset()
	v.accessAddrs.reset()
	v.accessSlots.reset()
	v.precompiles = nil
	if !rules.IsBerlin {
		return
	}
	v.accessAddrs.set(akp(&sender), struct{}{})
	if dest != nil {
		v.accessAddrs.set(akp(dest), struct{}{})
	}
	// The precompiles are warm without entries of their own (see warm).
	v.precompiles = precompiles
	for _, t := range txAccesses {
		v.accessAddrs.set(akp(&t.Address), struct{}{})
		for _, k := range t.StorageKeys {
			v.accessSlots.set(sk(&t.Address, k), struct{}{})
		}
	}
	if rules.IsShanghai {
		v.accessAddrs.set(akp(&coinbase), struct{}{})
	}
}

func (v *view) Snapshot() int { return len(v.journal) }

func (v *view) RevertToSnapshot(id int) {
	if id < 0 || id > len(v.journal) {
		panic("parallel: revert to an unknown or invalidated snapshot")
	}
	for i := len(v.journal) - 1; i >= id; i-- {
		v.revert(&v.journal[i])
		v.journal[i] = jEntry{}
	}
	v.journal = v.journal[:id]
}

// acct returns the live object of the account whose key is k (the
// journal names accounts by key).
func (v *view) acct(k addrKey) *object {
	o, _ := v.accounts.get(k)
	return o
}

func (v *view) revert(e *jEntry) {
	switch e.kind {
	case jCreate:
		v.accounts.set(e.addr, e.prevObj)
	case jBalAdd, jBalSub:
		o := v.acct(e.addr)
		target := &o.delta
		if o.has&hasBalance != 0 {
			target = &o.balance
		}
		if e.kind == jBalAdd {
			target.Sub(target, &e.amount)
		} else {
			target.Add(target, &e.amount)
		}
	case jNonce:
		v.acct(e.addr).nonce = e.prevU64
	case jCode:
		o := v.acct(e.addr)
		o.codeHash, o.code = e.prevHash, e.prevCode
	case jStorage:
		o := v.acct(e.addr)
		if e.prevBool {
			o.dirty.set(hk(e.key), e.prevHash)
		} else {
			o.dirty.del(hk(e.key))
		}
	case jSelfDestruct:
		o := v.acct(e.addr)
		o.selfDestructed = e.prevBool
		o.balance, o.delta, o.has = e.prevBal, e.amount, e.prevHas
	case jCreated:
		v.acct(e.addr).created = e.prevBool
	case jTouch:
	case jRefund:
		v.refund = e.prevU64
	case jAccessAddr:
		v.accessAddrs.del(e.addr)
	case jAccessSlot:
		v.accessSlots.del(slotKey{e.addr, hk(e.key)})
	case jTransient:
		k := slotKey{e.addr, hk(e.key)}
		if e.prevHash == (types.Hash{}) {
			v.transient.del(k)
		} else {
			v.transient.set(k, e.prevHash)
		}
	case jLog:
		n := len(v.logs) - 1
		v.logs[n] = nil
		v.logs = v.logs[:n]
	}
}

// AddLog records a log; its transaction hash and indices are set when the
// transaction commits.
func (v *view) AddLog(l *types.Log) {
	v.logs = append(v.logs, l)
	v.journal = append(v.journal, jEntry{kind: jLog})
}

// finalise ends the transaction like statedb.Finalise and returns its write
// set: for every account the journal names (plus the RIPEMD-160
// exception), deletion (self-destructed, or EIP-161 empty when
// deleteEmpty), or the fields and slots that differ from before.
func (v *view) finalise(deleteEmpty bool, ar *arena) []writeEntry {
	// The accounts the journal names, in first-mention order; most
	// transactions name a handful, so a linear search beats a map.
	keys := v.addrScratch[:0]
	has := func(k addrKey) bool {
		for i := len(keys) - 1; i >= 0; i-- {
			if keys[i] == k {
				return true
			}
		}
		return false
	}
	var seen map[addrKey]struct{}
	for i := range v.journal {
		e := &v.journal[i]
		if e.kind > jTouch {
			continue
		}
		if seen == nil {
			if has(e.addr) {
				continue
			}
			keys = append(keys, e.addr)
			if len(keys) > 32 {
				seen = make(map[addrKey]struct{}, 2*len(keys))
				for _, k := range keys {
					seen[k] = struct{}{}
				}
			}
		} else if _, ok := seen[e.addr]; !ok {
			seen[e.addr] = struct{}{}
			keys = append(keys, e.addr)
		}
	}
	if v.ripemdTouched {
		rk := akp(&ripemdAddr)
		if seen == nil && !has(rk) {
			keys = append(keys, rk)
		} else if _, ok := seen[rk]; seen != nil && !ok {
			keys = append(keys, rk)
		}
	}
	v.addrScratch = keys
	ws := v.wsScratch[:0]
	for _, k := range keys {
		o := v.acct(k)
		if o == nil {
			continue
		}
		oa := o.orig
		existed := v.existed(oa)
		acct := oa.acct
		addr := acct.addr
		deleted := o.selfDestructed
		if !deleted && deleteEmpty {
			if o.has&hasBalance == 0 && !o.delta.IsZero() {
				// Not empty unless the credit exactly cancels the balance
				// before; checked at commit rather than read now.
				v.assumes = append(v.assumes, assumption{addr: addr, acct: acct, kind: assumeNonZeroBalance, delta: o.delta})
			} else {
				deleted = v.empty(o)
			}
		}
		if deleted {
			if existed {
				ws = append(ws,
					writeEntry{acct: acct, loc: location{addr: addr, kind: locExist}},
					writeEntry{acct: acct, loc: location{addr: addr, kind: locBalance}},
					writeEntry{acct: acct, loc: location{addr: addr, kind: locNonce}},
					writeEntry{acct: acct, loc: location{addr: addr, kind: locCode}, val: hashValue(types.EmptyCodeHash)},
					writeEntry{acct: acct, loc: location{addr: addr, kind: locWipe}, val: mvValue{flag: true}})
			}
			continue
		}
		whole := !existed || o.fresh // every field is written
		if existed && o.fresh {
			ws = append(ws, writeEntry{acct: acct, loc: location{addr: addr, kind: locWipe}, val: mvValue{flag: true}})
		}
		if !existed {
			ws = append(ws, writeEntry{acct: acct, loc: location{addr: addr, kind: locExist}, val: mvValue{flag: true}})
		}
		if o.has&hasBalance != 0 {
			if whole || o.balance != *v.balanceBefore(oa) {
				ws = append(ws, writeEntry{acct: acct, loc: location{addr: addr, kind: locBalance}, val: mvValue{word: o.balance}})
			}
		} else if !o.delta.IsZero() {
			ws = append(ws, writeEntry{acct: acct, loc: location{addr: addr, kind: locBalance}, val: mvValue{word: o.delta, flag: true}})
		}
		if o.has&hasNonce != 0 && (whole || o.nonce != v.nonceBefore(oa)) {
			ws = append(ws, writeEntry{acct: acct, loc: location{addr: addr, kind: locNonce}, val: mvValue{word: uint256.Int{o.nonce}}})
		}
		if o.has&hasCode != 0 && (whole || o.codeHash != v.codeBefore(oa).codeHash) {
			ws = append(ws, writeEntry{acct: acct, loc: location{addr: addr, kind: locCode}, val: mvValue{word: hashValue(o.codeHash).word, code: o.code}})
		}
		for j, dk := range o.dirty.keys {
			k, val := dk.hash(), o.dirty.vals[j]
			if o.fresh {
				if val == (types.Hash{}) {
					continue
				}
			} else if val == v.origSlot(oa, k) {
				continue
			}
			ws = append(ws, writeEntry{acct: acct, loc: location{addr: addr, slot: k, kind: locSlot}, val: hashValue(val)})
		}
	}
	v.wsScratch = ws
	return copyInto(&ar.writes, ws)
}
