package evm

import (
	"bytes"
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/evm/precompile"
	"github.com/plasmaxpl/engine/types"
)

// EVM executes message calls and contract creations against a StateDB
// under one fork's rules. An EVM is used by one goroutine at a time; run
// several EVMs for parallel execution (they share only immutable tables
// and the concurrency-safe JUMPDEST cache).
type EVM struct {
	Context   BlockContext
	TxContext TxContext
	StateDB   StateDB
	Config    Config

	rules       forks.Rules
	table       *instructionSet
	precompiles *precompile.Set

	depth       int  // number of running call frames
	readOnly    bool // inside a STATICCALL
	callGasTemp uint64

	frames []*frame // reused per depth, so calls do not allocate frames

	hasher  keccakState // KECCAK256, created on first use
	hashBuf [32]byte

	// analyses keeps the code analyses this EVM used last, by the low
	// bits of the code hash, in front of the process-wide cache: a
	// contract that every transaction calls is then found without
	// touching the shared cache's lock, whose line would otherwise move
	// between the cores of a parallel block at each call.
	analyses [4]struct {
		hash types.Hash
		an   *codeAnalysis
	}
}

// codeAnalysis returns the analysis of code, whose hash is hash.
func (e *EVM) codeAnalysis(hash types.Hash, code []byte) *codeAnalysis {
	c := &e.analyses[hash[31]%uint8(len(e.analyses))]
	if c.an != nil && c.hash == hash {
		return c.an
	}
	an := sharedJumpdests.analysis(hash, code)
	c.hash, c.an = hash, an
	return an
}

// New returns an EVM for one block under cfg.Rules. Set the transaction
// with SetTxContext before each transaction.
func New(block BlockContext, state StateDB, cfg Config) *EVM {
	return &EVM{
		Context:     block,
		StateDB:     state,
		Config:      cfg,
		rules:       cfg.Rules,
		table:       instructionSetFor(cfg.Rules.Fork),
		precompiles: precompile.ForRules(cfg.Rules),
	}
}

// SetTxContext sets the transaction-level context (origin, gas price, blob hashes).
func (e *EVM) SetTxContext(tx TxContext) { e.TxContext = tx }

// Rules returns the fork rules in force.
func (e *EVM) Rules() forks.Rules { return e.rules }

// Precompiles returns the precompiled contracts active at the fork.
func (e *EVM) Precompiles() *precompile.Set { return e.precompiles }

// Depth returns the number of call frames currently running (0 outside execution).
func (e *EVM) Depth() int { return e.depth }

// frame is one running call frame: the code, its context and its machine state.
type frame struct {
	stack *stack
	mem   *memory

	caller  types.Address
	address types.Address // the account whose storage and balance the code acts on
	value   uint256.Int
	input   []byte

	code      []byte
	codeAddr  types.Address // account whose code runs, to key the JUMPDEST cache
	cacheable bool          // false for initcode, whose analysis is not cached
	jumpdests jumpdestBitmap

	gas        uint64
	returnData []byte // output of the last call made from this frame
	output     []byte // set by RETURN and REVERT
}

func (e *EVM) newFrame() *frame {
	for len(e.frames) <= e.depth {
		e.frames = append(e.frames, new(frame))
	}
	f := e.frames[e.depth]
	*f = frame{}
	return f
}

// validJump reports whether dest is a JUMPDEST outside PUSH data,
// analysing the code on first use (once per code hash, process-wide).
func (e *EVM) validJump(f *frame, dest *uint256.Int) bool {
	if !dest.IsUint64() || dest.Uint64() >= uint64(len(f.code)) {
		return false
	}
	pos := dest.Uint64()
	if OpCode(f.code[pos]) != JUMPDEST {
		return false
	}
	if f.jumpdests == nil {
		if f.cacheable {
			f.jumpdests = e.codeAnalysis(e.StateDB.GetCodeHash(f.codeAddr), f.code).jumpdests
		} else {
			f.jumpdests = analyseJumpdests(f.code)
		}
	}
	return f.jumpdests.has(pos)
}

// resolveCode returns the code to execute for addr and the account holding
// it: from Prague an EIP-7702 delegation designator is followed one step.
func (e *EVM) resolveCode(addr types.Address) ([]byte, types.Address) {
	code := e.StateDB.GetCode(addr)
	if e.rules.IsPrague {
		if target, ok := ParseDelegation(code); ok {
			return e.StateDB.GetCode(target), target
		}
	}
	return code, addr
}

