package parallel

import (
	"sort"
	"sync"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/types"
)

// locKind says which part of an account a location holds.
type locKind uint8

const (
	locExist   locKind = iota // the account exists (possibly empty)
	locBalance                // balance: an absolute value or a credit/debit delta
	locNonce                  // nonce
	locCode                   // code hash (and the code)
	locWipe                   // storage wiped (account destroyed or re-created)
	locSlot                   // one storage slot
)

// location is one piece of state that transactions read and write.
// Account-level kinds leave slot zero.
type location struct {
	addr types.Address
	slot types.Hash
	kind locKind
}

// mvValue is the value written to a location. Which fields matter depends on
// the kind: flag (exist; for balance: the value is a delta added to the
// value below), word (balance), hash (slot value, code hash), n (nonce),
// code (the code of hash).
type mvValue struct {
	word uint256.Int
	hash types.Hash
	n    uint64
	code []byte
	flag bool
}

// mvEntry is one transaction's write to a location.
type mvEntry struct {
	tx       int
	estimate bool // the writer was aborted; its next incarnation probably writes here again
	val      mvValue
}

// mvCell holds the writes to one location, sorted by transaction index.
type mvCell struct {
	mu      sync.RWMutex
	entries []mvEntry
}

// below returns the position of the highest entry written by a transaction
// before tx, or -1. The caller holds c.mu.
func (c *mvCell) below(tx int) int {
	return sort.Search(len(c.entries), func(i int) bool { return c.entries[i].tx >= tx }) - 1
}

const mvShards = 64

// MVMemory is Block-STM's multi-version memory: for every location, the
// values written by each transaction of the block, so that transaction i
// reads the value written by the highest transaction below i (or the state
// before the block when there is none). It is safe for concurrent use.
type MVMemory struct {
	shards [mvShards]struct {
		mu sync.RWMutex
		m  map[location]*mvCell
	}
	// written[i] lists the locations transaction i's last incarnation
	// wrote (or is expected to write); only i's executor touches it.
	written [][]location
}

// NewMVMemory returns an empty memory for a block of n transactions.
func NewMVMemory(n int) *MVMemory {
	mv := &MVMemory{written: make([][]location, n)}
	for i := range mv.shards {
		mv.shards[i].m = make(map[location]*mvCell)
	}
	return mv
}

func shardOf(l *location) int {
	h := uint32(l.addr[19]) | uint32(l.addr[18])<<8 | uint32(l.slot[31])<<3 | uint32(l.kind)<<5
	return int(h % mvShards)
}

// cell returns the cell of l, creating it when create is set (else nil
// when absent).
func (mv *MVMemory) cell(l location, create bool) *mvCell {
	sh := &mv.shards[shardOf(&l)]
	sh.mu.RLock()
	c := sh.m[l]
	sh.mu.RUnlock()
	if c != nil || !create {
		return c
	}
	sh.mu.Lock()
	if c = sh.m[l]; c == nil {
		c = new(mvCell)
		sh.m[l] = c
	}
	sh.mu.Unlock()
	return c
}

// write records (or replaces) tx's value at l.
func (c *mvCell) write(tx int, v *mvValue) {
	c.mu.Lock()
	i := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].tx >= tx })
	if i < len(c.entries) && c.entries[i].tx == tx {
		c.entries[i] = mvEntry{tx: tx, val: *v}
	} else {
		c.entries = append(c.entries, mvEntry{})
		copy(c.entries[i+1:], c.entries[i:])
		c.entries[i] = mvEntry{tx: tx, val: *v}
	}
	c.mu.Unlock()
}

func (c *mvCell) remove(tx int) {
	c.mu.Lock()
	i := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].tx >= tx })
	if i < len(c.entries) && c.entries[i].tx == tx {
		c.entries = append(c.entries[:i], c.entries[i+1:]...)
	}
	c.mu.Unlock()
}

