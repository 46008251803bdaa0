package ethtest

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// Offline replay of real blocks (the fixtures' mainnet/ folders).
//
// A block directory holds the block and the part of its parent's state
// that executing it reads (a read set, not the whole state), in one of
// two layouts:
//
//   - block.json in the JSON-RPC eth_getBlockByNumber(n, true) shape and
//     pre_state.json {address: {balance, nonce, code_hash?, storage}},
//     with code looked up by hash in a CodeSource (mainnet/ethereum);
//   - block.json as a flat environment {number, coinbase, timestamp,
//     gas_limit, basefee, prevrandao, excess_blob_gas, chain_id, spec_id,
//     block_hashes}, txs.json with already-recovered senders and no
//     signatures, and pre_state.json with code inline (mainnet/prague).
//
// The first layout carries the header, so gas used, logs bloom and (from
// Byzantium) the receipts root are checked; the second has no oracle but
// the block executing at all (and, with workers, agreeing with a
// sequential run). A state root cannot be checked from a read set.

// CodeSource returns contract code by its Keccak-256 hash.
type CodeSource interface {
	Code(hash types.Hash) ([]byte, bool)
}

// CodeMap is an in-memory CodeSource.
type CodeMap map[types.Hash][]byte

// Code implements CodeSource.
func (m CodeMap) Code(hash types.Hash) ([]byte, bool) {
	c, ok := m[hash]
	return c, ok
}

// CodeFileNames are the code maps FindCodeFile looks for.
var CodeFileNames = []string{"bytecodes_recovered.json.gz", "bytecodes.json.gz", "bytecodes.decoded.json", "bytecodes.json"}

// FindCodeFile returns the first of CodeFileNames found in dir or one of
// its parents, or "" if there is none.
func FindCodeFile(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		for _, n := range CodeFileNames {
			p := filepath.Join(dir, n)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// LoadCodeFile reads a code map: a JSON object {"0x<hash>": "0x<code>"}
// (gzip-compressed when the name ends in .gz), or the decoded bincode
// layout {"0x<hash>": {"code": "0x…", …}}. Every entry's hash is checked.
func LoadCodeFile(path string) (CodeMap, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		defer zr.Close()
		r = zr
	}
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("%s: not a code map: %v", path, err)
	}
	out := make(CodeMap, len(raw))
	for k, v := range raw {
		hash, err := types.ParseHash(k)
		if err != nil {
			return nil, fmt.Errorf("%s: key %q: %v", path, truncate(k), err)
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			var obj struct {
				Code string `json:"code"`
			}
			if err := json.Unmarshal(v, &obj); err != nil {
				return nil, fmt.Errorf("%s: entry %s: neither a hex string nor {\"code\": …}", path, k)
			}
			s = obj.Code
		}
		code, err := types.DecodeHex(s)
		if err != nil {
			return nil, fmt.Errorf("%s: entry %s: %v", path, k, err)
		}
		if types.Keccak256(code) != hash {
			return nil, fmt.Errorf("%s: entry %s: code does not hash to its key", path, k)
		}
		out[hash] = code
	}
	return out, nil
}

// BlockHashFileName is the BLOCKHASH answer file LoadMainnetBlock looks
// for in the block's directory and its parents: {"<number>": "0x<hash>"}.
const BlockHashFileName = "block_hashes.decoded.json"

// MainnetBlock is a real block ready for replay: header, transactions
// (senders known), withdrawals, the pre-state it reads and the BLOCKHASH
// answers it needs.
type MainnetBlock struct {
	Dir          string
	Header       *types.Header
	Transactions []*types.Transaction
	Withdrawals  []*types.Withdrawal
	Fork         forks.Fork
	ChainID      uint64
	// BlockHashes answers BLOCKHASH.
	BlockHashes map[uint64]types.Hash
	// HeaderOracle is true when Header is the real header (gas used, logs
	// bloom and receipts root can be compared); false when it was built
	// from an environment and only the execution can be checked.
	HeaderOracle bool
	// Notes are the limits of the replay that hold for this block
	// (checks that cannot apply, parts of the block not applied).
	Notes []string

	pre Alloc
}