// DelegationPrefix starts an EIP-7702 delegation designator.
var DelegationPrefix = [3]byte{0xef, 0x01, 0x00}

// ParseDelegation returns the delegate of an EIP-7702 designator
// (0xef0100 || address, exactly 23 bytes).
func ParseDelegation(code []byte) (types.Address, bool) {
	if len(code) != 23 || code[0] != 0xef || code[1] != 0x01 || code[2] != 0x00 {
		return types.Address{}, false
	}
	return types.Address(code[3:]), true
}

// DelegationCode returns the EIP-7702 designator that delegates to addr.
func DelegationCode(addr types.Address) []byte {
	out := make([]byte, 23)
	copy(out, DelegationPrefix[:])
	copy(out[3:], addr[:])
	return out
}

var zeroValue uint256.Int

func valueOrZero(v *uint256.Int) *uint256.Int {
	if v == nil {
		return &zeroValue
	}
	return v
}

// canTransfer reports whether addr holds at least amount.
func (e *EVM) canTransfer(addr types.Address, amount *uint256.Int) bool {
	if amount.IsZero() {
		return true
	}
	bal := e.StateDB.GetBalance(addr)
	return !bal.Lt(amount)
}

// transfer moves amount from one account to another. A zero amount still
// touches both accounts, which matters for EIP-161 empty-account clearing.
func (e *EVM) transfer(from, to types.Address, amount *uint256.Int) {
	e.StateDB.SubBalance(from, amount)
	e.StateDB.AddBalance(to, amount)
}

// runPrecompile charges a precompile's gas and runs it.
func runPrecompile(p precompile.Contract, input []byte, gas uint64) ([]byte, uint64, error) {
	cost := p.RequiredGas(input)
	if cost > gas {
		return nil, 0, ErrOutOfGas
	}
	out, err := p.Run(input)
	if len(out) > 0 {
		// The input may be a view of the caller's memory; never hand back
		// an output that could alias it.
		out = bytes.Clone(out)
	}
	return out, gas - cost, err
}

// traceExit reports a frame's end to the tracer.
func (e *EVM) traceExit(startGas, leftOver uint64, ret []byte, err error) {
	gasUsed := startGas - leftOver
	if leftOver > startGas {
		gasUsed = 0
	}
	e.Config.Tracer.OnExit(e.depth+1, ret, gasUsed, err)
}

// Call runs a message call from caller to addr, as a transaction or the
// CALL instruction does: it transfers value (failing with
// ErrInsufficientBalance), runs a precompile or the account's code (for an
// EIP-7702 delegated account, the delegate's code), and on failure reverts
// every state change of the call. Any error but ErrExecutionReverted
// consumes all gas. Transaction-level work (nonce, intrinsic gas, access
// list preparation, refunds) is the caller's.
func (e *EVM) Call(caller, addr types.Address, input []byte, gas uint64, value *uint256.Int) (ret []byte, leftOverGas uint64, err error) {
	value = valueOrZero(value)
	if e.Config.Tracer != nil {
		defer func(start uint64) { e.traceExit(start, leftOverGas, ret, err) }(gas)
	}
	if e.depth > MaxCallDepth {
		return nil, gas, ErrDepth
	}
	if !e.canTransfer(caller, value) {
		return nil, gas, ErrInsufficientBalance
	}
	snapshot := e.StateDB.Snapshot()
	p, isPrecompile := e.precompiles.Lookup(addr)
	if !e.StateDB.Exist(addr) {
		if !isPrecompile && e.rules.IsEIP158 && value.IsZero() {
			// Calling a non-existent account with no value does nothing
			// and, from EIP-161, does not create it.
			return nil, gas, nil
		}
		e.StateDB.CreateAccount(addr)
	}
	e.transfer(caller, addr, value)

	return e.runTarget(snapshot, p, isPrecompile, addr, input, gas, caller, addr, value, false)
}

// CallCode runs addr's code in the context of caller (CALLCODE): storage
// and balance are caller's, value is sent from caller to itself.
func (e *EVM) CallCode(caller, addr types.Address, input []byte, gas uint64, value *uint256.Int) (ret []byte, leftOverGas uint64, err error) {
	value = valueOrZero(value)
	if e.Config.Tracer != nil {
		defer func(start uint64) { e.traceExit(start, leftOverGas, ret, err) }(gas)
	}
	if e.depth > MaxCallDepth {
		return nil, gas, ErrDepth
	}
	if !e.canTransfer(caller, value) {
		return nil, gas, ErrInsufficientBalance
	}
	snapshot := e.StateDB.Snapshot()
	p, isPrecompile := e.precompiles.Lookup(addr)
	return e.runTarget(snapshot, p, isPrecompile, addr, input, gas, caller, caller, value, false)
}

