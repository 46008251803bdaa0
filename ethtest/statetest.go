package ethtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// StateTest is one test of a GeneralStateTests file.
type StateTest struct {
	Env         stEnv                      `json:"env"`
	Pre         Alloc                      `json:"pre"`
	Transaction stTransaction              `json:"transaction"`
	Post        map[string][]stPost        `json:"post"`
	Config      *stConfig                  `json:"config"`
	Info        map[string]any             `json:"_info"`
	Extra       map[string]json.RawMessage `json:"-"`
}

type stConfig struct {
	ChainID *hexU64 `json:"chainid"`
}

type stEnv struct {
	Coinbase      types.Address `json:"currentCoinbase"`
	GasLimit      hexU64        `json:"currentGasLimit"`
	Number        hexU64        `json:"currentNumber"`
	Timestamp     hexU64        `json:"currentTimestamp"`
	Difficulty    *hexU256      `json:"currentDifficulty"`
	BaseFee       *hexU256      `json:"currentBaseFee"`
	Random        *hexU256      `json:"currentRandom"`
	ExcessBlobGas *hexU64       `json:"currentExcessBlobGas"`
}

type stAuthorization struct {
	ChainID hexU256       `json:"chainId"`
	Address types.Address `json:"address"`
	Nonce   hexU64        `json:"nonce"`
	V       hexU64        `json:"v"`
	R       hexU256       `json:"r"`
	S       hexU256       `json:"s"`
}

type stAccessTuple struct {
	Address     types.Address `json:"address"`
	StorageKeys []types.Hash  `json:"storageKeys"`
}

type stTransaction struct {
	Nonce                hexU64             `json:"nonce"`
	GasPrice             *hexU256           `json:"gasPrice"`
	MaxFeePerGas         *hexU256           `json:"maxFeePerGas"`
	MaxPriorityFeePerGas *hexU256           `json:"maxPriorityFeePerGas"`
	GasLimit             []string           `json:"gasLimit"`
	To                   string             `json:"to"`
	Value                []string           `json:"value"`
	Data                 []string           `json:"data"`
	AccessLists          []*[]stAccessTuple `json:"accessLists"`
	MaxFeePerBlobGas     *hexU256           `json:"maxFeePerBlobGas"`
	BlobVersionedHashes  []types.Hash       `json:"blobVersionedHashes"`
	AuthorizationList    []stAuthorization  `json:"authorizationList"`
	Sender               *types.Address     `json:"sender"`
	SecretKey            hexBytes           `json:"secretKey"`
}

type stPost struct {
	Indexes struct {
		Data  int `json:"data"`
		Gas   int `json:"gas"`
		Value int `json:"value"`
	} `json:"indexes"`
	Hash            types.Hash `json:"hash"`
	Logs            types.Hash `json:"logs"`
	TxBytes         hexBytes   `json:"txbytes"`
	ExpectException string     `json:"expectException"`
}

// Result is one (test, fork, post index) outcome, in go-ethereum's
// `evm statetest` shape.
type Result struct {
	Name      string  `json:"name"`
	Pass      bool    `json:"pass"`
	StateRoot *string `json:"stateRoot,omitempty"`
	Fork      string  `json:"fork"`
	Error     string  `json:"error,omitempty"`
	// Index is the post index within the fork (not part of the JSON).
	Index int `json:"-"`
}

// StateTestOptions filters and instruments a run.
type StateTestOptions struct {
	Run   *regexp.Regexp // test names to run; nil runs all
	Fork  string         // only this fork; empty runs all
	Index int            // only this post index; -1 runs all
	// Trace, when set, receives EIP-3155 lines for every vector.
	Trace io.Writer
	// RootLog, when set, receives a {"stateRoot": …} line per vector, as
	// go-ethereum's tool writes to stderr.
	RootLog io.Writer
}

// ReadStateTestFile parses a GeneralStateTests JSON file.
func ReadStateTestFile(path string) (map[string]*StateTest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tests map[string]*StateTest
	if err := json.Unmarshal(data, &tests); err != nil {
		return nil, fmt.Errorf("%s: not a state test file: %v", path, err)
	}
	return tests, nil
}

