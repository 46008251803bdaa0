package precompile

import (
	"bytes"
	"crypto/sha256"
	"math/big"
	"math/rand"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// The key and address the Ethereum test fixtures use for their sender: an
// independent check of the address derivation.
const (
	fixtureKey    = "45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8"
	fixtureSender = "a94f5374fce5edbc8e2a8697c15331677e6ebf0b"
)

// secp256k1N is the order of the secp256k1 group.
var secp256k1N, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)

func ecrecoverInput(hash []byte, v byte, r, s []byte) []byte {
	in := make([]byte, 128)
	copy(in, hash)
	in[63] = v
	copy(in[64+32-len(r):96], r)
	copy(in[96+32-len(s):], s)
	return in
}

func signForTest(t testing.TB, hash []byte) (v byte, r, s []byte) {
	key := secp256k1.PrivKeyFromBytes(unhex(t, fixtureKey))
	sig := ecdsa.SignCompact(key, hash, false) // [27+recid][r][s]
	return sig[0], sig[1:33], sig[33:]
}

func TestECRecover(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	want := make([]byte, 32)
	copy(want[12:], unhex(t, fixtureSender))
	for i := 0; i < 20; i++ {
		hash := make([]byte, 32)
		rng.Read(hash)
		v, r, s := signForTest(t, hash)
		in := ecrecoverInput(hash, v, r, s)
		if got := mustRun(t, ecrecover{}, in); !bytes.Equal(got, want) {
			t.Fatalf("recovered %x, want %x", got, want)
		}
		// Extra input beyond 128 bytes is ignored.
		if got := mustRun(t, ecrecover{}, append(in, 1, 2, 3)); !bytes.Equal(got, want) {
			t.Fatalf("with trailing bytes: %x", got)
		}
		// The high-s twin of the signature recovers the same key with the
		// other v (no low-s rule in the precompile).
		hs := new(big.Int).Sub(secp256k1N, new(big.Int).SetBytes(s))
		if got := mustRun(t, ecrecover{}, ecrecoverInput(hash, 55-v, r, hs.Bytes())); !bytes.Equal(got, want) {
			t.Fatalf("high-s signature: %x", got)
		}
	}
	if g := (ecrecover{}).RequiredGas(nil); g != 3000 {
		t.Errorf("gas %d", g)
	}
}

func TestECRecoverInvalid(t *testing.T) {
	hash := sha256.Sum256([]byte("x"))
	v, r, s := signForTest(t, hash[:])
	good := ecrecoverInput(hash[:], v, r, s)
	mut := func(f func(in []byte)) []byte {
		in := bytes.Clone(good)
		f(in)
		return in
	}
	n := secp256k1N.Bytes()
	cases := map[string][]byte{
		"empty":        nil,
		"v=29":         mut(func(in []byte) { in[63] = 29 }),
		"v=0":          mut(func(in []byte) { in[63] = 0 }),
		"v high bytes": mut(func(in []byte) { in[32] = 1 }),
		"v=27+2^8":     mut(func(in []byte) { in[62] = 1 }),
		"r=0":          mut(func(in []byte) { clear(in[64:96]) }),
		"s=0":          mut(func(in []byte) { clear(in[96:128]) }),
		"r=n":          mut(func(in []byte) { copy(in[64:96], n) }),
		"s=n":          mut(func(in []byte) { copy(in[96:128], n) }),
		"r=2^256-1":    mut(func(in []byte) { copy(in[64:96], bytes.Repeat([]byte{0xff}, 32)) }),
	}
	// Short input reads as zero padded.
	short, _ := (ecrecover{}).Run(good[:100])
	padded, _ := (ecrecover{}).Run(append(bytes.Clone(good[:100]), make([]byte, 28)...))
	if !bytes.Equal(short, padded) {
		t.Errorf("short input %x, padded %x", short, padded)
	}
	for name, in := range cases {
		out, err := (ecrecover{}).Run(in)
		if err != nil || len(out) != 0 {
			t.Errorf("%s: got %x, %v; want empty output and no error", name, out, err)
		}
	}
}

func TestHashes(t *testing.T) {
	cases := []struct {
		c     Contract
		input string
		want  string
	}{
		// FIPS 180-2 and the RIPEMD-160 authors' published digests.
		{sha256hash{}, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{sha256hash{}, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{ripemd160hash{}, "", "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31"},
		{ripemd160hash{}, "abc", "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc"},
		{identity{}, "", ""},
		{identity{}, "abc", "616263"},
	}
	for _, c := range cases {
		got := mustRun(t, c.c, []byte(c.input))
		if !bytes.Equal(got, unhex(t, c.want)) {
			t.Errorf("%T(%q) = %x, want %s", c.c, c.input, got, c.want)
		}
	}
}

func TestIdentityCopies(t *testing.T) {
	in := []byte{1, 2, 3}
	out := mustRun(t, identity{}, in)
	out[0] = 9
	if in[0] != 1 {
		t.Fatal("identity output aliases its input")
	}
}

func TestLinearGas(t *testing.T) {
	cases := []struct {
		c             Contract
		base, perWord uint64
	}{
		{sha256hash{}, 60, 12}, {ripemd160hash{}, 600, 120}, {identity{}, 15, 3},
	}
	for _, c := range cases {
		for _, n := range []int{0, 1, 31, 32, 33, 64, 65, 1000} {
			want := c.base + c.perWord*uint64((n+31)/32)
			if got := c.c.RequiredGas(make([]byte, n)); got != want {
				t.Errorf("%T len %d: gas %d, want %d", c.c, n, got, want)
			}
		}
	}
}