// DelegateCall runs addr's code in the context of caller (DELEGATECALL):
// storage, balance, the sender (origCaller) and the value are the calling
// frame's; no value moves.
func (e *EVM) DelegateCall(origCaller, caller, addr types.Address, input []byte, gas uint64, value *uint256.Int) (ret []byte, leftOverGas uint64, err error) {
	value = valueOrZero(value)
	if e.Config.Tracer != nil {
		defer func(start uint64) { e.traceExit(start, leftOverGas, ret, err) }(gas)
	}
	if e.depth > MaxCallDepth {
		return nil, gas, ErrDepth
	}
	snapshot := e.StateDB.Snapshot()
	p, isPrecompile := e.precompiles.Lookup(addr)
	return e.runTarget(snapshot, p, isPrecompile, addr, input, gas, origCaller, caller, value, false)
}

// StaticCall runs a call in which no state may change (STATICCALL): any
// attempt fails with ErrWriteProtection.
func (e *EVM) StaticCall(caller, addr types.Address, input []byte, gas uint64) (ret []byte, leftOverGas uint64, err error) {
	if e.Config.Tracer != nil {
		defer func(start uint64) { e.traceExit(start, leftOverGas, ret, err) }(gas)
	}
	if e.depth > MaxCallDepth {
		return nil, gas, ErrDepth
	}
	snapshot := e.StateDB.Snapshot()
	// Touch the target, as a zero-value CALL would (EIP-161 clears it
	// again at the end of the transaction if it is empty).
	e.StateDB.AddBalance(addr, &zeroValue)

	p, isPrecompile := e.precompiles.Lookup(addr)
	return e.runTarget(snapshot, p, isPrecompile, addr, input, gas, caller, addr, &zeroValue, true)
}

// runTarget runs a call's target once the call-specific checks and state
// changes are made: the precompile p when isPrecompile, else addr's code
// (for an EIP-7702 delegated account, the delegate's) in a frame with the
// given caller, storage address and value, read-only when static. On
// failure it reverts to snapshot; any error but ErrExecutionReverted
// consumes all gas.
func (e *EVM) runTarget(snapshot int, p precompile.Contract, isPrecompile bool, addr types.Address, input []byte, gas uint64,
	caller, address types.Address, value *uint256.Int, static bool) (ret []byte, leftOverGas uint64, err error) {
	if isPrecompile {
		ret, gas, err = runPrecompile(p, input, gas)
	} else if code, codeAddr := e.resolveCode(addr); len(code) != 0 {
		f := e.newFrame()
		f.caller, f.address, f.value, f.input = caller, address, *value, input
		f.code, f.codeAddr, f.cacheable, f.gas = code, codeAddr, true, gas
		ret, err = e.run(f, static)
		gas = f.gas
	}
	if err != nil {
		e.StateDB.RevertToSnapshot(snapshot)
		if err != ErrExecutionReverted {
			gas = 0
		}
	}
	return ret, gas, err
}

// Create deploys a contract as a creation transaction or the CREATE
// instruction does. The address is derived from caller and caller's
// CURRENT nonce, and Create increments that nonce itself (so a transaction
// processor must not increment the sender's nonce for a creation). On
// success ret is the deployed code; on revert, the revert data.
func (e *EVM) Create(caller types.Address, code []byte, gas uint64, value *uint256.Int) (ret []byte, contractAddr types.Address, leftOverGas uint64, err error) {
	contractAddr = CreateAddress(caller, e.StateDB.GetNonce(caller))
	return e.create(caller, code, gas, valueOrZero(value), contractAddr)
}

// Create2 deploys a contract at the EIP-1014 address
// keccak256(0xff ++ caller ++ salt ++ keccak256(code))[12:]; it increments
// caller's nonce like Create.
func (e *EVM) Create2(caller types.Address, code []byte, gas uint64, value *uint256.Int, salt *uint256.Int) (ret []byte, contractAddr types.Address, leftOverGas uint64, err error) {
	contractAddr = CreateAddress2(caller, salt.Bytes32(), types.Keccak256(code))
	return e.create(caller, code, gas, valueOrZero(value), contractAddr)
}

