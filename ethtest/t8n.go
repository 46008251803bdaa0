package ethtest

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
	"github.com/plasmaxpl/engine/types/rlp"
)

// A one-shot state transition in the shape of go-ethereum's `evm t8n`:
// a pre-state (alloc), a block environment (env) and transactions go in;
// the post-state, the block's roots and receipts, and the rejected
// transactions come out. Invalid transactions are left out of the block
// and listed in the result; the others still run.

// Exit codes of the transition tool, as go-ethereum's.
const (
	T8nErrEVM              = 2  // execution failed (a system call, malformed requests)
	T8nErrConfig           = 3  // unknown fork, or env lacks what the fork needs
	T8nErrMissingBlockhash = 4  // BLOCKHASH asked for a block env.blockHashes lacks
	T8nErrJSON             = 10 // unparsable alloc, env or txs
	T8nErrIO               = 11 // unreadable input or unwritable output
	T8nErrRLP              = 12 // undecodable transaction RLP
)

// T8nError is a transition failure with the tool's exit code.
type T8nError struct {
	Code int
	Err  error
}

func (e *T8nError) Error() string { return e.Err.Error() }
func (e *T8nError) Unwrap() error { return e.Err }

func t8nErr(code int, format string, args ...any) error {
	return &T8nError{Code: code, Err: fmt.Errorf(format, args...)}
}

// T8nEnv is the block environment (go-ethereum's stEnv).
type T8nEnv struct {
	Coinbase              types.Address         `json:"currentCoinbase"`
	GasLimit              hexU64                `json:"currentGasLimit"`
	Number                hexU64                `json:"currentNumber"`
	Timestamp             hexU64                `json:"currentTimestamp"`
	Difficulty            *hexU256              `json:"currentDifficulty"`
	Random                *hexU256              `json:"currentRandom"`
	BaseFee               *hexU256              `json:"currentBaseFee"`
	ExcessBlobGas         *hexU64               `json:"currentExcessBlobGas"`
	ParentDifficulty      *hexU256              `json:"parentDifficulty"`
	ParentBaseFee         *hexU256              `json:"parentBaseFee"`
	ParentGasUsed         hexU64                `json:"parentGasUsed"`
	ParentGasLimit        hexU64                `json:"parentGasLimit"`
	ParentTimestamp       hexU64                `json:"parentTimestamp"`
	ParentUncleHash       *types.Hash           `json:"parentUncleHash"`
	ParentExcessBlobGas   *hexU64               `json:"parentExcessBlobGas"`
	ParentBlobGasUsed     *hexU64               `json:"parentBlobGasUsed"`
	ParentBeaconBlockRoot *types.Hash           `json:"parentBeaconBlockRoot"`
	BlockHashes           map[string]types.Hash `json:"blockHashes"`
	Ommers                []T8nOmmer            `json:"ommers"`
	Withdrawals           []*types.Withdrawal   `json:"withdrawals"`
}

// T8nOmmer is an uncle: its miner and how many blocks it is behind.
type T8nOmmer struct {
	Delta   hexU64        `json:"delta"`
	Address types.Address `json:"address"`
}

// T8nInput is everything a transition reads.
type T8nInput struct {
	Alloc Alloc
	Env   *T8nEnv
	Txs   []*types.Transaction
}

// T8nConfig selects the rules of a transition.
type T8nConfig struct {
	Fork    string // a fork name, e.g. "Cancun"
	ChainID uint64
	// Reward is the block reward in wei paid before the merge (the tool's
	// default is 0). -1 pays none, like 0: unlike go-ethereum, which then
	// skips the reward step, the coinbase and ommers are still touched
	// with a zero credit (this differs only for an empty coinbase or
	// ommer account that no transaction touched).
	Reward int64
	Tracer evm.Tracer
}

// T8nRejected is a transaction left out of the block.
type T8nRejected struct {
	Index int    `json:"index"`
	Error string `json:"error"`
}

