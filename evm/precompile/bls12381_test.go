package precompile

import (
	"bytes"
	"math/big"
	"math/rand"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
)

// Test-side encoders, written from EIP-2537's encoding rules.
func encFp(e *fp.Element) []byte {
	b := e.Bytes()
	return append(make([]byte, 16), b[:]...)
}

func encG1(p *bls.G1Affine) []byte {
	if p.IsInfinity() {
		return make([]byte, 128)
	}
	return append(encFp(&p.X), encFp(&p.Y)...)
}

func encG2(q *bls.G2Affine) []byte {
	if q.IsInfinity() {
		return make([]byte, 256)
	}
	return bytes.Join([][]byte{encFp(&q.X.A0), encFp(&q.X.A1), encFp(&q.Y.A0), encFp(&q.Y.A1)}, nil)
}

func randScalar(rng *rand.Rand) *big.Int { return new(big.Int).Rand(rng, fr.Modulus()) }

func randG1(rng *rand.Rand) bls.G1Affine {
	_, _, g1, _ := bls.Generators()
	var p bls.G1Affine
	p.ScalarMultiplication(&g1, randScalar(rng))
	return p
}

func randG2(rng *rand.Rand) bls.G2Affine {
	_, _, _, g2 := bls.Generators()
	var q bls.G2Affine
	q.ScalarMultiplication(&g2, randScalar(rng))
	return q
}

// Points on the curves but outside the prime-order subgroups.
func nonSubgroupG1(seed uint64) bls.G1Affine {
	var f fp.Element
	f.SetUint64(seed)
	j := bls.GeneratePointNotInG1(f)
	var p bls.G1Affine
	p.FromJacobian(&j)
	return p
}

func nonSubgroupG2(seed uint64) bls.G2Affine {
	var f bls.E2
	f.A0.SetUint64(seed)
	f.A1.SetUint64(seed + 1)
	j := bls.GeneratePointNotInG2(f)
	var q bls.G2Affine
	q.FromJacobian(&j)
	return q
}

// Plain double-and-add over the full 256-bit scalar: independent of the
// reduction mod r and of gnark's MSM and GLV code.
func dblAddG1(p *bls.G1Affine, k *big.Int) bls.G1Affine {
	var acc bls.G1Affine
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc.Double(&acc)
		if k.Bit(i) == 1 {
			acc.Add(&acc, p)
		}
	}
	return acc
}

func dblAddG2(p *bls.G2Affine, k *big.Int) bls.G2Affine {
	var acc bls.G2Affine
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc.Double(&acc)
		if k.Bit(i) == 1 {
			acc.Add(&acc, p)
		}
	}
	return acc
}

func scalarBytes(k *big.Int) []byte { return k.FillBytes(make([]byte, 32)) }

func TestBLSG1G2Add(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 10; i++ {
		p, q := randG1(rng), randG1(rng)
		if i%3 == 0 {
			q = nonSubgroupG1(uint64(i)) // add does no subgroup check
		}
		var s bls.G1Affine
		s.Add(&p, &q)
		if got := mustRun(t, blsG1Add{}, append(encG1(&p), encG1(&q)...)); !bytes.Equal(got, encG1(&s)) {
			t.Fatalf("G1ADD mismatch")
		}
		a, b := randG2(rng), randG2(rng)
		if i%3 == 0 {
			b = nonSubgroupG2(uint64(i))
		}
		var s2 bls.G2Affine
		s2.Add(&a, &b)
		if got := mustRun(t, blsG2Add{}, append(encG2(&a), encG2(&b)...)); !bytes.Equal(got, encG2(&s2)) {
			t.Fatalf("G2ADD mismatch")
		}
	}
	// P + (-P) and O + O are the all-zero encoding; P + O = P.
	p := randG1(rng)
	var n bls.G1Affine
	n.Neg(&p)
	if got := mustRun(t, blsG1Add{}, append(encG1(&p), encG1(&n)...)); !bytes.Equal(got, make([]byte, 128)) {
		t.Errorf("P + -P = %x", got)
	}
	if got := mustRun(t, blsG1Add{}, append(encG1(&p), make([]byte, 128)...)); !bytes.Equal(got, encG1(&p)) {
		t.Errorf("P + O = %x", got)
	}
	if got := mustRun(t, blsG2Add{}, make([]byte, 512)); !bytes.Equal(got, make([]byte, 256)) {
		t.Errorf("O + O = %x", got)
	}
	if (blsG1Add{}).RequiredGas(nil) != 375 || (blsG2Add{}).RequiredGas(nil) != 600 {
		t.Error("add gas")
	}
}

