package parallel

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// asm assembles bytecode: bytes are opcodes, []byte values are PUSHn data.
func asm(parts ...any) []byte {
	var out []byte
	for _, p := range parts {
		switch v := p.(type) {
		case evm.OpCode:
			out = append(out, byte(v))
		case int:
			out = append(out, byte(evm.PUSH1), byte(v))
		case []byte:
			out = append(out, byte(evm.PUSH1)+byte(len(v)-1))
			out = append(out, v...)
		}
	}
	return out
}

// Operations of the fuzz contract, chosen by calldata word 0; words 1 and 2
// are arguments a and b; a call forwards calldata from 0x60.
const (
	opStore        = 1  // sstore(a, b)
	opIncrement    = 2  // sstore(a, sload(a)+1)
	opCoinbaseBal  = 3  // sstore(a, balance(coinbase))
	opStoreRevert  = 4  // sstore(a, b); revert
	opSelfDestruct = 5  // selfdestruct(a)
	opCreate2      = 6  // sstore(b, create2(0, clone of caller code, salt a))
	opCall         = 7  // call(a, value b, calldata[0x60:])
	opBalance      = 8  // sstore(a, balance(b))
	opCodeHash     = 9  // sstore(a, extcodehash(b))
	opTransient    = 10 // tstore(a, b); sstore(a+1, tload(a))
)

// fuzzContract returns the dispatcher. Every operation ends with STOP.
func fuzzContract() []byte {
	// The clone initcode copies the creator's code: CALLER EXTCODESIZE
	// DUP1 0 0 CALLER EXTCODECOPY 0 RETURN.
	initcode := []byte{byte(evm.CALLER), byte(evm.EXTCODESIZE), byte(evm.DUP1), byte(evm.PUSH1), 0, byte(evm.PUSH1), 0,
		byte(evm.CALLER), byte(evm.EXTCODECOPY), byte(evm.PUSH1), 0, byte(evm.RETURN)}
	bodies := map[int][]byte{
		opStore:        asm(0x40, evm.CALLDATALOAD, 0x20, evm.CALLDATALOAD, evm.SSTORE, evm.STOP),
		opIncrement:    asm(0x20, evm.CALLDATALOAD, evm.DUP1, evm.SLOAD, 1, evm.ADD, evm.SWAP1, evm.SSTORE, evm.STOP),
		opCoinbaseBal:  asm(evm.COINBASE, evm.BALANCE, 0x20, evm.CALLDATALOAD, evm.SSTORE, evm.STOP),
		opStoreRevert:  asm(0x40, evm.CALLDATALOAD, 0x20, evm.CALLDATALOAD, evm.SSTORE, 0, 0, evm.REVERT),
		opSelfDestruct: asm(0x20, evm.CALLDATALOAD, evm.SELFDESTRUCT),
		opCreate2: asm(initcode, 0, evm.MSTORE, 0x20, evm.CALLDATALOAD, len(initcode), 32-len(initcode), 0, evm.CREATE2,
			0x40, evm.CALLDATALOAD, evm.SSTORE, evm.STOP),
		opCall: asm(0x60, evm.CALLDATASIZE, evm.SUB, evm.DUP1, 0x60, 0, evm.CALLDATACOPY,
			0, 0, evm.SWAP1+1, 0, 0x40, evm.CALLDATALOAD, 0x20, evm.CALLDATALOAD, evm.GAS, evm.CALL, evm.POP, evm.STOP),
		opBalance:   asm(0x40, evm.CALLDATALOAD, evm.BALANCE, 0x20, evm.CALLDATALOAD, evm.SSTORE, evm.STOP),
		opCodeHash:  asm(0x40, evm.CALLDATALOAD, evm.EXTCODEHASH, 0x20, evm.CALLDATALOAD, evm.SSTORE, evm.STOP),
		opTransient: asm(0x40, evm.CALLDATALOAD, 0x20, evm.CALLDATALOAD, evm.TSTORE, 0x20, evm.CALLDATALOAD, evm.TLOAD, 0x20, evm.CALLDATALOAD, 1, evm.ADD, evm.SSTORE, evm.STOP),
	}
	const nops = opTransient
	// Header: op = calldataload(0); for each op: DUP1 op EQ PUSH2 dest JUMPI.
	headerLen := 3 + nops*8 + 1 // PUSH1 0 CALLDATALOAD, entries, STOP
	code := asm(0, evm.CALLDATALOAD)
	dest := headerLen
	var tail []byte
	for op := 1; op <= nops; op++ {
		var d [2]byte
		binary.BigEndian.PutUint16(d[:], uint16(dest))
		code = append(code, asm(evm.DUP1, op, evm.EQ, d[:], evm.JUMPI)...)
		b := append([]byte{byte(evm.JUMPDEST)}, bodies[op]...)
		tail = append(tail, b...)
		dest += len(b)
	}
	code = append(code, byte(evm.STOP))
	if len(code) != headerLen {
		panic(fmt.Sprintf("header is %d bytes, want %d", len(code), headerLen))
	}
	return append(code, tail...)
}

