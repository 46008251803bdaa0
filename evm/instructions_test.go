package evm

import (
	"math/big"
	"math/rand"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
)

// Differential tests of the arithmetic, comparison and bitwise
// instructions against math/big, on edge values and random inputs.

var (
	two256    = new(big.Int).Lsh(big.NewInt(1), 256)
	two255    = new(big.Int).Lsh(big.NewInt(1), 255)
	maxUint   = new(big.Int).Sub(two256, big.NewInt(1))
	bigZero   = big.NewInt(0)
	edgeWords []*big.Int
)

func init() {
	add := func(v *big.Int) { edgeWords = append(edgeWords, new(big.Int).Mod(v, two256)) }
	for _, v := range []int64{0, 1, 2, 3, 7, 8, 31, 32, 33, 255, 256, 257, -1, -2, -3, -31, -32} {
		add(big.NewInt(v))
	}
	for _, sh := range []uint{63, 64, 127, 128, 191, 192, 254, 255} {
		p := new(big.Int).Lsh(big.NewInt(1), sh)
		add(p)
		add(new(big.Int).Sub(p, big.NewInt(1)))
		add(new(big.Int).Neg(p))
	}
	add(maxUint)
}

func toSigned(x *big.Int) *big.Int {
	if x.Cmp(two255) >= 0 {
		return new(big.Int).Sub(x, two256)
	}
	return new(big.Int).Set(x)
}

func wrap(x *big.Int) *big.Int { return new(big.Int).Mod(x, two256) }

func boolBig(b bool) *big.Int {
	if b {
		return big.NewInt(1)
	}
	return big.NewInt(0)
}

var bigOracles = map[OpCode]func(a, b, c *big.Int) *big.Int{
	ADD: func(a, b, _ *big.Int) *big.Int { return wrap(new(big.Int).Add(a, b)) },
	SUB: func(a, b, _ *big.Int) *big.Int { return wrap(new(big.Int).Sub(a, b)) },
	MUL: func(a, b, _ *big.Int) *big.Int { return wrap(new(big.Int).Mul(a, b)) },
	DIV: func(a, b, _ *big.Int) *big.Int {
		if b.Sign() == 0 {
			return bigZero
		}
		return new(big.Int).Quo(a, b)
	},
	SDIV: func(a, b, _ *big.Int) *big.Int {
		if b.Sign() == 0 {
			return bigZero
		}
		return wrap(new(big.Int).Quo(toSigned(a), toSigned(b)))
	},
	MOD: func(a, b, _ *big.Int) *big.Int {
		if b.Sign() == 0 {
			return bigZero
		}
		return new(big.Int).Rem(a, b)
	},
	SMOD: func(a, b, _ *big.Int) *big.Int {
		if b.Sign() == 0 {
			return bigZero
		}
		return wrap(new(big.Int).Rem(toSigned(a), toSigned(b)))
	},
	ADDMOD: func(a, b, n *big.Int) *big.Int {
		if n.Sign() == 0 {
			return bigZero
		}
		return new(big.Int).Mod(new(big.Int).Add(a, b), n)
	},
	MULMOD: func(a, b, n *big.Int) *big.Int {
		if n.Sign() == 0 {
			return bigZero
		}
		return new(big.Int).Mod(new(big.Int).Mul(a, b), n)
	},
	EXP: func(a, b, _ *big.Int) *big.Int { return new(big.Int).Exp(a, b, two256) },
	SIGNEXTEND: func(b, x, _ *big.Int) *big.Int {
		if b.Cmp(big.NewInt(31)) >= 0 {
			return x
		}
		bit := uint(b.Uint64()*8 + 7)
		mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bit+1), big.NewInt(1))
		low := new(big.Int).And(x, mask)
		if x.Bit(int(bit)) == 1 {
			return new(big.Int).Or(low, new(big.Int).Xor(maxUint, mask))
		}
		return low
	},
	LT:  func(a, b, _ *big.Int) *big.Int { return boolBig(a.Cmp(b) < 0) },
	GT:  func(a, b, _ *big.Int) *big.Int { return boolBig(a.Cmp(b) > 0) },
	SLT: func(a, b, _ *big.Int) *big.Int { return boolBig(toSigned(a).Cmp(toSigned(b)) < 0) },
	SGT: func(a, b, _ *big.Int) *big.Int { return boolBig(toSigned(a).Cmp(toSigned(b)) > 0) },
	EQ:  func(a, b, _ *big.Int) *big.Int { return boolBig(a.Cmp(b) == 0) },
	AND: func(a, b, _ *big.Int) *big.Int { return new(big.Int).And(a, b) },
	OR:  func(a, b, _ *big.Int) *big.Int { return new(big.Int).Or(a, b) },
	XOR: func(a, b, _ *big.Int) *big.Int { return new(big.Int).Xor(a, b) },
	BYTE: func(i, x, _ *big.Int) *big.Int {
		if i.Cmp(big.NewInt(32)) >= 0 {
			return bigZero
		}
		sh := uint(8 * (31 - i.Uint64()))
		return new(big.Int).And(new(big.Int).Rsh(x, sh), big.NewInt(0xff))
	},
	SHL: func(s, x, _ *big.Int) *big.Int {
		if s.Cmp(big.NewInt(256)) >= 0 {
			return bigZero
		}
		return wrap(new(big.Int).Lsh(x, uint(s.Uint64())))
	},
	SHR: func(s, x, _ *big.Int) *big.Int {
		if s.Cmp(big.NewInt(256)) >= 0 {
			return bigZero
		}
		return new(big.Int).Rsh(x, uint(s.Uint64()))
	},
	SAR: func(s, x, _ *big.Int) *big.Int {
		sx := toSigned(x)
		if s.Cmp(big.NewInt(256)) >= 0 {
			if sx.Sign() < 0 {
				return maxUint
			}
			return bigZero
		}
		return wrap(new(big.Int).Rsh(sx, uint(s.Uint64()))) // Rsh on negative rounds toward -inf
	},
	ISZERO: func(a, _, _ *big.Int) *big.Int { return boolBig(a.Sign() == 0) },
	NOT:    func(a, _, _ *big.Int) *big.Int { return new(big.Int).Xor(a, maxUint) },
}

