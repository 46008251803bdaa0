package precompile

import (
	"bytes"
	"math/big"
	"math/rand"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
)

// Every precompile has a fuzz target: Run must never panic (a panic fails
// the target), a successful Run must return the output size the spec
// fixes, and RequiredGas must never be below the EIP's formula, computed
// here independently of the package's pricing code.

func words32(n int) uint64 { return uint64((n + 31) / 32) }

type fuzzSpec struct {
	c       Contract
	formula func(in []byte) uint64 // the EIP's price
	outLen  int                    // fixed output size on success; -1 when it varies
}

func fuzzContracts(f *testing.F, specs []fuzzSpec, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, s := range specs {
			if g, want := s.c.RequiredGas(in), s.formula(in); g < want {
				t.Fatalf("%T: gas %d below the formula's %d for %x", s.c, g, want, in)
			}
			out, err := s.c.Run(in)
			if err == nil && s.outLen >= 0 && len(out) != s.outLen {
				t.Fatalf("%T: output length %d, want %d", s.c, len(out), s.outLen)
			}
		}
	})
}

func constGas(g uint64) func([]byte) uint64 { return func([]byte) uint64 { return g } }

func FuzzECRecover(f *testing.F) {
	hash := make([]byte, 32)
	hash[0] = 1
	v, r, s := signForTest(f, hash)
	fuzzContracts(f, []fuzzSpec{{ecrecover{}, constGas(3000), -1}}, ecrecoverInput(hash, v, r, s))
}

func FuzzSHA256(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{sha256hash{}, func(in []byte) uint64 { return 60 + 12*words32(len(in)) }, 32}}, []byte("abc"))
}

func FuzzRIPEMD160(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{ripemd160hash{}, func(in []byte) uint64 { return 600 + 120*words32(len(in)) }, 32}}, []byte("abc"))
}

func FuzzIdentity(f *testing.F) {
	f.Add([]byte("abc"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if g := (identity{}).RequiredGas(in); g < 15+3*words32(len(in)) {
			t.Fatalf("gas %d", g)
		}
		if out := mustRun(t, identity{}, in); !bytes.Equal(out, in) {
			t.Fatalf("identity changed its input")
		}
	})
}

func FuzzModExp(f *testing.F) {
	p := bigHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	f.Add(modExpInput(big3(), new(big.Int).Sub(p, big.NewInt(1)), p, 32, 32, 32))
	f.Add(modExpInput(big.NewInt(2), big.NewInt(5), big.NewInt(7), 1, 1, 1))
	f.Add(append(bytes.Repeat([]byte{0xff}, 96), 1, 2, 3))
	f.Fuzz(func(t *testing.T, in []byte) {
		checkModExpGas(t, in) // exact below 2^59, never under the math/big formula
		for _, c := range []modExp{{false}, {true}} {
			out, err := c.Run(in)
			// Small enough to compute the reference directly.
			if c.RequiredGas(in) <= maxRunGas {
				if err != nil {
					t.Fatalf("Run refused payable input %x: %v", in, err)
				}
				blen, elen, mlen := modExpLengths(in)
				if blen < 1<<12 && elen < 1<<12 && mlen < 1<<12 {
					if want := refModExp(in); !bytes.Equal(out, want) {
						t.Fatalf("input %x: got %x, want %x", in, out, want)
					}
				}
			}
		}
	})
}

func bn254Seeds() [][]byte {
	_, _, g1, g2 := bn254.Generators()
	g := encBN254G1(&g1)
	q := encBN254G2(&g2)
	return [][]byte{append(bytes.Clone(g), g...), append(bytes.Clone(g), bytes.Repeat([]byte{0xff}, 32)...), append(bytes.Clone(g), q...)}
}

func FuzzBN254Add(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{
		{bn254Add{gas: 500}, constGas(500), 64},
		{bn254Add{gas: 150}, constGas(150), 64},
	}, bn254Seeds()...)
}

func FuzzBN254Mul(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{
		{bn254Mul{gas: 40000}, constGas(40000), 64},
		{bn254Mul{gas: 6000}, constGas(6000), 64},
	}, bn254Seeds()...)
}

func FuzzBN254Pairing(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{
		{bn254Pairing{base: 100000, perPair: 80000}, func(in []byte) uint64 { return 100000 + 80000*uint64(len(in)/192) }, 32},
		{bn254Pairing{base: 45000, perPair: 34000}, func(in []byte) uint64 { return 45000 + 34000*uint64(len(in)/192) }, 32},
	}, bn254Seeds()...)
}

func FuzzBlake2F(f *testing.F) {
	seed := eip152Input(f, "0000000c", "01")
	fuzzContracts(f, []fuzzSpec{{blake2F{}, func(in []byte) uint64 {
		if len(in) != 213 {
			return 0
		}
		return uint64(in[0])<<24 | uint64(in[1])<<16 | uint64(in[2])<<8 | uint64(in[3])
	}, 64}}, seed, eip152Input(f, "00000000", "00"))
}

func FuzzPointEvaluation(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{pointEvaluation{}, constGas(50000), 64}},
		constantPolyProofInput(f, 3, 4), constantPolyProofInput(f, 0, 0))
}

func blsSeeds() [][]byte {
	rng := rand.New(rand.NewSource(12))
	p, q := randG1(rng), randG2(rng)
	s := scalarBytes(big.NewInt(12345))
	return [][]byte{
		append(encG1(&p), encG1(&p)...),
		append(encG1(&p), s...),
		append(encG2(&q), encG2(&q)...),
		append(encG2(&q), s...),
		append(encG1(&p), encG2(&q)...),
		encFp(&p.X),
		append(encFp(&q.X.A0), encFp(&q.X.A1)...),
	}
}

func msmFormula(pair int, mul uint64, table *[128]uint16) func([]byte) uint64 {
	return func(in []byte) uint64 {
		k := len(in) / pair
		if k == 0 {
			return 0
		}
		d := uint64(table[127])
		if k <= 128 {
			d = uint64(table[k-1])
		}
		return uint64(k) * mul * d / 1000
	}
}

func FuzzBLSG1Add(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{blsG1Add{}, constGas(375), 128}}, blsSeeds()...)
}

func FuzzBLSG2Add(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{blsG2Add{}, constGas(600), 256}}, blsSeeds()...)
}

func FuzzBLSG1MSM(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{blsG1MSM{}, msmFormula(160, 12000, &blsG1MSMDiscount), 128}}, blsSeeds()...)
}

func FuzzBLSG2MSM(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{blsG2MSM{}, msmFormula(288, 22500, &blsG2MSMDiscount), 256}}, blsSeeds()...)
}

func FuzzBLSPairing(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{blsPairing{}, func(in []byte) uint64 { return 37700 + 32600*uint64(len(in)/384) }, 32}}, blsSeeds()...)
}

func FuzzBLSMapFpToG1(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{blsMapFpToG1{}, constGas(5500), 128}}, blsSeeds()...)
}

func FuzzBLSMapFp2ToG2(f *testing.F) {
	fuzzContracts(f, []fuzzSpec{{blsMapFp2ToG2{}, constGas(23800), 256}}, blsSeeds()...)
}
