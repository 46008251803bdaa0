package merkle

import (
	"sort"

	"github.com/plasmaxpl/engine/types"
)

// This file holds a deliberately naive trie, written straight from the
// structural definition in the Yellow Paper (appendix D): the node for a set
// of keys is a leaf when one key is left, an extension when all keys share
// more nibbles, a branch otherwise. It shares no code with the trie under
// test and serves as its oracle.

type refPair struct {
	nibs []byte
	val  []byte
}

// refRoot computes the root of the trie holding kv.
func refRoot(kv map[string][]byte) types.Hash {
	pairs := make([]refPair, 0, len(kv))
	for k, v := range kv {
		if len(v) == 0 {
			continue
		}
		var nibs []byte
		for _, b := range []byte(k) {
			nibs = append(nibs, b/16, b%16)
		}
		pairs = append(pairs, refPair{nibs, v})
	}
	sort.Slice(pairs, func(i, j int) bool { return string(pairs[i].nibs) < string(pairs[j].nibs) })
	if len(pairs) == 0 {
		return types.Keccak256(refString(nil))
	}
	return types.Keccak256(refNode(pairs, 0))
}

// refNode returns the RLP encoding of the node for pairs, whose keys all
// share their first i nibbles.
func refNode(pairs []refPair, i int) []byte {
	if len(pairs) == 1 {
		return refList(refString(refHexPrefix(pairs[0].nibs[i:], true)), refString(pairs[0].val))
	}
	// Longest prefix shared by every key, starting at nibble i.
	j := i
	for {
		if j >= len(pairs[0].nibs) {
			break
		}
		same := true
		for _, p := range pairs {
			if j >= len(p.nibs) || p.nibs[j] != pairs[0].nibs[j] {
				same = false
				break
			}
		}
		if !same {
			break
		}
		j++
	}
	if j > i {
		child := refNode(pairs, j)
		return refList(refString(refHexPrefix(pairs[0].nibs[i:j], false)), refRef(child))
	}
	items := make([][]byte, 17)
	items[16] = refString(nil)
	for v := 0; v < 16; v++ {
		var sub []refPair
		for _, p := range pairs {
			if len(p.nibs) > i && int(p.nibs[i]) == v {
				sub = append(sub, p)
			}
		}
		if len(sub) == 0 {
			items[v] = refString(nil)
		} else {
			items[v] = refRef(refNode(sub, i+1))
		}
	}
	for _, p := range pairs {
		if len(p.nibs) == i {
			items[16] = refString(p.val)
		}
	}
	return refList(items...)
}

// refRef is how a parent refers to a child node encoded as enc.
func refRef(enc []byte) []byte {
	if len(enc) < 32 {
		return enc
	}
	h := types.Keccak256(enc)
	return refString(h[:])
}

func refHexPrefix(nibs []byte, leaf bool) []byte {
	flag := byte(0)
	if leaf {
		flag = 2
	}
	var out []byte
	if len(nibs)%2 == 1 {
		out = append(out, (flag+1)*16+nibs[0])
		nibs = nibs[1:]
	} else {
		out = append(out, flag*16)
	}
	for k := 0; k < len(nibs); k += 2 {
		out = append(out, nibs[k]*16+nibs[k+1])
	}
	return out
}

// refString and refList are a textbook RLP encoder.
func refString(b []byte) []byte {
	if len(b) == 1 && b[0] < 0x80 {
		return []byte{b[0]}
	}
	return append(refLength(len(b), 0x80), b...)
}

func refList(items ...[]byte) []byte {
	var payload []byte
	for _, it := range items {
		payload = append(payload, it...)
	}
	return append(refLength(len(payload), 0xc0), payload...)
}

func refLength(n int, base byte) []byte {
	if n < 56 {
		return []byte{base + byte(n)}
	}
	var be []byte
	for x := n; x > 0; x >>= 8 {
		be = append([]byte{byte(x)}, be...)
	}
	return append([]byte{base + 55 + byte(len(be))}, be...)
}
