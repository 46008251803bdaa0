package evm

import "github.com/plasmaxpl/engine/types"

// Instructions that create frames, accounts or logs, or end the contract.

// callArgs pops the memory operands shared by the CALL family and returns
// the input (a view of memory, valid during the call) and the return area.
func callArgs(f *frame) (input []byte, retOff, retSize uint64) {
	inOff, inSize := f.stack.popPtr(), f.stack.popPtr()
	ro, rs := f.stack.popPtr(), f.stack.popPtr()
	return f.mem.view(inOff.Uint64(), inSize.Uint64()), ro.Uint64(), rs.Uint64()
}

// finishCall pushes the success flag, copies the output into the return
// area, refunds the unused gas and keeps the output as return data.
func finishCall(f *frame, ret []byte, returnGas uint64, err error, retOff, retSize uint64) {
	slot := f.stack.pushSlot()
	if err != nil {
		slot.Clear()
	} else {
		slot.SetOne()
	}
	if (err == nil || err == ErrExecutionReverted) && retSize > 0 {
		f.mem.set(retOff, ret[:min(uint64(len(ret)), retSize)])
	}
	f.gas += returnGas
	f.returnData = ret
}

func opCall(pc *uint64, e *EVM, f *frame) error {
	gas := e.callGasTemp
	f.stack.n-- // requested gas, already turned into callGasTemp
	addr := stackAddress(f.stack.popPtr())
	value := f.stack.pop()
	input, retOff, retSize := callArgs(f)
	if !value.IsZero() {
		if e.readOnly {
			return ErrWriteProtection
		}
		gas += GasCallStipend
	}
	ret, returnGas, err := e.Call(f.address, addr, input, gas, &value)
	finishCall(f, ret, returnGas, err, retOff, retSize)
	return nil
}

func opCallCode(pc *uint64, e *EVM, f *frame) error {
	gas := e.callGasTemp
	f.stack.n--
	addr := stackAddress(f.stack.popPtr())
	value := f.stack.pop()
	input, retOff, retSize := callArgs(f)
	if !value.IsZero() {
		gas += GasCallStipend
	}
	ret, returnGas, err := e.CallCode(f.address, addr, input, gas, &value)
	finishCall(f, ret, returnGas, err, retOff, retSize)
	return nil
}

func opDelegateCall(pc *uint64, e *EVM, f *frame) error {
	gas := e.callGasTemp
	f.stack.n--
	addr := stackAddress(f.stack.popPtr())
	input, retOff, retSize := callArgs(f)
	ret, returnGas, err := e.DelegateCall(f.caller, f.address, addr, input, gas, &f.value)
	finishCall(f, ret, returnGas, err, retOff, retSize)
	return nil
}

func opStaticCall(pc *uint64, e *EVM, f *frame) error {
	gas := e.callGasTemp
	f.stack.n--
	addr := stackAddress(f.stack.popPtr())
	input, retOff, retSize := callArgs(f)
	ret, returnGas, err := e.StaticCall(f.address, addr, input, gas)
	finishCall(f, ret, returnGas, err, retOff, retSize)
	return nil
}

// createGas takes the gas a CREATE passes on: all of it before EIP-150,
// all but one 64th after.
func (e *EVM) createGas(f *frame) uint64 {
	gas := f.gas
	if e.rules.IsEIP150 {
		gas -= gas / 64
	}
	f.gas -= gas
	return gas
}

func finishCreate(e *EVM, f *frame, ret []byte, addr types.Address, returnGas uint64, err error) {
	slot := f.stack.pushSlot()
	// Frontier's failed code deposit still creates the (empty) contract.
	if err != nil && (e.rules.IsHomestead || err != ErrCodeStoreOutOfGas) {
		slot.Clear()
	} else {
		slot.SetBytes20(addr[:])
	}
	f.gas += returnGas
	if err == ErrExecutionReverted {
		f.returnData = ret
	} else {
		f.returnData = nil
	}
}

func opCreate(pc *uint64, e *EVM, f *frame) error {
	if e.readOnly {
		return ErrWriteProtection
	}
	value := f.stack.pop()
	off, size := f.stack.popPtr(), f.stack.popPtr()
	input := f.mem.copyOut(off.Uint64(), size.Uint64())
	gas := e.createGas(f)
	ret, addr, returnGas, err := e.Create(f.address, input, gas, &value)
	finishCreate(e, f, ret, addr, returnGas, err)
	return nil
}

func opCreate2(pc *uint64, e *EVM, f *frame) error {
	if e.readOnly {
		return ErrWriteProtection
	}
	value := f.stack.pop()
	off, size := f.stack.popPtr(), f.stack.popPtr()
	salt := f.stack.pop()
	input := f.mem.copyOut(off.Uint64(), size.Uint64())
	gas := e.createGas(f)
	ret, addr, returnGas, err := e.Create2(f.address, input, gas, &value, &salt)
	finishCreate(e, f, ret, addr, returnGas, err)
	return nil
}

// opSelfdestruct sends the whole balance to the beneficiary and destroys
// the account at the end of the transaction (balance sent to itself is burnt).
func opSelfdestruct(pc *uint64, e *EVM, f *frame) error {
	if e.readOnly {
		return ErrWriteProtection
	}
	beneficiary := stackAddress(f.stack.popPtr())
	bal := e.StateDB.GetBalance(f.address)
	if beneficiary != f.address {
		e.StateDB.AddBalance(beneficiary, &bal)
	}
	e.StateDB.SubBalance(f.address, &bal)
	e.StateDB.SelfDestruct(f.address)
	e.traceSelfdestruct()
	return errStop
}

// opSelfdestruct6780 (EIP-6780, Cancun) moves the balance but destroys the
// account only if it was created in the same transaction; a balance sent
// to itself by a surviving account stays.
func opSelfdestruct6780(pc *uint64, e *EVM, f *frame) error {
	if e.readOnly {
		return ErrWriteProtection
	}
	beneficiary := stackAddress(f.stack.popPtr())
	if beneficiary != f.address {
		bal := e.StateDB.GetBalance(f.address)
		e.StateDB.SubBalance(f.address, &bal)
		e.StateDB.AddBalance(beneficiary, &bal)
	}
	e.StateDB.SelfDestruct6780(f.address)
	e.traceSelfdestruct()
	return errStop
}

// traceSelfdestruct reports SELFDESTRUCT as an empty inner frame, as
// go-ethereum's tracers see it.
func (e *EVM) traceSelfdestruct() {
	if e.Config.Tracer != nil {
		e.Config.Tracer.OnExit(e.depth+1, nil, 0, nil)
	}
}

func makeLog(topics int) executeFunc {
	return func(pc *uint64, e *EVM, f *frame) error {
		if e.readOnly {
			return ErrWriteProtection
		}
		off, size := f.stack.popPtr(), f.stack.popPtr()
		var ts []types.Hash
		if topics > 0 {
			ts = make([]types.Hash, topics)
			for i := range ts {
				ts[i] = f.stack.popPtr().Bytes32()
			}
		}
		e.StateDB.AddLog(&types.Log{
			Address:     f.address,
			Topics:      ts,
			Data:        f.mem.copyOut(off.Uint64(), size.Uint64()),
			BlockNumber: e.Context.Number,
		})
		return nil
	}
}
