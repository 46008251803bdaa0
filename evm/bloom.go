package evm

import (
	"sync"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/types"
)

// LogsBloom returns the bloom filter over the addresses and topics of logs,
// as types.LogsBloom does, hashing all of them in one batch with the
// fastest Keccak backend (eight at a time with AVX-512): a receipt's bloom
// costs four or more hashes per log, a large share of a log-heavy
// transaction's time when each is hashed on its own.
func LogsBloom(logs []*types.Log) types.Bloom {
	var b types.Bloom
	if len(logs) == 0 {
		return b
	}
	s := bloomScratchPool.Get().(*bloomScratch)
	s.data, s.offsets = s.data[:0], append(s.offsets[:0], 0)
	for _, l := range logs {
		s.data = append(s.data, l.Address[:]...)
		s.offsets = append(s.offsets, uint32(len(s.data)))
		for i := range l.Topics {
			s.data = append(s.data, l.Topics[i][:]...)
			s.offsets = append(s.offsets, uint32(len(s.data)))
		}
	}
	n := len(s.offsets) - 1
	if cap(s.out) < n {
		s.out = make([]types.Hash, n)
	}
	out := s.out[:n]
	bloomHasher().HashBatch(s.data, s.offsets, out)
	for i := range out {
		b.AddHash(&out[i])
	}
	if cap(s.data) <= maxBloomScratch {
		bloomScratchPool.Put(s)
	}
	return b
}

// maxBloomScratch bounds the scratch kept for reuse (a transaction with
// thousands of logs does not pin its buffer).
const maxBloomScratch = 64 << 10

type bloomScratch struct {
	data    []byte
	offsets []uint32
	out     []types.Hash
}

var bloomScratchPool = sync.Pool{New: func() any { return new(bloomScratch) }}

var bloomHasher = sync.OnceValue(gpu.Default)