// RunStateTests runs every selected vector of the given tests, in name,
// fork and index order.
func RunStateTests(tests map[string]*StateTest, opts StateTestOptions) []Result {
	names := make([]string, 0, len(tests))
	for name := range tests {
		if opts.Run == nil || opts.Run.MatchString(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var results []Result
	for _, name := range names {
		results = append(results, tests[name].run(name, opts)...)
	}
	return results
}

func (t *StateTest) run(name string, opts StateTestOptions) []Result {
	forkNames := make([]string, 0, len(t.Post))
	for f := range t.Post {
		if opts.Fork == "" || opts.Fork == f {
			forkNames = append(forkNames, f)
		}
	}
	sort.Slice(forkNames, func(i, j int) bool { return forkOrder(forkNames[i]) < forkOrder(forkNames[j]) })
	var results []Result
	for _, fname := range forkNames {
		for idx, post := range t.Post[fname] {
			if opts.Index >= 0 && opts.Index != idx {
				continue
			}
			r := Result{Name: name, Fork: fname, Pass: true, Index: idx}
			root, err := t.runVector(fname, post, opts)
			if root != nil {
				s := root.Hex()
				r.StateRoot = &s
				if opts.RootLog != nil {
					fmt.Fprintf(opts.RootLog, "{\"stateRoot\": \"%s\"}\n", s)
				}
			}
			if err != nil {
				r.Pass = false
				r.Error = err.Error()
			}
			results = append(results, r)
		}
	}
	return results
}

func forkOrder(name string) int {
	if f, err := forks.Parse(name); err == nil {
		return int(f)
	}
	return 1 << 20
}

// runVector executes one post entry and checks it. It never panics: an
// internal failure becomes the vector's error.
func (t *StateTest) runVector(forkName string, post stPost, opts StateTestOptions) (root *types.Hash, err error) {
	defer func() {
		if p := recover(); p != nil {
			root = nil
			err = fmt.Errorf("internal error: %v\n%s", p, debug.Stack())
		}
	}()
	fork, ferr := forks.Parse(forkName)
	if ferr != nil {
		return nil, fmt.Errorf("unsupported fork %q", forkName)
	}
	got, logsHash, execErr := t.execute(fork, post, opts)
	if got != nil {
		root = got
	}
	if execErr != nil {
		if post.ExpectException == "" {
			return root, fmt.Errorf("unexpected error: %v", execErr)
		}
		return root, nil // an expected failure; the post state is not checked
	}
	if post.ExpectException != "" {
		return root, fmt.Errorf("expected error %q, got no error", post.ExpectException)
	}
	if *root != post.Hash {
		return root, fmt.Errorf("post state root mismatch: got %x, want %x", root[:], post.Hash[:])
	}
	if logsHash != post.Logs {
		return root, fmt.Errorf("post state logs hash mismatch: got %x, want %x", logsHash[:], post.Logs[:])
	}
	return root, nil
}

// execute applies the vector's transaction to the pre-state. An error
// means the transaction is invalid (or the vector malformed); the state
// root is then the pre-state root with the coinbase touched, as Ethereum's
// tools compute it.
func (t *StateTest) execute(fork forks.Fork, post stPost, opts StateTestOptions) (*types.Hash, types.Hash, error) {
	rules := forks.RulesFor(fork)
	chainID := uint64(1)
	if t.Config != nil && t.Config.ChainID != nil {
		chainID = uint64(*t.Config.ChainID)
	}
	state := t.preState()

	block := evm.BlockContext{
		Coinbase: t.Env.Coinbase,
		GasLimit: uint64(t.Env.GasLimit),
		Number:   uint64(t.Env.Number),
		Time:     uint64(t.Env.Timestamp),
		GetHash:  stateTestBlockHash,
	}
	if t.Env.Difficulty != nil {
		block.Difficulty = t.Env.Difficulty.Int
	}
	var baseFee *uint256.Int
	if rules.IsLondon {
		baseFee = uint256.NewInt(10)
		if t.Env.BaseFee != nil {
			baseFee = new(uint256.Int).Set(&t.Env.BaseFee.Int)
		}
		block.BaseFee = baseFee
		if t.Env.Random != nil {
			rnd := types.Hash(t.Env.Random.Bytes32())
			block.Random = &rnd
			block.Difficulty.Clear()
		}
	}
	if rules.IsCancun && t.Env.ExcessBlobGas != nil {
		block.BlobBaseFee = evm.BlobBaseFee(uint64(*t.Env.ExcessBlobGas), fork)
	}

	cfg := evm.Config{ChainID: chainID, Rules: rules}
	if opts.Trace != nil {
		cfg.Tracer = evm.NewJSONTracer(opts.Trace)
	}

	var execErr error
	msg, err := t.Transaction.toMessage(post, baseFee)
	if err == nil {
		err = checkBlobCount(msg, fork)
	}
	if err == nil && len(post.TxBytes) > 0 {
		err = checkTxBytes(post.TxBytes, rules, chainID)
	}
	if err != nil {
		execErr = err
	} else {
		e := evm.New(block, state, cfg)
		snap := state.Snapshot()
		gp := evm.GasPool(block.GasLimit)
		if _, err := evm.ApplyMessage(e, msg, &gp); err != nil {
			state.RevertToSnapshot(snap)
			execErr = err
		}
	}
	// A zero-value credit touches the coinbase even when the transaction
	// paid no fee, so that an empty coinbase is cleared (EIP-158) or
	// created (before it) exactly as Ethereum's reference tools do.
	state.AddBalance(block.Coinbase, new(uint256.Int))
	root := state.IntermediateRoot(rules.IsEIP158)
	return &root, types.LogsHash(state.Logs()), execErr
}

func (t *StateTest) preState() *statedb.StateDB {
	s := statedb.New()
	for addr, acc := range t.Pre {
		s.CreateAccount(addr)
		s.SetBalance(addr, &acc.Balance.Int)
		s.SetNonce(addr, uint64(acc.Nonce))
		if len(acc.Code) > 0 {
			s.SetCode(addr, acc.Code)
		}
		if len(acc.storage) > 0 {
			s.SetStorage(addr, acc.storage)
		}
	}
	s.IntermediateRoot(false)
	return s
}

// stateTestBlockHash is the BLOCKHASH answer state tests were filled with:
// keccak256 of the block number's decimal string.
func stateTestBlockHash(n uint64) types.Hash {
	return types.Keccak256([]byte(strconv.FormatUint(n, 10)))
}

func (tx *stTransaction) toMessage(post stPost, baseFee *uint256.Int) (*evm.Message, error) {
	var from types.Address
	switch {
	case tx.Sender != nil:
		from = *tx.Sender
	case len(tx.SecretKey) == 32:
		from = addressOfKey(tx.SecretKey)
	default:
		return nil, errors.New("transaction has neither sender nor secretKey")
	}
	var to *types.Address
	if tx.To != "" {
		a, err := types.ParseAddress(tx.To)
		if err != nil {
			return nil, fmt.Errorf("invalid to address: %v", err)
		}
		to = &a
	}
	ix := post.Indexes
	if ix.Data < 0 || ix.Data >= len(tx.Data) {
		return nil, fmt.Errorf("tx data index %d out of bounds", ix.Data)
	}
	if ix.Value < 0 || ix.Value >= len(tx.Value) {
		return nil, fmt.Errorf("tx value index %d out of bounds", ix.Value)
	}
	if ix.Gas < 0 || ix.Gas >= len(tx.GasLimit) {
		return nil, fmt.Errorf("tx gas limit index %d out of bounds", ix.Gas)
	}
	value, err := parseQuantityString(tx.Value[ix.Value])
	if err != nil {
		return nil, fmt.Errorf("invalid tx value: %v", err)
	}
	if value.Sign() < 0 || value.BitLen() > 256 {
		return nil, fmt.Errorf("tx value %q overflows 256 bits", truncate(tx.Value[ix.Value]))
	}
	gas, err := parseQuantityString(tx.GasLimit[ix.Gas])
	if err != nil || !gas.IsUint64() {
		return nil, fmt.Errorf("invalid tx gas limit %q", truncate(tx.GasLimit[ix.Gas]))
	}
	data, err := types.DecodeHex(tx.Data[ix.Data])
	if err != nil {
		return nil, fmt.Errorf("invalid tx data %q", truncate(tx.Data[ix.Data]))
	}
	msg := &evm.Message{
		From:       from,
		To:         to,
		Nonce:      uint64(tx.Nonce),
		GasLimit:   gas.Uint64(),
		Data:       data,
		BlobHashes: tx.BlobVersionedHashes,
	}
	msg.Value.SetFromBig(value)
	if ix.Data < len(tx.AccessLists) && tx.AccessLists[ix.Data] != nil {
		for _, t := range *tx.AccessLists[ix.Data] {
			msg.AccessList = append(msg.AccessList, types.AccessTuple{Address: t.Address, StorageKeys: t.StorageKeys})
		}
	}
	// Legacy transactions carry one price; fee-market ones a cap and a tip.
	// The effective price is min(cap, tip + baseFee) once a base fee exists.
	var feeCap, tip uint256.Int
	switch {
	case tx.MaxFeePerGas != nil:
		feeCap = tx.MaxFeePerGas.Int
	case tx.GasPrice != nil:
		feeCap = tx.GasPrice.Int
	default:
		return nil, errors.New("no gas price provided")
	}
	if tx.MaxPriorityFeePerGas != nil {
		tip = tx.MaxPriorityFeePerGas.Int
	} else {
		tip = feeCap
	}
	msg.GasFeeCap, msg.GasTipCap = feeCap, tip
	if baseFee != nil {
		price := new(uint256.Int)
		if _, overflow := price.AddOverflow(&tip, baseFee); overflow || price.Gt(&feeCap) {
			price.Set(&feeCap)
		}
		msg.GasPrice = *price
	} else if tx.GasPrice != nil {
		msg.GasPrice = tx.GasPrice.Int
	} else {
		msg.GasPrice = feeCap
	}
	if tx.MaxFeePerBlobGas != nil {
		msg.BlobGasFeeCap = new(uint256.Int).Set(&tx.MaxFeePerBlobGas.Int)
	}
	if tx.AuthorizationList != nil {
		msg.AuthList = make([]types.SetCodeAuthorization, 0, len(tx.AuthorizationList))
		for _, a := range tx.AuthorizationList {
			if a.V > 255 {
				return nil, fmt.Errorf("authorization y-parity %d out of range", a.V)
			}
			msg.AuthList = append(msg.AuthList, types.SetCodeAuthorization{
				ChainID: a.ChainID.Int, Address: a.Address, Nonce: uint64(a.Nonce),
				V: uint8(a.V), R: a.R.Int, S: a.S.Int,
			})
		}
	}
	return msg, nil
}

// checkBlobCount rejects a transaction with more blobs than a block may
// hold under the fork's schedule.
func checkBlobCount(msg *evm.Message, fork forks.Fork) error {
	max := forks.BlobScheduleFor(fork).Max
	if fork >= forks.Cancun && uint64(len(msg.BlobHashes)) > max {
		return fmt.Errorf("blob gas exceeds maximum: %d blobs, at most %d", len(msg.BlobHashes), max)
	}
	return nil
}

func addressOfKey(key []byte) types.Address {
	pub := secp256k1.PrivKeyFromBytes(key).PubKey().SerializeUncompressed()
	h := types.Keccak256(pub[1:])
	return types.BytesToAddress(h[12:])
}

// checkTxBytes decodes the vector's signed transaction and checks that the
// fork accepts it: its type must be active and its signature valid under
// the fork's signer rules.
func checkTxBytes(raw []byte, rules forks.Rules, chainID uint64) error {
	tx, err := types.DecodeTransaction(raw)
	if err != nil {
		return err
	}
	_, err = evm.TxSender(tx, rules, chainID)
	return err
}
