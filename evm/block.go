package evm

import (
	"fmt"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/internal/split"
	"github.com/plasmaxpl/engine/merkle"
	"github.com/plasmaxpl/engine/types"
)

// BlockState is the world state a block executes against: the
// interpreter's StateDB plus the end-of-transaction and root operations.
// statedb.StateDB implements it.
type BlockState interface {
	StateDB
	// Finalise ends a transaction (EIP-161 clearing with deleteEmptyObjects).
	Finalise(deleteEmptyObjects bool)
	// IntermediateRoot finalises and returns the state root.
	IntermediateRoot(deleteEmptyObjects bool) types.Hash
	// Logs returns the logs of the current transaction.
	Logs() []*types.Log
	// SetTxContext sets the hash and index the following logs carry.
	SetTxContext(txHash types.Hash, txIndex int)
}

// BlockConfig selects the chain, the fork and how a block is executed.
type BlockConfig struct {
	ChainID uint64
	// Fork is the fork every block runs under, unless Schedule is set.
	Fork forks.Fork
	// Schedule, when set, picks the fork from the block number and time.
	Schedule func(number, time uint64) forks.Fork
	// Workers is the number of transactions executed concurrently; 0 and 1
	// mean sequential. The result does not depend on it.
	Workers int
	// Tracer, when set, receives the interpreter's steps of every
	// transaction (not of system calls).
	Tracer Tracer
	// DepositContract is the EIP-6110 deposit contract; the zero address
	// means mainnet's.
	DepositContract types.Address
	// BlockReward overrides the fork's proof-of-work block reward (nil:
	// the fork's; zero pays nothing). Ignored after the merge.
	BlockReward *uint256.Int
	// SkipInvalidTxs records invalid transactions in BlockResult.Rejected
	// and goes on (as a t8n tool does) instead of failing the block.
	SkipInvalidTxs bool
}

// ForkAt returns the fork of the block with the given number and time.
func (c *BlockConfig) ForkAt(number, time uint64) forks.Fork {
	if c.Schedule != nil {
		return c.Schedule(number, time)
	}
	return c.Fork
}

// RejectedTx is a transaction left out of a block because it is invalid
// (only with BlockConfig.SkipInvalidTxs).
type RejectedTx struct {
	Index int // position in the input list
	Err   error
}

// BlockResult is the outcome of executing a block.
type BlockResult struct {
	// Receipts holds one receipt per included transaction.
	Receipts    []*types.Receipt
	GasUsed     uint64
	BlobGasUsed uint64
	Bloom       types.Bloom

	ReceiptsRoot types.Hash
	// TxRoot is the root of the included transactions.
	TxRoot    types.Hash
	StateRoot types.Hash
	// WithdrawalsRoot is set from Shanghai.
	WithdrawalsRoot *types.Hash

	// Requests are the EIP-7685 requests from Prague, each its type byte
	// followed by its data; types with no data are left out.
	Requests [][]byte
	// RequestsHash is EIP-7685's commitment to Requests (Prague).
	RequestsHash *types.Hash

	// Rejected lists invalid transactions skipped with SkipInvalidTxs.
	Rejected []RejectedTx

	// receipts is the storage AppendReceipt takes receipts from, one
	// allocation for as many receipts as Receipts has room for.
	receipts []types.Receipt
}

// newReceipt returns a zero receipt for res.
func (res *BlockResult) newReceipt() *types.Receipt {
	if len(res.receipts) == cap(res.receipts) {
		res.receipts = make([]types.Receipt, 0, max(cap(res.Receipts)-len(res.Receipts), 16))
	}
	res.receipts = res.receipts[:len(res.receipts)+1]
	return &res.receipts[len(res.receipts)-1]
}

// Block rewards before the merge, in wei.
var (
	blockRewardFrontier       = uint256.MustFromDecimal("5000000000000000000") // 5 ETH
	blockRewardByzantium      = uint256.MustFromDecimal("3000000000000000000") // EIP-649
	blockRewardConstantinople = uint256.MustFromDecimal("2000000000000000000") // EIP-1234
)

// BlockRewardFor returns the proof-of-work block reward of fork (zero
// from the merge).
func BlockRewardFor(fork forks.Fork) *uint256.Int {
	r := forks.RulesFor(fork)
	switch {
	case r.IsMerge:
		return new(uint256.Int)
	case r.IsConstantinople:
		return new(uint256.Int).Set(blockRewardConstantinople)
	case r.IsByzantium:
		return new(uint256.Int).Set(blockRewardByzantium)
	}
	return new(uint256.Int).Set(blockRewardFrontier)
}

