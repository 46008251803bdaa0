package evm

import (
	"sync"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/internal/split"
	"github.com/plasmaxpl/engine/types"
)

// LogsBloom returns the bloom filter over the addresses and topics of logs,
// as types.LogsBloom does, hashing all of them in one batch with the
// fastest Keccak backend (eight at a time with AVX-512): a receipt's bloom
// costs four or more hashes per log, a large share of a log-heavy
// transaction's time when each is hashed on its own.
func LogsBloom(logs []*types.Log) types.Bloom { return LogsBloomWorkers(logs, 1) }

// bloomSplitLogs is the number of logs per goroutine from which
// LogsBloomWorkers splits the hashing: a transaction that emits thousands
// of logs (a batch mint) spends milliseconds on its bloom alone.
const bloomSplitLogs = 1024

// LogsBloomWorkers is LogsBloom with the hashing split over up to workers
// goroutines when there are many logs; the bloom is the same.
func LogsBloomWorkers(logs []*types.Log, workers int) types.Bloom {
	if workers <= 1 || len(logs) < 2*bloomSplitLogs {
		return logsBloom(logs)
	}
	var mu sync.Mutex
	var b types.Bloom
	split.Ranges(len(logs), workers, bloomSplitLogs, func(lo, hi int) {
		part := logsBloom(logs[lo:hi])
		mu.Lock()
		b.Or(&part)
		mu.Unlock()
	})
	return b
}

func logsBloom(logs []*types.Log) types.Bloom {
	var b types.Bloom
	if len(logs) == 0 {
		return b
	}
	// Sized exactly first: growing the buffers as they fill costs more
	// than the hashing for a transaction with thousands of logs.
	size, n := 0, 0
	for _, l := range logs {
		size += types.AddressLength + types.HashLength*len(l.Topics)
		n += 1 + len(l.Topics)
	}
	s := bloomScratchPool.Get().(*bloomScratch)
	if cap(s.data) < size {
		s.data = make([]byte, 0, size)
	}
	if cap(s.offsets) < n+1 {
		s.offsets = make([]uint32, 0, n+1)
	}
	if cap(s.out) < n {
		s.out = make([]types.Hash, n)
	}
	s.data, s.offsets = s.data[:0], append(s.offsets[:0], 0)
	for _, l := range logs {
		s.data = append(s.data, l.Address[:]...)
		s.offsets = append(s.offsets, uint32(len(s.data)))
		for i := range l.Topics {
			s.data = append(s.data, l.Topics[i][:]...)
			s.offsets = append(s.offsets, uint32(len(s.data)))
		}
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
