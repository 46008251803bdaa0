package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	gethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/consensus/beacon"
	"github.com/ethereum/go-ethereum/consensus/ethash"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	gethstate "github.com/ethereum/go-ethereum/core/state"
	gethtracing "github.com/ethereum/go-ethereum/core/tracing"
	gethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/ethereum/go-ethereum/triedb/pathdb"
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/evm/parallel"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// quickBlocks are the mainnet blocks --quick replays: the largest ones
// by gas and transaction count across the forks, so that the aggregate is
// dominated by real work rather than per-block overhead.
var quickBlocks = []string{"12047794", "13287210", "14029313", "15199017", "16146267", "18085863", "19426587", "19932703"}

// preAccount is one account of a pre_state.json (mainnet/FORMAT.md).
type preAccount struct {
	Balance  string            `json:"balance"`
	Nonce    uint64            `json:"nonce"`
	CodeHash string            `json:"code_hash"`
	Storage  map[string]string `json:"storage"`
}

// account is a decoded pre-state account, the same for both engines.
type account struct {
	balance uint256.Int
	nonce   uint64
	code    []byte
	storage map[types.Hash]types.Hash
}

// replayBlock is one mainnet block with its pre-state, decoded once for
// each engine.
type replayBlock struct {
	number   uint64
	gasUsed  uint64
	fork     forks.Fork
	pre      map[types.Address]*account
	hashes   map[uint64]types.Hash
	ours     *types.Block
	oursPre  *statedb.StateDB
	geth     *gethtypes.Block
	gethDB   gethstate.Database
	gethRoot gethcommon.Hash
	chain    *fakeChain
}

// mainnetSchedule is Ethereum mainnet's fork by block number and time.
func mainnetSchedule(number, time uint64) forks.Fork {
	const merge = 15537394
	switch {
	case number >= merge && time >= 1746612311:
		return forks.Prague
	case number >= merge && time >= 1710338135:
		return forks.Cancun
	case number >= merge && time >= 1681338455:
		return forks.Shanghai
	case number >= merge:
		return forks.Paris
	}
	for _, f := range []struct {
		at   uint64
		fork forks.Fork
	}{{15050000, forks.GrayGlacier}, {13773000, forks.ArrowGlacier}, {12965000, forks.London},
		{12244000, forks.Berlin}, {9200000, forks.MuirGlacier}, {9069000, forks.Istanbul},
		{7280000, forks.Petersburg}, {4370000, forks.Byzantium}, {2675000, forks.SpuriousDragon},
		{2463000, forks.TangerineWhistle}, {1150000, forks.Homestead}} {
		if number >= f.at {
			return f.fork
		}
	}
	return forks.Frontier
}

func readJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r interface{ Read([]byte) (int, error) } = f
	if filepath.Ext(path) == ".gz" {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		r = zr
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func loadReplayBlock(dir string, codes map[string]string, hashes map[uint64]types.Hash) (*replayBlock, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "block.json"))
	if err != nil {
		return nil, err
	}
	b := &replayBlock{hashes: hashes}
	b.ours = new(types.Block)
	if err := b.ours.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	h := b.ours.Header
	b.number, b.gasUsed = h.Number, h.GasUsed
	b.fork = mainnetSchedule(h.Number, h.Time)
	var froms struct {
		Transactions []struct {
			From string `json:"from"`
		} `json:"transactions"`
	}
	if err := json.Unmarshal(raw, &froms); err != nil {
		return nil, err
	}
	for i, tx := range b.ours.Transactions {
		tx.CacheSender(1, types.HexToAddress(froms.Transactions[i].From))
	}

	// go-ethereum reads the same JSON with its own decoders.
	var gh gethtypes.Header
	if err := json.Unmarshal(raw, &gh); err != nil {
		return nil, fmt.Errorf("%s: go-ethereum header: %w", dir, err)
	}
	var gb struct {
		Transactions []*gethtypes.Transaction `json:"transactions"`
		Withdrawals  []*gethtypes.Withdrawal  `json:"withdrawals"`
	}
	if err := json.Unmarshal(raw, &gb); err != nil {
		return nil, fmt.Errorf("%s: go-ethereum transactions: %w", dir, err)
	}
	body := gethtypes.Body{Transactions: gb.Transactions}
	if gh.WithdrawalsHash != nil {
		body.Withdrawals = gb.Withdrawals
		if body.Withdrawals == nil {
			body.Withdrawals = []*gethtypes.Withdrawal{}
		}
	}
	b.geth = gethtypes.NewBlockWithHeader(&gh).WithBody(body)

	var pre map[string]preAccount
	if err := readJSON(filepath.Join(dir, "pre_state.json"), &pre); err != nil {
		return nil, err
	}
	b.pre = map[types.Address]*account{}
	for a, pa := range pre {
		acc := &account{nonce: pa.Nonce, storage: map[types.Hash]types.Hash{}}
		if err := types.ParseUint256Hex(pa.Balance, &acc.balance); err != nil {
			return nil, fmt.Errorf("%s: balance of %s: %w", dir, a, err)
		}
		if pa.CodeHash != "" {
			c, ok := codes[pa.CodeHash]
			if !ok {
				return nil, fmt.Errorf("%s: code %s of %s missing from the code map", dir, pa.CodeHash, a)
			}
			if acc.code, err = types.DecodeHex(c); err != nil {
				return nil, err
			}
		}
		for k, v := range pa.Storage {
			var kw, vw uint256.Int
			if err := types.ParseUint256Hex(k, &kw); err != nil {
				return nil, err
			}
			if err := types.ParseUint256Hex(v, &vw); err != nil {
				return nil, err
			}
			acc.storage[types.Hash(kw.Bytes32())] = types.Hash(vw.Bytes32())
		}
		b.pre[types.HexToAddress(a)] = acc
	}

	// Our pre-state, copied before every run.
	b.oursPre = statedb.New()
	for a, acc := range b.pre {
		b.oursPre.SetBalance(a, &acc.balance)
		b.oursPre.SetNonce(a, acc.nonce)
		if len(acc.code) > 0 {
			b.oursPre.SetCode(a, acc.code)
		}
		if len(acc.storage) > 0 {
			b.oursPre.SetStorage(a, acc.storage)
		}
	}
	b.oursPre.IntermediateRoot(false)

	// go-ethereum's pre-state: committed into a path-scheme trie database
	// (go-ethereum's default), whose layers also serve flat state reads.
	b.chain = newFakeChain(&gh, hashes)
	tdb := triedb.NewDatabase(rawdb.NewMemoryDatabase(), &triedb.Config{PathDB: pathdb.Defaults})
	b.gethDB = gethstate.NewDatabase(tdb, nil)
	sdb, err := gethstate.New(gethtypes.EmptyRootHash, b.gethDB)
	if err != nil {
		return nil, err
	}
	for a, acc := range b.pre {
		ga := gethcommon.Address(a)
		sdb.SetBalance(ga, &acc.balance, gethtracing.BalanceChangeUnspecified)
		sdb.SetNonce(ga, acc.nonce, gethtracing.NonceChangeUnspecified)
		if len(acc.code) > 0 {
			sdb.SetCode(ga, acc.code, gethtracing.CodeChangeUnspecified)
		}
		for k, v := range acc.storage {
			sdb.SetState(ga, gethcommon.Hash(k), gethcommon.Hash(v))
		}
		if len(acc.code) == 0 && acc.nonce == 0 && acc.balance.IsZero() && len(acc.storage) == 0 {
			// An existing empty account must exist in the trie too.
			sdb.CreateAccount(ga)
		}
	}
	rules := b.chain.cfg.Rules(new(big.Int).SetUint64(b.number-1), false, 0)
	root, err := sdb.Commit(rules, b.number-1)
	if err != nil {
		return nil, fmt.Errorf("%s: go-ethereum pre-state commit: %w", dir, err)
	}
	b.gethRoot = root
	return b, nil
}

