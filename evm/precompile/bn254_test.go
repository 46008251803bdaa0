package precompile

import (
	"bytes"
	"math/big"
	"math/rand"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// Test-side encoders, written from EIP-196/197's ABI description.
func encBN254G1(p *bn254.G1Affine) []byte {
	x, y := p.X.Bytes(), p.Y.Bytes()
	return append(x[:], y[:]...)
}

func encBN254G2(q *bn254.G2Affine) []byte {
	var out []byte
	for _, e := range []*fp.Element{&q.X.A1, &q.X.A0, &q.Y.A1, &q.Y.A0} {
		b := e.Bytes()
		out = append(out, b[:]...)
	}
	return out
}

func bn254Scalar(rng *rand.Rand) *big.Int {
	return new(big.Int).Rand(rng, fr.Modulus())
}

// doubleAndAddBN254 is a plain double-and-add over the full 256-bit scalar:
// an oracle independent of scalar reduction and GLV.
func doubleAndAddBN254(p *bn254.G1Affine, k *big.Int) bn254.G1Affine {
	var acc bn254.G1Affine // infinity
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc.Double(&acc)
		if k.Bit(i) == 1 {
			acc.Add(&acc, p)
		}
	}
	return acc
}

func TestBN254AddMul(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	_, _, g1, _ := bn254.Generators()
	// EIP-196: the generator is (1, 2).
	gEnc := make([]byte, 64)
	gEnc[31], gEnc[63] = 1, 2
	if !bytes.Equal(encBN254G1(&g1), gEnc) {
		t.Fatal("generator is not (1, 2)")
	}
	add := bn254Add{gas: 150}
	mul := bn254Mul{gas: 6000}
	for i := 0; i < 20; i++ {
		var p, q, sum bn254.G1Affine
		p.ScalarMultiplication(&g1, bn254Scalar(rng))
		q.ScalarMultiplication(&g1, bn254Scalar(rng))
		sum.Add(&p, &q)
		got := mustRun(t, add, append(encBN254G1(&p), encBN254G1(&q)...))
		if !bytes.Equal(got, encBN254G1(&sum)) {
			t.Fatalf("add mismatch")
		}
		// Full-width scalars, including ones above the group order.
		k := new(big.Int).Rand(rng, new(big.Int).Lsh(big.NewInt(1), 256))
		want := doubleAndAddBN254(&p, k)
		in := append(encBN254G1(&p), k.FillBytes(make([]byte, 32))...)
		if got := mustRun(t, mul, in); !bytes.Equal(got, encBN254G1(&want)) {
			t.Fatalf("mul by %v mismatch", k)
		}
	}
	zero64 := make([]byte, 64)
	// P + (-P) = O; O + O = O; empty input is O + O.
	var neg bn254.G1Affine
	neg.Neg(&g1)
	for _, in := range [][]byte{append(encBN254G1(&g1), encBN254G1(&neg)...), make([]byte, 128), nil} {
		if got := mustRun(t, add, in); !bytes.Equal(got, zero64) {
			t.Errorf("add(%x) = %x, want infinity", in, got)
		}
	}
	// G + G with the second point's y truncated away reads as G + (1, 0):
	// not on the curve.
	if _, err := add.Run(append(bytes.Clone(gEnc), gEnc[:40]...)); err == nil {
		t.Error("truncated second point accepted")
	}
	// r*G = O and (r+1)*G = G.
	r := fr.Modulus()
	if got := mustRun(t, mul, append(gEnc, r.FillBytes(make([]byte, 32))...)); !bytes.Equal(got, zero64) {
		t.Errorf("r*G = %x", got)
	}
	r1 := new(big.Int).Add(r, big.NewInt(1))
	if got := mustRun(t, mul, append(gEnc, r1.FillBytes(make([]byte, 32))...)); !bytes.Equal(got, gEnc) {
		t.Errorf("(r+1)*G = %x", got)
	}
	// Short mul input is zero padded: G with no scalar is O.
	if got := mustRun(t, mul, gEnc); !bytes.Equal(got, zero64) {
		t.Errorf("G*0 = %x", got)
	}
}

func TestBN254Invalid(t *testing.T) {
	p := fp.Modulus()
	gEnc := make([]byte, 64)
	gEnc[31], gEnc[63] = 1, 2
	xIsP := append(p.FillBytes(make([]byte, 32)), gEnc[32:]...)
	offCurve := bytes.Clone(gEnc)
	offCurve[63] = 3
	for name, pt := range map[string][]byte{"x = p": xIsP, "(1, 3)": offCurve} {
		if _, err := (bn254Add{}).Run(append(bytes.Clone(gEnc), pt...)); err == nil {
			t.Errorf("add: %s accepted", name)
		}
		if _, err := (bn254Mul{}).Run(append(bytes.Clone(pt), make([]byte, 32)...)); err == nil {
			t.Errorf("mul: %s accepted", name)
		}
	}
}

func TestBN254Pairing(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	_, _, g1, g2 := bn254.Generators()
	c := bn254Pairing{base: 45000, perPair: 34000}
	one := make([]byte, 32)
	one[31] = 1
	zero := make([]byte, 32)
	for i := 0; i < 3; i++ {
		a, b := bn254Scalar(rng), bn254Scalar(rng)
		var aP, abP bn254.G1Affine
		var bQ bn254.G2Affine
		aP.ScalarMultiplication(&g1, a)
		bQ.ScalarMultiplication(&g2, b)
		ab := new(big.Int).Mul(a, b)
		abP.ScalarMultiplication(&g1, ab.Mod(ab, fr.Modulus()))
		abP.Neg(&abP)
		// e(aP, bQ) * e(-abP, Q) = 1
		in := append(append(encBN254G1(&aP), encBN254G2(&bQ)...), append(encBN254G1(&abP), encBN254G2(&g2)...)...)
		if got := mustRun(t, c, in); !bytes.Equal(got, one) {
			t.Fatalf("bilinearity check returned %x", got)
		}
		// e(aP, bQ) alone is not 1.
		if got := mustRun(t, c, in[:192]); !bytes.Equal(got, zero) {
			t.Fatalf("single pairing returned %x", got)
		}
	}
	// Empty input and pairs with infinity are 1.
	if got := mustRun(t, c, nil); !bytes.Equal(got, one) {
		t.Errorf("empty: %x", got)
	}
	infPair := append(make([]byte, 64), encBN254G2(&g2)...)
	if got := mustRun(t, c, infPair); !bytes.Equal(got, one) {
		t.Errorf("infinity pair: %x", got)
	}
	if _, err := c.Run(make([]byte, 191)); err == nil {
		t.Error("length 191 accepted")
	}
	// A twist point outside the prime-order subgroup is rejected.
	var f bn254.E2
	f.A0.SetUint64(7)
	f.A1.SetUint64(11)
	bad := bn254.GeneratePointNotInG2(f)
	var badAff bn254.G2Affine
	badAff.FromJacobian(&bad)
	if !badAff.IsOnCurve() || badAff.IsInSubGroup() {
		t.Fatal("test point construction")
	}
	if _, err := c.Run(append(encBN254G1(&g1), encBN254G2(&badAff)...)); err == nil {
		t.Error("G2 point outside the subgroup accepted")
	}
	// Coordinates written real-part first (the wrong order) are not on the twist.
	e := encBN254G2(&g2)
	swapped := bytes.Join([][]byte{e[32:64], e[0:32], e[96:128], e[64:96]}, nil)
	if _, err := c.Run(append(encBN254G1(&g1), swapped...)); err == nil {
		t.Error("swapped Fp2 order accepted")
	}
}
