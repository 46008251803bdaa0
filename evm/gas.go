package evm

import (
	"math/bits"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// Gas costs and limits from the Yellow Paper and the EIPs that changed them.
const (
	GasQuickStep   uint64 = 2
	GasFastestStep uint64 = 3
	GasFastStep    uint64 = 5
	GasMidStep     uint64 = 8
	GasSlowStep    uint64 = 10
	GasExtStep     uint64 = 20

	GasMemory        uint64 = 3   // per word of memory
	GasQuadCoeffDiv  uint64 = 512 // divisor of the quadratic memory term
	GasCopy          uint64 = 3   // per word copied
	GasKeccak256     uint64 = 30
	GasKeccak256Word uint64 = 6
	GasLog           uint64 = 375
	GasLogTopic      uint64 = 375
	GasLogData       uint64 = 8
	GasJumpdest      uint64 = 1
	GasCreate        uint64 = 32000
	GasCreateData    uint64 = 200 // per byte of deployed code
	GasCallValue     uint64 = 9000
	GasCallStipend   uint64 = 2300
	GasNewAccount    uint64 = 25000
	GasExpFrontier   uint64 = 10 // per byte of exponent before EIP-160
	GasExpEIP160     uint64 = 50
	GasInitCodeWord  uint64 = 2 // EIP-3860

	GasSelfdestructEIP150 uint64 = 5000
	RefundSelfdestruct    uint64 = 24000 // removed by EIP-3529

	// SSTORE (Frontier) and net metering (EIP-1283, EIP-2200).
	GasSstoreSet          uint64 = 20000
	GasSstoreReset        uint64 = 5000
	RefundSstoreClear     uint64 = 15000
	GasSstoreSentry       uint64 = 2300 // EIP-2200: SSTORE fails with this much gas or less
	RefundSstoreClear3529 uint64 = 4800 // EIP-3529: SSTORE_RESET - COLD_SLOAD + ACCESS_LIST_STORAGE_KEY

	// EIP-2929.
	GasColdSload         uint64 = 2100
	GasColdAccountAccess uint64 = 2600
	GasWarmAccess        uint64 = 100

	// MaxCodeSize is the EIP-170 limit on deployed code; MaxInitCodeSize the
	// EIP-3860 limit on initcode.
	MaxCodeSize     = 24576
	MaxInitCodeSize = 2 * MaxCodeSize

	// MaxCallDepth is the deepest nesting of call frames.
	MaxCallDepth = 1024
)

// Dynamic gas: each function returns the part of an instruction's cost that
// depends on its operands or on state; the interpreter has already charged
// the constant part and sized the memory (memSize, a multiple of 32).

func addGas(a, b uint64) (uint64, error) {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, ErrGasUintOverflow
	}
	return s, nil
}

func mulGas(a, b uint64) (uint64, error) {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return 0, ErrGasUintOverflow
	}
	return lo, nil
}

func gasMemoryOnly(e *EVM, f *frame, memSize uint64) (uint64, error) {
	return memoryGasCost(f.mem, memSize)
}

// wordGas returns memory expansion gas plus perWord for each 32-byte word of
// the size operand.
func wordGas(f *frame, memSize uint64, size *uint256.Int, perWord uint64) (uint64, error) {
	gas, err := memoryGasCost(f.mem, memSize)
	if err != nil {
		return 0, err
	}
	if !size.IsUint64() {
		return 0, ErrGasUintOverflow
	}
	w, err := mulGas(toWords(size.Uint64()), perWord)
	if err != nil {
		return 0, err
	}
	return addGas(gas, w)
}

// gasCopy prices CALLDATACOPY, CODECOPY, RETURNDATACOPY and MCOPY (size is the third operand).
func gasCopy(e *EVM, f *frame, memSize uint64) (uint64, error) {
	return wordGas(f, memSize, f.stack.back(2), GasCopy)
}

func gasExtCodeCopy(e *EVM, f *frame, memSize uint64) (uint64, error) {
	return wordGas(f, memSize, f.stack.back(3), GasCopy)
}

func gasKeccak256(e *EVM, f *frame, memSize uint64) (uint64, error) {
	return wordGas(f, memSize, f.stack.back(1), GasKeccak256Word)
}

func makeGasLog(topics uint64) gasFunc {
	return func(e *EVM, f *frame, memSize uint64) (uint64, error) {
		size := f.stack.back(1)
		if !size.IsUint64() {
			return 0, ErrGasUintOverflow
		}
		gas, err := memoryGasCost(f.mem, memSize)
		if err != nil {
			return 0, err
		}
		if gas, err = addGas(gas, GasLog+topics*GasLogTopic); err != nil {
			return 0, err
		}
		data, err := mulGas(size.Uint64(), GasLogData)
		if err != nil {
			return 0, err
		}
		return addGas(gas, data)
	}
}

