package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"
	"time"

	bls "github.com/consensys/gnark-crypto/ecc/bls12-381"
	blsfp "github.com/consensys/gnark-crypto/ecc/bls12-381/fp"
	blsfr "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	bnfp "github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/evm/precompile"
	"github.com/plasmaxpl/engine/types"
)

// precompileCase is one valid input for one precompile.
type precompileCase struct {
	addr  byte
	name  string
	input []byte
}

// precompileBatch is about how long one timed batch of calls takes: long
// enough that reading the clock costs nothing next to it, short enough that
// a sample holds many batches of each side, taken in turns.
const precompileBatch = 2 * time.Millisecond

// benchPrecompiles calls every Prague precompile on a valid input through
// ours (precompile.ForRules) and go-ethereum's (vm.PrecompiledContractsPrague,
// calling the contract directly so its result cache stays out of the way).
// Output and RequiredGas are checked equal before timing; throughput is
// RequiredGas × calls over the time of the calls.
func benchPrecompiles(o *options) []Benchmark {
	cases, err := precompileCases()
	if err != nil {
		return []Benchmark{{Name: "precompiles", Error: err.Error()}}
	}
	ours := precompile.ForRules(forks.RulesFor(forks.Prague))
	var out []Benchmark
	for _, c := range cases {
		b := benchPrecompile(o, ours, c)
		out = append(out, b)
		o.logBench(b)
	}
	return out
}

func benchPrecompile(o *options, ours *precompile.Set, c precompileCase) Benchmark {
	mine, theirs, gas, want, once, err := checkPrecompile(ours, c)
	if err != nil {
		return Benchmark{Name: c.name, Error: err.Error()}
	}
	// The checked call may have paid for one-time setup: size the batches
	// on the fastest of a few more.
	for range 3 {
		start := time.Now()
		if _, err := mine.Run(c.input); err != nil {
			return Benchmark{Name: c.name, Error: err.Error()}
		}
		once = min(once, time.Since(start))
	}
	calls := 1
	if once > 0 && once < precompileBatch {
		calls = int(precompileBatch / once)
	}
	batch := func(run func([]byte) ([]byte, error)) func() (float64, time.Duration, error) {
		return func() (float64, time.Duration, error) {
			start := time.Now()
			for range calls {
				if _, err := run(c.input); err != nil {
					return 0, 0, err
				}
			}
			return float64(gas) * float64(calls), time.Since(start), nil
		}
	}
	b := runInterleaved(c.name, "Mgas/s", 1e6, o.rounds, o.minTime, []impl{
		{name: "ours", run: batch(mine.Run)},
		{name: "go-ethereum", geth: true, run: batch(theirs.Run)},
	})
	b.Note = fmt.Sprintf("%d-byte input, %d gas, %d-byte output (equal on both sides)", len(c.input), gas, len(want))
	return b
}

// checkPrecompile finds both implementations of c's precompile and checks
// that they charge the same gas and return the same output on c's input. It
// returns how long our single call took, to size the timed batches.
func checkPrecompile(ours *precompile.Set, c precompileCase) (mine precompile.Contract, theirs vm.PrecompiledContract, gas uint64, out []byte, once time.Duration, err error) {
	var addr types.Address
	addr[types.AddressLength-1] = c.addr
	mine, ok := ours.Lookup(addr)
	if !ok {
		return nil, nil, 0, nil, 0, fmt.Errorf("no precompile of ours at 0x%02x under Prague", c.addr)
	}
	theirs, ok = vm.PrecompiledContractsPrague[common.BytesToAddress([]byte{c.addr})]
	if !ok {
		return nil, nil, 0, nil, 0, fmt.Errorf("no go-ethereum precompile at 0x%02x under Prague", c.addr)
	}
	gas = mine.RequiredGas(c.input)
	if g := theirs.RequiredGas(c.input); g != gas {
		return nil, nil, 0, nil, 0, fmt.Errorf("RequiredGas: ours %d, go-ethereum %d", gas, g)
	}
	want, err := theirs.Run(c.input)
	if err != nil {
		return nil, nil, 0, nil, 0, fmt.Errorf("go-ethereum rejects the input: %w", err)
	}
	start := time.Now()
	got, err := mine.Run(c.input)
	once = time.Since(start)
	if err != nil {
		return nil, nil, 0, nil, 0, fmt.Errorf("ours rejects the input: %w", err)
	}
	if !bytes.Equal(got, want) {
		return nil, nil, 0, nil, 0, fmt.Errorf("outputs differ: ours %x, go-ethereum %x", got, want)
	}
	return mine, theirs, gas, want, once, nil
}

