package evm

import (
	"sync"

	"github.com/holiman/uint256"
)

// memory is a call frame's byte-addressed memory. It only grows, in whole
// 32-byte words, after the interpreter has charged the expansion gas.
type memory struct {
	store       []byte
	lastGasCost uint64 // total expansion gas charged so far
}

var memoryPool = sync.Pool{New: func() any { return new(memory) }}

func getMemory() *memory { return memoryPool.Get().(*memory) }

// maxPooledMemory bounds the buffers kept for reuse. sync.Pool already
// drops what is not reused within two garbage collections, so a large
// buffer is not pinned for long; keeping buffers of a few MiB spares
// memory-heavy contracts (snailtracer grows to 8 MiB) a fresh allocation,
// its zeroing and page faults on every call.
const maxPooledMemory = 16 << 20

func putMemory(m *memory) {
	if cap(m.store) > maxPooledMemory {
		m.store = nil
	}
	m.store = m.store[:0]
	m.lastGasCost = 0
	memoryPool.Put(m)
}

func (m *memory) len() int { return len(m.store) }

// resize grows memory to size bytes (a multiple of 32), zero-filled.
func (m *memory) resize(size uint64) {
	old := uint64(len(m.store))
	if size <= old {
		return
	}
	if size <= uint64(cap(m.store)) {
		m.store = m.store[:size]
		clear(m.store[old:])
		return
	}
	grown := make([]byte, size, max(size, 2*uint64(cap(m.store))))
	copy(grown, m.store)
	m.store = grown
}

// set copies value into memory at offset; the region must be allocated.
func (m *memory) set(offset uint64, value []byte) {
	copy(m.store[offset:offset+uint64(len(value))], value)
}

// set32 writes v as a 32-byte big-endian word at offset.
func (m *memory) set32(offset uint64, v *uint256.Int) {
	b := (*[32]byte)(m.store[offset : offset+32])
	v.PutUint256(b[:])
}

// view returns memory[offset:offset+size] without copying; nil when size
// is zero (offset may then be anything).
func (m *memory) view(offset, size uint64) []byte {
	if size == 0 {
		return nil
	}
	return m.store[offset : offset+size]
}

// copyOut returns a fresh copy of memory[offset:offset+size].
func (m *memory) copyOut(offset, size uint64) []byte {
	if size == 0 {
		return nil
	}
	out := make([]byte, size)
	copy(out, m.store[offset:offset+size])
	return out
}

// toWords returns the number of 32-byte words needed for size bytes.
func toWords(size uint64) uint64 {
	if size > ^uint64(0)-31 {
		return ^uint64(0)/32 + 1
	}
	return (size + 31) / 32
}

// maxMemorySize is the largest memory size whose expansion cost fits in a
// uint64 (go-ethereum uses the same bound: 0x1FFFFFFFE0 bytes).
const maxMemorySize = 0x1FFFFFFFE0

// memoryGasCost returns the gas to grow memory to newSize bytes (already
// rounded to words) and records the new total.
func memoryGasCost(m *memory, newSize uint64) (uint64, error) {
	if newSize == 0 {
		return 0, nil
	}
	if newSize > maxMemorySize {
		return 0, ErrGasUintOverflow
	}
	if newSize <= uint64(len(m.store)) {
		return 0, nil
	}
	words := newSize / 32
	total := words*GasMemory + words*words/GasQuadCoeffDiv
	fee := total - m.lastGasCost
	m.lastGasCost = total
	return fee, nil
}