// ExecuteBlock executes a block's transactions on state and returns the
// receipts, gas used, roots and requests. It applies, in order: the
// EIP-4788 beacon root and EIP-2935 parent hash system calls (Cancun,
// Prague), the transactions, the block and uncle rewards (before the
// merge), the EIP-4895 withdrawals (Shanghai), and the EIP-7685 requests
// (Prague: EIP-6110 deposits, EIP-7002 withdrawals, EIP-7251
// consolidations). getHash answers BLOCKHASH (nil: zero hashes). withdrawals must be non-nil
// (possibly empty) from Shanghai and nil before.
//
// An error means the block is invalid (an invalid transaction, a failed
// mandatory system call, a malformed deposit log, missing fork fields);
// state is then partly modified and must be discarded. ExecuteBlock does
// not compare the results with header (see ValidateBlockResult) nor check
// the header against its parent (see ValidateHeader).
func ExecuteBlock(header *types.Header, txs []*types.Transaction, uncles []*types.Header, withdrawals []*types.Withdrawal,
	state BlockState, cfg BlockConfig, getHash func(uint64) types.Hash) (*BlockResult, error) {
	applyTxs := blockApplyTxs
	if cfg.Workers > 1 && parallelTxs != nil {
		applyTxs = parallelTxs
	}
	return ExecuteBlockTxs(header, txs, uncles, withdrawals, state, cfg, getHash, applyTxs)
}