// precompileCases builds one valid input per benchmark, the same on every
// run: points are multiples of the generators by fixed scalars, everything
// else comes from a seeded generator.
func precompileCases() ([]precompileCase, error) {
	rng := rand.New(rand.NewPCG(0x0a11, 0x5eed))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	var cs []precompileCase
	add := func(addr byte, name string, parts ...[]byte) {
		cs = append(cs, precompileCase{addr: addr, name: fmt.Sprintf("0x%02x %s", addr, name), input: bytes.Join(parts, nil)})
	}

	// 0x01: a real signature over a fixed digest.
	key, err := crypto.ToECDSA(sha256Of("bench/geth ecrecover key"))
	if err != nil {
		return nil, err
	}
	digest := sha256Of("bench/geth ecrecover message")
	sig, err := crypto.Sign(digest, key)
	if err != nil {
		return nil, err
	}
	add(0x01, "ecrecover", digest, word(uint64(sig[64])+27), sig[:32], sig[32:64])

	msg := random(1024)
	add(0x02, "sha256 1 KiB", msg)
	add(0x03, "ripemd160 1 KiB", msg)
	add(0x04, "identity 1 KiB", msg)

	// 0x05: EIP-198's example, 3^(p-2) mod p for secp256k1's p, with the
	// base widened to 32 bytes; then odd moduli of 256 and 512 bytes with
	// a full-width base and a 32-byte exponent.
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(0x1000003d1))
	add(0x05, "modexp 32B (EIP-198 example)", modexpInput(leftPad(big.NewInt(3).Bytes(), 32), leftPad(new(big.Int).Sub(p, big.NewInt(2)).Bytes(), 32), p.Bytes()))
	for _, n := range []int{256, 512} {
		mod := random(n)
		mod[0] |= 0x80
		mod[n-1] |= 1
		base := random(n)
		base[0] &= 0x7f
		add(0x05, fmt.Sprintf("modexp %dB modulus, 32B exponent", n), modexpInput(base, random(32), mod))
	}

	// 0x06..0x08: bn254.
	_, _, bnG1, bnG2 := bn254.Generators()
	bnA := bnG1Mul(&bnG1, 7)
	bnB := bnG1Mul(&bnG1, 11)
	add(0x06, "bn254 add", bnG1Encode(&bnA), bnG1Encode(&bnB))
	add(0x07, "bn254 mul", bnG1Encode(&bnA), random(32))
	// e(a·G1, G2) · e(−G1, a·G2) = 1.
	var bnNeg bn254.G1Affine
	bnNeg.Neg(&bnG1)
	var bnQ bn254.G2Affine
	bnQ.ScalarMultiplication(&bnG2, big.NewInt(7))
	add(0x08, "bn254 pairing 2 pairs", bnG1Encode(&bnA), bnG2Encode(&bnG2), bnG1Encode(&bnNeg), bnG2Encode(&bnQ))

	// 0x09: blake2f, 12 rounds (BLAKE2b's own count), final block.
	rounds := make([]byte, 4)
	binary.BigEndian.PutUint32(rounds, 12)
	add(0x09, "blake2f 12 rounds", rounds, random(64), random(128), random(16), []byte{1})

	// 0x0a: KZG point evaluation. The commitment to the constant polynomial
	// c is c·G1; its value at any z is c, and the quotient (p(X) − c)/(X − z)
	// is zero, so the proof is the point at infinity.
	_, _, blsG1, blsG2 := bls.Generators()
	var cst, z blsfr.Element
	cst.SetUint64(0xc0ffee)
	z.SetBytes(random(32))
	cBig := new(big.Int)
	cst.BigInt(cBig)
	var commitment bls.G1Affine
	commitment.ScalarMultiplication(&blsG1, cBig)
	cb := commitment.Bytes()
	versioned := sha256.Sum256(cb[:])
	versioned[0] = 0x01
	proof := make([]byte, 48)
	proof[0] = 0xc0
	zb, yb := z.Bytes(), cst.Bytes()
	add(0x0a, "KZG point evaluation", versioned[:], zb[:], yb[:], cb[:], proof)

	// 0x0b..0x11: BLS12-381 (EIP-2537).
	g1 := func(k uint64) []byte {
		var q bls.G1Affine
		q.ScalarMultiplication(&blsG1, new(big.Int).SetUint64(k))
		return blsG1Encode(&q)
	}
	g2 := func(k uint64) []byte {
		var q bls.G2Affine
		q.ScalarMultiplication(&blsG2, new(big.Int).SetUint64(k))
		return blsG2Encode(&q)
	}
	scalar := func() []byte {
		var s blsfr.Element
		s.SetBytes(random(32))
		b := s.Bytes()
		return b[:]
	}
	add(0x0b, "bls12 G1ADD", g1(3), g1(5))
	for _, n := range []int{1, 16} {
		var parts [][]byte
		for i := range n {
			parts = append(parts, g1(uint64(13+2*i)), scalar())
		}
		add(0x0c, fmt.Sprintf("bls12 G1MSM %d %s", n, pairs(n)), parts...)
	}
	add(0x0d, "bls12 G2ADD", g2(3), g2(5))
	for _, n := range []int{1, 16} {
		var parts [][]byte
		for i := range n {
			parts = append(parts, g2(uint64(13+2*i)), scalar())
		}
		add(0x0e, fmt.Sprintf("bls12 G2MSM %d %s", n, pairs(n)), parts...)
	}
	// e(a·G1, G2) · e(−G1, a·G2) = 1.
	var blsNeg bls.G1Affine
	blsNeg.Neg(&blsG1)
	add(0x0f, "bls12 pairing 2 pairs", g1(9), blsG2Encode(&blsG2), blsG1Encode(&blsNeg), g2(9))
	var u0, u1 blsfp.Element
	u0.SetBytes(random(64))
	u1.SetBytes(random(64))
	add(0x10, "bls12 MAP_FP_TO_G1", blsFpEncode(&u0))
	add(0x11, "bls12 MAP_FP2_TO_G2", blsFpEncode(&u0), blsFpEncode(&u1))
	return cs, nil
}