// NewState returns a fresh state holding the block's pre-state.
func (b *MainnetBlock) NewState() *statedb.StateDB { return newAllocState(b.pre) }

// MainnetSchedule returns Ethereum mainnet's fork at a block number and
// timestamp.
func MainnetSchedule(number, time uint64) forks.Fork {
	switch {
	case time >= 1746612311 && number > 15537393:
		return forks.Prague
	case time >= 1710338135 && number > 15537393:
		return forks.Cancun
	case time >= 1681338455 && number > 15537393:
		return forks.Shanghai
	case number >= 15537394:
		return forks.Paris
	case number >= 15050000:
		return forks.GrayGlacier
	case number >= 13773000:
		return forks.ArrowGlacier
	case number >= 12965000:
		return forks.London
	case number >= 12244000:
		return forks.Berlin
	case number >= 9200000:
		return forks.MuirGlacier
	case number >= 9069000:
		return forks.Istanbul
	case number >= 7280000:
		return forks.Petersburg
	case number >= 4370000:
		return forks.Byzantium
	case number >= 2675000:
		return forks.SpuriousDragon
	case number >= 2463000:
		return forks.TangerineWhistle
	case number >= 1150000:
		return forks.Homestead
	}
	return forks.Frontier
}

// LoadMainnetBlock reads the block in dir (either layout; see the package
// notes above). code resolves code hashes of the JSON-RPC layout; nil
// looks for a code file with FindCodeFile. Errors name the file and the
// entry at fault.
func LoadMainnetBlock(dir string, code CodeSource) (*MainnetBlock, error) {
	if _, err := os.Stat(filepath.Join(dir, "txs.json")); err == nil {
		return loadEnvBlock(dir)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "block.json"))
	if err != nil {
		return nil, err
	}
	var blk types.Block
	if err := json.Unmarshal(raw, &blk); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "block.json"), err)
	}
	b := &MainnetBlock{
		Dir: dir, Header: blk.Header, Transactions: blk.Transactions, Withdrawals: blk.Withdrawals,
		ChainID: 1, HeaderOracle: true,
	}
	h := blk.Header
	b.Fork = MainnetSchedule(h.Number, h.Time)
	if err := checkRPCBlock(raw, b); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "block.json"), err)
	}
	if b.pre, err = loadPreState(filepath.Join(dir, "pre_state.json"), code, dir); err != nil {
		return nil, err
	}
	if b.BlockHashes, err = findBlockHashes(dir); err != nil {
		return nil, err
	}
	if h.UncleHash != types.EmptyListHash {
		b.Notes = append(b.Notes, "uncle rewards not applied: the JSON-RPC block lists only uncle hashes")
	}
	if !forks.RulesFor(b.Fork).IsByzantium {
		b.Notes = append(b.Notes, "receipts root not checkable: receipts before Byzantium hold intermediate state roots")
	}
	b.Notes = append(b.Notes, "state root not checkable from a read-set pre-state")
	return b, nil
}

