// Package split splits a loop over a few goroutines: the parallel block
// executor and the state's root computation use it for their bulk steps.
// The goroutines are the caller and the package's helpers (see helpers.go),
// so that a step does not wait for idle cores to wake up.
package split

import "sync/atomic"

// Each calls fn(i) for every i below n on up to workers goroutines, each
// taking chunk indices at a time, so that uneven items balance out. It
// runs on the caller alone when workers <= 1 or n <= chunk.
func Each(n, workers, chunk int, fn func(int)) {
	chunk = max(chunk, 1)
	if workers <= 1 || n <= chunk {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	together(min(workers, (n+chunk-1)/chunk)-1, func() {
		for {
			lo := int(next.Add(int64(chunk))) - chunk
			if lo >= n {
				return
			}
			for i := lo; i < min(lo+chunk, n); i++ {
				fn(i)
			}
		}
	})
}

// Ranges calls fn on consecutive ranges [lo, hi) covering [0, n), one
// range per goroutine on up to workers goroutines, none shorter than
// minChunk: for work that wants contiguous ranges (a batch hash over a
// slice). It runs on the caller alone when n is too small to split.
func Ranges(n, workers, minChunk int, fn func(lo, hi int)) {
	parts := min(workers, n/max(minChunk, 1))
	if parts <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	Each(parts, parts, 1, func(p int) { fn(n*p/parts, n*(p+1)/parts) })
}
