package main

import (
	"context"
	"fmt"
	"math/big"
	"time"

	gethcommon "github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	gethstate "github.com/ethereum/go-ethereum/core/state"
	gethtracing "github.com/ethereum/go-ethereum/core/tracing"
	gethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/ethereum/go-ethereum/triedb/pathdb"

	"github.com/plasmaxpl/engine/bench"
	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/types"
)

// synthBlock is one block of a synthetic workload in both engines' forms.
type synthBlock struct {
	b        *bench.Block
	cfg      *params.ChainConfig
	db       gethstate.Database
	root     gethcommon.Hash
	txs      []*gethtypes.Transaction
	msgs     []*core.Message
	gasUsed  uint64
	sameRoot bool
}

// cancunConfig is a chain with every fork up to Cancun active from genesis,
// the rules the synthetic blocks run under.
func cancunConfig(chainID uint64) *params.ChainConfig {
	c := *params.MainnetChainConfig
	zero := big.NewInt(0)
	c.ChainID = new(big.Int).SetUint64(chainID)
	c.HomesteadBlock, c.EIP150Block, c.EIP155Block, c.EIP158Block = zero, zero, zero, zero
	c.ByzantiumBlock, c.ConstantinopleBlock, c.PetersburgBlock, c.IstanbulBlock = zero, zero, zero, zero
	c.MuirGlacierBlock, c.BerlinBlock, c.LondonBlock, c.ArrowGlacierBlock, c.GrayGlacierBlock = zero, zero, zero, zero, zero
	c.MergeNetsplitBlock, c.TerminalTotalDifficulty = zero, zero
	c.DAOForkBlock, c.DAOForkSupport = nil, false
	t := uint64(0)
	c.ShanghaiTime, c.CancunTime = &t, &t
	c.PragueTime, c.OsakaTime, c.BPO1Time, c.BPO2Time = nil, nil, nil, nil
	return &c
}

func newSynthBlock(b *bench.Block) (*synthBlock, error) {
	s := &synthBlock{b: b, cfg: cancunConfig(b.Config.ChainID)}
	tdb := triedb.NewDatabase(rawdb.NewMemoryDatabase(), &triedb.Config{PathDB: pathdb.Defaults})
	s.db = gethstate.NewDatabase(tdb, nil)
	sdb, err := gethstate.New(gethtypes.EmptyRootHash, s.db)
	if err != nil {
		return nil, err
	}
	for a, acc := range b.NewState().Dump() {
		ga := gethcommon.Address(a)
		sdb.CreateAccount(ga)
		sdb.SetBalance(ga, &acc.Balance, gethtracing.BalanceChangeUnspecified)
		sdb.SetNonce(ga, acc.Nonce, gethtracing.NonceChangeUnspecified)
		if len(acc.Code) > 0 {
			sdb.SetCode(ga, acc.Code, gethtracing.CodeChangeUnspecified)
		}
		for k, v := range acc.Storage {
			sdb.SetState(ga, gethcommon.Hash(k), gethcommon.Hash(v))
		}
	}
	h := b.Header
	if s.root, err = sdb.Commit(s.cfg.Rules(new(big.Int).SetUint64(h.Number-1), true, h.Time), h.Number-1); err != nil {
		return nil, err
	}
	for _, tx := range b.Txs {
		from, err := tx.Sender(b.Config.ChainID)
		if err != nil {
			return nil, err
		}
		var to *gethcommon.Address
		if tx.To() != nil {
			t := gethcommon.Address(*tx.To())
			to = &t
		}
		value, tip, feeCap := tx.Value(), tx.GasTipCap(), tx.GasFeeCap()
		gtx := gethtypes.NewTx(&gethtypes.DynamicFeeTx{ChainID: new(big.Int).SetUint64(s.b.Config.ChainID), Nonce: tx.Nonce(), GasTipCap: tip.ToBig(),
			GasFeeCap: feeCap.ToBig(), Gas: tx.GasLimit(), To: to, Value: value.ToBig(), Data: tx.Data()})
		price := tx.EffectiveGasPrice(h.BaseFee)
		s.txs = append(s.txs, gtx)
		s.msgs = append(s.msgs, &core.Message{From: gethcommon.Address(from), To: to, Nonce: tx.Nonce(), Value: &value,
			GasLimit: tx.GasLimit(), GasPrice: &price, GasFeeCap: &feeCap, GasTipCap: &tip, Data: tx.Data()})
	}
	// Check that both engines agree before timing anything.
	res, _, err := s.runOurs(1)
	if err != nil {
		return nil, fmt.Errorf("ours: %w", err)
	}
	gas, root, _, err := s.runGeth()
	if err != nil {
		return nil, fmt.Errorf("go-ethereum: %w", err)
	}
	if gas != res.GasUsed {
		return nil, fmt.Errorf("ours used %d gas, go-ethereum %d", res.GasUsed, gas)
	}
	s.gasUsed = gas
	s.sameRoot = [32]byte(root) == [32]byte(res.StateRoot)
	return s, nil
}