func TestBLSMSM(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for _, k := range []int{1, 2, 3, 8} {
		var in1, in2 []byte
		var want1 bls.G1Affine
		var want2 bls.G2Affine
		for i := 0; i < k; i++ {
			p, q := randG1(rng), randG2(rng)
			s := new(big.Int).Rand(rng, new(big.Int).Lsh(big.NewInt(1), 256)) // may exceed r
			if i == 1 {
				s.SetInt64(0)
			}
			if i == 2 {
				p, q = bls.G1Affine{}, bls.G2Affine{} // infinity
			}
			sp, sq := dblAddG1(&p, s), dblAddG2(&q, s)
			want1.Add(&want1, &sp)
			want2.Add(&want2, &sq)
			in1 = append(append(in1, encG1(&p)...), scalarBytes(s)...)
			in2 = append(append(in2, encG2(&q)...), scalarBytes(s)...)
		}
		if got := mustRun(t, blsG1MSM{}, in1); !bytes.Equal(got, encG1(&want1)) {
			t.Fatalf("G1MSM k=%d mismatch", k)
		}
		if got := mustRun(t, blsG2MSM{}, in2); !bytes.Equal(got, encG2(&want2)) {
			t.Fatalf("G2MSM k=%d mismatch", k)
		}
	}
	// Subgroup checks apply to MSM.
	bad1 := nonSubgroupG1(3)
	if _, err := (blsG1MSM{}).Run(append(encG1(&bad1), scalarBytes(big.NewInt(1))...)); err == nil {
		t.Error("G1MSM accepted a point outside the subgroup")
	}
	bad2 := nonSubgroupG2(3)
	if _, err := (blsG2MSM{}).Run(append(encG2(&bad2), scalarBytes(big.NewInt(1))...)); err == nil {
		t.Error("G2MSM accepted a point outside the subgroup")
	}
	// Lengths: empty and non-multiples fail.
	for _, n := range []int{0, 159, 161, 320 - 1} {
		if _, err := (blsG1MSM{}).Run(make([]byte, n)); err == nil {
			t.Errorf("G1MSM accepted length %d", n)
		}
	}
	for _, n := range []int{0, 287, 289} {
		if _, err := (blsG2MSM{}).Run(make([]byte, n)); err == nil {
			t.Errorf("G2MSM accepted length %d", n)
		}
	}
}

func TestBLSMSMGas(t *testing.T) {
	// Spot values computed by hand from EIP-2537: k * mul * discount(k) / 1000.
	cases := []struct {
		c    Contract
		k    int
		pair int
		want uint64
	}{
		{blsG1MSM{}, 0, 160, 0},
		{blsG1MSM{}, 1, 160, 12000},
		{blsG1MSM{}, 2, 160, 2 * 12000 * 949 / 1000},
		{blsG1MSM{}, 128, 160, 128 * 12000 * 519 / 1000},
		{blsG1MSM{}, 129, 160, 129 * 12000 * 519 / 1000},
		{blsG1MSM{}, 1000, 160, 1000 * 12000 * 519 / 1000},
		{blsG2MSM{}, 1, 288, 22500},
		{blsG2MSM{}, 2, 288, 45000},
		{blsG2MSM{}, 3, 288, 3 * 22500 * 923 / 1000},
		{blsG2MSM{}, 128, 288, 128 * 22500 * 524 / 1000},
		{blsG2MSM{}, 200, 288, 200 * 22500 * 524 / 1000},
		{blsPairing{}, 0, 384, 37700},
		{blsPairing{}, 1, 384, 32600 + 37700},
		{blsPairing{}, 5, 384, 5*32600 + 37700},
	}
	for _, c := range cases {
		for _, extra := range []int{0, 1} {
			if c.k == 0 && extra == 1 {
				continue
			}
			if got := c.c.RequiredGas(make([]byte, c.k*c.pair+extra)); got != c.want {
				t.Errorf("%T k=%d (+%d bytes): gas %d, want %d", c.c, c.k, extra, got, c.want)
			}
		}
	}
}