// runOurs executes the block on a copy of our pre-state.
func (b *replayBlock) runOurs(workers int) (*evm.BlockResult, time.Duration, error) {
	st := b.oursPre.Copy()
	cfg := evm.BlockConfig{ChainID: 1, Schedule: mainnetSchedule, Workers: workers}
	getHash := func(n uint64) types.Hash { return b.hashes[n] }
	var withdrawals []*types.Withdrawal
	if b.fork >= forks.Shanghai {
		withdrawals = b.ours.Withdrawals
		if withdrawals == nil {
			withdrawals = []*types.Withdrawal{}
		}
	}
	start := time.Now()
	var res *evm.BlockResult
	var err error
	if workers > 1 {
		res, err = parallel.ExecuteBlock(b.ours.Header, b.ours.Transactions, nil, withdrawals, st, cfg, getHash)
	} else {
		res, err = evm.ExecuteBlock(b.ours.Header, b.ours.Transactions, nil, withdrawals, st, cfg, getHash)
	}
	return res, time.Since(start), err
}

// runGeth executes the block with go-ethereum's StateProcessor.Process on a
// fresh state.StateDB over the committed pre-state, then computes the state
// root, as go-ethereum's block import does before it validates.
func (b *replayBlock) runGeth() (uint64, gethcommon.Hash, time.Duration, error) {
	sdb, err := gethstate.New(b.gethRoot, b.gethDB)
	if err != nil {
		return 0, gethcommon.Hash{}, 0, err
	}
	proc := core.NewStateProcessor(b.chain)
	start := time.Now()
	res, err := proc.Process(context.Background(), b.geth, sdb, nil, nil, vm.Config{}, nil)
	if err != nil {
		return 0, gethcommon.Hash{}, 0, err
	}
	rules := b.chain.cfg.Rules(b.geth.Number(), b.geth.Difficulty().Sign() == 0, b.geth.Time())
	root := sdb.IntermediateRoot(rules)
	return res.GasUsed, root, time.Since(start), nil
}

// check runs both engines once and compares gas used with the header (and
// with each other) and our state root with go-ethereum's: both start from
// the same read set, so their roots must agree even though neither is the
// header's.
func (b *replayBlock) check() error {
	res, _, err := b.runOurs(1)
	if err != nil {
		return fmt.Errorf("ours: %w", err)
	}
	if res.GasUsed != b.gasUsed {
		return fmt.Errorf("ours used %d gas, header says %d", res.GasUsed, b.gasUsed)
	}
	if b.fork >= forks.Byzantium && res.ReceiptsRoot != b.ours.Header.ReceiptHash {
		return fmt.Errorf("our receipts root %x differs from the header's %x", res.ReceiptsRoot, b.ours.Header.ReceiptHash)
	}
	par, _, err := b.runOurs(2)
	if err != nil {
		return fmt.Errorf("ours, 2 workers: %w", err)
	}
	if par.StateRoot != res.StateRoot || par.GasUsed != res.GasUsed {
		return fmt.Errorf("2 workers disagree with sequential execution")
	}
	gas, root, _, err := b.runGeth()
	if err != nil {
		return fmt.Errorf("go-ethereum: %w", err)
	}
	if gas != b.gasUsed {
		return fmt.Errorf("go-ethereum used %d gas, header says %d", gas, b.gasUsed)
	}
	if [32]byte(root) != [32]byte(res.StateRoot) {
		return fmt.Errorf("our state root %x differs from go-ethereum's %x", res.StateRoot, root)
	}
	return nil
}

// fakeChain is the part of a chain go-ethereum's StateProcessor asks for:
// the config, the consensus engine (block rewards before the merge) and the
// headers BLOCKHASH walks back through, rebuilt from the fixture's hashes.
type fakeChain struct {
	cfg    *params.ChainConfig
	engine consensus.Engine
	head   *gethtypes.Header
	hashes map[uint64]types.Hash
}

func newFakeChain(head *gethtypes.Header, hashes map[uint64]types.Hash) *fakeChain {
	return &fakeChain{cfg: params.MainnetChainConfig, engine: beacon.New(ethash.NewFaker()), head: head, hashes: hashes}
}

func (c *fakeChain) Config() *params.ChainConfig      { return c.cfg }
func (c *fakeChain) Engine() consensus.Engine         { return c.engine }
func (c *fakeChain) CurrentHeader() *gethtypes.Header { return c.head }
func (c *fakeChain) GetHeader(hash gethcommon.Hash, number uint64) *gethtypes.Header {
	return c.GetHeaderByNumber(number)
}
func (c *fakeChain) GetHeaderByHash(hash gethcommon.Hash) *gethtypes.Header { return nil }

