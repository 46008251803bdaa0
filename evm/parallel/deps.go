package parallel

import "slices"

// dependencies fills st.Deps and st.Gas from the final read sets: the
// transactions whose writes each transaction's reads saw.
func (x *executor) dependencies(st *Stats) {
	n := len(x.txs)
	st.Deps = make([][]int, n)
	st.Gas = make([]uint64, n)
	for i := range n {
		r := x.results[i].Load()
		if r == nil { // not executed: the block went sequential before it
			continue
		}
		if r.out != nil {
			st.Gas[i] = r.out.UsedGas
		}
		var deps []int
		for _, rd := range r.reads {
			deps = rd.cell.writers(i, deps)
			if rd.cell.kind == locSlot {
				deps = rd.cell.acct.fields[locWipe].writers(i, deps)
			}
		}
		slices.Sort(deps)
		st.Deps[i] = slices.Compact(deps)
	}
}

// writers appends the transactions below tx whose writes a read of l by tx
// depends on: the highest writer, and for a balance every delta above the
// newest absolute value.
func (c *mvCell) writers(tx int, out []int) []int {
	c.lock()
	defer c.unlock()
	from := -1
	for i := c.below(tx); i >= 0; i-- {
		e := &c.entries[i]
		out = append(out, e.tx)
		if c.kind != locBalance || !e.val.flag {
			from = e.tx
			break
		}
	}
	if c.kind == locBalance && c.acct.fees != nil {
		fees := *c.acct.fees
		for t := min(tx, len(fees)) - 1; t > from; t-- {
			if fees[t].fee.Load() != nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// CriticalPath returns the gas-weighted longest dependency chain of a block
// (deps[i] lists transactions below i that i depends on) and the total gas.
// With w workers and no re-execution, a block cannot run faster than
// max(path, total/w): total/max(path, total/w) bounds the speedup.
func CriticalPath(deps [][]int, gas []uint64) (path, total uint64) {
	finish := make([]uint64, len(deps))
	for i := range deps {
		var start uint64
		for _, d := range deps[i] {
			start = max(start, finish[d])
		}
		w := gas[i]
		if w == 0 {
			w = 1
		}
		finish[i] = start + w
		path = max(path, finish[i])
		total += w
	}
	return path, total
}