func makeGasExp(perByte uint64) gasFunc {
	return func(e *EVM, f *frame, memSize uint64) (uint64, error) {
		n := uint64(f.stack.back(1).BitLen()+7) / 8
		return GasSlowStep + n*perByte, nil
	}
}

// gasCreate prices CREATE's memory; gasCreate2 adds hashing the initcode.
func gasCreate(e *EVM, f *frame, memSize uint64) (uint64, error) {
	if e.readOnly {
		return 0, ErrWriteProtection
	}
	return memoryGasCost(f.mem, memSize)
}

func gasCreate2(e *EVM, f *frame, memSize uint64) (uint64, error) {
	if e.readOnly {
		return 0, ErrWriteProtection
	}
	return wordGas(f, memSize, f.stack.back(2), GasKeccak256Word)
}

// initcodeGas applies EIP-3860: a size limit and 2 gas per word of initcode.
func initcodeGas(e *EVM, f *frame, memSize uint64, hashWords uint64) (uint64, error) {
	if e.readOnly {
		return 0, ErrWriteProtection
	}
	gas, err := memoryGasCost(f.mem, memSize)
	if err != nil {
		return 0, err
	}
	size := f.stack.back(2)
	if !size.IsUint64() {
		return 0, ErrGasUintOverflow
	}
	if size.Uint64() > MaxInitCodeSize {
		return 0, errInitCodeTooLarge(size.Uint64())
	}
	return addGas(gas, (GasInitCodeWord+hashWords)*toWords(size.Uint64()))
}

func gasCreateEIP3860(e *EVM, f *frame, memSize uint64) (uint64, error) {
	return initcodeGas(e, f, memSize, 0)
}

func gasCreate2EIP3860(e *EVM, f *frame, memSize uint64) (uint64, error) {
	return initcodeGas(e, f, memSize, GasKeccak256Word)
}

// --- storage ---

// gasSstoreFrontier: 20000 to set a zero slot, 5000 otherwise, with a 15000
// refund for clearing one.
func gasSstoreFrontier(e *EVM, f *frame, memSize uint64) (uint64, error) {
	if e.readOnly {
		return 0, ErrWriteProtection
	}
	key, val := slotKey(f.stack.back(0)), f.stack.back(1)
	cur := e.StateDB.GetState(f.address, key)
	switch {
	case cur.IsZero() && !val.IsZero():
		return GasSstoreSet, nil
	case !cur.IsZero() && val.IsZero():
		e.StateDB.AddRefund(RefundSstoreClear)
		return GasSstoreReset, nil
	}
	return GasSstoreReset, nil
}

// netSstore holds the parameters of net gas metering, which EIP-1283
// introduced, EIP-2200 reinstated with a sentry, EIP-2929 split into cold
// and warm costs, and EIP-3529 gave a smaller clearing refund.
type netSstore struct {
	noop        uint64 // cost when the value does not change (SLOAD_GAS / warm read)
	set         uint64 // original zero, becomes non-zero
	reset       uint64 // original non-zero, first change
	clearRefund uint64
	sentry      bool // EIP-2200: fail when gas left <= 2300
	cold        bool // EIP-2929: charge and warm a cold slot
}

var (
	sstoreEIP1283 = netSstore{noop: 200, set: GasSstoreSet, reset: GasSstoreReset, clearRefund: RefundSstoreClear}
	sstoreEIP2200 = netSstore{noop: 800, set: GasSstoreSet, reset: GasSstoreReset, clearRefund: RefundSstoreClear, sentry: true}
	sstoreEIP2929 = netSstore{noop: GasWarmAccess, set: GasSstoreSet, reset: GasSstoreReset - GasColdSload, clearRefund: RefundSstoreClear, sentry: true, cold: true}
	sstoreEIP3529 = netSstore{noop: GasWarmAccess, set: GasSstoreSet, reset: GasSstoreReset - GasColdSload, clearRefund: RefundSstoreClear3529, sentry: true, cold: true}
)

