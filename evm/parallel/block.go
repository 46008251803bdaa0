package parallel

import (
	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/types"
)

// ExecuteBlock is evm.ExecuteBlock with the transactions executed by
// ExecuteTxs (cfg.Workers of them at a time). It gives the same results as
// evm.ExecuteBlock for every worker count; evm.ExecuteBlock itself calls
// ExecuteTxs for cfg.Workers > 1 once this package is imported.
func ExecuteBlock(header *types.Header, txs []*types.Transaction, uncles []*types.Header, withdrawals []*types.Withdrawal,
	state evm.BlockState, cfg evm.BlockConfig, getHash func(uint64) types.Hash) (*evm.BlockResult, error) {
	return ExecuteBlockOpts(header, txs, uncles, withdrawals, state, cfg, getHash, Options{})
}

// ExecuteBlockOpts is ExecuteBlock with options (statistics for
// benchmarks, dependencies, thresholds).
func ExecuteBlockOpts(header *types.Header, txs []*types.Transaction, uncles []*types.Header, withdrawals []*types.Withdrawal,
	state evm.BlockState, cfg evm.BlockConfig, getHash func(uint64) types.Hash, opt Options) (*evm.BlockResult, error) {
	if opt.Stats != nil {
		// Filled by ExecuteTxsOpts; a block rejected before its
		// transactions run reports none.
		*opt.Stats = Stats{SequentialFrom: -1}
	}
	if cfg.Workers <= 1 {
		// evm's own loop, so that one worker here is exactly the
		// sequential engine a parallel run is compared with.
		if opt.Stats != nil {
			*opt.Stats = Stats{Txs: len(txs), Executions: int64(len(txs)), SequentialFrom: -1}
		}
		return evm.ExecuteBlock(header, txs, uncles, withdrawals, state, cfg, getHash)
	}
	return evm.ExecuteBlockTxs(header, txs, uncles, withdrawals, state, cfg, getHash,
		func(e *evm.EVM, state evm.BlockState, txs []*types.Transaction, cfg evm.BlockConfig, res *evm.BlockResult, included *[]*types.Transaction) error {
			return ExecuteTxsOpts(e, state, txs, cfg, res, included, opt)
		})
}
