// Package bench holds the engine's benchmark workloads and the harness
// that runs them: deterministic synthetic blocks built from a fixed seed
// (transfers, erc20, amm, chain) and real mainnet blocks from the
// fixtures, each executed sequentially and in parallel in the same run.
//
// Transactions of the synthetic workloads carry their sender (as blocks
// whose senders were recovered on arrival do) and the mainnet blocks'
// senders come from the fixtures, so signature recovery is not part of any
// measurement.
package bench

import (
	"fmt"
	"math/rand/v2"
	"sort"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// Block is one block of a workload, ready to execute any number of times.
type Block struct {
	Name        string
	Header      *types.Header
	Txs         []*types.Transaction
	Withdrawals []*types.Withdrawal
	Config      evm.BlockConfig // Workers is set by the harness
	// NewState returns a fresh copy of the block's pre-state.
	NewState func() *statedb.StateDB
	GetHash  func(uint64) types.Hash
}

// Workload is a named list of blocks.
type Workload struct {
	Name   string
	Blocks []*Block
}

// Txs returns the number of transactions of w.
func (w *Workload) Txs() int {
	n := 0
	for _, b := range w.Blocks {
		n += len(b.Txs)
	}
	return n
}

// Size scales the synthetic workloads.
type Size struct {
	Blocks int // blocks per workload
	Txs    int // transactions per block
}

// DefaultSize is what `plasma bench` runs when not told otherwise.
var DefaultSize = Size{Blocks: 2, Txs: 2000}

// synthetic workload generators by name.
var synthetic = map[string]func(seed uint64, s Size) *Workload{
	"transfers": Transfers,
	"erc20":     ERC20,
	"amm":       AMM,
	"chain":     Chain,
}

// Names lists the workloads Load knows, mainnet last.
func Names() []string {
	var n []string
	for k := range synthetic {
		n = append(n, k)
	}
	sort.Strings(n)
	return append(n, "mainnet")
}

// Load builds the named workload. fixtures is the fixtures directory (for
// mainnet).
func Load(name string, seed uint64, s Size, fixtures string) (*Workload, error) {
	if g, ok := synthetic[name]; ok {
		return g(seed, s), nil
	}
	if name == "mainnet" {
		return Mainnet(fixtures)
	}
	return nil, fmt.Errorf("unknown workload %q (have %v)", name, Names())
}

const chainID = 1

// synthFork is the fork synthetic blocks run under.
const synthFork = forks.Cancun

func addr(prefix byte, i int) types.Address {
	var a types.Address
	a[0] = prefix
	a[16], a[17], a[18], a[19] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
	return a
}

var baseFee = uint256.NewInt(7)

// newTx returns an EIP-1559 transaction from sender; the sender is
// recorded on the transaction, which is not signed.
func newTx(from types.Address, nonce uint64, to *types.Address, value uint64, gas uint64, data []byte, tip uint64) *types.Transaction {
	d := &types.TxData{Type: types.DynamicFeeTxType, Nonce: nonce, Gas: gas, To: to, Data: data}
	d.ChainID.SetUint64(chainID)
	d.Value.SetUint64(value)
	d.GasTipCap.SetUint64(tip)
	d.GasFeeCap.SetUint64(baseFee.Uint64() + tip + 3)
	d.R.SetUint64(1)
	d.S.SetUint64(1)
	tx := types.NewTx(d)
	tx.CacheSender(chainID, from)
	return tx
}

func synthBlock(name string, number uint64, txs []*types.Transaction, pre *statedb.StateDB) *Block {
	z := uint64(0)
	h := &types.Header{
		Number: number, Time: 1_700_000_000 + number*12, GasLimit: 2_000_000_000,
		Coinbase: types.Address{0: 0xc0, 19: 0xbb}, BaseFee: baseFee,
		UncleHash: types.EmptyListHash, WithdrawalsHash: &types.EmptyRootHash,
		BlobGasUsed: &z, ExcessBlobGas: &z, ParentBeaconRoot: &types.Hash{},
	}
	pre.IntermediateRoot(true)
	return &Block{
		Name: fmt.Sprintf("%s/%d", name, number), Header: h, Txs: txs, Withdrawals: []*types.Withdrawal{},
		Config:   evm.BlockConfig{ChainID: chainID, Fork: synthFork},
		NewState: pre.Copy,
		GetHash:  func(n uint64) types.Hash { return types.Hash{0: byte(n), 1: byte(n >> 8)} },
	}
}

// Transfers: independent value transfers, each from its own sender to a
// random one of many recipients (a third of them new accounts).
func Transfers(seed uint64, s Size) *Workload {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := &Workload{Name: "transfers"}
	for b := range s.Blocks {
		pre := statedb.New()
		recipients := 4 * s.Txs
		for i := range recipients {
			if i%3 != 0 {
				pre.SetBalance(addr(0xee, i), uint256.NewInt(1))
			}
		}
		var txs []*types.Transaction
		for i := range s.Txs {
			from := addr(0xaa, b*s.Txs+i)
			pre.SetBalance(from, uint256.NewInt(1e18))
			to := addr(0xee, rng.IntN(recipients))
			txs = append(txs, newTx(from, 0, &to, 1+uint64(rng.IntN(1000)), 21000, nil, 1+uint64(rng.IntN(3))))
		}
		pre.Finalise(true)
		w.Blocks = append(w.Blocks, synthBlock(w.Name, uint64(b+1), txs, pre))
	}
	return w
}

// Chain: every transaction depends on the one before it: each increments
// one counter of one contract (and the contract emits the new value).
func Chain(seed uint64, s Size) *Workload {
	w := &Workload{Name: "chain"}
	counter := types.Address{0: 0xcc, 19: 1}
	for b := range s.Blocks {
		pre := statedb.New()
		pre.SetCode(counter, CounterCode())
		pre.SetNonce(counter, 1)
		var txs []*types.Transaction
		for i := range s.Txs {
			from := addr(0xaa, b*s.Txs+i)
			pre.SetBalance(from, uint256.NewInt(1e18))
			txs = append(txs, newTx(from, 0, &counter, 0, 60_000, nil, 1))
		}
		pre.Finalise(true)
		w.Blocks = append(w.Blocks, synthBlock(w.Name, uint64(b+1), txs, pre))
	}
	return w
}

// ERC20: transfers of one token between random holders. Each holder
// sends at most once per block; recipients are random holders, so some
// transactions conflict on a recipient's balance.
func ERC20(seed uint64, s Size) *Workload {
	rng := rand.New(rand.NewPCG(seed, 2))
	w := &Workload{Name: "erc20"}
	token := types.Address{0: 0x70, 19: 0x20}
	holders := 5 * s.Txs
	for b := range s.Blocks {
		pre := statedb.New()
		pre.SetCode(token, TokenCode())
		pre.SetNonce(token, 1)
		storage := make(map[types.Hash]types.Hash, holders)
		for i := range holders {
			h := addr(0xaa, i)
			pre.SetBalance(h, uint256.NewInt(1e18))
			storage[TokenBalanceSlot(h)] = types.Hash(uint256.NewInt(1_000_000).Bytes32())
		}
		pre.SetStorage(token, storage)
		senders := rng.Perm(holders)[:s.Txs]
		var txs []*types.Transaction
		for _, si := range senders {
			from := addr(0xaa, si)
			to := addr(0xaa, rng.IntN(holders))
			txs = append(txs, newTx(from, 0, &token, 0, 100_000, TokenTransferData(to, 1+uint64(rng.IntN(100))), 1+uint64(rng.IntN(3))))
		}
		pre.Finalise(true)
		w.Blocks = append(w.Blocks, synthBlock(w.Name, uint64(b+1), txs, pre))
	}
	return w
}

// AMM: swaps on a few constant-product pools, in random directions: heavy
// contention, every swap on a pool depends on the one before on that pool.
func AMM(seed uint64, s Size) *Workload {
	rng := rand.New(rand.NewPCG(seed, 3))
	w := &Workload{Name: "amm"}
	const pools = 4
	for b := range s.Blocks {
		pre := statedb.New()
		var poolAddrs []types.Address
		for p := range pools {
			a := types.Address{0: 0xa3, 19: byte(p)}
			poolAddrs = append(poolAddrs, a)
			pre.SetCode(a, PoolCode())
			pre.SetNonce(a, 1)
			pre.SetStorage(a, map[types.Hash]types.Hash{
				{31: 0}: types.Hash(uint256.NewInt(1e15).Bytes32()),
				{31: 1}: types.Hash(uint256.NewInt(2e15).Bytes32()),
			})
		}
		var txs []*types.Transaction
		for i := range s.Txs {
			from := addr(0xaa, b*s.Txs+i)
			pre.SetBalance(from, uint256.NewInt(1e18))
			pool := poolAddrs[rng.IntN(pools)]
			txs = append(txs, newTx(from, 0, &pool, 0, 100_000, SwapData(rng.IntN(2), 1+uint64(rng.IntN(1e9))), 1+uint64(rng.IntN(3))))
		}
		pre.Finalise(true)
		w.Blocks = append(w.Blocks, synthBlock(w.Name, uint64(b+1), txs, pre))
	}
	return w
}