func (p *netSstore) gas(e *EVM, f *frame) (uint64, error) {
	if e.readOnly {
		return 0, ErrWriteProtection
	}
	if p.sentry && f.gas <= GasSstoreSentry {
		return 0, errSstoreSentry
	}
	key := slotKey(f.stack.back(0))
	var gas uint64
	if p.cold {
		if _, warm := e.StateDB.SlotInAccessList(f.address, key); !warm {
			e.StateDB.AddSlotToAccessList(f.address, key)
			gas = GasColdSload
		}
	}
	val := types.Hash(f.stack.back(1).Bytes32())
	cur := e.StateDB.GetState(f.address, key)
	if cur == val {
		return gas + p.noop, nil
	}
	orig := e.StateDB.GetCommittedState(f.address, key)
	if orig == cur {
		if orig.IsZero() {
			return gas + p.set, nil
		}
		if val.IsZero() {
			e.StateDB.AddRefund(p.clearRefund)
		}
		return gas + p.reset, nil
	}
	// The slot is already dirty in this transaction.
	if !orig.IsZero() {
		if cur.IsZero() {
			e.StateDB.SubRefund(p.clearRefund)
		} else if val.IsZero() {
			e.StateDB.AddRefund(p.clearRefund)
		}
	}
	if orig == val {
		if orig.IsZero() {
			e.StateDB.AddRefund(p.set - p.noop)
		} else {
			e.StateDB.AddRefund(p.reset - p.noop)
		}
	}
	return gas + p.noop, nil
}

func gasSstoreEIP1283(e *EVM, f *frame, _ uint64) (uint64, error) { return sstoreEIP1283.gas(e, f) }
func gasSstoreEIP2200(e *EVM, f *frame, _ uint64) (uint64, error) { return sstoreEIP2200.gas(e, f) }
func gasSstoreEIP2929(e *EVM, f *frame, _ uint64) (uint64, error) { return sstoreEIP2929.gas(e, f) }
func gasSstoreEIP3529(e *EVM, f *frame, _ uint64) (uint64, error) { return sstoreEIP3529.gas(e, f) }

// gasSloadEIP2929 charges 2100 for a cold slot (warming it) and 100 for a warm one.
func gasSloadEIP2929(e *EVM, f *frame, _ uint64) (uint64, error) {
	key := slotKey(f.stack.back(0))
	if _, warm := e.StateDB.SlotInAccessList(f.address, key); warm {
		return GasWarmAccess, nil
	}
	e.StateDB.AddSlotToAccessList(f.address, key)
	return GasColdSload, nil
}

// --- account access (EIP-2929) ---

// coldAccountExtra warms addr and returns the cold surcharge over the warm
// cost already charged as the instruction's constant gas.
func coldAccountExtra(e *EVM, addr types.Address) uint64 {
	if e.StateDB.AddressInAccessList(addr) {
		return 0
	}
	e.StateDB.AddAddressToAccessList(addr)
	return GasColdAccountAccess - GasWarmAccess
}

// gasAccountEIP2929 prices BALANCE, EXTCODESIZE and EXTCODEHASH.
func gasAccountEIP2929(e *EVM, f *frame, _ uint64) (uint64, error) {
	return coldAccountExtra(e, stackAddress(f.stack.back(0))), nil
}

func gasExtCodeCopyEIP2929(e *EVM, f *frame, memSize uint64) (uint64, error) {
	gas, err := gasExtCodeCopy(e, f, memSize)
	if err != nil {
		return 0, err
	}
	return addGas(gas, coldAccountExtra(e, stackAddress(f.stack.back(0))))
}

// --- calls ---

// callGas is the gas a call passes on. Before EIP-150 it is exactly the
// requested amount (which must fit in 64 bits); from EIP-150 it is capped
// at all but one 64th of what remains after the call's other costs. The
// subtraction wraps like go-ethereum's when those costs exceed the gas
// left; the call then fails with out of gas either way.
func callGas(eip150 bool, available, base uint64, requested *uint256.Int) (uint64, error) {
	if eip150 {
		available -= base
		capped := available - available/64
		if !requested.IsUint64() || capped < requested.Uint64() {
			return capped, nil
		}
	}
	if !requested.IsUint64() {
		return 0, ErrGasUintOverflow
	}
	return requested.Uint64(), nil
}

// callKind says which CALL-family rules apply to an instruction's gas.
type callKind int

const (
	callPlain   callKind = iota // before EIP-2929
	callEIP2929                 // cold/warm target (Berlin)
	callEIP7702                 // plus the delegate of a designator (Prague)
)