// deployCode is initcode that returns runtime.
func deployCode(runtime []byte) []byte {
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(runtime)))
	// PUSH2 n DUP1 PUSH1 off PUSH1 0 CODECOPY PUSH1 0 RETURN
	pre := asm(n[:], evm.DUP1, 12, 0, evm.CODECOPY, 0, evm.RETURN)
	if len(pre) != 12 {
		panic("deploy prefix size")
	}
	return append(pre, runtime...)
}

var (
	testKeys   []*secp256k1.PrivateKey
	testSender []types.Address
)

func init() {
	for i := range 8 {
		var b [32]byte
		b[31] = byte(i + 1)
		b[0] = 0x42
		k := secp256k1.PrivKeyFromBytes(b[:])
		testKeys = append(testKeys, k)
		testSender = append(testSender, types.PrivateKeyToAddress(k))
	}
}

// randomBlock is a generated block: pre-state, transactions and context.
type randomBlock struct {
	fork     forks.Fork
	pre      *statedb.StateDB
	txs      []*types.Transaction
	header   *types.Header
	coinbase types.Address
}

func word(v uint64) []byte {
	var w [32]byte
	binary.BigEndian.PutUint64(w[24:], v)
	return w[:]
}

func addrWord(a types.Address) []byte {
	var w [32]byte
	copy(w[12:], a[:])
	return w[:]
}

var testForks = []forks.Fork{forks.Prague, forks.Prague, forks.Prague, forks.Cancun, forks.London, forks.Istanbul, forks.Byzantium, forks.SpuriousDragon, forks.Homestead}

