package parallel

import (
	"encoding/binary"

	"github.com/plasmaxpl/engine/types"
)

// smallMap is a map for the few keys one transaction touches: a slice
// searched linearly (newest first), with a map index built only when it
// grows past smallMapMax. Resetting it keeps its storage for the next
// incarnation.
type smallMap[K comparable, V any] struct {
	keys []K
	vals []V
	idx  map[K]int
}

const smallMapMax = 24

func (m *smallMap[K, V]) find(k K) int {
	if m.idx != nil {
		if i, ok := m.idx[k]; ok {
			return i
		}
		return -1
	}
	for i := len(m.keys) - 1; i >= 0; i-- {
		if m.keys[i] == k {
			return i
		}
	}
	return -1
}

func (m *smallMap[K, V]) get(k K) (v V, ok bool) {
	if i := m.find(k); i >= 0 {
		return m.vals[i], true
	}
	return v, false
}

func (m *smallMap[K, V]) has(k K) bool { return m.find(k) >= 0 }

func (m *smallMap[K, V]) set(k K, v V) {
	if i := m.find(k); i >= 0 {
		m.vals[i] = v
		return
	}
	m.add(k, v)
}

// add adds k, which m does not hold.
func (m *smallMap[K, V]) add(k K, v V) {
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	switch {
	case m.idx != nil:
		m.idx[k] = len(m.keys) - 1
	case len(m.keys) > smallMapMax:
		m.idx = make(map[K]int, 2*len(m.keys))
		for i, k := range m.keys {
			m.idx[k] = i
		}
	}
}

func (m *smallMap[K, V]) del(k K) {
	i := m.find(k)
	if i < 0 {
		return
	}
	last := len(m.keys) - 1
	if i != last {
		m.keys[i], m.vals[i] = m.keys[last], m.vals[last]
		if m.idx != nil {
			m.idx[m.keys[i]] = i
		}
	}
	var zero V
	m.vals[last] = zero
	m.keys, m.vals = m.keys[:last], m.vals[:last]
	if m.idx != nil {
		delete(m.idx, k)
	}
}

func (m *smallMap[K, V]) len() int { return len(m.keys) }

func (m *smallMap[K, V]) reset() {
	clear(m.vals)
	m.keys, m.vals, m.idx = m.keys[:0], m.vals[:0], nil
}

// Keys of the views' small maps, as words: compared inline, where 20 and
// 32-byte arrays compare through a call.
type (
	addrKey struct {
		a    uint32
		b, c uint64
	}
	hashKey [4]uint64
	slotKey struct {
		addr addrKey
		key  hashKey
	}
)

// akp returns the key of the address at a, read where it is (an address
// parameter, not a copy of it). The words are bytes 0-3, 4-11 and 12-19:
// the compiler passes an address by value as two overlapping 16-byte moves
// (at 0 and 4), and a load inside one of them is forwarded from the store
// buffer, where a load across both waits for them to reach the cache
// (measured: the views' work per transaction 5-7% lower than with words
// at 0-7, 8-15 and 16-19 read from a copy).
func akp(a *types.Address) addrKey {
	return addrKey{binary.LittleEndian.Uint32(a[0:]), binary.LittleEndian.Uint64(a[4:]), binary.LittleEndian.Uint64(a[12:])}
}

func hk(h types.Hash) hashKey {
	return hashKey{binary.LittleEndian.Uint64(h[0:]), binary.LittleEndian.Uint64(h[8:]),
		binary.LittleEndian.Uint64(h[16:]), binary.LittleEndian.Uint64(h[24:])}
}

func (k hashKey) hash() (h types.Hash) {
	binary.LittleEndian.PutUint64(h[0:], k[0])
	binary.LittleEndian.PutUint64(h[8:], k[1])
	binary.LittleEndian.PutUint64(h[16:], k[2])
	binary.LittleEndian.PutUint64(h[24:], k[3])
	return h
}

func sk(a *types.Address, h types.Hash) slotKey { return slotKey{akp(a), hk(h)} }
