// Package verify re-executes a batch of blocks from a pre-state and checks
// the state roots claimed for it, as a fraud-proof checker does: it reports
// either that every claim holds or where the execution first departs from
// the claims, with Merkle proofs of the accounts and slots that differ.
//
// A batch is JSON (see Batch):
//
//	{
//	  "network":   "Prague",          fork name, or a transition such as "CancunToPragueAtTime15k"
//	  "chainId":   1,                  default 1
//	  "pre":       {alloc},            the pre-state; omit when it comes from a database
//	  "blocks":    ["0x<block RLP>"],  in order; each header's stateRoot is the claimed root after it
//	  "txRoots":   [["0x<root>", ...]],  optional: per block, the claimed root after each transaction
//	  "postState": {alloc},            optional: the claimed state after the last block
//	  "blockHashes": {"<number>": "0x<hash>"}   optional: BLOCKHASH answers for blocks before the batch
//	}
//
// The root "after transaction i" is the state root once transaction i and
// the block's system calls before the transactions (EIP-4788, EIP-2935)
// have been applied, as pre-Byzantium receipts record it. With txRoots the
// first diverging transaction is found; without, the first diverging block.
// With postState the accounts and slots in which the final state differs
// from the claim are listed with proofs under both roots.
package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/plasmaxpl/engine/ethtest"
	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/statedb/proof"
	"github.com/plasmaxpl/engine/types"
)

// Batch is the input of Run.
type Batch struct {
	Network     string                `json:"network"`
	ChainID     uint64                `json:"chainId"`
	Pre         Alloc                 `json:"pre"`
	Blocks      []proof.Bytes         `json:"blocks"`
	TxRoots     [][]types.Hash        `json:"txRoots"`
	PostState   Alloc                 `json:"postState"`
	BlockHashes map[string]types.Hash `json:"blockHashes"`
}

// ReadBatch reads a batch file.
func ReadBatch(path string) (*Batch, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b Batch
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &b, nil
}

// Divergence says where re-execution departs from the claims.
type Divergence struct {
	// Block is the index in the batch of the first block whose claims do
	// not hold, Number its number.
	Block  int    `json:"block"`
	Number uint64 `json:"number"`
	// Tx is the index of the first transaction after which the state
	// differs from txRoots; -1 when the transactions match and the
	// difference comes after them (rewards, withdrawals, requests), or
	// when txRoots were not given for the block.
	Tx int `json:"tx"`
	// Invalid is set when the block could not be executed (an invalid
	// transaction, a failed system call): the claim is false whatever
	// the roots.
	Invalid string `json:"invalid,omitempty"`

	Root        types.Hash `json:"root"`        // ours, after Tx (or after the block)
	ClaimedRoot types.Hash `json:"claimedRoot"` // the claim at the same point
}

// AccountDiff is an account of the final state that differs from the
// claimed postState, with proofs of it (and of the differing slots) under
// our final root and under the claimed root.
type AccountDiff struct {
	Address types.Address        `json:"address"`
	Slots   []types.Hash         `json:"slots,omitempty"`
	Ours    *proof.AccountResult `json:"ours"`
	Claimed *proof.AccountResult `json:"claimed"`
}

// Result is the outcome of Run.
type Result struct {
	OK      bool       `json:"ok"`
	Blocks  int        `json:"blocks"`
	Txs     int        `json:"txs"`
	PreRoot types.Hash `json:"preRoot"`
	Root    types.Hash `json:"root"` // ours after the last block executed
	// ClaimedRoot is the claim for the final state.
	ClaimedRoot types.Hash  `json:"claimedRoot"`
	Divergence  *Divergence `json:"divergence,omitempty"`
	// PostStateRoot is the root of the claimed postState, when given; a
	// postState that does not hash to ClaimedRoot is itself a false claim.
	PostStateRoot *types.Hash   `json:"postStateRoot,omitempty"`
	Accounts      []AccountDiff `json:"accounts,omitempty"`
	// TxRoots are our roots after each transaction, per block executed
	// (the form a batch's txRoots claim takes).
	TxRoots [][]types.Hash `json:"txRoots"`
}