func (c *mvCell) markEstimate(tx int) {
	c.mu.Lock()
	i := sort.Search(len(c.entries), func(i int) bool { return c.entries[i].tx >= tx })
	if i < len(c.entries) && c.entries[i].tx == tx {
		c.entries[i].estimate = true
	}
	c.mu.Unlock()
}

// writeEntry is one location of a write set with its value.
type writeEntry struct {
	loc location
	val mvValue
}

// Record replaces transaction tx's writes with ws and reports whether ws
// wrote a location the previous incarnation did not (which obliges the
// transactions above tx to be validated again).
func (mv *MVMemory) Record(tx int, ws []writeEntry) (wroteNew bool) {
	prev := mv.written[tx]
	var seen map[location]struct{}
	if len(prev) > 8 {
		seen = make(map[location]struct{}, len(prev))
		for _, l := range prev {
			seen[l] = struct{}{}
		}
	}
	had := func(l location) bool {
		if seen != nil {
			_, ok := seen[l]
			return ok
		}
		for i := range prev {
			if prev[i] == l {
				return true
			}
		}
		return false
	}
	next := make([]location, len(ws))
	for i := range ws {
		next[i] = ws[i].loc
		mv.cell(ws[i].loc, true).write(tx, &ws[i].val)
		if !had(ws[i].loc) {
			wroteNew = true
		}
	}
	if len(prev) > 0 {
		var now map[location]struct{}
		if len(ws) > 8 {
			now = make(map[location]struct{}, len(ws))
			for _, l := range next {
				now[l] = struct{}{}
			}
		}
		for _, l := range prev {
			keep := false
			if now != nil {
				_, keep = now[l]
			} else {
				for j := range next {
					if next[j] == l {
						keep = true
						break
					}
				}
			}
			if !keep {
				if c := mv.cell(l, false); c != nil {
					c.remove(tx)
				}
			}
		}
	}
	mv.written[tx] = next
	return wroteNew
}

// Estimate marks tx's writes as estimates: readers above tx wait for its
// next incarnation instead of reading values that are probably stale.
func (mv *MVMemory) Estimate(tx int) {
	for _, l := range mv.written[tx] {
		if c := mv.cell(l, false); c != nil {
			c.markEstimate(tx)
		}
	}
}

// Expect marks locations tx is known in advance to write (a sender's nonce
// and balance) as estimates, so that readers above tx wait for it instead
// of executing against the state before it.
func (mv *MVMemory) Expect(tx int, locs []location) {
	for _, l := range locs {
		c := mv.cell(l, true)
		c.write(tx, &mvValue{})
		c.markEstimate(tx)
	}
	mv.written[tx] = append(mv.written[tx], locs...)
}

// readStatus is the outcome of a read from MVMemory.
type readStatus uint8

const (
	readBase     readStatus = iota // no transaction below wrote the location: read the base state
	readValue                      // the value written by writer
	readEstimate                   // writer's value is an estimate: wait for writer
)

// read returns the value of l as seen by transaction tx. For balances the
// deltas above the newest absolute value are summed into val; base then
// means that the sum is to be added to the base state's balance.
func (mv *MVMemory) read(tx int, l location) (val mvValue, writer int, st readStatus) {
	c := mv.cell(l, false)
	if c == nil {
		return val, -1, readBase
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	i := c.below(tx)
	if i < 0 {
		return val, -1, readBase
	}
	e := &c.entries[i]
	if e.estimate {
		return val, e.tx, readEstimate
	}
	if l.kind != locBalance || !e.val.flag {
		return e.val, e.tx, readValue
	}
	// A chain of deltas: sum down to an absolute value or the base.
	top := e.tx
	val.flag = true
	for ; i >= 0; i-- {
		e := &c.entries[i]
		if e.estimate {
			return mvValue{}, e.tx, readEstimate
		}
		val.word.Add(&val.word, &e.val.word)
		if !e.val.flag {
			val.flag = false
			return val, top, readValue
		}
	}
	return val, top, readBase
}