// T8nResult is the "result" output (go-ethereum's ExecutionResult).
type T8nResult struct {
	StateRoot            types.Hash       `json:"stateRoot"`
	TxRoot               types.Hash       `json:"txRoot"`
	ReceiptsRoot         types.Hash       `json:"receiptsRoot"`
	LogsHash             types.Hash       `json:"logsHash"`
	LogsBloom            types.Bloom      `json:"logsBloom"`
	Receipts             []*types.Receipt `json:"receipts"`
	Rejected             []T8nRejected    `json:"rejected,omitempty"`
	Difficulty           string           `json:"currentDifficulty"`
	GasUsed              string           `json:"gasUsed"`
	BaseFee              *string          `json:"currentBaseFee,omitempty"`
	WithdrawalsRoot      *types.Hash      `json:"withdrawalsRoot,omitempty"`
	CurrentExcessBlobGas *string          `json:"currentExcessBlobGas,omitempty"`
	BlobGasUsed          *string          `json:"blobGasUsed,omitempty"`
	RequestsHash         *types.Hash      `json:"requestsHash,omitempty"`
	Requests             []hexOut         `json:"requests"`
}

// hexOut marshals bytes as 0x-hex.
type hexOut []byte

func (h hexOut) MarshalText() ([]byte, error) {
	return []byte("0x" + hex.EncodeToString(h)), nil
}

// T8nAccount is one account of the "alloc" output.
type T8nAccount struct {
	Code    hexOut                    `json:"code,omitempty"`
	Storage map[types.Hash]types.Hash `json:"storage,omitempty"`
	Balance string                    `json:"balance"`
	Nonce   string                    `json:"nonce,omitempty"`
}

// T8nOutput is everything a transition writes.
type T8nOutput struct {
	Alloc  map[types.Address]T8nAccount
	Result *T8nResult
	// Body is the RLP list of the input transactions (signed).
	Body []byte
}

// ReadT8nInputs reads alloc, env and txs from files, or from stdin for
// those named "stdin" (then stdin is one object {"alloc", "env", "txs",
// "txsRlp"}). A txs file whose name ends in .rlp holds a JSON string with
// the hex RLP list of signed transactions. Transactions with a secretKey
// are signed here (legacy ones with EIP-155 unless "protected" is false).
func ReadT8nInputs(allocPath, envPath, txsPath string, stdin io.Reader, chainID uint64) (*T8nInput, error) {
	var fromStdin struct {
		Alloc  json.RawMessage `json:"alloc"`
		Env    json.RawMessage `json:"env"`
		Txs    json.RawMessage `json:"txs"`
		TxsRlp json.RawMessage `json:"txsRlp"`
	}
	if allocPath == "stdin" || envPath == "stdin" || txsPath == "stdin" {
		raw, err := io.ReadAll(stdin)
		if err != nil {
			return nil, t8nErr(T8nErrIO, "reading stdin: %v", err)
		}
		if err := json.Unmarshal(raw, &fromStdin); err != nil {
			return nil, t8nErr(T8nErrJSON, "stdin: %v", err)
		}
	}
	read := func(path string, fromStdin json.RawMessage) ([]byte, error) {
		if path == "stdin" {
			return fromStdin, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, t8nErr(T8nErrIO, "%v", err)
		}
		return b, nil
	}
	in := &T8nInput{}
	raw, err := read(allocPath, fromStdin.Alloc)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &in.Alloc); err != nil {
		return nil, t8nErr(T8nErrJSON, "alloc: %v", err)
	}
	if raw, err = read(envPath, fromStdin.Env); err != nil {
		return nil, err
	}
	in.Env = new(T8nEnv)
	if err := json.Unmarshal(raw, in.Env); err != nil {
		return nil, t8nErr(T8nErrJSON, "env: %v", err)
	}
	switch {
	case txsPath == "stdin" && len(fromStdin.TxsRlp) > 0 && string(fromStdin.TxsRlp) != "null":
		in.Txs, err = decodeT8nTxsRLP(fromStdin.TxsRlp)
	case strings.HasSuffix(txsPath, ".rlp"):
		if raw, err = read(txsPath, nil); err == nil {
			in.Txs, err = decodeT8nTxsRLP(raw)
		}
	default:
		if raw, err = read(txsPath, fromStdin.Txs); err == nil {
			in.Txs, err = decodeT8nTxsJSON(raw, chainID)
		}
	}
	if err != nil {
		return nil, err
	}
	return in, nil
}

// decodeT8nTxsRLP decodes a JSON hex string holding an RLP list of
// transactions as a block body has them.
func decodeT8nTxsRLP(raw []byte) ([]*types.Transaction, error) {
	var b hexBytes
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, t8nErr(T8nErrJSON, "txs rlp: not a hex string: %v", err)
	}
	txs, err := DecodeTxList(b)
	if err != nil {
		return nil, t8nErr(T8nErrRLP, "txs rlp: %v", err)
	}
	return txs, nil
}