// GetHeaderByNumber returns a stand-in header whose ParentHash is the real
// hash of the block before it, which is all BLOCKHASH reads.
func (c *fakeChain) GetHeaderByNumber(number uint64) *gethtypes.Header {
	if number >= c.head.Number.Uint64() {
		return nil
	}
	h := &gethtypes.Header{Number: new(big.Int).SetUint64(number), Difficulty: new(big.Int)}
	if number > 0 {
		h.ParentHash = gethcommon.Hash(c.hashes[number-1])
	}
	return h
}

// loadMainnet loads the blocks to replay and checks both engines on each;
// blocks that fail a check are left out with a note.
func loadMainnet(o *options) ([]*replayBlock, []string, error) {
	base := filepath.Join(o.fixtures, "mainnet", "ethereum")
	var codes map[string]string
	if err := readJSON(filepath.Join(base, "bytecodes_recovered.json.gz"), &codes); err != nil {
		return nil, nil, err
	}
	var rawHashes map[string]string
	if err := readJSON(filepath.Join(base, "block_hashes.decoded.json"), &rawHashes); err != nil {
		return nil, nil, err
	}
	hashes := map[uint64]types.Hash{}
	for k, v := range rawHashes {
		n, err := strconv.ParseUint(k, 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("block_hashes.decoded.json: %q: %w", k, err)
		}
		hashes[n] = types.HexToHash(v)
	}
	names := quickBlocks
	if !o.quick {
		ents, err := os.ReadDir(filepath.Join(base, "blocks"))
		if err != nil {
			return nil, nil, err
		}
		names = nil
		for _, e := range ents {
			names = append(names, e.Name())
		}
	}
	sort.Slice(names, func(i, j int) bool {
		a, _ := strconv.Atoi(names[i])
		b, _ := strconv.Atoi(names[j])
		return a < b
	})
	var blocks []*replayBlock
	var notes []string
	for _, n := range names {
		b, err := loadReplayBlock(filepath.Join(base, "blocks", n), codes, hashes)
		if err == nil {
			err = b.check()
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("block %s left out: %v", n, err))
			fmt.Fprintf(o.log, "  block %s left out: %v\n", n, err)
			continue
		}
		blocks = append(blocks, b)
	}
	return blocks, notes, nil
}

// benchMainnet replays the mainnet fixture blocks: ours sequential and with
// 2 workers against go-ethereum's StateProcessor, on the same pre-state.
// One sample executes every block once; throughput is the blocks' summed
// gas over the summed execution time.
func benchMainnet(o *options) []Benchmark {
	blocks, notes, err := loadMainnet(o)
	if err != nil {
		return []Benchmark{{Name: "mainnet", Error: err.Error()}}
	}
	if len(blocks) == 0 {
		return []Benchmark{{Name: "mainnet", Error: "no block could be replayed"}}
	}
	var totalGas uint64
	var txs int
	for _, b := range blocks {
		totalGas += b.gasUsed
		txs += len(b.ours.Transactions)
	}
	all := func(f func(b *replayBlock) (time.Duration, error)) func() (float64, time.Duration, error) {
		return overBlocks(blocks, totalGas, func(b *replayBlock) string { return fmt.Sprintf("block %d", b.number) }, f)
	}
	ours := func(workers int) func(b *replayBlock) (time.Duration, error) {
		return func(b *replayBlock) (time.Duration, error) {
			_, d, err := b.runOurs(workers)
			return d, err
		}
	}
	impls := []impl{
		{name: "ours, 1 worker", workers: 1, run: all(ours(1))},
		{name: "ours, 2 workers", workers: 2, run: all(ours(2))},
		{name: "go-ethereum StateProcessor", geth: true, run: all(func(b *replayBlock) (time.Duration, error) {
			_, _, d, err := b.runGeth()
			return d, err
		})},
	}
	bm := runAlternating(fmt.Sprintf("mainnet replay, %d blocks", len(blocks)), "Mgas/s", 1e6, o.rounds, impls)
	bm.Note = fmt.Sprintf("%d blocks, %d transactions, %.1f Mgas; gas used, receipts root (from Byzantium) and both engines' state roots checked before timing", len(blocks), txs, float64(totalGas)/1e6)
	for _, n := range notes {
		bm.Note += "; " + n
	}
	o.logBench(bm)
	return []Benchmark{bm}
}
