package merkle

import (
	"github.com/plasmaxpl/engine/internal/split"
	"github.com/plasmaxpl/engine/types"
)

// Parallel updates and hashing split the trie under its root branch: the
// 16 subtrees below the root share no node, so each can be changed and
// hashed by its own goroutine (with its own committer and hash batches);
// the root is then finished alone. The nodes, references and root hash are
// exactly those of the one-goroutine path, whatever the goroutine count.

// minParallelKeys is the number of updated keys below which UpdateParallel
// does the work on the calling goroutine.
const minParallelKeys = 256

// UpdateParallel stores values[i] under keys[i] for every i (an empty value
// deletes the key), using up to workers goroutines, and leaves the trie as
// the same sequence of Update calls would. The keys must be distinct and
// of equal length (a secure trie's hashed keys); keys and values are not
// retained.
func (t *Trie) UpdateParallel(keys, values [][]byte, workers int) {
	t.updateParallel(keys, func(i int, _ []byte) []byte { return values[i] }, workers, false)
}

// UpdateHashParallel is UpdateParallel followed by HashParallel, with each
// subtree hashed by the goroutine that updated it as soon as it is done:
// no goroutine waits between the two for the slowest subtree's update.
func (t *Trie) UpdateHashParallel(keys, values [][]byte, workers int) types.Hash {
	return t.UpdateHashParallelFunc(keys, func(i int, _ []byte) []byte { return values[i] }, workers)
}

// UpdateHashParallelFunc is UpdateHashParallel with the value of keys[i]
// made by value(i, buf) on the goroutine that stores it: value appends it
// to buf (which it may then reuse: the trie copies values) and returns it;
// an empty value deletes the key. Encoding values where they are stored
// spares a pass over them and a buffer for all of them at once.
func (t *Trie) UpdateHashParallelFunc(keys [][]byte, value func(i int, buf []byte) []byte, workers int) types.Hash {
	t.updateParallel(keys, value, workers, true)
	return t.HashParallel(workers)
}

func (t *Trie) updateParallel(keys [][]byte, value func(i int, buf []byte) []byte, workers int, hash bool) {
	r := t.root
	if workers <= 1 || len(keys) < minParallelKeys || t.nodes != nil || t.arena != nil ||
		r == nil || r.kind != kindBranch || len(r.val) != 0 || !sameLength(keys) {
		var buf []byte
		for i := range keys {
			buf = value(i, buf[:0])
			t.Update(keys[i], buf)
		}
		return
	}
	// Group the keys by first nibble.
	var groups [16][]int
	for i, k := range keys {
		n := k[0] >> 4
		groups[n] = append(groups[n], i)
	}
	var subs [16]*Trie
	var dirty [16]bool
	split.Each(16, workers, 1, func(g int) {
		if len(groups[g]) == 0 {
			return
		}
		sub := &Trie{root: r.kids[g], owner: t.owner, hasher: t.hasher}
		var buf []byte
		for _, i := range groups[g] {
			sub.nib = appendNibbles(sub.nib[:0], keys[i])
			if buf = value(i, buf[:0]); len(buf) == 0 {
				sub.root, _ = sub.delete(sub.root, sub.nib[1:])
			} else {
				sub.root, _ = sub.insert(sub.root, sub.nib[1:], buf)
			}
		}
		subs[g] = sub
		dirty[g] = sub.root != r.kids[g] || sub.root != nil && sub.root.refLen == 0
		if hash && sub.root != nil && sub.root.refLen == 0 && sub.root.kind != kindHash {
			sub.commitFrom(sub.root)
		}
	})
	changed := false
	for _, d := range dirty {
		changed = changed || d
	}
	if !changed {
		for _, sub := range subs {
			if sub != nil {
				t.count += sub.count
			}
		}
		return
	}
	r = t.own(r)
	for g, sub := range subs {
		if sub != nil {
			r.kids[g] = sub.root
			t.count += sub.count
		}
	}
	t.root = t.collapse(r)
}

func sameLength(keys [][]byte) bool {
	for _, k := range keys {
		if len(k) != len(keys[0]) || len(k) == 0 {
			return false
		}
	}
	return true
}

// HashParallel is Hash with the dirty subtrees below the root branch
// hashed by up to workers goroutines.
func (t *Trie) HashParallel(workers int) types.Hash {
	r := t.root
	if workers > 1 && r != nil && r.kind == kindBranch && r.refLen == 0 && t.nodes == nil {
		var dirty []*node
		for _, k := range r.kids {
			if k != nil && k.refLen == 0 && k.kind != kindHash {
				dirty = append(dirty, k)
			}
		}
		if len(dirty) > 1 {
			split.Each(len(dirty), workers, 1, func(i int) { t.commitFrom(dirty[i]) })
		}
	}
	return t.Hash()
}