// DecodeTxList decodes an RLP list of transactions: legacy ones as lists,
// typed ones as strings holding their canonical encoding.
func DecodeTxList(b []byte) ([]*types.Transaction, error) {
	d, err := rlp.OpenList(b)
	if err != nil {
		return nil, err
	}
	var txs []*types.Transaction
	for d.More() {
		var enc []byte
		if k, _ := d.PeekKind(); k == rlp.List {
			enc = d.Raw()
		} else {
			enc = d.Bytes()
		}
		if err := d.Err(); err != nil {
			return nil, err
		}
		tx, err := types.DecodeTransaction(enc)
		if err != nil {
			return nil, fmt.Errorf("transaction %d: %v", len(txs), err)
		}
		txs = append(txs, tx)
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return txs, nil
}

// decodeT8nTxsJSON decodes a JSON array of transactions, signing those
// that carry a secretKey.
func decodeT8nTxsJSON(raw []byte, chainID uint64) ([]*types.Transaction, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, t8nErr(T8nErrJSON, "txs: %v", err)
	}
	txs := make([]*types.Transaction, len(items))
	for i, item := range items {
		tx := new(types.Transaction)
		if err := tx.UnmarshalJSON(item); err != nil {
			return nil, t8nErr(T8nErrJSON, "txs[%d]: %v", i, err)
		}
		var extra struct {
			SecretKey *string `json:"secretKey"`
			Protected *bool   `json:"protected"`
		}
		if err := json.Unmarshal(item, &extra); err != nil {
			return nil, t8nErr(T8nErrJSON, "txs[%d]: %v", i, err)
		}
		if extra.SecretKey != nil {
			key, err := types.ParsePrivateKey(*extra.SecretKey)
			if err != nil {
				return nil, t8nErr(T8nErrJSON, "txs[%d]: secretKey: %v", i, err)
			}
			d := tx.Fields()
			if d.Type == types.LegacyTxType {
				d.ChainID.Clear()
				if extra.Protected == nil || *extra.Protected {
					d.ChainID.SetUint64(chainID)
				}
			} else if d.ChainID.IsZero() {
				d.ChainID.SetUint64(chainID)
			}
			if tx, err = types.SignTx(&d, key); err != nil {
				return nil, t8nErr(T8nErrJSON, "txs[%d]: signing: %v", i, err)
			}
		}
		txs[i] = tx
	}
	return txs, nil
}

