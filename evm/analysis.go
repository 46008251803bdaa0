package evm

import (
	"math/bits"
	"sync"

	"github.com/plasmaxpl/engine/evm/forks"
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

// codeAnalysis is what the interpreter learns from a contract's code
// once, before running it: valid jump destinations and the basic blocks of
// gas-independent instructions.
type codeAnalysis struct {
	jumpdests jumpdestBitmap
	blocks    blockIndex
}

func analyseCode(code []byte) *codeAnalysis {
	return &codeAnalysis{jumpdests: analyseJumpdests(code), blocks: analyseBlocks(code)}
}

// Basic-block metering. A block is a run of "plain" instructions: ones
// whose constant gas no fork has changed, that neither read the gas left
// nor touch state, and that cannot halt the frame except by an
// exceptional halt (MLOAD and MSTORE are plain; see blockMemoryOps). A block starts at a JUMPDEST or after any
// other instruction, and ends after JUMP or JUMPI. The untraced loop
// charges a block's summed gas and checks its stack bounds once, on entry,
// then runs its instructions without per-instruction checks. Failing at
// the block's start instead of at the failing instruction is the same
// outcome in consensus terms (an exceptional halt consumes all the frame's
// gas and reverts it), and gas is exact again wherever it is observable,
// since GAS, state and call instructions are never inside a block.
type blockInfo struct {
	gas      uint32 // summed constant gas
	length   uint16 // code bytes, immediates included
	minStack uint16 // stack height needed on entry
	growth   uint16 // highest height above the entry height
	late     bool   // uses SHL, SHR or PUSH0, which need Shanghai's set
}

// maxBlockLength bounds a block so that its fields fit.
const maxBlockLength = 1 << 15

// blockIndex finds the block starting at a pc: a bitmap of block starts,
// the number of starts before each 64-byte word, and the blocks in code
// order. It costs about two bytes per code byte, against eight or more
// for a table indexed by pc.
type blockIndex struct {
	starts []uint64
	rank   []uint32
	infos  []blockInfo
}

// at returns the block starting at pc, or nil (always nil on a nil index).
func (x *blockIndex) at(pc uint64) *blockInfo {
	if x == nil {
		return nil
	}
	w := pc / 64
	if w >= uint64(len(x.starts)) {
		return nil
	}
	word, bit := x.starts[w], uint64(1)<<(pc%64)
	if word&bit == 0 {
		return nil
	}
	return &x.infos[x.rank[w]+uint32(bits.OnesCount64(word&(bit-1)))]
}

// plainGas is the constant gas of each plain instruction, 0 for the rest
// (every plain instruction costs at least 1).
var plainGas = func() (g [256]uint32) {
	for op := range g {
		if inlined[op] {
			g[op] = 1 // set from the latest fork's table by fillPlainGas
		}
	}
	g[GAS] = 0 // reads the gas left
	return g
}()

// blockMemoryOps are plain instructions whose memory expansion is charged
// as they run, after their block has paid the constant part. Charging
// the rest of the block first can only make an expansion that would have
// succeeded fail when the block could not have been finished anyway.
var blockMemoryOps = func() (m [256]bool) {
	m[MLOAD], m[MSTORE] = true, true
	return m
}()

// fillPlainGas runs once the instruction sets are built; the gas of a
// plain instruction is the same in every fork that defines it
// (TestPlainGasSameInEveryFork).
func fillPlainGas() {
	latest := instructionSetFor(forks.Latest)
	for op := range plainGas {
		if plainGas[op] != 0 {
			plainGas[op] = uint32(latest[op].constantGas)
		}
	}
}

func analyseBlocks(code []byte) blockIndex {
	x := blockIndex{
		starts: make([]uint64, (len(code)+63)/64),
		rank:   make([]uint32, (len(code)+63)/64),
	}
	var (
		cur            = -1 // index of the open block in x.infos
		start, h       int
		minNeed, maxUp int
	)
	closeBlock := func() {
		if cur >= 0 {
			b := &x.infos[cur]
			b.minStack = uint16(min(minNeed, StackLimit+1))
			b.growth = uint16(min(maxUp, StackLimit+1))
		}
		cur = -1
	}
	for pc := 0; pc < len(code); {
		op := OpCode(code[pc])
		size := 1 + int(opInfos[op].immediate)
		if plainGas[op] == 0 {
			closeBlock()
			pc += size
			continue
		}
		if cur < 0 || op == JUMPDEST || pc+size-start > maxBlockLength {
			closeBlock()
			x.starts[pc/64] |= 1 << (pc % 64)
			x.infos = append(x.infos, blockInfo{})
			cur, start, h, minNeed, maxUp = len(x.infos)-1, pc, 0, 0, 0
		}
		b := &x.infos[cur]
		info := opInfos[op]
		minNeed = max(minNeed, int(info.pops)-h)
		h += int(info.pushes) - int(info.pops)
		maxUp = max(maxUp, h)
		b.gas += plainGas[op]
		b.late = b.late || op == SHL || op == SHR || op == PUSH0
		pc += size
		b.length = uint16(pc - start)
		if op == JUMP || op == JUMPI {
			closeBlock()
		}
	}
	closeBlock()
	var n uint32
	for w, word := range x.starts {
		x.rank[w] = n
		n += uint32(bits.OnesCount64(word))
	}
	return x
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
	m  map[types.Hash]*codeAnalysis
}

var sharedJumpdests jumpdestCache

func (c *jumpdestCache) analysis(hash types.Hash, code []byte) *codeAnalysis {
	s := &c.shards[hash[0]%jumpdestShards]
	s.mu.RLock()
	b, ok := s.m[hash]
	s.mu.RUnlock()
	if ok {
		return b
	}
	b = analyseCode(code)
	s.mu.Lock()
	if s.m == nil || len(s.m) >= jumpdestPerShardMax {
		s.m = make(map[types.Hash]*codeAnalysis, 64)
	}
	s.m[hash] = b
	s.mu.Unlock()
	return b
}
