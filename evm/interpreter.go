package evm

import (
	"fmt"
	"math/bits"

	"github.com/holiman/uint256"
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
	// inline is the opcode itself when the untraced loop runs this
	// instruction inline, 0 (STOP, never inlined) when it calls execute.
	inline OpCode
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

// loop is the untraced interpreter loop. It keeps pc, gas and the stack
// height in locals and runs the most frequent instructions inline (those
// whose table entry has inline set, see inlined); everything else, and any
// instruction with dynamic gas, goes through the table entry. Stack bounds
// and constant gas always come from the table, so fork differences stay
// in jumptable.go.
func (e *EVM) loop(f *frame) (err error) {
	var (
		table    = e.table
		st       = f.stack
		data     = &st.data
		code     = f.code
		gas      = f.gas
		sp       = st.n
		pc       uint64
		blocks   *blockIndex
		blockEnd uint64 // instructions before this pc are paid for
		late     = table[PUSH0].inline == PUSH0 && table[SHL].inline == SHL
	)
	if f.cacheable {
		an := e.codeAnalysis(e.StateDB.GetCodeHash(f.codeAddr), code)
		f.jumpdests, blocks = an.jumpdests, &an.blocks
	}
	for {
		var op OpCode
		if pc < uint64(len(code)) {
			op = OpCode(code[pc])
		}
		sel := op
		if pc >= blockEnd {
			if b := blocks.at(pc); b != nil && (late || !b.late) {
				if sp < int(b.minStack) {
					f.gas, st.n = gas, sp
					return stackUnderflow(sp, int(b.minStack))
				} else if sp+int(b.growth) > StackLimit {
					f.gas, st.n = gas, sp
					return stackOverflow(sp, StackLimit-int(b.growth))
				}
				if gas < uint64(b.gas) {
					f.gas, st.n = gas, sp
					return ErrOutOfGas
				}
				gas -= uint64(b.gas)
				blockEnd = pc + uint64(b.length)
			} else {
				in := &table[op]
				if sp < in.minStack {
					f.gas, st.n = gas, sp
					return stackUnderflow(sp, in.minStack)
				} else if sp > in.maxStack {
					f.gas, st.n = gas, sp
					return stackOverflow(sp, in.maxStack)
				}
				if gas < in.constantGas {
					f.gas, st.n = gas, sp
					return ErrOutOfGas
				}
				gas -= in.constantGas
				sel = in.inline
			}
		}

		switch sel {
		case PUSH1:
			sp++
			if pc+1 < uint64(len(code)) {
				data[sp-1].SetUint64(uint64(code[pc+1]))
			} else {
				data[sp-1].Clear()
			}
			pc += 2
			continue
		case PUSH1 + 1:
			sp++
			if pc+3 <= uint64(len(code)) {
				data[sp-1].SetUint64(uint64(code[pc+1])<<8 | uint64(code[pc+2]))
			} else {
				pushPadded(&data[sp-1], code, pc, 2)
			}
			pc += 3
			continue
		case PUSH1 + 2, PUSH1 + 3, PUSH1 + 4, PUSH1 + 5, PUSH1 + 6, PUSH1 + 7,
			PUSH1 + 8, PUSH1 + 9, PUSH1 + 10, PUSH1 + 11, PUSH1 + 12, PUSH1 + 13, PUSH1 + 14, PUSH1 + 15,
			PUSH1 + 16, PUSH1 + 17, PUSH1 + 18, PUSH1 + 19, PUSH1 + 20, PUSH1 + 21, PUSH1 + 22, PUSH1 + 23,
			PUSH1 + 24, PUSH1 + 25, PUSH1 + 26, PUSH1 + 27, PUSH1 + 28, PUSH1 + 29, PUSH1 + 30, PUSH32:
			n := uint64(op-PUSH1) + 1
			sp++
			if end := pc + 1 + n; end <= uint64(len(code)) {
				data[sp-1].SetBytes(code[pc+1 : end])
			} else {
				pushPadded(&data[sp-1], code, pc, n)
			}
			pc += n + 1
			continue
		case PUSH0:
			sp++
			data[sp-1].Clear()
		case DUP1, DUP1 + 1, DUP1 + 2, DUP1 + 3, DUP1 + 4, DUP1 + 5, DUP1 + 6, DUP1 + 7,
			DUP1 + 8, DUP1 + 9, DUP1 + 10, DUP1 + 11, DUP1 + 12, DUP1 + 13, DUP1 + 14, DUP16:
			data[sp] = data[sp-1-int(op-DUP1)]
			sp++
		case SWAP1:
			data[sp-1], data[sp-2] = data[sp-2], data[sp-1]
		case SWAP1 + 1, SWAP1 + 2, SWAP1 + 3, SWAP1 + 4, SWAP1 + 5, SWAP1 + 6, SWAP1 + 7,
			SWAP1 + 8, SWAP1 + 9, SWAP1 + 10, SWAP1 + 11, SWAP1 + 12, SWAP1 + 13, SWAP1 + 14, SWAP16:
			j := sp - 2 - int(op-SWAP1)
			data[sp-1], data[j] = data[j], data[sp-1]
		case POP:
			sp--
		case JUMPDEST:
		case JUMP:
			sp--
			if !e.validJump(f, &data[sp]) {
				f.gas, st.n = gas, sp
				return ErrInvalidJump
			}
			pc, blockEnd = data[sp].Uint64(), 0
			continue
		case JUMPI:
			sp -= 2
			if !data[sp].IsZero() {
				if !e.validJump(f, &data[sp+1]) {
					f.gas, st.n = gas, sp
					return ErrInvalidJump
				}
				pc, blockEnd = data[sp+1].Uint64(), 0
				continue
			}
		case ADD:
			sp--
			data[sp-1].Add(&data[sp], &data[sp-1])
		case SUB:
			sp--
			data[sp-1].Sub(&data[sp], &data[sp-1])
		case MUL:
			sp--
			data[sp-1].Mul(&data[sp], &data[sp-1])
		case DIV:
			sp--
			data[sp-1].Div(&data[sp], &data[sp-1])
		case SDIV:
			sp--
			data[sp-1].SDiv(&data[sp], &data[sp-1])
		case MOD:
			sp--
			data[sp-1].Mod(&data[sp], &data[sp-1])
		case SMOD:
			sp--
			data[sp-1].SMod(&data[sp], &data[sp-1])
		case ADDMOD:
			sp -= 2
			data[sp-1].AddMod(&data[sp+1], &data[sp], &data[sp-1])
		case MULMOD:
			sp -= 2
			data[sp-1].MulMod(&data[sp+1], &data[sp], &data[sp-1])
		case SIGNEXTEND:
			sp--
			data[sp-1].ExtendSign(&data[sp-1], &data[sp])
		case LT:
			sp--
			setBool(&data[sp-1], data[sp].Lt(&data[sp-1]))
		case GT:
			sp--
			setBool(&data[sp-1], data[sp].Gt(&data[sp-1]))
		case SLT:
			sp--
			setBool(&data[sp-1], data[sp].Slt(&data[sp-1]))
		case SGT:
			sp--
			setBool(&data[sp-1], data[sp].Sgt(&data[sp-1]))
		case EQ:
			sp--
			setBool(&data[sp-1], data[sp].Eq(&data[sp-1]))
		case ISZERO:
			setBool(&data[sp-1], data[sp-1].IsZero())
		case AND:
			sp--
			data[sp-1].And(&data[sp], &data[sp-1])
		case OR:
			sp--
			data[sp-1].Or(&data[sp], &data[sp-1])
		case XOR:
			sp--
			data[sp-1].Xor(&data[sp], &data[sp-1])
		case NOT:
			data[sp-1].Not(&data[sp-1])
		case BYTE:
			sp--
			data[sp-1].Byte(&data[sp])
		case SHL:
			sp--
			if v := &data[sp-1]; data[sp].LtUint64(256) {
				v.Lsh(v, uint(data[sp][0]))
			} else {
				v.Clear()
			}
		case SHR:
			sp--
			if v := &data[sp-1]; data[sp].LtUint64(256) {
				v.Rsh(v, uint(data[sp][0]))
			} else {
				v.Clear()
			}
		case PC:
			sp++
			data[sp-1].SetUint64(pc)
		case GAS:
			sp++
			data[sp-1].SetUint64(gas)
		case MSIZE:
			sp++
			data[sp-1].SetUint64(uint64(len(f.mem.store)))
		case MLOAD:
			// Inline only when memory already covers the word, so no
			// expansion gas is due.
			if v := &data[sp-1]; len(f.mem.store) >= 32 && v.IsUint64() && v[0] <= uint64(len(f.mem.store))-32 {
				off := v[0]
				v.SetBytes32(f.mem.store[off : off+32])
				break
			}
			if err = e.slowStep(f, &table[op], &pc, &gas, &sp); err != nil {
				return err
			}
		case MSTORE:
			if v := &data[sp-1]; len(f.mem.store) >= 32 && v.IsUint64() && v[0] <= uint64(len(f.mem.store))-32 {
				off := v[0]
				data[sp-2].PutUint256(f.mem.store[off : off+32])
				sp -= 2
				break
			}
			if err = e.slowStep(f, &table[op], &pc, &gas, &sp); err != nil {
				return err
			}
		default:
			if err = e.slowStep(f, &table[op], &pc, &gas, &sp); err != nil {
				return err
			}
		}
		pc++
	}
}

// slowStep runs one instruction through its table entry: dynamic gas,
// memory expansion, then its execute function. The loop's locals are
// written back to the frame around it; on error the frame holds the gas
// left.
func (e *EVM) slowStep(f *frame, in *instruction, pc, gas *uint64, sp *int) error {
	st := f.stack
	f.gas, st.n = *gas, *sp
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
	err := in.execute(pc, e, f)
	*gas, *sp = f.gas, st.n
	return err
}

// pushPadded sets v to PUSHn's immediate at pc when it runs past the end
// of the code: the missing bytes read as zeros.
func pushPadded(v *uint256.Int, code []byte, pc, n uint64) {
	var buf [32]byte
	if start := pc + 1; start < uint64(len(code)) {
		copy(buf[:n], code[start:])
	}
	v.SetBytes(buf[:n])
}

// inlined lists the instructions the untraced loop runs without a call
// through the table. def marks their entries; a fork patch that replaces
// one of these instructions' behaviour must clear the mark.
var inlined = func() (s [256]bool) {
	for _, op := range []OpCode{
		ADD, MUL, SUB, DIV, SDIV, MOD, SMOD, ADDMOD, MULMOD, SIGNEXTEND,
		LT, GT, SLT, SGT, EQ, ISZERO, AND, OR, XOR, NOT, BYTE, SHL, SHR,
		POP, MLOAD, MSTORE, JUMP, JUMPI, PC, MSIZE, GAS, JUMPDEST, PUSH0,
	} {
		s[op] = true
	}
	for op := PUSH1; op <= SWAP16; op++ { // PUSHn, DUPn, SWAPn
		s[op] = true
	}
	return s
}()

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