// RunT8n applies the transactions to the alloc in the environment's block
// under cfg. Errors are *T8nError with the tool's exit code.
func RunT8n(in *T8nInput, cfg T8nConfig) (*T8nOutput, error) {
	fork, err := forks.Parse(cfg.Fork)
	if err != nil {
		return nil, t8nErr(T8nErrConfig, "unsupported fork %q: %v", cfg.Fork, err)
	}
	if in.Env == nil {
		return nil, t8nErr(T8nErrConfig, "no env")
	}
	rules := forks.RulesFor(fork)
	env := in.Env
	h := &types.Header{
		Coinbase: env.Coinbase, GasLimit: uint64(env.GasLimit), Number: uint64(env.Number),
		Time: uint64(env.Timestamp), UncleHash: types.EmptyListHash,
	}
	hashes := make(map[uint64]types.Hash, len(env.BlockHashes))
	for k, v := range env.BlockHashes {
		n, err := parseQuantityString(k)
		if err != nil || !n.IsUint64() {
			return nil, t8nErr(T8nErrJSON, "env.blockHashes: bad block number %q", truncate(k))
		}
		hashes[n.Uint64()] = v
	}
	if h.Number > 0 {
		h.ParentHash = hashes[h.Number-1]
	}
	parent := &types.Header{
		Number: h.Number - 1, Time: uint64(env.ParentTimestamp), GasLimit: uint64(env.ParentGasLimit),
		GasUsed: uint64(env.ParentGasUsed), UncleHash: types.EmptyListHash,
	}
	if env.ParentUncleHash != nil {
		parent.UncleHash = *env.ParentUncleHash
	}

	// Difficulty and randomness.
	switch {
	case rules.IsMerge:
		if env.Random == nil {
			return nil, t8nErr(T8nErrConfig, "post-merge requires currentRandom to be defined in env")
		}
		if env.Difficulty != nil && !env.Difficulty.IsZero() {
			return nil, t8nErr(T8nErrConfig, "post-merge difficulty must be zero (or omitted) in env")
		}
		h.MixDigest = types.Hash(env.Random.Bytes32())
	case env.Difficulty != nil:
		h.Difficulty = env.Difficulty.Int
	default:
		if env.ParentDifficulty == nil {
			return nil, t8nErr(T8nErrConfig, "currentDifficulty was not provided, and cannot be calculated due to missing parentDifficulty")
		}
		if h.Number == 0 {
			return nil, t8nErr(T8nErrConfig, "currentDifficulty needs to be provided for block number 0")
		}
		if h.Time <= parent.Time {
			return nil, t8nErr(T8nErrConfig, "currentDifficulty cannot be calculated: currentTimestamp %d is not after parentTimestamp %d", h.Time, parent.Time)
		}
		parent.Difficulty = env.ParentDifficulty.Int
		h.Difficulty = *CalcDifficulty(fork, h.Time, parent)
	}
	// EIP-1559 base fee: given, or derived from the parent.
	if rules.IsLondon {
		switch {
		case env.BaseFee != nil:
			h.BaseFee = new(uint256.Int).Set(&env.BaseFee.Int)
		case env.ParentBaseFee != nil:
			parent.BaseFee = &env.ParentBaseFee.Int
			h.BaseFee = evm.CalcBaseFee(parent, fork)
		default:
			return nil, t8nErr(T8nErrConfig, "EIP-1559 config but missing 'parentBaseFee' in env section")
		}
	}
	withdrawals := env.Withdrawals
	if rules.IsShanghai {
		if withdrawals == nil {
			return nil, t8nErr(T8nErrConfig, "Shanghai config but missing 'withdrawals' in env section")
		}
		h.WithdrawalsHash = new(types.Hash)
	} else {
		withdrawals = nil
	}
	if rules.IsCancun {
		if env.ParentBeaconBlockRoot == nil {
			return nil, t8nErr(T8nErrConfig, "post-cancun env requires parentBeaconBlockRoot to be set")
		}
		var excess, used uint64
		switch {
		case env.ExcessBlobGas != nil:
			excess = uint64(*env.ExcessBlobGas)
		case env.ParentExcessBlobGas != nil && env.ParentBlobGasUsed != nil:
			excess = evm.CalcExcessBlobGas(uint64(*env.ParentExcessBlobGas), uint64(*env.ParentBlobGasUsed), fork)
		}
		root := *env.ParentBeaconBlockRoot
		h.ExcessBlobGas, h.BlobGasUsed, h.ParentBeaconRoot = &excess, &used, &root
	}
	if rules.IsPrague {
		h.RequestsHash = new(types.Hash)
	}
	var uncles []*types.Header
	for _, o := range env.Ommers {
		if o.Delta == 0 || uint64(o.Delta) > 7 || uint64(o.Delta) > h.Number {
			return nil, t8nErr(T8nErrConfig, "ommer delta %d out of range [1, 7]", o.Delta)
		}
		uncles = append(uncles, &types.Header{Number: h.Number - uint64(o.Delta), Coinbase: o.Address})
	}
	if rules.IsMerge && len(uncles) > 0 {
		return nil, t8nErr(T8nErrConfig, "ommers after the merge")
	}

	bcfg := evm.BlockConfig{ChainID: cfg.ChainID, Fork: fork, Tracer: cfg.Tracer, SkipInvalidTxs: true}
	bcfg.BlockReward = new(uint256.Int)
	if cfg.Reward > 0 {
		bcfg.BlockReward.SetUint64(uint64(cfg.Reward))
	}
	var (
		mu      sync.Mutex
		missing []uint64
	)
	getHash := func(n uint64) types.Hash {
		if hash, ok := hashes[n]; ok {
			return hash
		}
		mu.Lock()
		missing = append(missing, n)
		mu.Unlock()
		return types.Hash{}
	}
	state := newAllocState(in.Alloc)
	res, err := evm.ExecuteBlock(h, in.Txs, uncles, withdrawals, state, bcfg, getHash)
	if len(missing) > 0 {
		return nil, t8nErr(T8nErrMissingBlockhash, "getHash(%d) invoked, blockhash for that block not provided", missing[0])
	}
	if err != nil {
		return nil, t8nErr(T8nErrEVM, "%v", err)
	}

	out := &T8nOutput{Alloc: t8nAlloc(state.Dump())}
	var logs []*types.Log
	for _, r := range res.Receipts {
		logs = append(logs, r.Logs...)
	}
	result := &T8nResult{
		StateRoot: res.StateRoot, TxRoot: res.TxRoot, ReceiptsRoot: res.ReceiptsRoot,
		LogsHash: types.LogsHash(logs), LogsBloom: res.Bloom, Receipts: res.Receipts,
		Difficulty: h.Difficulty.Hex(), GasUsed: hexQuantity(res.GasUsed),
		WithdrawalsRoot: res.WithdrawalsRoot,
	}
	if result.Receipts == nil {
		result.Receipts = []*types.Receipt{}
	}
	for _, rj := range res.Rejected {
		result.Rejected = append(result.Rejected, T8nRejected{Index: rj.Index, Error: rj.Err.Error()})
	}
	if h.BaseFee != nil {
		s := h.BaseFee.Hex()
		result.BaseFee = &s
	}
	if rules.IsCancun {
		e, u := hexQuantity(*h.ExcessBlobGas), hexQuantity(res.BlobGasUsed)
		result.CurrentExcessBlobGas, result.BlobGasUsed = &e, &u
	}
	if rules.IsPrague {
		result.RequestsHash = res.RequestsHash
		result.Requests = make([]hexOut, 0, len(res.Requests))
		for _, r := range res.Requests {
			result.Requests = append(result.Requests, r)
		}
	}
	out.Result = result
	body, err := types.AppendTransactionsRLP(nil, in.Txs)
	if err != nil {
		return nil, t8nErr(T8nErrRLP, "encoding txs: %v", err)
	}
	out.Body = body
	return out, nil
}

