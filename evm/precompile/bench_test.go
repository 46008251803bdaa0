package precompile

import (
	"bytes"
	"math/big"
	"math/rand"
	"testing"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bls12-381/fr"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// Each benchmark reports gas/s: how much of the EIP's price the contract
// burns per second (higher means the price is generous for this machine).

func benchContract(b *testing.B, c Contract, in []byte) {
	b.Helper()
	if _, err := c.Run(in); err != nil {
		b.Fatalf("benchmark input rejected: %v", err)
	}
	gas := c.RequiredGas(in)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Run(in); err != nil {
			b.Fatal(err)
		}
	}
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(gas)*float64(b.N)/s, "gas/s")
	}
}

func BenchmarkECRecover(b *testing.B) {
	hash := bytes.Repeat([]byte{7}, 32)
	v, r, s := signForTest(b, hash)
	benchContract(b, ecrecover{}, ecrecoverInput(hash, v, r, s))
}

func BenchmarkSHA256_1K(b *testing.B)    { benchContract(b, sha256hash{}, make([]byte, 1024)) }
func BenchmarkRIPEMD160_1K(b *testing.B) { benchContract(b, ripemd160hash{}, make([]byte, 1024)) }
func BenchmarkIdentity_1K(b *testing.B)  { benchContract(b, identity{}, make([]byte, 1024)) }

func BenchmarkModExp(b *testing.B) {
	p := bigHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	rng := rand.New(rand.NewSource(13))
	rsa := func(n int) []byte { // n-byte odd modulus, n-byte base, exponent 65537
		m := new(big.Int).Rand(rng, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
		m.SetBit(m, 8*n-1, 1).SetBit(m, 0, 1)
		base := new(big.Int).Rand(rng, m)
		return modExpInput(base, big.NewInt(65537), m, n, 3, n)
	}
	full := func(n int) []byte { // n-byte base, exponent and modulus
		m := new(big.Int).Rand(rng, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
		m.SetBit(m, 8*n-1, 1).SetBit(m, 0, 1)
		return modExpInput(new(big.Int).Rand(rng, m), new(big.Int).Rand(rng, m), m, n, n, n)
	}
	cases := []struct {
		name string
		in   []byte
	}{
		{"fermat-32", modExpInput(big3(), new(big.Int).Sub(p, big.NewInt(1)), p, 32, 32, 32)},
		{"rsa-256", rsa(256)},
		{"rsa-512", rsa(512)},
		{"full-64", full(64)},
		{"full-256", full(256)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) { benchContract(b, modExp{eip2565: true}, c.in) })
	}
}

func BenchmarkBN254Add(b *testing.B) {
	rng := rand.New(rand.NewSource(14))
	_, _, g1, _ := bn254.Generators()
	var p, q bn254.G1Affine
	p.ScalarMultiplication(&g1, bn254Scalar(rng))
	q.ScalarMultiplication(&g1, bn254Scalar(rng))
	benchContract(b, bn254Add{gas: 150}, append(encBN254G1(&p), encBN254G1(&q)...))
}

func BenchmarkBN254Mul(b *testing.B) {
	rng := rand.New(rand.NewSource(15))
	_, _, g1, _ := bn254.Generators()
	var p bn254.G1Affine
	p.ScalarMultiplication(&g1, bn254Scalar(rng))
	benchContract(b, bn254Mul{gas: 6000}, append(encBN254G1(&p), scalarBytes(bn254Scalar(rng))...))
}

func BenchmarkBN254Pairing2(b *testing.B) {
	_, _, g1, g2 := bn254.Generators()
	var n bn254.G1Affine
	n.Neg(&g1)
	in := bytes.Join([][]byte{encBN254G1(&g1), encBN254G2(&g2), encBN254G1(&n), encBN254G2(&g2)}, nil)
	benchContract(b, bn254Pairing{base: 45000, perPair: 34000}, in)
}

func BenchmarkBlake2F_12(b *testing.B) {
	benchContract(b, blake2F{}, eip152Input(b, "0000000c", "01"))
}

func BenchmarkBlake2F_1M(b *testing.B) {
	benchContract(b, blake2F{}, eip152Input(b, "000f4240", "01"))
}

func BenchmarkPointEvaluation(b *testing.B) {
	benchContract(b, pointEvaluation{}, constantPolyProofInput(b, 123456789, 987654321))
}

func BenchmarkBLSG1Add(b *testing.B) {
	rng := rand.New(rand.NewSource(16))
	p, q := randG1(rng), randG1(rng)
	benchContract(b, blsG1Add{}, append(encG1(&p), encG1(&q)...))
}

func BenchmarkBLSG2Add(b *testing.B) {
	rng := rand.New(rand.NewSource(17))
	p, q := randG2(rng), randG2(rng)
	benchContract(b, blsG2Add{}, append(encG2(&p), encG2(&q)...))
}

func blsMSMInput(rng *rand.Rand, k int, g2 bool) []byte {
	var in []byte
	for i := 0; i < k; i++ {
		s := scalarBytes(new(big.Int).Rand(rng, fr.Modulus()))
		if g2 {
			q := randG2(rng)
			in = append(append(in, encG2(&q)...), s...)
		} else {
			p := randG1(rng)
			in = append(append(in, encG1(&p)...), s...)
		}
	}
	return in
}

func BenchmarkBLSG1MSM(b *testing.B) {
	rng := rand.New(rand.NewSource(18))
	for _, k := range []int{1, 8, 64} {
		in := blsMSMInput(rng, k, false)
		b.Run(itoa(k), func(b *testing.B) { benchContract(b, blsG1MSM{}, in) })
	}
}

func BenchmarkBLSG2MSM(b *testing.B) {
	rng := rand.New(rand.NewSource(19))
	for _, k := range []int{1, 8, 64} {
		in := blsMSMInput(rng, k, true)
		b.Run(itoa(k), func(b *testing.B) { benchContract(b, blsG2MSM{}, in) })
	}
}

func BenchmarkBLSPairing2(b *testing.B) {
	_, _, g1, g2 := bls.Generators()
	var n bls.G1Affine
	n.Neg(&g1)
	benchContract(b, blsPairing{}, bytes.Join([][]byte{encG1(&g1), encG2(&g2), encG1(&n), encG2(&g2)}, nil))
}

func BenchmarkBLSMapFpToG1(b *testing.B) {
	rng := rand.New(rand.NewSource(20))
	p := randG1(rng)
	benchContract(b, blsMapFpToG1{}, encFp(&p.X))
}

func BenchmarkBLSMapFp2ToG2(b *testing.B) {
	rng := rand.New(rand.NewSource(21))
	q := randG2(rng)
	benchContract(b, blsMapFp2ToG2{}, append(encFp(&q.X.A0), encFp(&q.X.A1)...))
}

func itoa(k int) string { return "k=" + big.NewInt(int64(k)).String() }

func BenchmarkLookup(b *testing.B) {
	s := ForRules(forks.RulesFor(forks.Prague))
	addrs := []types.Address{lowAddress(0x01), lowAddress(0x11), lowAddress(0x12), {0x12, 0x34}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Lookup(addrs[i&3])
	}
}
