package evm_test

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// An embedder executes a block of signed transactions against its state
// and checks the result against the header it was given.
func ExampleExecuteBlock() {
	key, _ := types.ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	sender := types.PrivateKeyToAddress(key)
	recipient := types.HexToAddress("0x00000000000000000000000000000000000000aa")

	// Pre-state: a funded sender.
	state := statedb.New()
	state.SetBalance(sender, uint256.NewInt(1_000_000_000_000_000))
	state.IntermediateRoot(true)

	// One EIP-1559 transfer.
	tx, _ := types.SignTx(&types.TxData{
		Type: types.DynamicFeeTxType, ChainID: *uint256.NewInt(1), Nonce: 0,
		GasTipCap: *uint256.NewInt(1), GasFeeCap: *uint256.NewInt(100), Gas: 21000,
		To: &recipient, Value: *uint256.NewInt(12345),
	}, key)

	header := &types.Header{
		Number: 1, Time: 12, GasLimit: 30_000_000, BaseFee: uint256.NewInt(7),
		Coinbase:  types.HexToAddress("0x00000000000000000000000000000000000000c0"),
		UncleHash: types.EmptyListHash, WithdrawalsHash: &types.EmptyRootHash,
	}
	cfg := evm.BlockConfig{ChainID: 1, Fork: forks.Shanghai, Workers: 1}
	getHash := func(n uint64) types.Hash { return types.Hash{} } // the embedder's block hashes

	res, err := evm.ExecuteBlock(header, []*types.Transaction{tx}, nil, []*types.Withdrawal{}, state, cfg, getHash)
	if err != nil {
		fmt.Println("invalid block:", err)
		return
	}
	fmt.Println("gas used:", res.GasUsed, "status:", res.Receipts[0].Status)
	bal := state.GetBalance(recipient)
	fmt.Println("recipient balance:", bal.Uint64())

	// An importer copies the results into the header (a builder) or
	// compares them with it (a validator).
	header.GasUsed, header.Root, header.ReceiptHash, header.TxHash, header.Bloom =
		res.GasUsed, res.StateRoot, res.ReceiptsRoot, res.TxRoot, res.Bloom
	fmt.Println("valid:", evm.ValidateBlockResult(header, res) == nil)
	// Output:
	// gas used: 21000 status: 1
	// recipient balance: 12345
	// valid: true
}