// makeGasCall builds the dynamic gas of a CALL-family instruction: account
// access (EIP-2929, EIP-7702), value transfer and new account (CALL and
// CALLCODE only), memory, and the gas passed to the callee, which is kept
// in e.callGasTemp for the instruction to use. The order of the checks
// follows go-ethereum's, so that a failing step reports the same cost in
// traces: a charge that cannot be paid stops the computation with out of
// gas before later parts (and their state reads) are looked at.
func makeGasCall(op OpCode, kind callKind) gasFunc {
	return func(e *EVM, f *frame, memSize uint64) (uint64, error) {
		addr := stackAddress(f.stack.back(1))
		transfers := (op == CALL || op == CALLCODE) && !f.stack.back(2).IsZero()
		if op == CALL && transfers && e.readOnly {
			return 0, ErrWriteProtection
		}
		avail := f.gas
		var access uint64 // EIP-2929 cold surcharge
		if kind >= callEIP2929 && !e.StateDB.AddressInAccessList(addr) {
			e.StateDB.AddAddressToAccessList(addr)
			access = GasColdAccountAccess - GasWarmAccess
			if avail < access {
				return 0, ErrOutOfGas
			}
			avail -= access
		}
		// Memory and value transfer.
		gas, err := memoryGasCost(f.mem, memSize)
		if err != nil {
			return 0, err
		}
		if transfers {
			if gas, err = addGas(gas, GasCallValue); err != nil {
				return 0, err
			}
		}
		if op == CALL {
			if avail < gas {
				return 0, ErrOutOfGas
			}
			// New account.
			if e.rules.IsEIP158 {
				if transfers && e.StateDB.Empty(addr) {
					gas += GasNewAccount
				}
			} else if !e.StateDB.Exist(addr) {
				gas += GasNewAccount
			}
		}
		if kind == callEIP7702 {
			if avail < gas {
				return 0, ErrOutOfGas
			}
			avail -= gas
			if target, ok := ParseDelegation(e.StateDB.GetCode(addr)); ok {
				cost := GasWarmAccess
				if !e.StateDB.AddressInAccessList(target) {
					e.StateDB.AddAddressToAccessList(target)
					cost = GasColdAccountAccess
				}
				if avail < cost {
					return 0, ErrOutOfGas
				}
				avail -= cost
				gas += cost
			}
			if e.callGasTemp, err = callGas(e.rules.IsEIP150, avail, 0, f.stack.back(0)); err != nil {
				return 0, err
			}
		} else if e.callGasTemp, err = callGas(e.rules.IsEIP150, avail, gas, f.stack.back(0)); err != nil {
			return 0, err
		}
		if gas, err = addGas(gas, e.callGasTemp); err != nil {
			return 0, err
		}
		return addGas(gas, access)
	}
}

// --- selfdestruct ---

// gasSelfdestructFrontier only books the refund.
func gasSelfdestructFrontier(e *EVM, f *frame, _ uint64) (uint64, error) {
	if e.readOnly {
		return 0, ErrWriteProtection
	}
	if !e.StateDB.HasSelfDestructed(f.address) {
		e.StateDB.AddRefund(RefundSelfdestruct)
	}
	return 0, nil
}

// gasSelfdestructEIP150 charges 25000 when the beneficiary must be created:
// when it does not exist (EIP-150), or from EIP-161 when it is empty and
// value is actually sent.
func gasSelfdestructEIP150(e *EVM, f *frame, _ uint64) (uint64, error) {
	if e.readOnly {
		return 0, ErrWriteProtection
	}
	return selfdestructGas(e, f, GasSelfdestructEIP150), nil
}

func selfdestructGas(e *EVM, f *frame, gas uint64) uint64 {
	beneficiary := stackAddress(f.stack.back(0))
	if e.rules.IsEIP158 {
		if e.StateDB.Empty(beneficiary) {
			if bal := e.StateDB.GetBalance(f.address); !bal.IsZero() {
				gas += GasNewAccount
			}
		}
	} else if !e.StateDB.Exist(beneficiary) {
		gas += GasNewAccount
	}
	if !e.rules.IsLondon && !e.StateDB.HasSelfDestructed(f.address) {
		e.StateDB.AddRefund(RefundSelfdestruct)
	}
	return gas
}

// gasSelfdestructEIP2929 adds the cold access of the beneficiary.
func gasSelfdestructEIP2929(e *EVM, f *frame, _ uint64) (uint64, error) {
	if e.readOnly {
		return 0, ErrWriteProtection
	}
	beneficiary := stackAddress(f.stack.back(0))
	var gas uint64
	if !e.StateDB.AddressInAccessList(beneficiary) {
		e.StateDB.AddAddressToAccessList(beneficiary)
		gas = GasColdAccountAccess
	}
	return selfdestructGas(e, f, gas), nil
}

// --- helpers ---

func slotKey(v *uint256.Int) types.Hash { return v.Bytes32() }

func stackAddress(v *uint256.Int) types.Address { return v.Bytes20() }