// ExecuteBlockTxs is ExecuteBlock with the transactions executed by
// applyTxs, which must give exactly the results of the sequential loop (a
// parallel executor with options of its own calls it).
//
// With cfg.Workers > 1 the work around the transactions of a block of at
// least concurrentRootsMinTxs transactions uses the workers too: the
// transaction root is computed while the transactions run (unless invalid
// ones are skipped), the receipts root and bloom while the state root is,
// and the state root on cfg.Workers goroutines when state can
// (statedb.StateDB.IntermediateRootWorkers). The results are the same.
func ExecuteBlockTxs(header *types.Header, txs []*types.Transaction, uncles []*types.Header, withdrawals []*types.Withdrawal,
	state BlockState, cfg BlockConfig, getHash func(uint64) types.Hash, applyTxs TxsExecutor) (*BlockResult, error) {

	fork := cfg.ForkAt(header.Number, header.Time)
	rules := forks.RulesFor(fork)
	if err := blockCheckOptional(header, rules); err != nil {
		return nil, err
	}
	if rules.IsMerge && len(uncles) > 0 {
		return nil, fmt.Errorf("%w: %d uncles", ErrUnclesPostMerge, len(uncles))
	}
	// A block body has a withdrawals list exactly from Shanghai (EIP-4895);
	// nil means the body had none.
	if rules.IsShanghai && withdrawals == nil {
		return nil, fmt.Errorf("%w: no withdrawals list at %v", ErrMissingWithdrawals, fork)
	}
	if !rules.IsShanghai && withdrawals != nil {
		return nil, fmt.Errorf("%w: withdrawals list at %v", ErrUnexpectedWithdrawals, fork)
	}

	if getHash == nil {
		getHash = func(uint64) types.Hash { return types.Hash{} }
	}
	bc := BlockContext{
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
		bc.BlobBaseFee = BlobBaseFee(*header.ExcessBlobGas, fork)
	}
	e := New(bc, state, Config{ChainID: cfg.ChainID, Rules: rules, Tracer: cfg.Tracer})

	// System calls before the transactions.
	if rules.IsCancun {
		blockSystemCall(e, state, BeaconRootsAddress, header.ParentBeaconRoot[:]) // EIP-4788
	}
	if rules.IsPrague {
		blockSystemCall(e, state, HistoryStorageAddress, header.ParentHash[:]) // EIP-2935
	}

	res := &BlockResult{Receipts: make([]*types.Receipt, 0, len(txs))}
	included := txs
	if cfg.SkipInvalidTxs {
		included = make([]*types.Transaction, 0, len(txs))
	}
	concurrent := cfg.Workers > 1 && len(txs) >= concurrentRootsMinTxs
	// The transaction root does not depend on execution unless invalid
	// transactions are skipped.
	var txRoot *split.Task
	if concurrent && !cfg.SkipInvalidTxs {
		txRoot = split.Go(func() { res.TxRoot = txListRoot(txs) })
	}
	if err := applyTxs(e, state, txs, cfg, res, &included); err != nil {
		if txRoot != nil {
			txRoot.Wait()
		}
		return nil, err
	}

	// Rewards before the merge.
	if !rules.IsMerge {
		reward := cfg.BlockReward
		if reward == nil {
			reward = BlockRewardFor(fork)
		}
		blockAccumulateRewards(state, header, uncles, reward)
	}

	// EIP-4895 withdrawals: gwei credited after the transactions, no gas.
	if rules.IsShanghai {
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

	// EIP-7685 requests.
	if rules.IsPrague {
		if err := blockRequests(e, state, cfg, res); err != nil {
			return nil, err
		}
	}

	receipts := func() {
		res.ReceiptsRoot = merkle.ListRoot(len(res.Receipts), func(i int, buf []byte) []byte {
			b, _ := res.Receipts[i].AppendBinary(buf)
			return b
		})
		for _, r := range res.Receipts {
			res.Bloom.Or(&r.Bloom)
		}
	}
	if !concurrent {
		res.StateRoot = state.IntermediateRoot(rules.IsEIP158)
		res.TxRoot = txListRoot(included)
		receipts()
		return res, nil
	}
	receiptsRoot := split.Go(receipts)
	if txRoot == nil {
		txRoot = split.Go(func() { res.TxRoot = txListRoot(included) })
	}
	if rs, ok := state.(rootWorkers); ok {
		res.StateRoot = rs.IntermediateRootWorkers(rules.IsEIP158, cfg.Workers)
	} else {
		res.StateRoot = state.IntermediateRoot(rules.IsEIP158)
	}
	txRoot.Wait()
	receiptsRoot.Wait()
	return res, nil
}

// concurrentRootsMinTxs is the number of transactions below which a block
// computes its roots one after the other even with several workers: handing
// them out costs more than the roots of so few transactions take (measured
// on the small fixture mainnet blocks, 0.60-0.93x with new goroutines; with
// the helpers of internal/split, no measurable difference either way).
const concurrentRootsMinTxs = 32

// rootWorkers is a block state that computes its root on several
// goroutines (statedb.StateDB does).
type rootWorkers interface {
	IntermediateRootWorkers(deleteEmptyObjects bool, workers int) types.Hash
}

// txListRoot is the transaction root of txs, whose types were checked on
// inclusion.
func txListRoot(txs []*types.Transaction) types.Hash {
	return merkle.ListRoot(len(txs), func(i int, buf []byte) []byte {
		b, _ := txs[i].AppendBinary(buf)
		return b
	})
}

// TxsExecutor executes a block's transactions against state, appending
// receipts to res and, with SkipInvalidTxs, the included transactions to
// included. It must give exactly the results of sequential execution.
type TxsExecutor func(e *EVM, state BlockState, txs []*types.Transaction, cfg BlockConfig, res *BlockResult, included *[]*types.Transaction) error

// parallelTxs runs blocks with BlockConfig.Workers > 1. The parallel
// executor (package evm/parallel, which imports this one) registers itself
// here when a program imports it; without it every block runs
// sequentially.
var parallelTxs TxsExecutor

// RegisterParallelExecutor installs the executor used when
// BlockConfig.Workers > 1. Call it from an init function only.
func RegisterParallelExecutor(fn TxsExecutor) { parallelTxs = fn }

// blockApplyTxs executes the transactions in order, appending receipts to
// res and, with SkipInvalidTxs, the included ones to included.
func blockApplyTxs(e *EVM, state BlockState, txs []*types.Transaction, cfg BlockConfig, res *BlockResult, included *[]*types.Transaction) error {
	return ApplyTxsFrom(e, state, txs, cfg, res, included, 0, nil)
}

// ApplyTxsFrom executes txs[from:] one after the other on state, appending
// their receipts to res (after the from receipts already there) and, with
// SkipInvalidTxs, the included ones to included: the sequential
// transaction loop of ExecuteBlock, which a parallel executor also calls
// to finish a block sequentially. msgs, when not nil, holds transactions
// already converted to messages (a nil entry is converted here). Log
// indices continue from the logs of the receipts in res.
func ApplyTxsFrom(e *EVM, state BlockState, txs []*types.Transaction, cfg BlockConfig, res *BlockResult, included *[]*types.Transaction, from int, msgs []*Message) error {
	rules := e.rules
	gp := GasPool(e.Context.GasLimit - min(res.GasUsed, e.Context.GasLimit))
	maxBlobGas := MaxBlobGasPerBlock(rules.Fork)
	var logIndex uint
	for _, r := range res.Receipts {
		logIndex += uint(len(r.Logs))
	}
	for i := from; i < len(txs); i++ {
		tx := txs[i]
		var msg *Message
		var err error
		if msgs != nil && msgs[i] != nil {
			msg = msgs[i]
		} else {
			msg, err = blockTxMessage(e, tx, cfg.ChainID)
		}
		if err == nil && rules.IsCancun {
			if blobGas := uint64(len(tx.BlobHashes())) * GasPerBlob; res.BlobGasUsed+blobGas > maxBlobGas {
				err = fmt.Errorf("%w: block blob gas %d + %d > %d", ErrTooManyBlobs, res.BlobGasUsed, blobGas, maxBlobGas)
			}
		}
		var out *ExecutionResult
		if err == nil {
			state.SetTxContext(tx.Hash(), len(res.Receipts))
			out, err = ApplyMessage(e, msg, &gp)
		}
		if err != nil {
			if cfg.SkipInvalidTxs {
				res.Rejected = append(res.Rejected, RejectedTx{Index: i, Err: err})
				continue
			}
			return fmt.Errorf("%w %d [%v]: %w", ErrInvalidTx, i, tx.Hash(), err)
		}
		if cfg.SkipInvalidTxs {
			*included = append(*included, tx)
		}
		logs := state.Logs()
		for _, l := range logs {
			l.Index = logIndex
			logIndex++
		}
		AppendReceipt(e, tx, msg, out, logs, nil, res, state)
	}
	return nil
}

// AppendReceipt adds a transaction's gas to res and appends its receipt.
// With state set it first finalises the transaction on it (Finalise from
// Byzantium, else the intermediate root the receipt holds); a nil state,
// from Byzantium only, leaves the state alone (a parallel executor that
// writes the state in bulk). bloom, when not nil, is the bloom of logs,
// already computed.
func AppendReceipt(e *EVM, tx *types.Transaction, msg *Message, out *ExecutionResult, logs []*types.Log, bloom *types.Bloom, res *BlockResult, state BlockState) {
	rules := e.rules
	res.GasUsed += out.UsedGas
	res.BlobGasUsed += out.BlobGasUsed
	r := res.newReceipt()
	*r = types.Receipt{
		Type:              tx.Type(),
		CumulativeGasUsed: res.GasUsed,
		TxHash:            tx.Hash(),
		GasUsed:           out.UsedGas,
		EffectiveGasPrice: msg.GasPrice,
		BlobGasUsed:       out.BlobGasUsed,
		BlockNumber:       e.Context.Number,
		TransactionIndex:  uint(len(res.Receipts)),
	}
	if rules.IsByzantium {
		if state != nil {
			state.Finalise(true)
		}
		if out.Failed() {
			r.Status = types.ReceiptStatusFailed
		} else {
			r.Status = types.ReceiptStatusSuccessful
		}
	} else {
		root := state.IntermediateRoot(rules.IsEIP158)
		r.PostState = root[:]
	}
	if out.BlobGasUsed > 0 {
		r.BlobGasPrice = *e.Context.BlobBaseFee
	}
	if out.ContractAddress != nil {
		r.ContractAddress = *out.ContractAddress
	}
	r.Logs = logs
	for _, l := range r.Logs {
		l.BlockNumber = e.Context.Number
	}
	if bloom != nil {
		r.Bloom = *bloom
	} else {
		r.Bloom = LogsBloom(r.Logs)
	}
	res.Receipts = append(res.Receipts, r)
}

// TxSender checks that a transaction may appear in a block under rules
// (type active, EIP-155 protection only once EIP-155 is active, a valid
// signature by the fork's signer rules) and returns its sender.
func TxSender(tx *types.Transaction, rules forks.Rules, chainID uint64) (types.Address, error) {
	if err := CheckTxType(tx.Type(), rules); err != nil {
		return types.Address{}, err
	}
	if tx.Type() == types.LegacyTxType && tx.Protected() && !rules.IsEIP155 {
		return types.Address{}, fmt.Errorf("%w: replay-protected transaction before EIP-155", types.ErrInvalidSig)
	}
	if rules.IsHomestead {
		return tx.Sender(chainID)
	}
	return tx.SenderFrontier(chainID)
}

// blockTxMessage checks that a transaction may appear in a block of the
// fork and converts it.
func blockTxMessage(e *EVM, tx *types.Transaction, chainID uint64) (*Message, error) {
	from, err := TxSender(tx, e.rules, chainID)
	if err != nil {
		return nil, err
	}
	return TransactionToMessage(tx, from, e.Context.BaseFee), nil
}

// blockAccumulateRewards pays the miner reward + reward/32 per uncle, and
// each uncle's miner (uncle.Number + 8 - number) * reward / 8.
func blockAccumulateRewards(state BlockState, header *types.Header, uncles []*types.Header, reward *uint256.Int) {
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
