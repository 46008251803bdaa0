package types

import (
	"bytes"
	"testing"

	"golang.org/x/crypto/sha3"
)

func TestKeccak256MatchesXCrypto(t *testing.T) {
	buf := make([]byte, 300)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	for n := 0; n <= len(buf); n++ {
		d := sha3.NewLegacyKeccak256()
		d.Write(buf[:n])
		want := d.Sum(nil)
		got := Keccak256(buf[:n/2], buf[n/2:n])
		if !bytes.Equal(got[:], want) {
			t.Fatalf("length %d: got %x, want %x", n, got, want)
		}
	}
	if EmptyCodeHash != Keccak256() {
		t.Fatal("EmptyCodeHash is not keccak256 of nothing")
	}
}

func TestKeccak256DoesNotAllocate(t *testing.T) {
	data := []byte("allocation-free hashing")
	Keccak256(data) // warm the pool
	if n := testing.AllocsPerRun(100, func() { Keccak256(data) }); n > 0 {
		t.Fatalf("Keccak256 allocates %.1f times per call", n)
	}
}

func BenchmarkKeccak256_32(b *testing.B) {
	data := make([]byte, 32)
	b.SetBytes(32)
	b.ReportAllocs()
	for b.Loop() {
		Keccak256(data)
	}
}
