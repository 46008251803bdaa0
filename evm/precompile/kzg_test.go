package precompile

import (
	"bytes"
	"crypto/sha256"
	"math/big"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// constantPolyProofInput builds a valid point-evaluation input without the
// trusted setup's G1 powers: the constant polynomial p(X) = c has commitment
// [c]G1 (its Lagrange coefficients all equal c and the Lagrange basis sums
// to 1) and quotient (p(X) - c)/(X - z) = 0, so its proof at any z is the
// point at infinity. The pairing check then holds for the real [τ]G2.
func constantPolyProofInput(t testing.TB, c, z int64) []byte {
	_, _, g1, _ := bls.Generators()
	var commitment bls.G1Affine
	commitment.ScalarMultiplication(&g1, big.NewInt(c))
	cb := commitment.Bytes()
	var inf bls.G1Affine
	pb := inf.Bytes()
	in := make([]byte, 192)
	h := sha256.Sum256(cb[:])
	h[0] = 0x01
	copy(in[0:32], h[:])
	big.NewInt(z).FillBytes(in[32:64])
	big.NewInt(c).FillBytes(in[64:96])
	copy(in[96:144], cb[:])
	copy(in[144:192], pb[:])
	return in
}

func TestPointEvaluationConstantPolynomial(t *testing.T) {
	for _, c := range []int64{0, 1, 7, 123456789} {
		for _, z := range []int64{0, 1, 5, 1 << 40} {
			in := constantPolyProofInput(t, c, z)
			out := mustRun(t, pointEvaluation{}, in)
			want := make([]byte, 64)
			big.NewInt(4096).FillBytes(want[:32])
			fr.Modulus().FillBytes(want[32:])
			if !bytes.Equal(out, want) {
				t.Fatalf("c=%d z=%d: output %x", c, z, out)
			}
			// A wrong claimed value must fail.
			bad := bytes.Clone(in)
			big.NewInt(c + 1).FillBytes(bad[64:96])
			if _, err := (pointEvaluation{}).Run(bad); err == nil {
				t.Fatalf("c=%d z=%d: wrong y accepted", c, z)
			}
		}
	}
	if g := (pointEvaluation{}).RequiredGas(nil); g != 50000 {
		t.Errorf("gas %d", g)
	}
}

func TestPointEvaluationInvalid(t *testing.T) {
	good := constantPolyProofInput(t, 9, 3)
	mut := func(f func(in []byte)) []byte {
		in := bytes.Clone(good)
		f(in)
		return in
	}
	r := fr.Modulus()
	cases := map[string][]byte{
		"short":           good[:191],
		"long":            append(bytes.Clone(good), 0),
		"version byte":    mut(func(in []byte) { in[0] = 0x02 }),
		"hash":            mut(func(in []byte) { in[31] ^= 1 }),
		"z = modulus":     mut(func(in []byte) { r.FillBytes(in[32:64]) }),
		"y = modulus":     mut(func(in []byte) { r.FillBytes(in[64:96]) }),
		"proof flags":     mut(func(in []byte) { in[144] = 0xe0 }),
		"proof not point": mut(func(in []byte) { in[144] = 0x80; in[191] = 1 }),
		"proof uncompressed flag": mut(func(in []byte) {
			in[144] = 0x00
		}),
		"infinity with bits": mut(func(in []byte) { in[191] = 1 }),
	}
	for name, in := range cases {
		if out, err := (pointEvaluation{}).Run(in); err == nil {
			t.Errorf("%s: accepted, output %x", name, out)
		}
	}
}

func TestKZGSetupPoint(t *testing.T) {
	if err := loadKZGSetup(); err != nil {
		t.Fatal(err)
	}
	if !kzgSetup.tauG2.IsInSubGroup() || kzgSetup.tauG2.IsInfinity() {
		t.Fatal("[τ]G2 is not a non-trivial subgroup point")
	}
}