func hexQuantity(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

// t8nAlloc converts a state dump to the alloc output.
func t8nAlloc(dump map[types.Address]statedb.DumpAccount) map[types.Address]T8nAccount {
	out := make(map[types.Address]T8nAccount, len(dump))
	for addr, a := range dump {
		acc := T8nAccount{Code: a.Code, Storage: a.Storage, Balance: a.Balance.Hex()}
		if a.Nonce != 0 {
			acc.Nonce = hexQuantity(a.Nonce)
		}
		out[addr] = acc
	}
	return out
}

// T8nWriteOutputs writes the outputs as the tool does: each of alloc,
// result and body to a file in basedir, or to "stdout" / "stderr"; the
// values sent to one stream are grouped into one object {"alloc",
// "result", "body"}. An empty name writes nothing.
func T8nWriteOutputs(out *T8nOutput, basedir, allocName, resultName, bodyName string, stdout, stderr io.Writer) error {
	toStdout, toStderr := map[string]any{}, map[string]any{}
	if basedir != "" {
		if err := os.MkdirAll(basedir, 0o755); err != nil {
			return t8nErr(T8nErrIO, "%v", err)
		}
	}
	for _, o := range []struct {
		name, key string
		v         any
	}{{allocName, "alloc", out.Alloc}, {resultName, "result", out.Result}, {bodyName, "body", hexOut(out.Body)}} {
		switch o.name {
		case "":
			continue
		case "stdout":
			toStdout[o.key] = o.v
			continue
		case "stderr":
			toStderr[o.key] = o.v
			continue
		}
		b, err := json.MarshalIndent(o.v, "", "  ")
		if err != nil {
			return t8nErr(T8nErrJSON, "%s: %v", o.key, err)
		}
		path := o.name
		if basedir != "" && !filepath.IsAbs(path) {
			path = filepath.Join(basedir, path)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			return t8nErr(T8nErrIO, "writing %s: %v", o.key, err)
		}
	}
	for _, g := range []struct {
		m map[string]any
		w io.Writer
	}{{toStdout, stdout}, {toStderr, stderr}} {
		if len(g.m) == 0 {
			continue
		}
		b, err := json.MarshalIndent(g.m, "", "  ")
		if err != nil {
			return t8nErr(T8nErrJSON, "%v", err)
		}
		if _, err := fmt.Fprintln(g.w, string(b)); err != nil {
			return t8nErr(T8nErrIO, "%v", err)
		}
	}
	return nil
}

// T8nExitCode returns the exit code for err (1 for an error that is not a
// *T8nError).
func T8nExitCode(err error) int {
	if err == nil {
		return 0
	}
	var te *T8nError
	if errors.As(err, &te) {
		return te.Code
	}
	return 1
}
