package parallel

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/types"
)

// ExecuteBlock is evm.ExecuteBlock with the transactions executed by
// ExecuteTxs (cfg.Workers of them at a time). It gives the same results as
// evm.ExecuteBlock for every worker count.
//
// Until evm.ExecuteBlock calls ExecuteTxs itself for cfg.Workers > 1, this
// is the parallel block entry point. It hands blocks it does not cover
// (Prague, whose EIP-7685 requests are collected inside evm, and
// cfg.Workers <= 1) to evm.ExecuteBlock.
func ExecuteBlock(header *types.Header, txs []*types.Transaction, uncles []*types.Header, withdrawals []*types.Withdrawal,
	state evm.BlockState, cfg evm.BlockConfig, getHash func(uint64) types.Hash) (*evm.BlockResult, error) {
	return ExecuteBlockOpts(header, txs, uncles, withdrawals, state, cfg, getHash, Options{})
}

// ExecuteBlockOpts is ExecuteBlock with options.
func ExecuteBlockOpts(header *types.Header, txs []*types.Transaction, uncles []*types.Header, withdrawals []*types.Withdrawal,
	state evm.BlockState, cfg evm.BlockConfig, getHash func(uint64) types.Hash, opt Options) (*evm.BlockResult, error) {

	fork := cfg.ForkAt(header.Number, header.Time)
	rules := forks.RulesFor(fork)
	if cfg.Workers <= 1 || rules.IsPrague {
		if opt.Stats != nil {
			*opt.Stats = Stats{Txs: len(txs), Executions: int64(len(txs)), SequentialFrom: -1}
		}
		return evm.ExecuteBlock(header, txs, uncles, withdrawals, state, cfg, getHash)
	}
	if rules.IsMerge && len(uncles) > 0 {
		return nil, fmt.Errorf("%w: %d uncles", evm.ErrUnclesPostMerge, len(uncles))
	}
	if rules.IsShanghai && withdrawals == nil {
		return nil, fmt.Errorf("%w: no withdrawals list at %v", evm.ErrMissingWithdrawals, fork)
	}
	if !rules.IsShanghai && withdrawals != nil {
		return nil, fmt.Errorf("%w: withdrawals list at %v", evm.ErrUnexpectedWithdrawals, fork)
	}
	if rules.IsCancun && (header.ParentBeaconRoot == nil || header.ExcessBlobGas == nil) {
		return nil, fmt.Errorf("%w: Cancun header fields", evm.ErrMissingHeaderField)
	}
	if rules.IsLondon && header.BaseFee == nil {
		return nil, fmt.Errorf("%w: base fee", evm.ErrMissingHeaderField)
	}

	bc := evm.BlockContext{
		Coinbase:   header.Coinbase,
		GasLimit:   header.GasLimit,
		Number:     header.Number,
		Time:       header.Time,
		Difficulty: header.Difficulty,
		GetHash:    getHash,
	}
	if rules.IsMerge {
		rnd := header.MixDigest
		bc.Random = &rnd
	}
	if rules.IsLondon {
		bc.BaseFee = new(uint256.Int).Set(header.BaseFee)
	}
	if rules.IsCancun {
		bc.BlobBaseFee = evm.BlobBaseFee(*header.ExcessBlobGas, fork)
	}
	e := evm.New(bc, state, evm.Config{ChainID: cfg.ChainID, Rules: rules, Tracer: cfg.Tracer})

	if rules.IsCancun { // EIP-4788
		e.SetTxContext(evm.TxContext{Origin: evm.SystemAddress})
		state.AddAddressToAccessList(evm.BeaconRootsAddress)
		tracer := e.Config.Tracer
		e.Config.Tracer = nil
		e.Call(evm.SystemAddress, evm.BeaconRootsAddress, header.ParentBeaconRoot[:], evm.SystemCallGas, nil)
		e.Config.Tracer = tracer
		state.Finalise(true)
	}

	res := &evm.BlockResult{Receipts: make([]*types.Receipt, 0, len(txs))}
	included := txs
	if cfg.SkipInvalidTxs {
		included = make([]*types.Transaction, 0, len(txs))
	}
	// The transaction root does not depend on execution (unless invalid
	// transactions are skipped): compute it meanwhile.
	var txRoot chan types.Hash
	if !cfg.SkipInvalidTxs && len(txs) >= MinParallelTxs {
		txRoot = make(chan types.Hash, 1)
		go func() { txRoot <- listRoot(txs) }()
	}
	if err := ExecuteTxsOpts(e, state, txs, cfg, res, &included, opt); err != nil {
		if txRoot != nil {
			<-txRoot
		}
		return nil, err
	}

	if !rules.IsMerge {
		reward := cfg.BlockReward
		if reward == nil {
			reward = evm.BlockRewardFor(fork)
		}
		var minerReward, r, perUncle uint256.Int
		minerReward.Set(reward)
		perUncle.Rsh(reward, 5)
		for _, u := range uncles {
			r.SetUint64(u.Number + 8 - header.Number)
			r.Mul(&r, reward)
			r.Rsh(&r, 3)
			state.AddBalance(u.Coinbase, &r)
			minerReward.Add(&minerReward, &perUncle)
		}
		state.AddBalance(header.Coinbase, &minerReward)
	}
	if rules.IsShanghai { // EIP-4895
		var amount uint256.Int
		gwei := uint256.NewInt(1_000_000_000)
		for _, w := range withdrawals {
			amount.SetUint64(w.Amount)
			amount.Mul(&amount, gwei)
			state.AddBalance(w.Address, &amount)
		}
		state.Finalise(true)
		root := merkle.ListRoot(len(withdrawals), func(i int, buf []byte) []byte {
			return withdrawals[i].AppendRLP(buf)
		})
		res.WithdrawalsRoot = &root
	}

	// The receipts root and bloom are computed while the state root is.
	done := make(chan struct{})
	go func() {
		res.ReceiptsRoot = merkle.ListRoot(len(res.Receipts), func(i int, buf []byte) []byte {
			b, _ := res.Receipts[i].AppendBinary(buf)
			return b
		})
		for _, r := range res.Receipts {
			res.Bloom.Or(&r.Bloom)
		}
		close(done)
	}()
	if rs, ok := state.(rootWorkers); ok {
		res.StateRoot = rs.IntermediateRootWorkers(rules.IsEIP158, cfg.Workers)
	} else {
		res.StateRoot = state.IntermediateRoot(rules.IsEIP158)
	}
	if txRoot != nil {
		res.TxRoot = <-txRoot
	} else {
		res.TxRoot = listRoot(included)
	}
	<-done
	return res, nil
}

// rootWorkers is a block state that computes its root on several
// goroutines (statedb.StateDB does).
type rootWorkers interface {
	IntermediateRootWorkers(deleteEmptyObjects bool, workers int) types.Hash
}

func listRoot(txs []*types.Transaction) types.Hash {
	return merkle.ListRoot(len(txs), func(i int, buf []byte) []byte {
		b, _ := txs[i].AppendBinary(buf)
		return b
	})
}
