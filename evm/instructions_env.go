package evm

import (
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// Instructions that read the execution environment: the frame, the
// transaction, the block and other accounts.

func pushAddress(f *frame, a types.Address) {
	f.stack.pushSlot().SetBytes20(a[:])
}

func opAddress(pc *uint64, e *EVM, f *frame) error {
	pushAddress(f, f.address)
	return nil
}

func opBalance(pc *uint64, e *EVM, f *frame) error {
	slot := f.stack.peek()
	bal := e.StateDB.GetBalance(stackAddress(slot))
	*slot = bal
	return nil
}

func opOrigin(pc *uint64, e *EVM, f *frame) error {
	pushAddress(f, e.TxContext.Origin)
	return nil
}

func opCaller(pc *uint64, e *EVM, f *frame) error {
	pushAddress(f, f.caller)
	return nil
}

func opCallValue(pc *uint64, e *EVM, f *frame) error {
	f.stack.push(&f.value)
	return nil
}

// opCalldataLoad pushes 32 bytes of input from the offset, zero-padded.
func opCalldataLoad(pc *uint64, e *EVM, f *frame) error {
	x := f.stack.peek()
	loadPadded32(x, f.input, x)
	return nil
}

// loadPadded32 sets dst to the 32 bytes of data at offset, reading zeros
// past the end.
func loadPadded32(dst *uint256.Int, data []byte, offset *uint256.Int) {
	off, overflow := offset.Uint64WithOverflow()
	if overflow || off >= uint64(len(data)) {
		dst.Clear()
		return
	}
	var buf [32]byte
	copy(buf[:], data[off:])
	dst.SetBytes32(buf[:])
}

func opCalldataSize(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(uint64(len(f.input)))
	return nil
}

// copyPadded copies data[offset:offset+len(dst)] into dst, padding with
// zeros past the end of data.
func copyPadded(dst, data []byte, offset *uint256.Int) {
	off, overflow := offset.Uint64WithOverflow()
	if overflow || off >= uint64(len(data)) {
		clear(dst)
		return
	}
	n := copy(dst, data[off:])
	clear(dst[n:])
}

func opCalldataCopy(pc *uint64, e *EVM, f *frame) error {
	memOff, dataOff, size := f.stack.popPtr(), f.stack.popPtr(), f.stack.popPtr()
	if size.IsZero() {
		return nil
	}
	copyPadded(f.mem.view(memOff.Uint64(), size.Uint64()), f.input, dataOff)
	return nil
}

func opCodeSize(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(uint64(len(f.code)))
	return nil
}

func opCodeCopy(pc *uint64, e *EVM, f *frame) error {
	memOff, codeOff, size := f.stack.popPtr(), f.stack.popPtr(), f.stack.popPtr()
	if size.IsZero() {
		return nil
	}
	copyPadded(f.mem.view(memOff.Uint64(), size.Uint64()), f.code, codeOff)
	return nil
}

func opGasPrice(pc *uint64, e *EVM, f *frame) error {
	f.stack.push(&e.TxContext.GasPrice)
	return nil
}

// opExtCodeSize, opExtCodeCopy and opExtCodeHash see an EIP-7702
// delegation designator itself, not the delegate's code.
func opExtCodeSize(pc *uint64, e *EVM, f *frame) error {
	slot := f.stack.peek()
	slot.SetUint64(uint64(e.StateDB.GetCodeSize(stackAddress(slot))))
	return nil
}

func opExtCodeCopy(pc *uint64, e *EVM, f *frame) error {
	addr := stackAddress(f.stack.popPtr())
	memOff, codeOff, size := f.stack.popPtr(), f.stack.popPtr(), f.stack.popPtr()
	if size.IsZero() {
		return nil
	}
	copyPadded(f.mem.view(memOff.Uint64(), size.Uint64()), e.StateDB.GetCode(addr), codeOff)
	return nil
}

// opExtCodeHash (EIP-1052) pushes 0 for a non-existent or empty account.
func opExtCodeHash(pc *uint64, e *EVM, f *frame) error {
	slot := f.stack.peek()
	addr := stackAddress(slot)
	if e.StateDB.Empty(addr) {
		slot.Clear()
		return nil
	}
	h := e.StateDB.GetCodeHash(addr)
	slot.SetBytes32(h[:])
	return nil
}

// opReturnDataSize and opReturnDataCopy (EIP-211) read the output of the
// last call this frame made.
func opReturnDataSize(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(uint64(len(f.returnData)))
	return nil
}

func opReturnDataCopy(pc *uint64, e *EVM, f *frame) error {
	memOff, dataOff, size := f.stack.popPtr(), f.stack.popPtr(), f.stack.popPtr()
	off, overflow := dataOff.Uint64WithOverflow()
	if overflow {
		return ErrReturnDataOutOfBounds
	}
	end, overflow := size.Uint64WithOverflow()
	if overflow {
		return ErrReturnDataOutOfBounds
	}
	end += off
	if end < off || uint64(len(f.returnData)) < end {
		return ErrReturnDataOutOfBounds
	}
	if off == end {
		return nil
	}
	f.mem.set(memOff.Uint64(), f.returnData[off:end])
	return nil
}

// opBlockhash answers for the 256 blocks before the current one, else 0.
func opBlockhash(pc *uint64, e *EVM, f *frame) error {
	num := f.stack.peek()
	n, overflow := num.Uint64WithOverflow()
	if overflow {
		num.Clear()
		return nil
	}
	upper := e.Context.Number
	var lower uint64
	if upper > 256 {
		lower = upper - 256
	}
	if n >= lower && n < upper && e.Context.GetHash != nil {
		h := e.Context.GetHash(n)
		num.SetBytes32(h[:])
	} else {
		num.Clear()
	}
	return nil
}

func opCoinbase(pc *uint64, e *EVM, f *frame) error {
	pushAddress(f, e.Context.Coinbase)
	return nil
}

func opTimestamp(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(e.Context.Time)
	return nil
}

func opNumber(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(e.Context.Number)
	return nil
}

func opDifficulty(pc *uint64, e *EVM, f *frame) error {
	f.stack.push(&e.Context.Difficulty)
	return nil
}

// opRandom is DIFFICULTY's meaning after the merge (EIP-4399).
func opRandom(pc *uint64, e *EVM, f *frame) error {
	slot := f.stack.pushSlot()
	if e.Context.Random != nil {
		slot.SetBytes32(e.Context.Random[:])
	} else {
		slot.Clear()
	}
	return nil
}

func opGasLimit(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(e.Context.GasLimit)
	return nil
}

func opChainID(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(e.Config.ChainID)
	return nil
}

func opSelfBalance(pc *uint64, e *EVM, f *frame) error {
	bal := e.StateDB.GetBalance(f.address)
	f.stack.push(&bal)
	return nil
}

func opBaseFee(pc *uint64, e *EVM, f *frame) error {
	pushOptional(f, e.Context.BaseFee)
	return nil
}

// opBlobHash (EIP-4844) pushes the transaction's versioned hash at the
// index, or 0 when out of range.
func opBlobHash(pc *uint64, e *EVM, f *frame) error {
	idx := f.stack.peek()
	hashes := e.TxContext.BlobHashes
	if idx.LtUint64(uint64(len(hashes))) {
		h := hashes[idx.Uint64()]
		idx.SetBytes32(h[:])
	} else {
		idx.Clear()
	}
	return nil
}

func opBlobBaseFee(pc *uint64, e *EVM, f *frame) error {
	pushOptional(f, e.Context.BlobBaseFee)
	return nil
}

func pushOptional(f *frame, v *uint256.Int) {
	if v != nil {
		f.stack.push(v)
	} else {
		f.stack.pushSlot().Clear()
	}
}