func TestBLSPairing(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	_, _, g1, g2 := bls.Generators()
	one := make([]byte, 32)
	one[31] = 1
	a, b := randScalar(rng), randScalar(rng)
	var aP, abP bls.G1Affine
	var bQ bls.G2Affine
	aP.ScalarMultiplication(&g1, a)
	bQ.ScalarMultiplication(&g2, b)
	ab := new(big.Int).Mul(a, b)
	abP.ScalarMultiplication(&g1, ab.Mod(ab, fr.Modulus()))
	abP.Neg(&abP)
	in := bytes.Join([][]byte{encG1(&aP), encG2(&bQ), encG1(&abP), encG2(&g2)}, nil)
	if got := mustRun(t, blsPairing{}, in); !bytes.Equal(got, one) {
		t.Fatalf("e(aP, bQ) e(-abP, Q) = %x", got)
	}
	if got := mustRun(t, blsPairing{}, in[:384]); !bytes.Equal(got, make([]byte, 32)) {
		t.Fatalf("e(aP, bQ) = %x", got)
	}
	// Infinity in a pair makes that pair 1.
	infPair := append(make([]byte, 128), encG2(&g2)...)
	if got := mustRun(t, blsPairing{}, infPair); !bytes.Equal(got, one) {
		t.Errorf("e(O, Q) = %x", got)
	}
	bad1, bad2 := nonSubgroupG1(5), nonSubgroupG2(5)
	for name, in := range map[string][]byte{
		"empty":          nil,
		"383 bytes":      make([]byte, 383),
		"G1 not in G1":   append(encG1(&bad1), encG2(&g2)...),
		"G2 not in G2":   append(encG1(&g1), encG2(&bad2)...),
		"G1 off curve":   append(bytes.Repeat([]byte{0}, 127), append([]byte{1}, encG2(&g2)...)...),
		"swapped coords": append(encG1(&g1), bytes.Join([][]byte{encFp(&g2.X.A1), encFp(&g2.X.A0), encFp(&g2.Y.A1), encFp(&g2.Y.A0)}, nil)...),
	} {
		if out, err := (blsPairing{}).Run(in); err == nil {
			t.Errorf("%s: accepted, %x", name, out)
		}
	}
}

func TestBLSEncodingErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	p := randG1(rng)
	good := append(encG1(&p), encG1(&p)...)
	mut := func(f func(in []byte)) []byte {
		in := bytes.Clone(good)
		f(in)
		return in
	}
	pBytes := fp.Modulus().FillBytes(make([]byte, 48))
	cases := map[string][]byte{
		"top byte set":       mut(func(in []byte) { in[0] = 1 }),
		"byte 15 set":        mut(func(in []byte) { in[15] = 1 }),
		"x = p":              mut(func(in []byte) { copy(in[16:64], pBytes) }),
		"y off curve":        mut(func(in []byte) { in[127] ^= 1 }),
		"(0, 0) with flag":   mut(func(in []byte) { clear(in[:128]); in[79] = 1 }),
		"length 255":         good[:255],
		"length 257":         append(bytes.Clone(good), 0),
		"second y top bytes": mut(func(in []byte) { in[128+64] = 0xff }),
	}
	for name, in := range cases {
		if out, err := (blsG1Add{}).Run(in); err == nil {
			t.Errorf("%s: accepted, %x", name, out)
		}
	}
	// Field elements for the maps follow the same rules.
	if _, err := (blsMapFpToG1{}).Run(append(make([]byte, 16), pBytes...)); err == nil {
		t.Error("MAP_FP_TO_G1 accepted p")
	}
	if _, err := (blsMapFpToG1{}).Run(make([]byte, 63)); err == nil {
		t.Error("MAP_FP_TO_G1 accepted 63 bytes")
	}
	if _, err := (blsMapFp2ToG2{}).Run(append(make([]byte, 64), append(make([]byte, 16), pBytes...)...)); err == nil {
		t.Error("MAP_FP2_TO_G2 accepted c1 = p")
	}
}

func TestBLSMaps(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for i := 0; i < 10; i++ {
		var u fp.Element
		u.SetRandom()
		in := encFp(&u)
		out := mustRun(t, blsMapFpToG1{}, in)
		var p bls.G1Affine
		if err := blsDecodeG1(out, &p, true); err != nil {
			t.Fatalf("MAP_FP_TO_G1 output not a G1 point: %v", err)
		}
		var u2 bls.E2
		u2.A0.SetUint64(rng.Uint64())
		u2.A1.SetRandom()
		out2 := mustRun(t, blsMapFp2ToG2{}, append(encFp(&u2.A0), encFp(&u2.A1)...))
		var q bls.G2Affine
		if err := blsDecodeG2(out2, &q, true); err != nil {
			t.Fatalf("MAP_FP2_TO_G2 output not a G2 point: %v", err)
		}
	}
	if (blsMapFpToG1{}).RequiredGas(nil) != 5500 || (blsMapFp2ToG2{}).RequiredGas(nil) != 23800 {
		t.Error("map gas")
	}
}