// checkRPCBlock checks the decoded header and transactions against the
// hashes the JSON carries, and records each transaction's "from" as its
// sender.
func checkRPCBlock(raw []byte, b *MainnetBlock) error {
	var j struct {
		Hash         *types.Hash `json:"hash"`
		Transactions []struct {
			Hash *types.Hash    `json:"hash"`
			From *types.Address `json:"from"`
		} `json:"transactions"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return err
	}
	if j.Hash != nil && *j.Hash != b.Header.Hash() {
		return fmt.Errorf("header hashes to %v, block says %v", b.Header.Hash(), *j.Hash)
	}
	if len(j.Transactions) != len(b.Transactions) {
		return fmt.Errorf("%d transactions decoded of %d", len(b.Transactions), len(j.Transactions))
	}
	for i, jt := range j.Transactions {
		tx := b.Transactions[i]
		if jt.Hash != nil && *jt.Hash != tx.Hash() {
			return fmt.Errorf("transaction %d hashes to %v, block says %v", i, tx.Hash(), *jt.Hash)
		}
		if jt.From != nil {
			tx.CacheSender(b.ChainID, *jt.From)
		}
	}
	return nil
}

// preAccount is one account of a pre_state.json.
type preAccount struct {
	Balance  hexU256           `json:"balance"`
	Nonce    hexU64            `json:"nonce"`
	CodeHash *types.Hash       `json:"code_hash"`
	Code     *string           `json:"code"`
	Storage  map[string]string `json:"storage"`
}

// loadPreState reads a pre_state.json; code hashes are resolved through
// code (or a code file found from dir when code is nil).
func loadPreState(path string, code CodeSource, dir string) (Alloc, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var accts map[string]preAccount
	if err := json.Unmarshal(raw, &accts); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	out := make(Alloc, len(accts))
	for k, a := range accts {
		addr, err := types.ParseAddress(k)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		acc := AllocAccount{Balance: a.Balance, Nonce: a.Nonce}
		switch {
		case a.Code != nil:
			if acc.Code, err = types.DecodeHex(*a.Code); err != nil {
				return nil, fmt.Errorf("%s: account %v: invalid code: %v", path, addr, err)
			}
		case a.CodeHash != nil && *a.CodeHash != types.EmptyCodeHash && *a.CodeHash != (types.Hash{}):
			if code == nil {
				f := FindCodeFile(dir)
				if f == "" {
					return nil, fmt.Errorf("%s: account %v has code hash %v but no code file was found (give one with --code)", path, addr, *a.CodeHash)
				}
				m, err := loadCodeFileCached(f)
				if err != nil {
					return nil, err
				}
				code = m
			}
			c, ok := code.Code(*a.CodeHash)
			if !ok {
				return nil, fmt.Errorf("%s: account %v: code hash %v not in the code source", path, addr, *a.CodeHash)
			}
			acc.Code = c
		}
		if len(a.Storage) > 0 {
			acc.storage = make(map[types.Hash]types.Hash, len(a.Storage))
			for sk, sv := range a.Storage {
				key, err1 := parseWord(sk)
				val, err2 := parseWord(sv)
				if err1 != nil || err2 != nil {
					return nil, fmt.Errorf("%s: account %v: invalid storage entry %q: %q", path, addr, truncate(sk), truncate(sv))
				}
				acc.storage[key] = val
			}
		}
		out[addr] = acc
	}
	return out, nil
}

// parseWord reads a 0x-hex quantity of at most 32 bytes as a word.
func parseWord(s string) (types.Hash, error) {
	var v uint256.Int
	if err := types.ParseUint256Hex(s, &v); err != nil {
		return types.Hash{}, err
	}
	return types.Hash(v.Bytes32()), nil
}

var (
	codeCacheMu sync.Mutex
	codeCache   = map[string]CodeMap{}
)

// loadCodeFileCached loads a code file once per process.
func loadCodeFileCached(path string) (CodeMap, error) {
	codeCacheMu.Lock()
	defer codeCacheMu.Unlock()
	if m, ok := codeCache[path]; ok {
		return m, nil
	}
	m, err := LoadCodeFile(path)
	if err != nil {
		return nil, err
	}
	codeCache[path] = m
	return m, nil
}

// findBlockHashes reads the first BlockHashFileName in dir or its parents;
// none is an empty map (BLOCKHASH then answers zero and the replay notes it).
func findBlockHashes(dir string) (map[uint64]types.Hash, error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for {
		p := filepath.Join(d, BlockHashFileName)
		if raw, err := os.ReadFile(p); err == nil {
			var m map[string]types.Hash
			if err := json.Unmarshal(raw, &m); err != nil {
				return nil, fmt.Errorf("%s: %v", p, err)
			}
			return parseBlockHashes(m, p)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return map[uint64]types.Hash{}, nil
		}
		d = parent
	}
}

func parseBlockHashes(m map[string]types.Hash, where string) (map[uint64]types.Hash, error) {
	out := make(map[uint64]types.Hash, len(m))
	for k, v := range m {
		n, err := strconv.ParseUint(k, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: block number %q: %v", where, truncate(k), err)
		}
		out[n] = v
	}
	return out, nil
}

// envBlock is the environment layout's block.json.
type envBlock struct {
	Number        *uint64               `json:"number"`
	Coinbase      types.Address         `json:"coinbase"`
	Timestamp     uint64                `json:"timestamp"`
	GasLimit      uint64                `json:"gas_limit"`
	BaseFee       *hexU256              `json:"basefee"`
	Difficulty    *hexU256              `json:"difficulty"`
	PrevRandao    *types.Hash           `json:"prevrandao"`
	ExcessBlobGas *uint64               `json:"excess_blob_gas"`
	ChainID       *uint64               `json:"chain_id"`
	SpecID        string                `json:"spec_id"`
	BlockHashes   map[string]types.Hash `json:"block_hashes"`
}

// envTx is one transaction of txs.json (sender recovered, no signature).
type envTx struct {
	Type              uint8          `json:"tx_type"`
	Caller            types.Address  `json:"caller"`
	To                *types.Address `json:"to"`
	Nonce             uint64         `json:"nonce"`
	Value             hexU256        `json:"value"`
	Data              hexBytes       `json:"data"`
	GasLimit          uint64         `json:"gas_limit"`
	GasPrice          hexU256        `json:"gas_price"`
	GasPriorityFee    *hexU256       `json:"gas_priority_fee"`
	ChainID           *uint64        `json:"chain_id"`
	AccessList        []envAccess    `json:"access_list"`
	BlobHashes        []types.Hash   `json:"blob_hashes"`
	MaxFeePerBlobGas  hexU256        `json:"max_fee_per_blob_gas"`
	AuthorizationList []envAuth      `json:"authorization_list"`
}

type envAccess struct {
	Address     types.Address `json:"address"`
	StorageKeys []types.Hash  `json:"storage_keys"`
}

type envAuth struct {
	ChainID hexU256       `json:"chain_id"`
	Address types.Address `json:"address"`
	Nonce   hexU64        `json:"nonce"`
	YParity hexU64        `json:"y_parity"`
	R       hexU256       `json:"r"`
	S       hexU256       `json:"s"`
}

// loadEnvBlock reads the environment layout (block.json, txs.json,
// pre_state.json with inline code).
func loadEnvBlock(dir string) (*MainnetBlock, error) {
	path := filepath.Join(dir, "block.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var env envBlock
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if env.Number == nil {
		return nil, fmt.Errorf("%s: no block number", path)
	}
	b := &MainnetBlock{Dir: dir, ChainID: 1, Withdrawals: []*types.Withdrawal{}}
	if env.ChainID != nil {
		b.ChainID = *env.ChainID
	}
	if env.SpecID != "" {
		if b.Fork, err = forks.Parse(env.SpecID); err != nil {
			return nil, fmt.Errorf("%s: spec_id: %v", path, err)
		}
	} else {
		b.Fork = MainnetSchedule(*env.Number, env.Timestamp)
	}
	rules := forks.RulesFor(b.Fork)
	h := &types.Header{
		Number: *env.Number, Coinbase: env.Coinbase, Time: env.Timestamp, GasLimit: env.GasLimit,
		UncleHash: types.EmptyListHash,
	}
	if env.Difficulty != nil {
		h.Difficulty = env.Difficulty.Int
	}
	if env.PrevRandao != nil {
		h.MixDigest = *env.PrevRandao
	}
	if rules.IsLondon {
		h.BaseFee = new(uint256.Int)
		if env.BaseFee != nil {
			h.BaseFee.Set(&env.BaseFee.Int)
		}
	}
	if rules.IsShanghai {
		h.WithdrawalsHash = &types.EmptyRootHash
	} else {
		b.Withdrawals = nil
	}
	if rules.IsCancun {
		// The environment's excess blob gas follows the chain's real blob
		// schedule, which later forks changed; the data set's own replay
		// pins the blob base fee to its minimum, and so does this one.
		var excess, used uint64
		h.ExcessBlobGas, h.BlobGasUsed = &excess, &used
		if env.ExcessBlobGas != nil && *env.ExcessBlobGas != 0 {
			b.Notes = append(b.Notes, fmt.Sprintf("blob base fee pinned to the minimum (excess blob gas %d ignored)", *env.ExcessBlobGas))
		}
		h.ParentBeaconRoot = new(types.Hash)
		b.Notes = append(b.Notes, "parent beacon block root unknown: the EIP-4788 system call stores zero")
	}
	if rules.IsPrague {
		h.RequestsHash = new(types.Hash)
	}
	b.Header = h
	if b.BlockHashes, err = parseBlockHashes(env.BlockHashes, path); err != nil {
		return nil, err
	}

	tpath := filepath.Join(dir, "txs.json")
	raw, err = os.ReadFile(tpath)
	if err != nil {
		return nil, err
	}
	var txs []envTx
	if err := json.Unmarshal(raw, &txs); err != nil {
		return nil, fmt.Errorf("%s: %v", tpath, err)
	}
	b.Transactions = make([]*types.Transaction, len(txs))
	for i := range txs {
		b.Transactions[i] = txs[i].toTransaction(b.ChainID)
	}
	if b.pre, err = loadPreState(filepath.Join(dir, "pre_state.json"), CodeMap{}, dir); err != nil {
		return nil, err
	}
	if rules.IsPrague {
		// The read set holds the EIP-7002 and EIP-7251 queue contracts only
		// if a transaction read them; without code their end-of-block
		// calls would make the block invalid. Empty queues stand in.
		for _, a := range []types.Address{evm.WithdrawalQueueAddress, evm.ConsolidationQueueAddress} {
			if acc, ok := b.pre[a]; !ok || len(acc.Code) == 0 {
				acc.Code = []byte{0x00} // STOP: an empty queue
				b.pre[a] = acc
				b.Notes = append(b.Notes, fmt.Sprintf("system contract %v absent from the pre-state: an empty queue stands in, requests not checked", a))
			}
		}
	}
	b.Notes = append(b.Notes, "no header oracle: transactions carry no signatures and the environment no gas used, receipts root or bloom")
	return b, nil
}

// toTransaction builds the unsigned transaction and records its sender.
func (t *envTx) toTransaction(chainID uint64) *types.Transaction {
	d := &types.TxData{
		Type: t.Type, Nonce: t.Nonce, Gas: t.GasLimit, To: t.To, Value: t.Value.Int, Data: t.Data,
		BlobHashes: t.BlobHashes, BlobFeeCap: t.MaxFeePerBlobGas.Int,
	}
	if t.ChainID != nil {
		d.ChainID.SetUint64(*t.ChainID)
	}
	if t.Type == types.LegacyTxType || t.Type == types.AccessListTxType {
		d.GasPrice = t.GasPrice.Int
	} else {
		d.GasFeeCap = t.GasPrice.Int
		if t.GasPriorityFee != nil {
			d.GasTipCap = t.GasPriorityFee.Int
		}
	}
	for _, a := range t.AccessList {
		d.AccessList = append(d.AccessList, types.AccessTuple{Address: a.Address, StorageKeys: a.StorageKeys})
	}
	for _, a := range t.AuthorizationList {
		d.AuthList = append(d.AuthList, types.SetCodeAuthorization{
			ChainID: a.ChainID.Int, Address: a.Address, Nonce: uint64(a.Nonce),
			V: uint8(a.YParity), R: a.R.Int, S: a.S.Int,
		})
	}
	tx := types.NewTx(d)
	tx.CacheSender(chainID, t.Caller)
	return tx
}

// ReplayOptions configures ReplayBlock.
type ReplayOptions struct {
	// Workers is passed to evm.BlockConfig.Workers (0 or 1: sequential).
	Workers int
	// Tracer, when set, receives every transaction's steps.
	Tracer evm.Tracer
}

// ReplayResult is one replayed block, as `plasma replay` prints it. A
// check that does not apply to the block is null, with the reason in
// Notes.
type ReplayResult struct {
	Block          uint64   `json:"block"`
	Txs            int      `json:"txs"`
	GasUsed        uint64   `json:"gasUsed"`
	OK             bool     `json:"ok"`
	GasUsedOK      *bool    `json:"gasUsedOk"`
	ReceiptsRootOK *bool    `json:"receiptsRootOk"`
	LogsBloomOK    *bool    `json:"logsBloomOk"`
	SequentialOK   *bool    `json:"sequentialOk,omitempty"`
	Error          string   `json:"error"`
	Ms             float64  `json:"ms"`
	MGasPerSec     float64  `json:"mgasPerSec"`
	Notes          []string `json:"notes,omitempty"`
	// SeedMs and CommitMs are the database commits of ReplayInto: the
	// block's pre-state, and its post-state (each one synced pebble
	// batch). Zero (and not printed) without a database.
	SeedMs   float64 `json:"seedMs,omitempty"`
	CommitMs float64 `json:"commitMs,omitempty"`
	// Skipped says why ReplayInto did not execute the block (it is
	// already in the database); the checks above are then unset.
	Skipped string `json:"skipped,omitempty"`

	// Result is the execution's outcome (nil on error); not printed.
	Result *evm.BlockResult `json:"-"`
}

// ReplayBlock executes b on a fresh copy of its pre-state and checks what
// the block's data allows: gas used and logs bloom against the header,
// the receipts root from Byzantium. Without a header oracle and with
// Workers > 1 it also runs the block sequentially and compares the two.
// The timing covers ExecuteBlock only. It never panics.
func ReplayBlock(b *MainnetBlock, opts ReplayOptions) (res *ReplayResult) {
	res = &ReplayResult{Block: b.Header.Number, Txs: len(b.Transactions), Notes: append([]string(nil), b.Notes...)}
	defer func() {
		if p := recover(); p != nil {
			res.OK = false
			res.Error = fmt.Sprintf("internal error: %v\n%s", p, debug.Stack())
		}
	}()
	return b.replayOn(b.NewState(), opts, false, res)
}

// replayOn is ReplayBlock on a given pre-state. chained says the pre-state
// holds more than the block's read set (a database carrying earlier
// blocks), so a sequential re-run on the read set alone is compared
// without its state root.
func (b *MainnetBlock) replayOn(state *statedb.StateDB, opts ReplayOptions, chained bool, res *ReplayResult) *ReplayResult {
	out, elapsed, missing, err := b.executeOn(state, opts.Workers, opts.Tracer)
	res.Ms = float64(elapsed.Microseconds()) / 1000
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Result = out
	res.GasUsed = out.GasUsed
	if elapsed > 0 {
		res.MGasPerSec = float64(out.GasUsed) / elapsed.Seconds() / 1e6
	}
	if len(missing) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("BLOCKHASH asked for blocks with no known hash (answered zero): %v", missing))
	}
	res.OK = true
	var errs []string
	check := func(ok bool, what string) *bool {
		if !ok {
			res.OK = false
			errs = append(errs, what)
		}
		return &ok
	}
	h := b.Header
	if b.HeaderOracle {
		res.GasUsedOK = check(out.GasUsed == h.GasUsed, fmt.Sprintf("gas used %d, header %d", out.GasUsed, h.GasUsed))
		res.LogsBloomOK = check(out.Bloom == h.Bloom, "logs bloom differs from the header's")
		if forks.RulesFor(b.Fork).IsByzantium {
			res.ReceiptsRootOK = check(out.ReceiptsRoot == h.ReceiptHash, fmt.Sprintf("receipts root %v, header %v", out.ReceiptsRoot, h.ReceiptHash))
		}
	} else if opts.Workers > 1 {
		seq, _, _, err := b.execute(1, nil)
		switch {
		case err != nil:
			res.SequentialOK = check(false, "sequential run failed: "+err.Error())
		default:
			same := seq.GasUsed == out.GasUsed && seq.ReceiptsRoot == out.ReceiptsRoot && seq.Bloom == out.Bloom && (chained || seq.StateRoot == out.StateRoot)
			res.SequentialOK = check(same, "parallel and sequential runs differ")
		}
	}
	res.Error = strings.Join(errs, "; ")
	return res
}

// execute runs the block once on a fresh state.
func (b *MainnetBlock) execute(workers int, tracer evm.Tracer) (*evm.BlockResult, time.Duration, []uint64, error) {
	return b.executeOn(b.NewState(), workers, tracer)
}

// executeOn runs the block once on state.
func (b *MainnetBlock) executeOn(state *statedb.StateDB, workers int, tracer evm.Tracer) (*evm.BlockResult, time.Duration, []uint64, error) {
	var mu sync.Mutex
	var missing []uint64
	getHash := func(n uint64) types.Hash {
		if h, ok := b.BlockHashes[n]; ok {
			return h
		}
		mu.Lock()
		missing = append(missing, n)
		mu.Unlock()
		return types.Hash{}
	}
	cfg := evm.BlockConfig{ChainID: b.ChainID, Fork: b.Fork, Workers: workers, Tracer: tracer}
	start := time.Now()
	out, err := evm.ExecuteBlock(b.Header, b.Transactions, nil, b.Withdrawals, state, cfg, getHash)
	elapsed := time.Since(start)
	if err != nil {
		return nil, elapsed, missing, err
	}
	return out, elapsed, missing, nil
}

// ReplaySummary totals a replay run.
type ReplaySummary struct {
	// Blocks counts the blocks executed (or that failed to load); Skipped
	// those ReplayInto found already in the database.
	Blocks  int     `json:"blocks"`
	Skipped int     `json:"skipped,omitempty"`
	OK      int     `json:"ok"`
	Failed  int     `json:"failed"`
	Txs     int     `json:"txs"`
	GasUsed uint64  `json:"gasUsed"`
	Ms      float64 `json:"ms"`
	// MGasPerSec is total gas over total execution time.
	MGasPerSec float64 `json:"mgasPerSec"`
}

// Add counts one block.
func (s *ReplaySummary) Add(r *ReplayResult) {
	if r.Skipped != "" {
		s.Skipped++
		return
	}
	s.Blocks++
	if r.OK {
		s.OK++
	} else {
		s.Failed++
	}
	s.Txs += r.Txs
	s.GasUsed += r.GasUsed
	s.Ms += r.Ms
	if s.Ms > 0 {
		s.MGasPerSec = float64(s.GasUsed) / s.Ms / 1000
	}
}

// IsBlockDir reports whether dir holds a replayable block (a block.json).
func IsBlockDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "block.json"))
	return err == nil && !st.IsDir()
}

var errNoBlocks = errors.New("no block directories (with a block.json) found")

// FindBlockDirs returns the block directories at or under each root,
// sorted by block number where the directory name is one.
func FindBlockDirs(roots ...string) ([]string, error) {
	var out []string
	for _, root := range roots {
		if IsBlockDir(root) {
			out = append(out, root)
			continue
		}
		var dirs []string
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && IsBlockDir(p) {
				dirs = append(dirs, p)
				return filepath.SkipDir
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sortBlockDirs(dirs)
		out = append(out, dirs...)
	}
	if len(out) == 0 {
		return nil, errNoBlocks
	}
	return out, nil
}

func sortBlockDirs(dirs []string) {
	num := func(p string) (uint64, bool) {
		n, err := strconv.ParseUint(filepath.Base(p), 10, 64)
		return n, err == nil
	}
	sort.SliceStable(dirs, func(i, j int) bool {
		a, b := dirs[i], dirs[j]
		na, oka := num(a)
		nb, okb := num(b)
		if oka && okb && filepath.Dir(a) == filepath.Dir(b) {
			return na < nb
		}
		return a < b
	})
}