// execOp runs one instruction of the Cancun set on operands given top first.
func execOp(t *testing.T, op OpCode, args ...*big.Int) *big.Int {
	t.Helper()
	in := &instructionSetFor(forks.Cancun)[op]
	f := &frame{stack: getStack()}
	defer putStack(f.stack)
	for i := len(args) - 1; i >= 0; i-- {
		v, overflow := uint256.FromBig(args[i])
		if overflow {
			t.Fatalf("operand %v does not fit", args[i])
		}
		f.stack.push(v)
	}
	var pc uint64
	if err := in.execute(&pc, nil, f); err != nil {
		t.Fatalf("%v: %v", op, err)
	}
	if f.stack.len() != 1 {
		t.Fatalf("%v left %d items", op, f.stack.len())
	}
	return f.stack.peek().ToBig()
}

func randWord(r *rand.Rand) *big.Int {
	switch r.Intn(4) {
	case 0:
		return edgeWords[r.Intn(len(edgeWords))]
	case 1: // small
		return big.NewInt(r.Int63n(300))
	default:
		b := make([]byte, 1+r.Intn(32))
		r.Read(b)
		return new(big.Int).SetBytes(b)
	}
}

func TestArithmeticAgainstBig(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for op, oracle := range bigOracles {
		n := int(opInfos[op].pops)
		check := func(args []*big.Int) {
			want := oracle(args[0], orZero(args, 1), orZero(args, 2))
			got := execOp(t, op, args...)
			if got.Cmp(want) != 0 {
				t.Fatalf("%v(%x): got %x want %x", op, args, got, want)
			}
		}
		// All edge combinations for unary and binary ops.
		if n <= 2 {
			for _, a := range edgeWords {
				if n == 1 {
					check([]*big.Int{a})
					continue
				}
				for _, b := range edgeWords {
					check([]*big.Int{a, b})
				}
			}
		}
		for i := 0; i < 3000; i++ {
			args := make([]*big.Int, n)
			for j := range args {
				args[j] = randWord(r)
			}
			check(args)
		}
	}
}

func orZero(args []*big.Int, i int) *big.Int {
	if i < len(args) {
		return args[i]
	}
	return bigZero
}
