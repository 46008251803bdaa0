//go:build !purego

package gpu

import (
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
