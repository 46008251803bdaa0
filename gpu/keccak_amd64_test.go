//go:build !purego

package gpu

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// BenchmarkPermute times one multi-buffer absorb and Keccak-f[1600].
func BenchmarkPermute(b *testing.B) {
	var st [200]uint64
	var block [keccakRate]byte
	var blocks8 [8]*byte
	var blocks4 [4]*byte
	for j := range blocks8 {
		blocks8[j] = &block[0]
	}
	copy(blocks4[:], blocks8[:])
	keep4 := [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
	if cpu.X86.HasAVX2 {
		b.Run("x4", func(b *testing.B) {
			a := (*[100]uint64)(st[:100])
			cpuTimed(b, func() { keccakBlockX4(a, &blocks4, &keep4) })
		})
	}
	if cpu.X86.HasAVX512F {
		b.Run("x8", func(b *testing.B) {
			cpuTimed(b, func() { keccakBlockX8(&st, &blocks8, 0xff) })
		})
	}
}

// The avx512 backend takes whole groups of short messages through
// keccakShortX8; run the oracle tests again with that path off, so the
// lane scheduler is covered alone too.
func TestAVX512GeneralPath(t *testing.T) {
	if !shortX8 {
		t.Skip("short-message path not used on this CPU")
	}
	shortX8 = false
	defer func() { shortX8 = true }()
	TestEqualLengths(t)
	TestMixedLengths(t)
	TestOffsetEdgeCases(t)
}

// Groups of 8 short messages of random lengths, some of them empty and
// some ending exactly at the end of data (nothing past it may be read).
func TestShortGroups(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, b := range Backends() {
		for iter := 0; iter < 2000; iter++ {
			n := 8 * (1 + r.IntN(4))
			offsets := make([]uint32, n+1)
			offsets[0] = uint32(r.IntN(3))
			for i := 1; i <= n; i++ {
				size := r.IntN(keccakRate)
				if r.IntN(5) == 0 {
					size = []int{0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 134, 135}[r.IntN(12)]
				}
				offsets[i] = offsets[i-1] + uint32(size)
			}
			checkBatch(t, b, randomBytes(r, int(offsets[n])), offsets)
		}
	}
}