// Options adjust Run.
type Options struct {
	// ClaimedRoot, when set, replaces the last header's stateRoot as the
	// claim for the final state.
	ClaimedRoot *types.Hash
}

// txRootRecorder is the block state with the root taken after each
// transaction (at the Finalise or IntermediateRoot that ends it).
type txRootRecorder struct {
	*statedb.StateDB
	inTx  bool
	roots []types.Hash
}

func (w *txRootRecorder) SetTxContext(h types.Hash, i int) {
	w.StateDB.SetTxContext(h, i)
	w.inTx = true
}

func (w *txRootRecorder) Finalise(deleteEmpty bool) {
	w.StateDB.Finalise(deleteEmpty)
	if w.inTx {
		w.inTx = false
		w.roots = append(w.roots, w.StateDB.IntermediateRoot(false))
	}
}

func (w *txRootRecorder) IntermediateRoot(deleteEmpty bool) types.Hash {
	r := w.StateDB.IntermediateRoot(deleteEmpty)
	if w.inTx {
		w.inTx = false
		w.roots = append(w.roots, r)
	}
	return r
}

// Run re-executes the batch on pre (which it changes) and compares with the
// claims. An error means the input is unusable (undecodable blocks, an
// unknown network), not that a claim is false.
func Run(b *Batch, pre *statedb.StateDB, opts Options) (*Result, error) {
	if len(b.Blocks) == 0 {
		return nil, errors.New("verify: the batch has no blocks")
	}
	if b.TxRoots != nil && len(b.TxRoots) != len(b.Blocks) {
		return nil, fmt.Errorf("verify: txRoots has %d entries for %d blocks", len(b.TxRoots), len(b.Blocks))
	}
	network := b.Network
	if network == "" {
		network = "Prague"
	}
	sched, err := ethtest.ParseSchedule(network)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	cfg := evm.BlockConfig{ChainID: b.ChainID, Schedule: sched.ForkAt}
	if cfg.ChainID == 0 {
		cfg.ChainID = 1
	}
	blocks := make([]*types.Block, len(b.Blocks))
	hashes := map[uint64]types.Hash{}
	for k, v := range b.BlockHashes {
		n, err := strconv.ParseUint(k, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("verify: blockHashes key %q: %v", k, err)
		}
		hashes[n] = v
	}
	for i, raw := range b.Blocks {
		if blocks[i], err = types.DecodeBlock(raw); err != nil {
			return nil, fmt.Errorf("verify: block %d: %w", i, err)
		}
		hashes[blocks[i].Number()] = blocks[i].Hash()
	}
	getHash := func(n uint64) types.Hash { return hashes[n] }

	res := &Result{PreRoot: pre.IntermediateRoot(false)}
	w := &txRootRecorder{StateDB: pre}
	for i, blk := range blocks {
		h := blk.Header
		claimed := h.Root
		if i == len(blocks)-1 && opts.ClaimedRoot != nil {
			claimed = *opts.ClaimedRoot
		}
		w.roots, w.inTx = w.roots[:0], false
		out, err := evm.ExecuteBlock(h, blk.Transactions, blk.Uncles, blk.Withdrawals, w, cfg, getHash)
		res.Blocks++
		if err != nil {
			if res.Divergence == nil {
				res.Divergence = &Divergence{Block: i, Number: h.Number, Tx: len(w.roots), Invalid: err.Error(), ClaimedRoot: claimed}
				if n := len(w.roots); n > 0 {
					res.Divergence.Root = w.roots[n-1]
				}
			}
			break // the state after an invalid block is meaningless
		}
		res.Txs += len(blk.Transactions)
		res.Root = out.StateRoot
		res.TxRoots = append(res.TxRoots, append([]types.Hash(nil), w.roots...))
		if err := pre.Err(); err != nil {
			return nil, fmt.Errorf("verify: reading the pre-state: %w", err)
		}
		if res.Divergence != nil {
			continue
		}
		d := &Divergence{Block: i, Number: h.Number, Tx: -1, Root: out.StateRoot, ClaimedRoot: claimed}
		if b.TxRoots != nil {
			want := b.TxRoots[i]
			for j := range max(len(w.roots), len(want)) {
				var r, c types.Hash
				if j < len(w.roots) {
					r = w.roots[j]
				}
				if j < len(want) {
					c = want[j]
				}
				if r != c {
					d.Tx, d.Root, d.ClaimedRoot = j, r, c
					break
				}
			}
		}
		if d.Tx >= 0 || out.StateRoot != claimed {
			res.Divergence = d
		}
	}
	res.ClaimedRoot = blocks[len(blocks)-1].Header.Root
	if opts.ClaimedRoot != nil {
		res.ClaimedRoot = *opts.ClaimedRoot
	}
	if b.PostState != nil {
		if err := res.comparePost(pre, b.PostState); err != nil {
			return nil, err
		}
	}
	res.OK = res.Divergence == nil && res.Root == res.ClaimedRoot &&
		len(res.Accounts) == 0 && (res.PostStateRoot == nil || *res.PostStateRoot == res.ClaimedRoot)
	return res, nil
}