func pairs(n int) string {
	if n == 1 {
		return "pair"
	}
	return "pairs"
}

func sha256Of(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// word is v as a 32-byte big-endian EVM word.
func word(v uint64) []byte {
	w := make([]byte, 32)
	binary.BigEndian.PutUint64(w[24:], v)
	return w
}

func leftPad(b []byte, n int) []byte {
	out := make([]byte, n)
	copy(out[n-len(b):], b)
	return out
}

// modexpInput is EIP-198's layout: three 32-byte lengths, then the operands.
func modexpInput(base, exp, mod []byte) []byte {
	return bytes.Join([][]byte{word(uint64(len(base))), word(uint64(len(exp))), word(uint64(len(mod))), base, exp, mod}, nil)
}

func bnG1Mul(g *bn254.G1Affine, k int64) bn254.G1Affine {
	var q bn254.G1Affine
	q.ScalarMultiplication(g, big.NewInt(k))
	return q
}

// bnG1Encode is EIP-196's G1 encoding: x then y, 32 bytes each.
func bnG1Encode(q *bn254.G1Affine) []byte {
	return bytes.Join([][]byte{bnFp(&q.X), bnFp(&q.Y)}, nil)
}

// bnG2Encode is EIP-197's G2 encoding: each coordinate imaginary part
// first.
func bnG2Encode(q *bn254.G2Affine) []byte {
	return bytes.Join([][]byte{bnFp(&q.X.A1), bnFp(&q.X.A0), bnFp(&q.Y.A1), bnFp(&q.Y.A0)}, nil)
}

func bnFp(e *bnfp.Element) []byte {
	b := e.Bytes()
	return b[:]
}

// blsFpEncode is EIP-2537's field element: 64 bytes, the 48-byte value
// right-aligned.
func blsFpEncode(e *blsfp.Element) []byte {
	b := e.Bytes()
	return leftPad(b[:], 64)
}

func blsG1Encode(q *bls.G1Affine) []byte {
	return bytes.Join([][]byte{blsFpEncode(&q.X), blsFpEncode(&q.Y)}, nil)
}

// blsG2Encode is EIP-2537's G2 encoding: each coordinate c0 then c1.
func blsG2Encode(q *bls.G2Affine) []byte {
	return bytes.Join([][]byte{blsFpEncode(&q.X.A0), blsFpEncode(&q.X.A1), blsFpEncode(&q.Y.A0), blsFpEncode(&q.Y.A1)}, nil)
}
