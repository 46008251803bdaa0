package parallel

import "github.com/holiman/uint256"

// arena is one worker's storage for what its incarnations hand out: read
// sets, write sets, results and the first versions of multi-version cells.
// Slices are carved from chunks that live as long as the block, so a
// transaction costs a few bump allocations instead of several heap
// allocations. What is carved is never reused, so results stay immutable.
type arena struct {
	reads   []readEntry
	assumes []assumption
	writes  []writeEntry
	entries []mvEntry
	cells   []*mvCell
	results []txResult
}

const arenaChunk = 256

// carve returns a slice of length n (capacity n) from *buf, starting a new
// chunk when the current one is short.
func carve[T any](buf *[]T, n int) []T {
	if cap(*buf)-len(*buf) < n {
		*buf = make([]T, 0, max(arenaChunk, n))
	}
	l := len(*buf)
	*buf = (*buf)[:l+n]
	return (*buf)[l : l+n : l+n]
}

// copyInto returns a copy of s carved from *buf.
func copyInto[T any](buf *[]T, s []T) []T {
	if len(s) == 0 {
		return nil
	}
	out := carve(buf, len(s))
	copy(out, s)
	return out
}

func (a *arena) result() *txResult {
	if a == nil {
		return new(txResult)
	}
	return &carve(&a.results, 1)[0]
}

// readWord is the value of a read as validation compares it: the flag,
// balance, nonce or hash, by kind, in one word.
func readWord(kind locKind, v *mvValue) (w uint256.Int) {
	if kind == locExist || kind == locWipe {
		if v.flag {
			w[0] = 1
		}
		return w
	}
	return v.word
}