// comparePost lists the accounts and slots in which ours differs from the
// claimed alloc, with proofs under both roots.
func (res *Result) comparePost(ours *statedb.StateDB, post Alloc) error {
	claimed := post.State()
	cr := claimed.AccountTrie().Hash()
	res.PostStateRoot = &cr
	type diff struct {
		addr  types.Address
		slots map[types.Hash]struct{}
	}
	diffs := map[types.Hash]*diff{}
	byHash := map[types.Hash]types.Address{}
	for a := range post {
		byHash[types.Keccak256(a[:])] = a
	}
	dump := ours.Dump()
	for a := range dump {
		byHash[types.Keccak256(a[:])] = a
	}
	// The account tries tell which accounts differ; for those whose
	// storage differs, the storage tries tell which slots.
	var unknown []types.Hash
	err := mergeDiff(ours, claimed, byHash, func(ah types.Hash, addr types.Address, known bool) error {
		if !known {
			unknown = append(unknown, ah)
			return nil
		}
		d := &diff{addr: addr, slots: map[types.Hash]struct{}{}}
		diffs[ah] = d
		slots := map[types.Hash]struct{}{}
		for k := range post[addr].Storage {
			slots[k] = struct{}{}
		}
		if d, ok := dump[addr]; ok {
			for k := range d.Storage {
				slots[k] = struct{}{}
			}
		}
		for k := range slots {
			if ours.GetState(addr, k) != claimed.GetState(addr, k) {
				d.slots[k] = struct{}{}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(unknown) > 0 {
		return fmt.Errorf("verify: %d differing accounts are not in memory (a database pre-state?): cannot name them", len(unknown))
	}
	keys := make([]types.Hash, 0, len(diffs))
	for k := range diffs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return string(diffs[keys[i]].addr[:]) < string(diffs[keys[j]].addr[:]) })
	for _, k := range keys {
		d := diffs[k]
		slots := make([]types.Hash, 0, len(d.slots))
		for s := range d.slots {
			slots = append(slots, s)
		}
		sort.Slice(slots, func(i, j int) bool { return string(slots[i][:]) < string(slots[j][:]) })
		o, err := proof.Prove(ours, d.addr, slots...)
		if err != nil {
			return err
		}
		c, err := proof.Prove(claimed, d.addr, slots...)
		if err != nil {
			return err
		}
		res.Accounts = append(res.Accounts, AccountDiff{Address: d.addr, Slots: slots, Ours: o, Claimed: c})
	}
	return nil
}
