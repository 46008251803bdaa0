package evm

import (
	"sync"

	"github.com/plasmaxpl/engine/types"
)

// jumpdestBitmap marks, one bit per code byte, the positions that hold a
// JUMPDEST instruction (not a 0x5b inside PUSH data).
type jumpdestBitmap []byte

func (b jumpdestBitmap) has(pos uint64) bool {
	i := pos / 8
	return i < uint64(len(b)) && b[i]&(1<<(pos%8)) != 0
}

// analyseJumpdests scans code once, skipping PUSH immediates.
func analyseJumpdests(code []byte) jumpdestBitmap {
	b := make(jumpdestBitmap, len(code)/8+1)
	for pc := 0; pc < len(code); pc++ {
		op := OpCode(code[pc])
		switch {
		case op == JUMPDEST:
			b[pc/8] |= 1 << (pc % 8)
		case op >= PUSH1 && op <= PUSH32:
			pc += int(op-PUSH1) + 1
		}
	}
	return b
}

// jumpdestCache maps code hashes to their analysis. It is shared by every
// EVM in the process (the parallel executor runs many at once), sharded to
// keep lock contention low, and bounded: a full shard is simply emptied,
// which is cheap and keeps hot contracts re-cached on their next call.
type jumpdestCache struct {
	shards [jumpdestShards]jumpdestShard
}

const (
	jumpdestShards      = 32
	jumpdestPerShardMax = 512
)

type jumpdestShard struct {
	mu sync.RWMutex
	m  map[types.Hash]jumpdestBitmap
}

var sharedJumpdests jumpdestCache

func (c *jumpdestCache) get(hash types.Hash, code []byte) jumpdestBitmap {
	s := &c.shards[hash[0]%jumpdestShards]
	s.mu.RLock()
	b, ok := s.m[hash]
	s.mu.RUnlock()
	if ok {
		return b
	}
	b = analyseJumpdests(code)
	s.mu.Lock()
	if s.m == nil || len(s.m) >= jumpdestPerShardMax {
		s.m = make(map[types.Hash]jumpdestBitmap, 64)
	}
	s.m[hash] = b
	s.mu.Unlock()
	return b
}
