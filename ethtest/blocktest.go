package ethtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
	"github.com/plasmaxpl/engine/types/rlp"
)

// BlockTest is one test of a BlockchainTests file: a genesis built from
// Pre, then blocks imported in order from their RLP. Blocks with an
// expected exception must be rejected; all others must import. The chain
// head at the end must be LastBlockHash with the state PostState (or
// PostStateHash).
type BlockTest struct {
	Network            string          `json:"network"`
	SealEngine         string          `json:"sealEngine"`
	GenesisBlockHeader json.RawMessage `json:"genesisBlockHeader"`
	GenesisRLP         hexBytes        `json:"genesisRLP"`
	Pre                Alloc           `json:"pre"`
	PostState          *Alloc          `json:"postState"`
	PostStateHash      *types.Hash     `json:"postStateHash"`
	LastBlockHash      types.Hash      `json:"lastblockhash"`
	Blocks             []btBlock       `json:"blocks"`
	Config             *stConfig       `json:"config"`
}

// btBlock is one entry of "blocks". An invalid block has only rlp and
// expectException (and a decoded form this runner ignores).
type btBlock struct {
	RLP             string          `json:"rlp"`
	ExpectException string          `json:"expectException"`
	BlockHeader     json.RawMessage `json:"blockHeader"`
}

// BlockTestOptions filters and instruments a run.
type BlockTestOptions struct {
	Run  *regexp.Regexp // test names to run; nil runs all
	Fork string         // only tests of this network; empty runs all
	// Trace, when set, receives EIP-3155 lines for every transaction.
	Trace io.Writer
	// Workers is passed to evm.BlockConfig.Workers.
	Workers int
}

// ReadBlockTestFile parses a BlockchainTests JSON file.
func ReadBlockTestFile(path string) (map[string]*BlockTest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tests map[string]*BlockTest
	if err := json.Unmarshal(data, &tests); err != nil {
		return nil, fmt.Errorf("%s: not a blockchain test file: %v", path, err)
	}
	return tests, nil
}

