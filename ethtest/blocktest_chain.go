package ethtest

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/types"
)

// Schedule is a test network's fork schedule: one fork, or a transition
// from one fork to the next at a block number or a timestamp.
type Schedule struct {
	Name  string
	From  forks.Fork
	To    forks.Fork
	At    uint64 // first block number or timestamp of To
	ByTim bool   // At is a timestamp
}

// ForkAt returns the fork of the block with the given number and time.
func (s *Schedule) ForkAt(number, time uint64) forks.Fork {
	v := number
	if s.ByTim {
		v = time
	}
	if v >= s.At {
		return s.To
	}
	return s.From
}

// transitionRE matches transition networks: "BerlinToLondonAt5",
// "ShanghaiToCancunAtTime15k".
var transitionRE = regexp.MustCompile(`^([A-Za-z0-9]+?)To([A-Za-z0-9]+)At(Time)?([0-9]+)(k?)$`)

// ParseSchedule returns the schedule of a BlockchainTests network: a fork
// name ("Cancun", "ConstantinopleFix") or a transition ("A" To "B" At N,
// or AtTime N, where N may end in k for thousands). Transitions that need
// more than a fork switch (the DAO fork's irregular state change, the
// merge at a total difficulty) are reported as unsupported.
func ParseSchedule(network string) (*Schedule, error) {
	if f, err := forks.Parse(network); err == nil {
		return &Schedule{Name: network, From: f, To: f}, nil
	}
	m := transitionRE.FindStringSubmatch(network)
	if m == nil {
		return nil, fmt.Errorf("unsupported network %q", network)
	}
	from, err1 := forks.Parse(m[1])
	to, err2 := forks.Parse(m[2])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("unsupported network %q", network)
	}
	at, err := strconv.ParseUint(m[4], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("unsupported network %q", network)
	}
	if m[5] == "k" {
		at *= 1000
	}
	return &Schedule{Name: network, From: from, To: to, At: at, ByTim: m[3] != ""}, nil
}

// Proof-of-work difficulty rules (Yellow Paper; EIP-2, EIP-100 and the
// difficulty-bomb delays EIP-649, EIP-1234, EIP-2384, EIP-3554, EIP-4345,
// EIP-5133).
var (
	minimumDifficulty = big.NewInt(131072)
	expDiffPeriod     = big.NewInt(100000)
	difficultyBound   = big.NewInt(2048)
)

// bombDelay returns the difficulty-bomb delay of a fork from Byzantium on.
func bombDelay(fork forks.Fork) uint64 {
	switch {
	case fork >= forks.GrayGlacier:
		return 11_400_000 // EIP-5133
	case fork >= forks.ArrowGlacier:
		return 10_700_000 // EIP-4345
	case fork >= forks.London:
		return 9_700_000 // EIP-3554
	case fork >= forks.MuirGlacier:
		return 9_000_000 // EIP-2384
	case fork >= forks.Constantinople:
		return 5_000_000 // EIP-1234
	}
	return 3_000_000 // EIP-649
}

