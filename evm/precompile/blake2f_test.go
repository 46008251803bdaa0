package precompile

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"testing"

	"golang.org/x/crypto/blake2b"
)

// EIP-152's test vectors 0-7 (vector 8, 2^32-1 rounds, is too slow for a
// unit test). The body is h, m ("abc"), t = 3.
const eip152Body = "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b" +
	"6162630000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
	"03000000000000000000000000000000"

func eip152Input(t testing.TB, rounds string, final string) []byte {
	return unhex(t, rounds+eip152Body+final)
}

func TestBlake2FEIP152(t *testing.T) {
	valid := []struct {
		rounds, final, want string
	}{
		{"00000000", "01", "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b"},
		{"0000000c", "01", "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"},
		{"0000000c", "00", "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735"},
		{"00000001", "01", "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421"},
	}
	for _, v := range valid {
		in := eip152Input(t, v.rounds, v.final)
		if got := mustRun(t, blake2F{}, in); !bytes.Equal(got, unhex(t, v.want)) {
			t.Errorf("rounds %s final %s: %x", v.rounds, v.final, got)
		}
		if g, want := (blake2F{}).RequiredGas(in), uint64(binary.BigEndian.Uint32(unhex(t, v.rounds))); g != want {
			t.Errorf("gas %d, want %d", g, want)
		}
	}
	good := eip152Input(t, "0000000c", "01")
	invalid := map[string][]byte{
		"empty":     nil,
		"212 bytes": good[1:],
		"214 bytes": append(bytes.Clone(good), 0),
		"final 2":   eip152Input(t, "0000000c", "02"),
	}
	for name, in := range invalid {
		if out, err := (blake2F{}).Run(in); err == nil {
			t.Errorf("%s: accepted, output %x", name, out)
		}
	}
}

// BLAKE2b-512 of a message, computed with our F: an independent check
// against golang.org/x/crypto/blake2b over many lengths.
func blake2b512ViaF(msg []byte) []byte {
	var h [8]uint64
	copy(h[:], blake2bIV[:])
	h[0] ^= 0x01010000 ^ 64 // digest length 64, no key, fanout 1, depth 1
	var t uint64
	for {
		var block [128]byte
		n := copy(block[:], msg)
		msg = msg[n:]
		t += uint64(n)
		final := len(msg) == 0
		var m [16]uint64
		for i := range m {
			m[i] = binary.LittleEndian.Uint64(block[8*i:])
		}
		blake2bF(&h, &m, t, 0, final, 12)
		if final {
			break
		}
	}
	out := make([]byte, 64)
	for i, v := range h {
		binary.LittleEndian.PutUint64(out[8*i:], v)
	}
	return out
}

func TestBlake2FAgainstXCrypto(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	for _, n := range []int{0, 1, 3, 127, 128, 129, 255, 256, 1000, 4096} {
		msg := make([]byte, n)
		rng.Read(msg)
		want := blake2b.Sum512(msg)
		if got := blake2b512ViaF(msg); !bytes.Equal(got, want[:]) {
			t.Errorf("len %d: %x, want %x", n, got, want)
		}
	}
}