// RunBlockTests runs the selected tests in name order and returns one
// Result per test, with the test's network as Fork and the final head's
// state root as StateRoot.
func RunBlockTests(tests map[string]*BlockTest, opts BlockTestOptions) []Result {
	names := make([]string, 0, len(tests))
	for name, t := range tests {
		if opts.Run != nil && !opts.Run.MatchString(name) {
			continue
		}
		if opts.Fork != "" && !strings.EqualFold(opts.Fork, t.Network) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	results := make([]Result, 0, len(names))
	for _, name := range names {
		t := tests[name]
		r := Result{Name: name, Fork: t.Network, Pass: true}
		root, err := t.Run(opts)
		if root != nil {
			s := root.Hex()
			r.StateRoot = &s
		}
		if err != nil {
			r.Pass = false
			r.Error = err.Error()
		}
		results = append(results, r)
	}
	return results
}

// chainBlock is an imported block: its header, the state after it, its
// uncles (for uncle validation of descendants) and the chain's total
// difficulty up to it.
type chainBlock struct {
	header *types.Header
	hash   types.Hash
	uncles []*types.Header
	state  *statedb.StateDB
	td     uint256.Int
}

// blockChain is the in-memory chain a block test builds: every imported
// block by hash, and the head chosen by the fork-choice rule.
type blockChain struct {
	blocks   map[types.Hash]*chainBlock
	head     *chainBlock
	schedule *Schedule
	cfg      evm.BlockConfig
}

// Run imports the test's blocks and checks the result. It returns the
// head's state root (nil when the genesis could not be built) and the
// first disagreement with the fixture. It never panics: an internal
// failure becomes the error.
func (t *BlockTest) Run(opts BlockTestOptions) (root *types.Hash, err error) {
	defer func() {
		if p := recover(); p != nil {
			root = nil
			err = fmt.Errorf("internal error: %v\n%s", p, debug.Stack())
		}
	}()
	sched, err := ParseSchedule(t.Network)
	if err != nil {
		return nil, err
	}
	chainID := uint64(1)
	if t.Config != nil && t.Config.ChainID != nil {
		chainID = uint64(*t.Config.ChainID)
	}
	bc := &blockChain{
		blocks:   map[types.Hash]*chainBlock{},
		schedule: sched,
		cfg:      evm.BlockConfig{ChainID: chainID, Schedule: sched.ForkAt, Workers: opts.Workers},
	}
	if opts.Trace != nil {
		bc.cfg.Tracer = evm.NewJSONTracer(opts.Trace)
	}
	if err := bc.genesis(t); err != nil {
		return nil, err
	}
	for i, b := range t.Blocks {
		err := bc.importBlock(b)
		switch {
		case b.ExpectException != "" && err == nil:
			r := bc.head.state.IntermediateRoot(true)
			return &r, fmt.Errorf("block %d: imported, but expected it to fail with %s", i, b.ExpectException)
		case b.ExpectException == "" && err != nil:
			r := bc.head.state.IntermediateRoot(true)
			return &r, fmt.Errorf("block %d: insertion into chain failed: %v", i, err)
		}
	}
	headRoot := bc.head.state.IntermediateRoot(true)
	root = &headRoot
	if bc.head.hash != t.LastBlockHash {
		return root, fmt.Errorf("last block hash mismatch: got %v (number %d), want %v", bc.head.hash, bc.head.header.Number, t.LastBlockHash)
	}
	switch {
	case t.PostState != nil:
		want := newAllocState(*t.PostState)
		if wantRoot := want.IntermediateRoot(true); wantRoot != headRoot {
			return root, fmt.Errorf("post state root mismatch: got %x, want %x (%s)", headRoot[:], wantRoot[:], diffStates(bc.head.state, want))
		}
	case t.PostStateHash != nil:
		if *t.PostStateHash != headRoot {
			return root, fmt.Errorf("post state root mismatch: got %x, want %x", headRoot[:], t.PostStateHash[:])
		}
	default:
		return root, errors.New("test has neither postState nor postStateHash")
	}
	return root, nil
}

// genesis builds the genesis block from the test's pre-state and checks it
// against genesisRLP and genesisBlockHeader.
func (bc *blockChain) genesis(t *BlockTest) error {
	if len(t.GenesisRLP) == 0 {
		return errors.New("test has no genesisRLP")
	}
	g, err := types.DecodeBlock(t.GenesisRLP)
	if err != nil {
		return fmt.Errorf("genesis RLP: %v", err)
	}
	gh := g.Header
	if len(t.GenesisBlockHeader) > 0 {
		var jh types.Header
		if err := json.Unmarshal(t.GenesisBlockHeader, &jh); err != nil {
			return fmt.Errorf("genesisBlockHeader: %v", err)
		}
		if jh.Hash() != gh.Hash() {
			return fmt.Errorf("genesis header hash mismatch: genesisRLP %v, genesisBlockHeader %v", gh.Hash(), jh.Hash())
		}
		if want, ok := jsonHash(t.GenesisBlockHeader); ok && want != gh.Hash() {
			return fmt.Errorf("genesis header hash mismatch: computed %v, fixture %v", gh.Hash(), want)
		}
	}
	state := newAllocState(t.Pre)
	if root := state.IntermediateRoot(true); root != gh.Root {
		return fmt.Errorf("genesis state root mismatch: pre-state %v, header %v", root, gh.Root)
	}
	b := &chainBlock{header: gh, hash: gh.Hash(), uncles: g.Uncles, state: state}
	b.td.Set(&gh.Difficulty)
	bc.blocks[b.hash] = b
	bc.head = b
	return nil
}

// importBlock decodes, validates and executes a block on top of its parent
// (any known block, so side chains work), then applies the fork choice. An
// error means the block is invalid and the chain is unchanged.
func (bc *blockChain) importBlock(b btBlock) error {
	raw, err := types.DecodeHex(b.RLP)
	if err != nil {
		return fmt.Errorf("invalid rlp hex: %v", err)
	}
	blk, err := types.DecodeBlock(raw)
	if err != nil {
		return err
	}
	h := blk.Header
	hash := h.Hash()
	if b.ExpectException == "" && len(b.BlockHeader) > 0 {
		if want, ok := jsonHash(b.BlockHeader); ok && want != hash {
			return fmt.Errorf("decoded block hash %v differs from blockHeader.hash %v", hash, want)
		}
	}
	if known := bc.blocks[hash]; known != nil {
		return nil // already imported
	}
	parent := bc.blocks[h.ParentHash]
	if parent == nil {
		return fmt.Errorf("unknown parent %v of block %d", h.ParentHash, h.Number)
	}
	fork := bc.schedule.ForkAt(h.Number, h.Time)
	rules := forks.RulesFor(fork)
	if err := evm.ValidateHeader(h, parent.header, fork); err != nil {
		return err
	}
	if got := uncleHash(blk.Uncles); got != h.UncleHash {
		return fmt.Errorf("uncle hash mismatch: header %v, body %v", h.UncleHash, got)
	}
	if !rules.IsMerge {
		if err := verifyPoWHeader(h, parent.header, fork); err != nil {
			return err
		}
		if err := bc.verifyUncles(blk, parent); err != nil {
			return err
		}
	}
	if rules.IsShanghai && blk.Withdrawals != nil && h.WithdrawalsHash != nil {
		if got := withdrawalsRoot(blk.Withdrawals); got != *h.WithdrawalsHash {
			return fmt.Errorf("%w: header %v, body %v", evm.ErrWithdrawalsRootMismatch, *h.WithdrawalsHash, got)
		}
	}

	state := parent.state.Copy()
	res, err := evm.ExecuteBlock(h, blk.Transactions, blk.Uncles, blk.Withdrawals, state, bc.cfg, bc.hashGetter(parent))
	if err != nil {
		return err
	}
	if err := evm.ValidateBlockResult(h, res); err != nil {
		return err
	}
	nb := &chainBlock{header: h, hash: hash, uncles: blk.Uncles, state: state}
	nb.td.Add(&parent.td, &h.Difficulty)
	bc.blocks[hash] = nb
	// Fork choice: after the merge the newest valid block is the head (the
	// consensus layer chose it); before, the heaviest chain, the first seen
	// winning a tie.
	if rules.IsMerge || nb.td.Gt(&bc.head.td) {
		bc.head = nb
	}
	return nil
}

// hashGetter answers BLOCKHASH for a block whose parent is p, walking back
// through the chain p belongs to (not the canonical one).
func (bc *blockChain) hashGetter(p *chainBlock) func(uint64) types.Hash {
	return func(n uint64) types.Hash {
		for b := p; b != nil; b = bc.blocks[b.header.ParentHash] {
			if b.header.Number == n {
				return b.hash
			}
			if b.header.Number < n || b.header.Number == 0 {
				break
			}
		}
		return types.Hash{}
	}
}

// newAllocState builds a state from an alloc and commits it (so that its
// values count as the committed, pre-transaction values).
func newAllocState(a Alloc) *statedb.StateDB {
	s := statedb.New()
	for addr, acc := range a {
		s.CreateAccount(addr)
		s.SetBalance(addr, &acc.Balance.Int)
		s.SetNonce(addr, uint64(acc.Nonce))
		if len(acc.Code) > 0 {
			s.SetCode(addr, acc.Code)
		}
		if len(acc.storage) > 0 {
			s.SetStorage(addr, acc.storage)
		}
	}
	s.IntermediateRoot(false)
	return s
}

// diffStates describes the first difference between two states, for error
// messages: an account only one has, or a field that differs.
func diffStates(got, want *statedb.StateDB) string {
	g, w := got.Dump(), want.Dump()
	addrs := make([]types.Address, 0, len(g)+len(w))
	for a := range g {
		addrs = append(addrs, a)
	}
	for a := range w {
		if _, ok := g[a]; !ok {
			addrs = append(addrs, a)
		}
	}
	sort.Slice(addrs, func(i, j int) bool { return string(addrs[i][:]) < string(addrs[j][:]) })
	for _, a := range addrs {
		ga, gok := g[a]
		wa, wok := w[a]
		switch {
		case !wok:
			return fmt.Sprintf("unexpected account %v", a)
		case !gok:
			return fmt.Sprintf("missing account %v", a)
		case !ga.Balance.Eq(&wa.Balance):
			return fmt.Sprintf("account %v balance %v, want %v", a, &ga.Balance, &wa.Balance)
		case ga.Nonce != wa.Nonce:
			return fmt.Sprintf("account %v nonce %d, want %d", a, ga.Nonce, wa.Nonce)
		case string(ga.Code) != string(wa.Code):
			return fmt.Sprintf("account %v code differs", a)
		}
		for k, v := range wa.Storage {
			if ga.Storage[k] != v {
				return fmt.Sprintf("account %v slot %v = %v, want %v", a, k, ga.Storage[k], v)
			}
		}
		for k, v := range ga.Storage {
			if _, ok := wa.Storage[k]; !ok {
				return fmt.Sprintf("account %v slot %v = %v, want 0", a, k, v)
			}
		}
	}
	return "no account differs"
}

// jsonHash reads the "hash" field of a header object.
func jsonHash(raw json.RawMessage) (types.Hash, bool) {
	var j struct {
		Hash *types.Hash `json:"hash"`
	}
	if err := json.Unmarshal(raw, &j); err != nil || j.Hash == nil {
		return types.Hash{}, false
	}
	return *j.Hash, true
}

// uncleHash is keccak256 of the RLP list of the uncle headers.
func uncleHash(uncles []*types.Header) types.Hash {
	buf, start := rlp.StartList(nil)
	for _, u := range uncles {
		buf = u.AppendRLP(buf)
	}
	return types.Keccak256(rlp.EndList(buf, start))
}

// withdrawalsRoot is the trie root of a block's withdrawals.
func withdrawalsRoot(ws []*types.Withdrawal) types.Hash {
	return listRoot(len(ws), func(i int, buf []byte) []byte { return ws[i].AppendRLP(buf) })
}