// CalcDifficulty returns the proof-of-work difficulty of a block at time
// whose parent is parent, under fork (the child's). It is zero from the
// merge.
func CalcDifficulty(fork forks.Fork, time uint64, parent *types.Header) *uint256.Int {
	rules := forks.RulesFor(fork)
	if rules.IsMerge {
		return new(uint256.Int)
	}
	pdiff := parent.Difficulty.ToBig()
	step := new(big.Int).Div(pdiff, difficultyBound)
	var adj int64
	dt := uint64(0)
	if time > parent.Time {
		dt = time - parent.Time
	}
	switch {
	case rules.IsByzantium: // EIP-100: uncles count, 9-second target
		y := int64(1)
		if parent.UncleHash != types.EmptyListHash {
			y = 2
		}
		adj = y - int64(min(dt/9, 1<<20))
	case rules.IsHomestead: // EIP-2
		adj = 1 - int64(min(dt/10, 1<<20))
	default:
		adj = 1
		if dt >= 13 {
			adj = -1
		}
	}
	adj = max(adj, -99)
	diff := new(big.Int).Mul(step, big.NewInt(adj))
	diff.Add(diff, pdiff)
	if diff.Cmp(minimumDifficulty) < 0 {
		diff.Set(minimumDifficulty)
	}
	// The difficulty bomb: 2^(period-2) with period = number / 100000,
	// the number moved back by the fork's delay from Byzantium on.
	fake := new(big.Int).SetUint64(parent.Number + 1)
	if rules.IsByzantium {
		fake.SetUint64(0)
		if d := bombDelay(fork) - 1; parent.Number >= d {
			fake.SetUint64(parent.Number - d)
		}
	}
	period := fake.Div(fake, expDiffPeriod)
	if period.Cmp(big.NewInt(1)) > 0 {
		bomb := new(big.Int).Lsh(big.NewInt(1), uint(period.Uint64()-2))
		diff.Add(diff, bomb)
	}
	out, overflow := uint256.FromBig(diff)
	if overflow {
		out = new(uint256.Int).SetAllOne()
	}
	return out
}

var errDifficulty = errors.New("invalid difficulty")

// verifyPoWHeader checks what a proof-of-work header must satisfy beyond
// ValidateHeader, the seal excepted (the tests use NoProof): its
// difficulty.
func verifyPoWHeader(h, parent *types.Header, fork forks.Fork) error {
	if want := CalcDifficulty(fork, h.Time, parent); !h.Difficulty.Eq(want) {
		return fmt.Errorf("%w: have %v, want %v", errDifficulty, &h.Difficulty, want)
	}
	return nil
}

// Uncle rules before the merge.
const (
	maxUncles     = 2
	uncleMaxDepth = 7 // an uncle's parent is at most 7 generations back
)

// verifyUncles checks a proof-of-work block's uncles: at most two, none
// included before in the last generations nor an ancestor, each a child of
// a recent ancestor other than the block's parent, and each a valid header
// on its own parent.
func (bc *blockChain) verifyUncles(blk *types.Block, parent *chainBlock) error {
	if len(blk.Uncles) > maxUncles {
		return fmt.Errorf("too many uncles: %d", len(blk.Uncles))
	}
	if len(blk.Uncles) == 0 {
		return nil
	}
	ancestors := map[types.Hash]*types.Header{}
	seen := map[types.Hash]bool{}
	for p, i := parent, 0; p != nil && i < uncleMaxDepth; i++ {
		ancestors[p.hash] = p.header
		for _, u := range p.uncles {
			seen[u.Hash()] = true
		}
		if p.header.Number == 0 {
			break
		}
		p = bc.blocks[p.header.ParentHash]
	}
	self := blk.Hash()
	ancestors[self] = blk.Header
	seen[self] = true
	for _, u := range blk.Uncles {
		hash := u.Hash()
		if seen[hash] {
			return fmt.Errorf("duplicate uncle %v", hash)
		}
		seen[hash] = true
		if ancestors[hash] != nil {
			return fmt.Errorf("uncle %v is an ancestor", hash)
		}
		up := ancestors[u.ParentHash]
		if up == nil || u.ParentHash == blk.Header.ParentHash {
			return fmt.Errorf("dangling uncle %v", hash)
		}
		fork := bc.schedule.ForkAt(u.Number, u.Time)
		if err := evm.ValidateHeader(u, up, fork); err != nil {
			return fmt.Errorf("uncle %v: %w", hash, err)
		}
		if err := verifyPoWHeader(u, up, fork); err != nil {
			return fmt.Errorf("uncle %v: %w", hash, err)
		}
	}
	return nil
}

// listRoot is the trie root of an indexed list (transactions, receipts,
// withdrawals).
func listRoot(n int, item func(i int, buf []byte) []byte) types.Hash {
	return merkle.ListRoot(n, item)
}
