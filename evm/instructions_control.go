package evm

// Control flow and halting instructions.

func opStop(pc *uint64, e *EVM, f *frame) error { return errStop }

func opJump(pc *uint64, e *EVM, f *frame) error {
	dest := f.stack.popPtr()
	if !e.validJump(f, dest) {
		return ErrInvalidJump
	}
	*pc = dest.Uint64() - 1 // the loop advances pc by one
	return nil
}

func opJumpi(pc *uint64, e *EVM, f *frame) error {
	dest, cond := f.stack.popPtr(), f.stack.popPtr()
	if cond.IsZero() {
		return nil
	}
	if !e.validJump(f, dest) {
		return ErrInvalidJump
	}
	*pc = dest.Uint64() - 1
	return nil
}

func opJumpdest(pc *uint64, e *EVM, f *frame) error { return nil }

func opPc(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(*pc)
	return nil
}

func opGas(pc *uint64, e *EVM, f *frame) error {
	f.stack.pushSlot().SetUint64(f.gas)
	return nil
}

func opReturn(pc *uint64, e *EVM, f *frame) error {
	off, size := f.stack.popPtr(), f.stack.popPtr()
	f.output = f.mem.copyOut(off.Uint64(), size.Uint64())
	return errStop
}

// opRevert (EIP-140) ends the frame, undoing its changes but returning
// data and the gas left.
func opRevert(pc *uint64, e *EVM, f *frame) error {
	off, size := f.stack.popPtr(), f.stack.popPtr()
	f.output = f.mem.copyOut(off.Uint64(), size.Uint64())
	return ErrExecutionReverted
}

// opUndefined is every byte the fork does not define, INVALID (0xfe) included.
func opUndefined(pc *uint64, e *EVM, f *frame) error {
	return invalidOpcode(OpCode(f.code[*pc]))
}
