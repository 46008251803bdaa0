package evm

import "github.com/holiman/uint256"

// Arithmetic, comparison and bitwise instructions. Each pops its operands
// and writes the result in place of the last one, so none allocates.

func opAdd(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.Add(x, y)
	return nil
}

func opSub(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.Sub(x, y)
	return nil
}

func opMul(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.Mul(x, y)
	return nil
}

func opDiv(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.Div(x, y)
	return nil
}

func opSdiv(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.SDiv(x, y)
	return nil
}

func opMod(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.Mod(x, y)
	return nil
}

func opSmod(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.SMod(x, y)
	return nil
}

func opAddmod(pc *uint64, e *EVM, f *frame) error {
	x, y, z := f.stack.popPtr(), f.stack.popPtr(), f.stack.peek()
	z.AddMod(x, y, z)
	return nil
}

func opMulmod(pc *uint64, e *EVM, f *frame) error {
	x, y, z := f.stack.popPtr(), f.stack.popPtr(), f.stack.peek()
	z.MulMod(x, y, z)
	return nil
}

func opExp(pc *uint64, e *EVM, f *frame) error {
	base, exponent := f.stack.popPtr(), f.stack.peek()
	exponent.Exp(base, exponent)
	return nil
}

func opSignExtend(pc *uint64, e *EVM, f *frame) error {
	back, num := f.stack.popPtr(), f.stack.peek()
	num.ExtendSign(num, back)
	return nil
}

func opLt(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	setBool(y, x.Lt(y))
	return nil
}

func opGt(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	setBool(y, x.Gt(y))
	return nil
}

func opSlt(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	setBool(y, x.Slt(y))
	return nil
}

func opSgt(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	setBool(y, x.Sgt(y))
	return nil
}

func opEq(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	setBool(y, x.Eq(y))
	return nil
}

func opIszero(pc *uint64, e *EVM, f *frame) error {
	x := f.stack.peek()
	setBool(x, x.IsZero())
	return nil
}

func opAnd(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.And(x, y)
	return nil
}

func opOr(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.Or(x, y)
	return nil
}

func opXor(pc *uint64, e *EVM, f *frame) error {
	x, y := f.stack.popPtr(), f.stack.peek()
	y.Xor(x, y)
	return nil
}

func opNot(pc *uint64, e *EVM, f *frame) error {
	x := f.stack.peek()
	x.Not(x)
	return nil
}

// opByte pushes byte i (0 = most significant) of x, or 0 for i >= 32.
func opByte(pc *uint64, e *EVM, f *frame) error {
	i, x := f.stack.popPtr(), f.stack.peek()
	x.Byte(i)
	return nil
}

// Shifts (EIP-145): the shift amount is the top operand.

func opShl(pc *uint64, e *EVM, f *frame) error {
	shift, value := f.stack.popPtr(), f.stack.peek()
	if shift.LtUint64(256) {
		value.Lsh(value, uint(shift.Uint64()))
	} else {
		value.Clear()
	}
	return nil
}

func opShr(pc *uint64, e *EVM, f *frame) error {
	shift, value := f.stack.popPtr(), f.stack.peek()
	if shift.LtUint64(256) {
		value.Rsh(value, uint(shift.Uint64()))
	} else {
		value.Clear()
	}
	return nil
}

func opSar(pc *uint64, e *EVM, f *frame) error {
	shift, value := f.stack.popPtr(), f.stack.peek()
	if shift.GtUint64(255) {
		if value.Sign() >= 0 {
			value.Clear()
		} else {
			value.SetAllOne()
		}
		return nil
	}
	value.SRsh(value, uint(shift.Uint64()))
	return nil
}

func setBool(v *uint256.Int, b bool) {
	if b {
		v.SetOne()
	} else {
		v.Clear()
	}
}