func genBlock(rng *rand.Rand, ntx int) *randomBlock {
	fork := testForks[rng.IntN(len(testForks))]
	rules := forks.RulesFor(fork)
	code := fuzzContract()
	nContracts := 3
	contracts := make([]types.Address, nContracts)
	pre := statedb.New()
	for i := range contracts {
		contracts[i] = types.Address{0: 0xc0, 19: byte(i)}
		pre.SetCode(contracts[i], code)
		pre.SetNonce(contracts[i], 1)
		if rng.IntN(2) == 0 {
			pre.SetBalance(contracts[i], uint256.NewInt(uint64(rng.IntN(1000))))
		}
		st := map[types.Hash]types.Hash{}
		for k := range 4 {
			if rng.IntN(2) == 0 {
				st[types.Hash{31: byte(k)}] = types.Hash{31: byte(rng.IntN(5) + 1)}
			}
		}
		pre.SetStorage(contracts[i], st)
	}
	// Prague's request contracts must have code; STOP does nothing.
	pre.SetCode(evm.WithdrawalQueueAddress, []byte{0})
	pre.SetCode(evm.ConsolidationQueueAddress, []byte{0})
	nSenders := 2 + rng.IntN(len(testKeys)-1)
	for i := range nSenders {
		pre.SetBalance(testSender[i], uint256.NewInt(1e18))
	}
	others := []types.Address{{0: 0xaa, 19: 1}, {0: 0xaa, 19: 2}, {0: 0xaa, 19: 3}, {19: 3} /* ripemd */, {19: 1}}
	pre.SetBalance(others[0], uint256.NewInt(5))
	var coinbase types.Address
	switch rng.IntN(4) {
	case 0:
		coinbase = types.Address{0: 0xcb} // does not exist
	case 1:
		coinbase = types.Address{0: 0xcb, 1: 1}
		pre.SetBalance(coinbase, uint256.NewInt(7))
	case 2:
		coinbase = testSender[rng.IntN(nSenders)]
	case 3:
		coinbase = contracts[rng.IntN(nContracts)]
	}
	pre.Finalise(false)
	pre.IntermediateRoot(rules.IsEIP158)

	// Children that CREATE2 makes (salts 0..2) from each contract.
	var children []types.Address
	for _, c := range contracts {
		for salt := range 3 {
			children = append(children, evm.CreateAddress2(c, types.Hash(word(uint64(salt))), types.Keccak256(fuzzContractInit())))
		}
	}
	targets := append(append(append([]types.Address{coinbase}, contracts...), others...), children...)
	targets = append(targets, testSender[:nSenders]...)
	pick := func() types.Address { return targets[rng.IntN(len(targets))] }

	nonces := make([]uint64, nSenders)
	badNonces := rng.IntN(8) == 0
	baseFee := uint256.NewInt(10)
	var txs []*types.Transaction
	for range ntx {
		s := rng.IntN(nSenders)
		key := testKeys[s]
		d := &types.TxData{Nonce: nonces[s], Gas: 300_000}
		if badNonces && rng.IntN(10) == 0 {
			d.Nonce += uint64(rng.IntN(2)) // sometimes a wrong nonce: the block is invalid
		}
		to := pick()
		d.To = &to
		var data []byte
		kind := rng.IntN(10)
		switch {
		case kind < 3:
			d.Value.SetUint64(uint64(rng.IntN(3)))
		case kind < 8:
			to = contracts[rng.IntN(nContracts)]
			if rng.IntN(4) == 0 {
				to = pick() // maybe a child, a delegated sender or an EOA
			}
			data = fuzzCall(rng, pick, 0)
			if rng.IntN(5) == 0 {
				d.Value.SetUint64(uint64(rng.IntN(100)))
			}
		case kind == 8 && rules.IsConstantinople:
			d.To = nil
			data = deployCode(code)
		default:
			d.Value.SetUint64(uint64(rng.IntN(2)))
		}
		d.Data = data
		switch {
		case rules.IsPrague && rng.IntN(4) == 0 && d.To != nil:
			d.Type = types.SetCodeTxType
			for range 1 + rng.IntN(2) {
				a := rng.IntN(nSenders)
				n := nonces[a]
				if a == s {
					n++
				}
				if rng.IntN(5) == 0 {
					n++ // an invalid authorization, skipped
				} else {
					nonces[a]++
				}
				target := contracts[rng.IntN(nContracts)]
				if rng.IntN(4) == 0 {
					target = types.Address{}
				}
				d.AuthList = append(d.AuthList, types.SignSetCode(types.SetCodeAuthorization{ChainID: *uint256.NewInt(1), Address: target, Nonce: n}, testKeys[a]))
			}
		case rules.IsLondon && rng.IntN(2) == 0:
			d.Type = types.DynamicFeeTxType
		case rules.IsBerlin && rng.IntN(3) == 0:
			d.Type = types.AccessListTxType
		}
		if d.Type != types.LegacyTxType || rules.IsEIP155 {
			d.ChainID.SetUint64(1)
		}
		tip := uint64(rng.IntN(3)) // zero tips touch the coinbase without paying it
		if rules.IsLondon {
			d.GasTipCap.SetUint64(tip)
			d.GasFeeCap.SetUint64(baseFee.Uint64() + tip + uint64(rng.IntN(2)))
			d.GasPrice = d.GasFeeCap
		} else {
			d.GasPrice.SetUint64(tip + 1)
		}
		tx, err := types.SignTx(d, key)
		if err != nil {
			panic(err)
		}
		txs = append(txs, tx)
		nonces[s]++
	}
	h := &types.Header{Number: 100, Time: 1000, GasLimit: 30_000_000 + uint64(rng.IntN(2))*uint64(ntx)*200_000, Coinbase: coinbase,
		UncleHash: types.EmptyListHash}
	if rng.IntN(10) == 0 {
		h.GasLimit = uint64(ntx) * 60_000 // may run out of block gas
	}
	if rules.IsLondon {
		h.BaseFee = baseFee
	}
	if rules.IsMerge {
		h.Difficulty.Clear()
	} else {
		h.Difficulty.SetUint64(1)
	}
	if rules.IsShanghai {
		h.WithdrawalsHash = &types.EmptyRootHash
	}
	if rules.IsCancun {
		z := uint64(0)
		h.BlobGasUsed, h.ExcessBlobGas = &z, &z
		h.ParentBeaconRoot = &types.Hash{}
	}
	if rules.IsPrague {
		h.RequestsHash = &types.Hash{}
	}
	return &randomBlock{fork: fork, pre: pre, txs: txs, header: h, coinbase: coinbase}
}

