package gpu

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestNoReadPastData puts the batch right before an unmapped page: a
// backend that reads a byte past the last message faults.
func TestNoReadPastData(t *testing.T) {
	page := unix.Getpagesize()
	mem, err := unix.Mmap(-1, 0, 2*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	defer unix.Munmap(mem)
	if err := unix.Mprotect(mem[page:], unix.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	for i := range mem[:page] {
		mem[i] = byte(i * 7)
	}
	for _, b := range Backends() {
		for size := 0; size <= 3*keccakRate; size++ {
			for _, n := range []int{1, 8, 9, 16} {
				if n*size > page {
					continue
				}
				data := mem[page-n*size : page]
				offsets := make([]uint32, n+1)
				for i := range offsets {
					offsets[i] = uint32(i * size)
				}
				checkBatch(t, b, data, offsets)
			}
		}
		// Empty messages at the very end, and an empty data slice.
		checkBatch(t, b, mem[page-5:page], []uint32{5, 5, 5, 5, 5, 5, 5, 5, 5})
		checkBatch(t, b, mem[page:page], []uint32{0, 0, 0, 0, 0, 0, 0, 0, 0})
	}
}