func (s *synthBlock) runOurs(workers int) (*evm.BlockResult, time.Duration, error) {
	st := s.b.NewState()
	cfg := s.b.Config
	cfg.Workers = workers
	start := time.Now()
	res, err := evm.ExecuteBlock(s.b.Header, s.b.Txs, nil, s.b.Withdrawals, st, cfg, s.b.GetHash)
	return res, time.Since(start), err
}

// runGeth executes the block's transactions with go-ethereum's per-transaction
// step of StateProcessor.Process (core.ApplyTransactionWithEVM, receipts
// included) on a fresh state.StateDB, then the state root. The senders are
// given (the synthetic transactions are not signed), as they are on our side.
func (s *synthBlock) runGeth() (uint64, gethcommon.Hash, time.Duration, error) {
	sdb, err := gethstate.New(s.root, s.db)
	if err != nil {
		return 0, gethcommon.Hash{}, 0, err
	}
	h := s.b.Header
	number := new(big.Int).SetUint64(h.Number)
	rnd := gethcommon.Hash(h.MixDigest)
	getHash := func(n uint64) gethcommon.Hash { return gethcommon.Hash(s.b.GetHash(n)) }
	start := time.Now()
	bctx := vm.BlockContext{CanTransfer: core.CanTransfer, Transfer: core.Transfer, GetHash: getHash,
		Coinbase: gethcommon.Address(h.Coinbase), BlockNumber: number, Time: h.Time, Difficulty: new(big.Int),
		BaseFee: h.BaseFee.ToBig(), BlobBaseFee: big.NewInt(1), GasLimit: h.GasLimit, Random: &rnd,
		CostPerStateByte: params.CostPerStateByte}
	e := vm.NewEVM(bctx, sdb, s.cfg, vm.Config{})
	gp := core.NewGasPool(h.GasLimit)
	var used uint64
	for i, msg := range s.msgs {
		sdb.SetTxContext(s.txs[i].Hash(), i, uint32(i+1))
		r, _, err := core.ApplyTransactionWithEVM(context.Background(), msg, gp, sdb, number, gethcommon.Hash{}, h.Time, s.txs[i], e)
		if err != nil {
			return 0, gethcommon.Hash{}, 0, fmt.Errorf("tx %d: %w", i, err)
		}
		used += r.GasUsed
	}
	root := sdb.IntermediateRoot(s.cfg.Rules(number, true, h.Time))
	return used, root, time.Since(start), nil
}

// benchSynthetic runs the synthetic workloads of the bench package: ours with
// 1 and 2 workers against go-ethereum executing the same transactions
// sequentially.
func benchSynthetic(o *options) []Benchmark {
	size := bench.DefaultSize
	if o.quick {
		size.Txs = 1000
	}
	var out []Benchmark
	for _, name := range []string{"transfers", "erc20", "amm", "chain"} {
		w, err := bench.Load(name, 1, size, o.fixtures)
		if err != nil {
			out = append(out, Benchmark{Name: name, Error: err.Error()})
			continue
		}
		var blocks []*synthBlock
		var totalGas uint64
		sameRoots := true
		var bad error
		for _, b := range w.Blocks {
			s, err := newSynthBlock(b)
			if err != nil {
				bad = fmt.Errorf("%s: %w", b.Name, err)
				break
			}
			blocks = append(blocks, s)
			totalGas += s.gasUsed
			sameRoots = sameRoots && s.sameRoot
		}
		if bad != nil {
			out = append(out, Benchmark{Name: name, Error: bad.Error()})
			continue
		}
		all := func(f func(s *synthBlock) (time.Duration, error)) func() (float64, time.Duration, error) {
			return overBlocks(blocks, totalGas, nil, f)
		}
		ours := func(workers int) func(s *synthBlock) (time.Duration, error) {
			return func(s *synthBlock) (time.Duration, error) {
				_, d, err := s.runOurs(workers)
				return d, err
			}
		}
		impls := []impl{
			{name: "ours, 1 worker", workers: 1, run: all(ours(1))},
			{name: "ours, 2 workers", workers: 2, run: all(ours(2))},
			{name: "go-ethereum, sequential", geth: true, run: all(func(s *synthBlock) (time.Duration, error) {
				_, _, d, err := s.runGeth()
				return d, err
			})},
		}
		bm := runAlternating(name, "Mgas/s", 1e6, o.rounds, impls)
		rootNote := "state roots equal"
		if !sameRoots {
			rootNote = "state roots differ (go-ethereum's side runs no EIP-4788 system call)"
		}
		bm.Note = fmt.Sprintf("%d blocks × %d transactions, %.1f Mgas; gas used equal on both sides, %s", len(blocks), w.Txs()/len(blocks), float64(totalGas)/1e6, rootNote)
		o.logBench(bm)
		out = append(out, bm)
	}
	return out
}

var _ = types.Hash{}