func fuzzContractInit() []byte {
	return []byte{byte(evm.CALLER), byte(evm.EXTCODESIZE), byte(evm.DUP1), byte(evm.PUSH1), 0, byte(evm.PUSH1), 0,
		byte(evm.CALLER), byte(evm.EXTCODECOPY), byte(evm.PUSH1), 0, byte(evm.RETURN)}
}

// fuzzCall returns calldata for one random operation of the fuzz contract.
func fuzzCall(rng *rand.Rand, pick func() types.Address, depth int) []byte {
	op := 1 + rng.IntN(opTransient)
	slot := uint64(rng.IntN(4))
	var data []byte
	data = append(data, word(uint64(op))...)
	switch op {
	case opSelfDestruct:
		data = append(data, addrWord(pick())...)
		data = append(data, word(0)...)
	case opCreate2:
		data = append(data, word(uint64(rng.IntN(3)))...)
		data = append(data, word(slot)...)
	case opCall:
		data = append(data, addrWord(pick())...)
		data = append(data, word(uint64(rng.IntN(2)))...)
		if depth < 2 {
			data = append(data, fuzzCall(rng, pick, depth+1)...)
		}
		return data
	case opBalance, opCodeHash:
		data = append(data, word(slot)...)
		data = append(data, addrWord(pick())...)
	default:
		data = append(data, word(slot)...)
		data = append(data, word(uint64(rng.IntN(3)))...)
	}
	return append(data, word(0)...) // calldata is always at least 0x60 bytes
}

// outcome is everything that must be equal between executions.
type outcome struct {
	err      string
	receipts []byte
	gasUsed  uint64
	root     types.Hash
}

func blockContext(b *randomBlock) evm.BlockContext {
	h := b.header
	bc := evm.BlockContext{Coinbase: h.Coinbase, GasLimit: h.GasLimit, Number: h.Number, Time: h.Time, Difficulty: h.Difficulty,
		GetHash: func(n uint64) types.Hash { return types.Hash{0: byte(n)} }}
	rules := forks.RulesFor(b.fork)
	if rules.IsMerge {
		r := h.MixDigest
		bc.Random = &r
	}
	if rules.IsLondon {
		bc.BaseFee = new(uint256.Int).Set(h.BaseFee)
	}
	if rules.IsCancun {
		bc.BlobBaseFee = evm.BlobBaseFee(0, b.fork)
	}
	return bc
}

