package evm

import (
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/types"
)

// BlockContext is what the EVM knows of the block a transaction runs in.
type BlockContext struct {
	Coinbase    types.Address
	GasLimit    uint64
	Number      uint64
	Time        uint64
	Difficulty  uint256.Int
	Random      *types.Hash  // PREVRANDAO after the merge; nil before
	BaseFee     *uint256.Int // nil before London
	BlobBaseFee *uint256.Int // nil before Cancun
	// GetHash answers BLOCKHASH for the 256 blocks before Number.
	GetHash func(uint64) types.Hash
}

// TxContext is what the EVM knows of the transaction being executed.
type TxContext struct {
	Origin     types.Address
	GasPrice   uint256.Int // effective gas price
	BlobHashes []types.Hash
}

// Config selects the chain and fork rules and optional tracing.
type Config struct {
	ChainID uint64
	Rules   forks.Rules
	Tracer  Tracer // nil for no tracing
}
