package types

import (
	"math/rand/v2"
	"testing"
)

// Or sets exactly the bits set in either filter.
func TestBloomOr(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		var a, b Bloom
		for i := range a {
			if r.IntN(4) == 0 {
				a[i] = byte(r.Uint32())
			}
			if r.IntN(4) == 0 {
				b[i] = byte(r.Uint32())
			}
		}
		got := a
		got.Or(&b)
		for i := range got {
			if want := a[i] | b[i]; got[i] != want {
				t.Fatalf("byte %d: %#x | %#x gave %#x", i, a[i], b[i], got[i])
			}
		}
	}
}

func BenchmarkBloomOr(b *testing.B) {
	var acc, x Bloom
	x[7], x[200] = 1, 0x80
	for b.Loop() {
		acc.Or(&x)
	}
}