// sequentialOutcome executes the block with evm.ExecuteBlock, one
// transaction after the other: the oracle.
func sequentialOutcome(b *randomBlock) outcome {
	state := b.pre.Copy()
	cfg := evm.BlockConfig{ChainID: 1, Fork: b.fork, Workers: 1}
	var ws []*types.Withdrawal
	if forks.RulesFor(b.fork).IsShanghai {
		ws = []*types.Withdrawal{}
	}
	res, err := evm.ExecuteBlock(b.header, b.txs, nil, ws, state, cfg, blockContext(b).GetHash)
	if err != nil {
		return outcome{err: err.Error()}
	}
	return encodeOutcome(res.Receipts, res.GasUsed, res.StateRoot)
}

// parallelOutcome executes the block's transactions with ExecuteTxs and
// then what evm.ExecuteBlock does after them in these blocks (the system
// calls find no code and change nothing; no uncles, no withdrawals).
func parallelOutcome(t testing.TB, b *randomBlock, workers int, st *Stats) outcome {
	state := b.pre.Copy()
	rules := forks.RulesFor(b.fork)
	cfg := evm.BlockConfig{ChainID: 1, Fork: b.fork, Workers: workers}
	e := evm.New(blockContext(b), state, evm.Config{ChainID: 1, Rules: rules})
	res := &evm.BlockResult{}
	included := b.txs
	if err := ExecuteTxsOpts(e, state, b.txs, cfg, res, &included, Options{Stats: st, MinTxs: 2, PreByzantium: true}); err != nil {
		return outcome{err: err.Error()}
	}
	if !rules.IsMerge {
		state.AddBalance(b.coinbase, evm.BlockRewardFor(b.fork))
	}
	return encodeOutcome(res.Receipts, res.GasUsed, state.IntermediateRoot(rules.IsEIP158))
}

func encodeOutcome(receipts []*types.Receipt, gas uint64, root types.Hash) outcome {
	var buf []byte
	for _, r := range receipts {
		var err error
		if buf, err = r.AppendBinary(buf); err != nil {
			panic(err)
		}
		for _, l := range r.Logs {
			buf = fmt.Appendf(buf, "|%x %d %d %d", l.TxHash, l.TxIndex, l.Index, l.BlockNumber)
		}
		buf = fmt.Appendf(buf, "|%d %x %d", r.TransactionIndex, r.ContractAddress, r.GasUsed)
	}
	return outcome{receipts: buf, gasUsed: gas, root: root}
}

func (o outcome) equal(p outcome) bool {
	return o.err == p.err && bytes.Equal(o.receipts, p.receipts) && o.gasUsed == p.gasUsed && o.root == p.root
}

func (o outcome) String() string {
	if o.err != "" {
		return "error: " + o.err
	}
	return fmt.Sprintf("gas %d root %v receipts %d bytes", o.gasUsed, o.root, len(o.receipts))
}

// TestParallelMatchesSequential executes random conflict-heavy blocks
// (shared senders and slots, the beneficiary's balance read mid-block,
// SELFDESTRUCT and CREATE2 re-creation, EIP-7702 delegations, reverts,
// invalid transactions) with 1, 2, 4 and 8 workers and requires the
// sequential block's receipts, logs, gas and state root from each.
func TestParallelMatchesSequential(t *testing.T) {
	blocks := 2000
	if testing.Short() {
		blocks = 150
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var execs, txs int64
	fallbacks := map[string]int{}
	for i := range blocks {
		b := genBlock(rng, 4+rng.IntN(40))
		want := sequentialOutcome(b)
		for _, w := range []int{1, 2, 4, 8} {
			var st Stats
			got := parallelOutcome(t, b, w, &st)
			if !got.equal(want) {
				t.Fatalf("block %d (fork %v, %d txs), %d workers:\n got %v\nwant %v", i, b.fork, len(b.txs), w, got, want)
			}
			if w > 1 {
				execs += st.Executions
				txs += int64(len(b.txs))
				if st.SequentialFrom >= 0 {
					fallbacks[st.SequentialWhy]++
				}
			}
		}
	}
	t.Logf("%d blocks: %.2f executions per transaction, runs finished sequentially: %v", blocks, float64(execs)/float64(txs), fallbacks)
}
