package evm

// Persistent (SLOAD, SSTORE) and transient (EIP-1153 TLOAD, TSTORE)
// storage. SSTORE's gas, refunds and write protection live in its gas
// functions (gas.go).

func opSload(pc *uint64, e *EVM, f *frame) error {
	slot := f.stack.peek()
	v := e.StateDB.GetState(f.address, slotKey(slot))
	slot.SetBytes32(v[:])
	return nil
}

func opSstore(pc *uint64, e *EVM, f *frame) error {
	if e.readOnly {
		return ErrWriteProtection
	}
	key, val := f.stack.popPtr(), f.stack.popPtr()
	e.StateDB.SetState(f.address, slotKey(key), val.Bytes32())
	return nil
}

func opTload(pc *uint64, e *EVM, f *frame) error {
	slot := f.stack.peek()
	v := e.StateDB.GetTransientState(f.address, slotKey(slot))
	slot.SetBytes32(v[:])
	return nil
}

func opTstore(pc *uint64, e *EVM, f *frame) error {
	if e.readOnly {
		return ErrWriteProtection
	}
	key, val := f.stack.popPtr(), f.stack.popPtr()
	e.StateDB.SetTransientState(f.address, slotKey(key), val.Bytes32())
	return nil
}
