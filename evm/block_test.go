package evm

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

// TestCalcBaseFee checks EIP-1559's update rule on hand-computed cases.
func TestCalcBaseFee(t *testing.T) {
	u := func(v uint64) *uint256.Int { return uint256.NewInt(v) }
	tests := []struct {
		name   string
		parent types.Header
		fork   forks.Fork
		want   *uint256.Int
	}{
		{"before London", types.Header{GasLimit: 30_000_000}, forks.Berlin, nil},
		{"first London block", types.Header{GasLimit: 30_000_000, GasUsed: 29_000_000}, forks.London, u(1_000_000_000)},
		{"at target", types.Header{GasLimit: 30_000_000, GasUsed: 15_000_000, BaseFee: u(1_000_000_000)}, forks.London, u(1_000_000_000)},
		{"full block", types.Header{GasLimit: 30_000_000, GasUsed: 30_000_000, BaseFee: u(1_000_000_000)}, forks.London, u(1_125_000_000)},
		{"empty block", types.Header{GasLimit: 30_000_000, GasUsed: 0, BaseFee: u(1_000_000_000)}, forks.London, u(875_000_000)},
		{"half over", types.Header{GasLimit: 30_000_000, GasUsed: 22_500_000, BaseFee: u(1_000_000_000)}, forks.London, u(1_062_500_000)},
		{"minimum increase 1", types.Header{GasLimit: 30_000_000, GasUsed: 15_000_001, BaseFee: u(7)}, forks.Cancun, u(8)},
		{"small decrease rounds down to 0", types.Header{GasLimit: 30_000_000, GasUsed: 14_999_999, BaseFee: u(7)}, forks.Prague, u(7)},
		{"decrease of 7 by 1/8", types.Header{GasLimit: 30_000_000, GasUsed: 0, BaseFee: u(8)}, forks.Prague, u(7)},
	}
	for _, tt := range tests {
		got := CalcBaseFee(&tt.parent, tt.fork)
		if (got == nil) != (tt.want == nil) || (got != nil && !got.Eq(tt.want)) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestVerifyGasLimit(t *testing.T) {
	tests := []struct {
		parent, limit uint64
		want          error
	}{
		{30_000_000, 30_000_000, nil},
		{30_000_000, 30_000_000 + 30_000_000/1024 - 1, nil},
		{30_000_000, 30_000_000 + 30_000_000/1024, ErrGasLimitBounds},
		{30_000_000, 30_000_000 - 30_000_000/1024 + 1, nil},
		{30_000_000, 30_000_000 - 30_000_000/1024, ErrGasLimitBounds},
		{5000, 4999, ErrGasLimitBounds},
		{1 << 63, 1 << 63, ErrGasLimitTooBig},
	}
	for _, tt := range tests {
		if err := VerifyGasLimit(tt.parent, tt.limit); !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
			t.Errorf("VerifyGasLimit(%d, %d) = %v, want %v", tt.parent, tt.limit, err, tt.want)
		}
	}
}

func TestValidateHeader(t *testing.T) {
	zero := uint64(0)
	root := types.Hash{}
	parent := &types.Header{Number: 9, Time: 100, GasLimit: 30_000_000, GasUsed: 15_000_000, BaseFee: uint256.NewInt(1000),
		WithdrawalsHash: &root, BlobGasUsed: &zero, ExcessBlobGas: &zero, ParentBeaconRoot: &root, UncleHash: types.EmptyListHash}
	good := func() *types.Header {
		h := *parent
		h.Number, h.Time, h.GasUsed = 10, 112, 0
		ex, used := uint64(0), uint64(0)
		h.ExcessBlobGas, h.BlobGasUsed = &ex, &used
		return &h
	}
	if err := ValidateHeader(good(), parent, forks.Cancun); err != nil {
		t.Fatalf("good header: %v", err)
	}
	tests := []struct {
		name string
		mod  func(h *types.Header)
		want error
		exc  string
	}{
		{"number", func(h *types.Header) { h.Number = 11 }, ErrBlockNumber, "INVALID_BLOCK_NUMBER"},
		{"timestamp", func(h *types.Header) { h.Time = 100 }, ErrBlockTimestamp, "INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT"},
		{"gas limit", func(h *types.Header) { h.GasLimit = 31_000_000 }, ErrGasLimitBounds, "INVALID_GASLIMIT"},
		{"gas used", func(h *types.Header) { h.GasUsed = h.GasLimit + 1 }, ErrGasUsedOverLimit, "GAS_USED_OVERFLOW"},
		{"extra", func(h *types.Header) { h.Extra = make([]byte, 33) }, ErrExtraDataTooLong, "EXTRA_DATA_TOO_BIG"},
		{"base fee", func(h *types.Header) { h.BaseFee = uint256.NewInt(1001) }, ErrBaseFee, "INVALID_BASEFEE_PER_GAS"},
		{"difficulty", func(h *types.Header) { h.Difficulty.SetOne() }, ErrDifficultyPostMerge, "IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS"},
		{"excess blob gas", func(h *types.Header) { v := GasPerBlob; h.ExcessBlobGas = &v }, ErrExcessBlobGas, "INCORRECT_EXCESS_BLOB_GAS"},
		{"blob gas too high", func(h *types.Header) { v := 7 * GasPerBlob; h.BlobGasUsed = &v }, ErrBlobGasUsedAboveLimit, "BLOB_GAS_USED_ABOVE_LIMIT"},
		{"missing beacon root", func(h *types.Header) { h.ParentBeaconRoot = nil }, ErrMissingHeaderField, "INCORRECT_BLOCK_FORMAT"},
		{"requests hash early", func(h *types.Header) { h.RequestsHash = &root }, ErrUnexpectedHeaderField, "INCORRECT_BLOCK_FORMAT"},
	}
	for _, tt := range tests {
		h := good()
		tt.mod(h)
		err := ValidateHeader(h, parent, forks.Cancun)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
		if got := BlockExceptionName(err); got != "BlockException."+tt.exc {
			t.Errorf("%s: exception %q", tt.name, got)
		}
	}
}

func TestRequestsHash(t *testing.T) {
	empty := sha256.Sum256(nil)
	if got := RequestsHash(nil); got != types.Hash(empty) {
		t.Errorf("empty requests hash %v", got)
	}
	a, b := []byte{0x00, 1, 2}, []byte{0x02, 3}
	ha, hb := sha256.Sum256(a), sha256.Sum256(b)
	want := sha256.Sum256(append(ha[:], hb[:]...))
	if got := RequestsHash([][]byte{a, b}); got != types.Hash(want) {
		t.Errorf("requests hash %v, want %x", got, want)
	}
}

// blockDepositEventData ABI-encodes a DepositEvent(bytes,bytes,bytes,bytes,bytes).
func blockDepositEventData(fields [5][]byte) []byte {
	var head, tail []byte
	for _, f := range fields {
		var w [32]byte
		off := uint64(5*32 + len(tail))
		w[31], w[30] = byte(off), byte(off>>8)
		head = append(head, w[:]...)
		var l [32]byte
		l[31] = byte(len(f))
		tail = append(tail, l[:]...)
		padded := make([]byte, (len(f)+31)/32*32)
		copy(padded, f)
		tail = append(tail, padded...)
	}
	return append(head, tail...)
}

func TestAppendDepositRequest(t *testing.T) {
	fill := func(n int, b byte) []byte {
		s := make([]byte, n)
		for i := range s {
			s[i] = b
		}
		return s
	}
	fields := [5][]byte{fill(48, 1), fill(32, 2), fill(8, 3), fill(96, 4), fill(8, 5)}
	data := blockDepositEventData(fields)
	got, err := AppendDepositRequest(nil, data)
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	for _, f := range fields {
		want = append(want, f...)
	}
	if string(got) != string(want) || len(got) != DepositRequestLength {
		t.Fatalf("request %x", got)
	}
	// A wrong field size or a truncated log is invalid.
	bad := [5][]byte{fill(47, 1), fill(32, 2), fill(8, 3), fill(96, 4), fill(8, 5)}
	if _, err := AppendDepositRequest(nil, blockDepositEventData(bad)); !errors.Is(err, ErrInvalidRequests) {
		t.Errorf("wrong size: %v", err)
	}
	if _, err := AppendDepositRequest(nil, data[:575]); !errors.Is(err, ErrInvalidRequests) {
		t.Errorf("short: %v", err)
	}
}

func FuzzAppendDepositRequest(f *testing.F) {
	f.Add(make([]byte, 576))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := AppendDepositRequest(nil, data)
		if err == nil && len(out) != DepositRequestLength {
			t.Fatalf("request of %d bytes", len(out))
		}
	})
}