func (e *EVM) create(caller types.Address, code []byte, gas uint64, value *uint256.Int, addr types.Address) (ret []byte, createdAddr types.Address, leftOverGas uint64, err error) {
	if e.Config.Tracer != nil {
		defer func(start uint64) { e.traceExit(start, leftOverGas, ret, err) }(gas)
	}
	if e.depth > MaxCallDepth {
		return nil, types.Address{}, gas, ErrDepth
	}
	if !e.canTransfer(caller, value) {
		return nil, types.Address{}, gas, ErrInsufficientBalance
	}
	nonce := e.StateDB.GetNonce(caller)
	if nonce+1 < nonce {
		return nil, types.Address{}, gas, ErrNonceUintOverflow
	}
	e.StateDB.SetNonce(caller, nonce+1)
	// EIP-2929: the new address is warm even if the creation fails.
	if e.rules.IsBerlin {
		e.StateDB.AddAddressToAccessList(addr)
	}
	// EIP-684 and EIP-7610: an account with a nonce, code or storage
	// cannot be created over; the attempt consumes all gas.
	if e.StateDB.GetNonce(addr) != 0 || !emptyCodeHash(e.StateDB.GetCodeHash(addr)) || !emptyRoot(e.StateDB.GetStorageRoot(addr)) {
		return nil, types.Address{}, 0, ErrContractAddressCollision
	}
	snapshot := e.StateDB.Snapshot()
	if !e.StateDB.Exist(addr) {
		e.StateDB.CreateAccount(addr)
	}
	e.StateDB.CreateContract(addr)
	if e.rules.IsEIP158 {
		e.StateDB.SetNonce(addr, 1)
	}
	e.transfer(caller, addr, value)

	f := e.newFrame()
	f.caller, f.address, f.value = caller, addr, *value
	f.code, f.gas = code, gas
	ret, err = e.run(f, false)
	if err == nil {
		err = e.deploy(f, addr, ret)
	}
	if err != nil && (e.rules.IsHomestead || err != ErrCodeStoreOutOfGas) {
		e.StateDB.RevertToSnapshot(snapshot)
		if err != ErrExecutionReverted {
			f.gas = 0
		}
	}
	return ret, addr, f.gas, err
}

// deploy checks the code returned by initcode and stores it, charging
// 200 gas per byte.
func (e *EVM) deploy(f *frame, addr types.Address, code []byte) error {
	if e.rules.IsEIP170 && len(code) > MaxCodeSize {
		return ErrMaxCodeSizeExceeded
	}
	if e.rules.IsLondon && len(code) > 0 && code[0] == 0xef { // EIP-3541
		return ErrInvalidCode
	}
	cost := uint64(len(code)) * GasCreateData
	if f.gas < cost {
		// Frontier keeps the account with empty code and the gas left;
		// from Homestead (EIP-2) the creation fails.
		return ErrCodeStoreOutOfGas
	}
	f.gas -= cost
	if len(code) > 0 {
		e.StateDB.SetCode(addr, code)
	}
	return nil
}

func emptyCodeHash(h types.Hash) bool { return h == types.Hash{} || h == types.EmptyCodeHash }
func emptyRoot(h types.Hash) bool     { return h == types.Hash{} || h == types.EmptyRootHash }

// CreateAddress returns the address of the contract that sender creates
// with the given nonce: keccak256(rlp([sender, nonce]))[12:].
func CreateAddress(sender types.Address, nonce uint64) types.Address {
	var buf [1 + 21 + 9]byte
	n := 1
	buf[n] = 0x80 + 20
	copy(buf[n+1:], sender[:])
	n += 21
	switch {
	case nonce == 0:
		buf[n] = 0x80
		n++
	case nonce < 0x80:
		buf[n] = byte(nonce)
		n++
	default:
		l := (64 - bits.LeadingZeros64(nonce) + 7) / 8
		buf[n] = 0x80 + byte(l)
		for i := 0; i < l; i++ {
			buf[n+1+i] = byte(nonce >> (8 * (l - 1 - i)))
		}
		n += 1 + l
	}
	buf[0] = 0xc0 + byte(n-1)
	h := types.Keccak256(buf[:n])
	return types.Address(h[12:])
}

// CreateAddress2 returns the EIP-1014 address for sender, salt and the
// initcode hash.
func CreateAddress2(sender types.Address, salt [32]byte, initHash types.Hash) types.Address {
	var buf [1 + 20 + 32 + 32]byte
	buf[0] = 0xff
	copy(buf[1:], sender[:])
	copy(buf[21:], salt[:])
	copy(buf[53:], initHash[:])
	h := types.Keccak256(buf[:])
	return types.Address(h[12:])
}
