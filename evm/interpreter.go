package evm

import (
	"fmt"
	"math/bits"
)

type (
	// executeFunc runs an instruction. It may move *pc (jumps, PUSH
	// immediates); the loop then advances it by one.
	executeFunc func(pc *uint64, e *EVM, f *frame) error
	// gasFunc returns an instruction's dynamic gas; memSize is the memory
	// size the instruction needs, rounded up to whole words.
	gasFunc func(e *EVM, f *frame, memSize uint64) (uint64, error)
	// memorySizeFunc returns the memory end an instruction touches; the
	// bool reports overflow.
	memorySizeFunc func(s *stack) (uint64, bool)
)

// instruction is one entry of a fork's instruction set.
type instruction struct {
	execute     executeFunc
	constantGas uint64
	dynamicGas  gasFunc
	memorySize  memorySizeFunc
	minStack    int // stack height required
	maxStack    int // highest stack height that does not overflow
}

// instructionSet is the full table for one fork, indexed by opcode.
type instructionSet [256]instruction

// run executes f's code until it halts. The output is RETURN's or REVERT's
// data (a fresh copy); err is nil, ErrExecutionReverted or the exceptional
// halt.
func (e *EVM) run(f *frame, readOnly bool) (ret []byte, err error) {
	e.depth++
	defer func() { e.depth-- }()
	if readOnly && !e.readOnly {
		e.readOnly = true
		defer func() { e.readOnly = false }()
	}
	if len(f.code) == 0 {
		return nil, nil
	}
	f.stack = getStack()
	f.mem = getMemory()
	defer func() {
		putStack(f.stack)
		putMemory(f.mem)
		f.stack, f.mem = nil, nil
	}()
	if e.Config.Tracer != nil {
		err = e.loopTraced(f)
	} else {
		err = e.loop(f)
	}
	if err == errStop {
		err = nil
	}
	return f.output, err
}

// loop is the untraced interpreter loop.
func (e *EVM) loop(f *frame) error {
	var (
		table = e.table
		st    = f.stack
		code  = f.code
		pc    uint64
	)
	for {
		var op OpCode
		if pc < uint64(len(code)) {
			op = OpCode(code[pc])
		}
		in := &table[op]
		if n := st.n; n < in.minStack {
			return stackUnderflow(n, in.minStack)
		} else if n > in.maxStack {
			return stackOverflow(n, in.maxStack)
		}
		if f.gas < in.constantGas {
			return ErrOutOfGas
		}
		f.gas -= in.constantGas
		if in.dynamicGas != nil {
			var memSize uint64
			if in.memorySize != nil {
				size, overflow := in.memorySize(st)
				if overflow {
					return ErrGasUintOverflow
				}
				if memSize, overflow = wordAligned(size); overflow {
					return ErrGasUintOverflow
				}
			}
			cost, err := in.dynamicGas(e, f, memSize)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrOutOfGas, err)
			}
			if f.gas < cost {
				return ErrOutOfGas
			}
			f.gas -= cost
			if memSize > 0 {
				f.mem.resize(memSize)
			}
		}
		if err := in.execute(&pc, e, f); err != nil {
			return err
		}
		pc++
	}
}

// loopTraced is loop with tracer calls, kept separate so that the common
// untraced path carries no tracing branches. It reports each step before
// it runs, with the gas before and the full cost (constant and dynamic) of
// the instruction, and a second time when the instruction itself fails.
func (e *EVM) loopTraced(f *frame) (err error) {
	var (
		table  = e.table
		st     = f.stack
		code   = f.code
		tracer = e.Config.Tracer
		pc     uint64
		op     OpCode
		cost   uint64
		gas0   uint64
	)
	step := func(err error) {
		tracer.OnStep(pc, byte(op), gas0, cost, f.mem.store, st.items(), f.returnData, e.depth, e.StateDB.GetRefund(), err)
	}
	defer func() {
		if err != nil && err != errStop {
			step(err)
		}
	}()
	for {
		op = STOP
		if pc < uint64(len(code)) {
			op = OpCode(code[pc])
		}
		in := &table[op]
		gas0, cost = f.gas, in.constantGas
		if n := st.n; n < in.minStack {
			return stackUnderflow(n, in.minStack)
		} else if n > in.maxStack {
			return stackOverflow(n, in.maxStack)
		}
		if f.gas < in.constantGas {
			return ErrOutOfGas
		}
		f.gas -= in.constantGas
		var memSize uint64
		if in.dynamicGas != nil {
			if in.memorySize != nil {
				size, overflow := in.memorySize(st)
				if overflow {
					return ErrGasUintOverflow
				}
				if memSize, overflow = wordAligned(size); overflow {
					return ErrGasUintOverflow
				}
			}
			dyn, err := in.dynamicGas(e, f, memSize)
			cost += dyn
			if err != nil {
				return fmt.Errorf("%w: %w", ErrOutOfGas, err)
			}
			if f.gas < dyn {
				return ErrOutOfGas
			}
			f.gas -= dyn
		}
		step(nil)
		if memSize > 0 {
			f.mem.resize(memSize)
		}
		if err := in.execute(&pc, e, f); err != nil {
			return err
		}
		pc++
	}
}

// wordAligned rounds size up to a multiple of 32.
func wordAligned(size uint64) (uint64, bool) {
	w := toWords(size)
	hi, lo := bits.Mul64(w, 32)
	return lo, hi != 0
}