var blockTestKey = "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8" // 0xa94f5374...

// blockSignedTx signs a transfer from the test key.
func blockSignedTx(t *testing.T, d types.TxData) *types.Transaction {
	t.Helper()
	key, err := types.ParsePrivateKey(blockTestKey)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := types.SignTx(&d, key)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// TestExecuteBlockShanghai runs a hand-made post-merge block (two
// transfers, one failing call, one withdrawal) and compares the state root
// with one built directly from the expected balances.
func TestExecuteBlockShanghai(t *testing.T) {
	sender := txTestSender
	to := types.HexToAddress("0x00000000000000000000000000000000000000aa")
	reverter := types.HexToAddress("0x00000000000000000000000000000000000000bb")
	validator := types.HexToAddress("0x00000000000000000000000000000000000000cc")
	revertCode := []byte{0x60, 0x00, 0x60, 0x00, 0xfd} // REVERT(0, 0)

	st := statedb.New()
	st.SetBalance(sender, uint256.NewInt(1_000_000_000_000))
	st.SetCode(reverter, revertCode)
	st.IntermediateRoot(true)

	baseFee := uint64(10)
	tip := uint64(2)
	mk := func(nonce uint64, to types.Address, value uint64, gas uint64) *types.Transaction {
		return blockSignedTx(t, types.TxData{Type: types.DynamicFeeTxType, ChainID: txU(1), Nonce: nonce, GasTipCap: txU(tip), GasFeeCap: txU(100),
			Gas: gas, To: &to, Value: txU(value)})
	}
	txs := []*types.Transaction{mk(0, to, 1000, 21000), mk(1, to, 2000, 30000), mk(2, reverter, 0, 50000)}
	wd := []*types.Withdrawal{{Index: 0, Validator: 1, Address: validator, Amount: 3}}
	header := &types.Header{Number: 1, Time: 12, GasLimit: 30_000_000, Coinbase: txTestCoinbase, BaseFee: uint256.NewInt(baseFee),
		WithdrawalsHash: &types.Hash{}, UncleHash: types.EmptyListHash}
	res, err := ExecuteBlock(header, txs, nil, wd, st, BlockConfig{ChainID: 1, Fork: forks.Shanghai}, func(uint64) types.Hash { return types.Hash{} })
	if err != nil {
		t.Fatal(err)
	}
	// The reverting call: 21000 + 6 for the two PUSH1s; REVERT(0, 0) costs 0.
	gas := []uint64{21000, 21000, 21000 + 6}
	if len(res.Receipts) != 3 {
		t.Fatalf("%d receipts", len(res.Receipts))
	}
	var cum uint64
	for i, r := range res.Receipts {
		cum += gas[i]
		wantStatus := uint64(types.ReceiptStatusSuccessful)
		if i == 2 {
			wantStatus = types.ReceiptStatusFailed
		}
		if r.GasUsed != gas[i] || r.CumulativeGasUsed != cum || r.Status != wantStatus || r.Type != types.DynamicFeeTxType {
			t.Errorf("receipt %d: %+v", i, r)
		}
	}
	if res.GasUsed != cum {
		t.Errorf("gas used %d, want %d", res.GasUsed, cum)
	}

	want := statedb.New()
	price := baseFee + tip
	want.SetBalance(sender, uint256.NewInt(1_000_000_000_000-3000-cum*price))
	want.SetNonce(sender, 3)
	want.SetBalance(to, uint256.NewInt(3000))
	want.SetCode(reverter, revertCode)
	want.SetBalance(txTestCoinbase, uint256.NewInt(cum*tip))
	want.SetBalance(validator, uint256.NewInt(3_000_000_000))
	if wantRoot := want.IntermediateRoot(true); res.StateRoot != wantRoot {
		t.Errorf("state root %v, want %v", res.StateRoot, wantRoot)
	}
	if res.WithdrawalsRoot == nil || res.RequestsHash != nil {
		t.Errorf("withdrawals root %v, requests hash %v", res.WithdrawalsRoot, res.RequestsHash)
	}
}

// TestExecuteBlockRewards checks proof-of-work rewards with an uncle
// (Byzantium: 3 ETH, EIP-649) and pre-Byzantium post-state receipts.
func TestExecuteBlockRewards(t *testing.T) {
	eth := uint256.MustFromDecimal("1000000000000000000")
	for _, fork := range []forks.Fork{forks.Homestead, forks.Byzantium, forks.Constantinople} {
		st := statedb.New()
		st.SetBalance(txTestSender, uint256.NewInt(1_000_000_000))
		st.IntermediateRoot(true)
		miner := types.HexToAddress("0x00000000000000000000000000000000000000d1")
		uncleMiner := types.HexToAddress("0x00000000000000000000000000000000000000d2")
		to := types.HexToAddress("0x00000000000000000000000000000000000000aa")
		tx := blockSignedTx(t, types.TxData{Type: types.LegacyTxType, Nonce: 0, GasPrice: txU(1), Gas: 21000, To: &to, Value: txU(5)})
		header := &types.Header{Number: 100, Time: 1000, GasLimit: 8_000_000, Coinbase: miner, UncleHash: types.EmptyListHash}
		uncle := &types.Header{Number: 98, Coinbase: uncleMiner}
		res, err := ExecuteBlock(header, []*types.Transaction{tx}, []*types.Header{uncle}, nil, st, BlockConfig{ChainID: 1, Fork: fork}, nil)
		if err != nil {
			t.Fatalf("%v: %v", fork, err)
		}
		reward := BlockRewardFor(fork)
		wantMiner := new(uint256.Int).Div(reward, uint256.NewInt(32))
		wantMiner.Add(wantMiner, reward)
		wantMiner.AddUint64(wantMiner, 21000)
		wantUncle := new(uint256.Int).Mul(reward, uint256.NewInt(6)) // (98 + 8 - 100) / 8
		wantUncle.Div(wantUncle, uint256.NewInt(8))
		if got := st.GetBalance(miner); !got.Eq(wantMiner) {
			t.Errorf("%v: miner %v, want %v", fork, &got, wantMiner)
		}
		if got := st.GetBalance(uncleMiner); !got.Eq(wantUncle) {
			t.Errorf("%v: uncle miner %v, want %v", fork, &got, wantUncle)
		}
		wantReward := map[forks.Fork]uint64{forks.Homestead: 5, forks.Byzantium: 3, forks.Constantinople: 2}[fork]
		if r := new(uint256.Int).Mul(eth, uint256.NewInt(wantReward)); !reward.Eq(r) {
			t.Errorf("%v: reward %v", fork, reward)
		}
		r := res.Receipts[0]
		if fork < forks.Byzantium && len(r.PostState) != 32 {
			t.Errorf("%v: receipt without post state", fork)
		}
		if fork >= forks.Byzantium && (r.PostState != nil || r.Status != types.ReceiptStatusSuccessful) {
			t.Errorf("%v: receipt %+v", fork, r)
		}
	}
}

// TestExecuteBlockInvalidTx checks that an invalid transaction fails the
// block, or is rejected and skipped with SkipInvalidTxs.
func TestExecuteBlockInvalidTx(t *testing.T) {
	to := types.HexToAddress("0x00000000000000000000000000000000000000aa")
	run := func(skip bool) (*BlockResult, error) {
		st := statedb.New()
		st.SetBalance(txTestSender, uint256.NewInt(1_000_000_000))
		st.IntermediateRoot(true)
		txs := []*types.Transaction{
			blockSignedTx(t, types.TxData{Nonce: 5, GasPrice: txU(1), Gas: 21000, To: &to}), // nonce too high
			blockSignedTx(t, types.TxData{Nonce: 0, GasPrice: txU(1), Gas: 21000, To: &to}),
		}
		header := &types.Header{Number: 1, Time: 1, GasLimit: 8_000_000, UncleHash: types.EmptyListHash}
		return ExecuteBlock(header, txs, nil, nil, st, BlockConfig{ChainID: 1, Fork: forks.Istanbul, SkipInvalidTxs: skip}, nil)
	}
	if _, err := run(false); !errors.Is(err, ErrNonceTooHigh) || !errors.Is(err, ErrInvalidTx) {
		t.Errorf("got %v", err)
	}
	res, err := run(true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 1 || res.Rejected[0].Index != 0 || len(res.Receipts) != 1 || res.GasUsed != 21000 {
		t.Errorf("rejected %v, receipts %d, gas %d", res.Rejected, len(res.Receipts), res.GasUsed)
	}
}
