package split

import (
	"sync/atomic"
	"testing"
)

// Every index is visited exactly once, whatever the worker count and
// chunk size, and the ranges tile [0, n) without overlap.
func TestEachAndRangesCoverOnce(t *testing.T) {
	for _, n := range []int{0, 1, 5, 63, 64, 65, 1000, 4097} {
		for _, w := range []int{0, 1, 2, 3, 8} {
			for _, chunk := range []int{0, 1, 7, 64, 1024} {
				seen := make([]atomic.Int32, n)
				Each(n, w, chunk, func(i int) { seen[i].Add(1) })
				for i := range seen {
					if c := seen[i].Load(); c != 1 {
						t.Fatalf("Each(%d, %d, %d): index %d visited %d times", n, w, chunk, i, c)
					}
				}
				seen = make([]atomic.Int32, n)
				Ranges(n, w, chunk, func(lo, hi int) {
					if lo >= hi || lo < 0 || hi > n {
						t.Errorf("Ranges(%d, %d, %d): bad range [%d, %d)", n, w, chunk, lo, hi)
					}
					for i := lo; i < hi; i++ {
						seen[i].Add(1)
					}
				})
				for i := range seen {
					if c := seen[i].Load(); c != 1 {
						t.Fatalf("Ranges(%d, %d, %d): index %d covered %d times", n, w, chunk, i, c)
					}
				}
			}
		}
	}
}
