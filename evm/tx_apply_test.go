package evm

import (
	"errors"
	"testing"

	"github.com/holiman/uint256"

	"github.com/plasmaxpl/engine/evm/forks"
	"github.com/plasmaxpl/engine/statedb"
	"github.com/plasmaxpl/engine/types"
)

var (
	txTestSender   = types.HexToAddress("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")
	txTestTo       = types.HexToAddress("0x1000000000000000000000000000000000000001")
	txTestCoinbase = types.HexToAddress("0xc0ffee0000000000000000000000000000000000")
)

func txU(v uint64) uint256.Int { return *uint256.NewInt(v) }

// txTestEnv returns a state with a funded sender and an EVM for fork.
func txTestEnv(t *testing.T, fork forks.Fork, balance uint64) (*statedb.StateDB, *EVM) {
	t.Helper()
	st := statedb.New()
	st.SetBalance(txTestSender, uint256.NewInt(balance))
	st.IntermediateRoot(true)
	rules := forks.RulesFor(fork)
	bc := BlockContext{Coinbase: txTestCoinbase, GasLimit: 30_000_000, Number: 1, Time: 1}
	if rules.IsLondon {
		bc.BaseFee = uint256.NewInt(7)
	}
	if rules.IsCancun {
		bc.BlobBaseFee = BlobBaseFee(0, fork)
	}
	if rules.IsMerge {
		bc.Random = &types.Hash{}
	}
	return st, New(bc, st, Config{ChainID: 1, Rules: rules})
}

func txBalance(st *statedb.StateDB, a types.Address) uint64 {
	b := st.GetBalance(a)
	return b.Uint64()
}

// TestApplyTransfer checks the balances of a plain value transfer against
// the fee rules of each fork: before London the coinbase gets gas*price;
// from London only the tip above the base fee.
func TestApplyTransfer(t *testing.T) {
	for _, fork := range []forks.Fork{forks.Frontier, forks.Byzantium, forks.Berlin, forks.London, forks.Cancun, forks.Prague} {
		st, e := txTestEnv(t, fork, 1_000_000_000)
		msg := &Message{From: txTestSender, To: &txTestTo, Value: txU(1000), GasLimit: 50_000, GasPrice: txU(10), GasFeeCap: txU(10), GasTipCap: txU(10)}
		if fork >= forks.London {
			msg.Type = txTypeDynamicFee
			msg.GasFeeCap, msg.GasTipCap = txU(20), txU(2)
			msg.GasPrice = txEffectiveGasPrice(&msg.GasFeeCap, &msg.GasTipCap, e.Context.BaseFee) // 7+2
		}
		gp := GasPool(1_000_000)
		res, err := ApplyMessage(e, msg, &gp)
		if err != nil {
			t.Fatalf("%v: %v", fork, err)
		}
		if res.Failed() || res.UsedGas != 21000 || res.RefundedGas != 0 {
			t.Fatalf("%v: result %+v", fork, res)
		}
		price, tip := uint64(10), uint64(10)
		if fork >= forks.London {
			price, tip = 9, 2
		}
		if got, want := txBalance(st, txTestSender), 1_000_000_000-1000-21000*price; got != want {
			t.Errorf("%v: sender balance %d, want %d", fork, got, want)
		}
		if got := txBalance(st, txTestTo); got != 1000 {
			t.Errorf("%v: recipient balance %d", fork, got)
		}
		if got, want := txBalance(st, txTestCoinbase), 21000*tip; got != want {
			t.Errorf("%v: coinbase balance %d, want %d", fork, got, want)
		}
		if st.GetNonce(txTestSender) != 1 {
			t.Errorf("%v: nonce %d", fork, st.GetNonce(txTestSender))
		}
		if gp.Gas() != 1_000_000-21000 {
			t.Errorf("%v: gas pool %d", fork, gp.Gas())
		}
	}
}

// TestApplyInvalid checks every invalid-transaction reason: the right
// error, the fixtures' exception name, and no change to state or pool.
func TestApplyInvalid(t *testing.T) {
	contract := types.HexToAddress("0x2000000000000000000000000000000000000002")
	delegated := types.HexToAddress("0x3000000000000000000000000000000000000003")
	base := func() *Message {
		return &Message{Type: txTypeDynamicFee, From: txTestSender, To: &txTestTo, Nonce: 1, GasLimit: 21000,
			GasPrice: txU(10), GasFeeCap: txU(10), GasTipCap: txU(1)}
	}
	blob := func() *Message {
		m := base()
		m.Type = txTypeBlob
		m.BlobHashes = []types.Hash{{0x01}}
		c := txU(1)
		m.BlobGasFeeCap = &c
		return m
	}
	setCode := func() *Message {
		m := base()
		m.Type = txTypeSetCode
		m.AuthList = []types.SetCodeAuthorization{{Address: contract}}
		return m
	}
	tests := []struct {
		name      string
		fork      forks.Fork
		mod       func(m *Message)
		want      error
		exception string
	}{
		{"nonce too low", forks.Prague, func(m *Message) { m.Nonce = 0 }, ErrNonceTooLow, "NONCE_MISMATCH_TOO_LOW"},
		{"nonce too high", forks.Prague, func(m *Message) { m.Nonce = 2 }, ErrNonceTooHigh, "NONCE_MISMATCH_TOO_HIGH"},
		{"sender with code", forks.Prague, func(m *Message) { m.From = contract; m.Nonce = 0 }, ErrSenderNoEOA, "SENDER_NOT_EOA"},
		{"insufficient funds", forks.Prague, func(m *Message) { m.Value = txU(1_000_000_000) }, ErrInsufficientFunds, "INSUFFICIENT_ACCOUNT_FUNDS"},
		{"funds checked at fee cap", forks.Prague, func(m *Message) { m.GasFeeCap = txU(100_000); m.GasTipCap = txU(1); m.GasPrice = txU(8) }, ErrInsufficientFunds, "INSUFFICIENT_ACCOUNT_FUNDS"},
		{"price product overflow", forks.Prague, func(m *Message) {
			var p uint256.Int
			p.Lsh(uint256.NewInt(1), 250)
			m.GasPrice, m.GasFeeCap, m.GasTipCap = p, p, p
		}, ErrGasPriceProductOverflow, "GASLIMIT_PRICE_PRODUCT_OVERFLOW"},
		{"intrinsic gas", forks.Prague, func(m *Message) { m.GasLimit = 20999 }, ErrIntrinsicGas, "INTRINSIC_GAS_TOO_LOW"},
		{"floor data gas", forks.Prague, func(m *Message) { m.Data = make([]byte, 10); m.Data[0] = 1; m.GasLimit = 21000 + 9*4 + 16 }, ErrFloorDataGas, "INTRINSIC_GAS_TOO_LOW"},
		{"block gas", forks.Prague, func(m *Message) { m.GasLimit = 600_000 }, ErrGasLimitReached, "GAS_ALLOWANCE_EXCEEDED"},
		{"fee cap below base fee", forks.Prague, func(m *Message) { m.GasFeeCap = txU(6); m.GasTipCap = txU(1); m.GasPrice = txU(6) }, ErrFeeCapTooLow, "INSUFFICIENT_MAX_FEE_PER_GAS"},
		{"tip above fee cap", forks.Prague, func(m *Message) { m.GasTipCap = txU(11) }, ErrTipAboveFeeCap, "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"},
		{"initcode size", forks.Shanghai, func(m *Message) { m.To = nil; m.Data = make([]byte, MaxInitCodeSize+1); m.GasLimit = 500_000 }, ErrTxInitCodeSizeExceeded, "INITCODE_SIZE_EXCEEDED"},
		{"type 1 before Berlin", forks.Istanbul, func(m *Message) { m.Type = txTypeAccessList; m.GasFeeCap, m.GasTipCap = m.GasPrice, m.GasPrice }, ErrTxTypeNotSupported, "TYPE_NOT_SUPPORTED"},
		{"type 2 before London", forks.Berlin, func(m *Message) { m.Type = txTypeDynamicFee }, ErrTxTypeNotSupported, "TYPE_NOT_SUPPORTED"},
		{"type 3 before Cancun", forks.Shanghai, func(m *Message) { *m = *blob() }, ErrTxTypeNotSupported, "TYPE_3_TX_PRE_FORK"},
		{"type 4 before Prague", forks.Cancun, func(m *Message) { *m = *setCode() }, ErrTxTypeNotSupported, "TYPE_NOT_SUPPORTED"},
		{"blob create", forks.Cancun, func(m *Message) { *m = *blob(); m.To = nil }, ErrBlobTxCreate, "TYPE_3_TX_CONTRACT_CREATION"},
		{"no blobs", forks.Cancun, func(m *Message) { *m = *blob(); m.BlobHashes = nil }, ErrMissingBlobHashes, "TYPE_3_TX_ZERO_BLOBS"},
		{"blob version", forks.Cancun, func(m *Message) { *m = *blob(); m.BlobHashes[0][0] = 2 }, ErrBlobVersionNotSupported, "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH"},
		{"too many blobs cancun", forks.Cancun, func(m *Message) {
			*m = *blob()
			m.BlobHashes = make([]types.Hash, 7)
			for i := range m.BlobHashes {
				m.BlobHashes[i][0] = 1
			}
		}, ErrTooManyBlobs, "TYPE_3_TX_BLOB_COUNT_EXCEEDED"},
		{"too many blobs prague", forks.Prague, func(m *Message) {
			*m = *blob()
			m.BlobHashes = make([]types.Hash, 10)
			for i := range m.BlobHashes {
				m.BlobHashes[i][0] = 1
			}
		}, ErrTooManyBlobs, "TYPE_3_TX_BLOB_COUNT_EXCEEDED"},
		{"blob fee cap", forks.Cancun, func(m *Message) { *m = *blob(); m.BlobGasFeeCap = new(uint256.Int) }, ErrBlobFeeCapTooLow, "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS"},
		{"blob funds", forks.Cancun, func(m *Message) { *m = *blob(); c := txU(10_000); m.BlobGasFeeCap = &c }, ErrInsufficientFunds, "INSUFFICIENT_ACCOUNT_FUNDS"},
		{"set code create", forks.Prague, func(m *Message) { *m = *setCode(); m.To = nil }, ErrSetCodeTxCreate, "TYPE_4_TX_CONTRACT_CREATION"},
		{"empty auth list", forks.Prague, func(m *Message) { *m = *setCode(); m.AuthList = nil }, ErrEmptyAuthList, "TYPE_4_EMPTY_AUTHORIZATION_LIST"},
		{"nonce max", forks.Prague, func(m *Message) { m.From = delegated; m.Nonce = 1<<64 - 1 }, ErrNonceMax, "NONCE_IS_MAX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, e := txTestEnv(t, tt.fork, 1_000_000_000)
			st.SetNonce(txTestSender, 1)
			st.SetCode(contract, []byte{0x00})
			st.SetBalance(contract, uint256.NewInt(1<<40))
			st.SetNonce(delegated, 1<<64-1)
			st.SetBalance(delegated, uint256.NewInt(1<<40))
			st.SetCode(delegated, DelegationCode(contract))
			if !e.rules.IsLondon {
				e.Context.BaseFee = nil
			}
			before := st.IntermediateRoot(true)
			msg := base()
			if !e.rules.IsLondon {
				msg.Type = txTypeLegacy
			}
			tt.mod(msg)
			gp := GasPool(500_000)
			res, err := ApplyMessage(e, msg, &gp)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v (result %+v), want %v", err, res, tt.want)
			}
			if got := TxExceptionName(err); got != "TransactionException."+tt.exception {
				t.Errorf("exception name %q, want %q", got, tt.exception)
			}
			if gp != 500_000 {
				t.Errorf("gas pool changed to %d", gp)
			}
			if after := st.IntermediateRoot(true); after != before {
				t.Errorf("state changed by an invalid transaction")
			}
		})
	}
}

// TestApplyDelegatedSenderValid checks that EIP-3607 lets an EIP-7702
// delegated account send.
func TestApplyDelegatedSenderValid(t *testing.T) {
	st, e := txTestEnv(t, forks.Prague, 1<<40)
	st.SetCode(txTestSender, DelegationCode(txTestTo))
	msg := &Message{Type: txTypeDynamicFee, From: txTestSender, To: &txTestCoinbase, GasLimit: 21000, GasPrice: txU(10), GasFeeCap: txU(10), GasTipCap: txU(1)}
	gp := GasPool(1 << 30)
	if _, err := ApplyMessage(e, msg, &gp); err != nil {
		t.Fatal(err)
	}
}

// TestApplyFloor checks EIP-7623: a call that uses less than the calldata
// floor pays the floor from Prague, and only the standard cost before.
func TestApplyFloor(t *testing.T) {
	data := make([]byte, 1000)
	for i := range data {
		data[i] = 0xff
	}
	for _, fork := range []forks.Fork{forks.Cancun, forks.Prague} {
		st, e := txTestEnv(t, fork, 1<<40)
		msg := &Message{Type: txTypeDynamicFee, From: txTestSender, To: &txTestTo, GasLimit: 100_000, GasPrice: txU(10), GasFeeCap: txU(10), GasTipCap: txU(1), Data: data}
		gp := GasPool(1 << 30)
		res, err := ApplyMessage(e, msg, &gp)
		if err != nil {
			t.Fatal(err)
		}
		want := uint64(21000 + 1000*16)
		if fork == forks.Prague {
			want = 21000 + 10*4*1000
		}
		if res.UsedGas != want {
			t.Errorf("%v: used %d, want %d", fork, res.UsedGas, want)
		}
		if got := txBalance(st, txTestSender); got != 1<<40-want*10 {
			t.Errorf("%v: sender paid %d, want %d", fork, 1<<40-got, want*10)
		}
		if gp.Gas() != 1<<30-want {
			t.Errorf("%v: pool %d", fork, gp.Gas())
		}
	}
}

// TestApplyCreate deploys a one-byte contract and checks the address (the
// RLP rule of the yellow paper), the code, the nonces and the gas.
func TestApplyCreate(t *testing.T) {
	// PUSH1 0x2a PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN: deploys 0x2a.
	initcode := []byte{0x60, 0x2a, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3}
	st, e := txTestEnv(t, forks.Shanghai, 1<<40)
	st.SetNonce(txTestSender, 5)
	msg := &Message{Type: txTypeDynamicFee, From: txTestSender, Nonce: 5, GasLimit: 100_000, GasPrice: txU(10), GasFeeCap: txU(10), GasTipCap: txU(1), Data: initcode}
	gp := GasPool(1 << 30)
	res, err := ApplyMessage(e, msg, &gp)
	if err != nil || res.Failed() {
		t.Fatalf("%v %+v", err, res)
	}
	// keccak256(rlp([sender, 5]))[12:], rlp = 0xd6 0x94 <20 bytes> 0x05
	enc := append(append([]byte{0xd6, 0x94}, txTestSender[:]...), 0x05)
	want := types.BytesToAddress(types.Keccak256(enc).Bytes())
	if res.ContractAddress == nil || *res.ContractAddress != want {
		t.Fatalf("contract address %v, want %v", res.ContractAddress, want)
	}
	if code := st.GetCode(want); len(code) != 1 || code[0] != 0x2a {
		t.Errorf("deployed code %x", code)
	}
	if st.GetNonce(txTestSender) != 6 || st.GetNonce(want) != 1 {
		t.Errorf("nonces: sender %d contract %d", st.GetNonce(txTestSender), st.GetNonce(want))
	}
	// 53000 + 8 non-zero and 2 zero bytes + 1 initcode word + execution
	// (4 PUSH1 + MSTORE8 with one word of memory) + 200 per
	// deployed byte.
	intrinsic := uint64(53000 + 8*16 + 2*4 + 2)
	exec := uint64(4*3 + 3 + 3)
	if res.UsedGas != intrinsic+exec+200 {
		t.Errorf("used %d, want %d", res.UsedGas, intrinsic+exec+200)
	}
}

// TestApplyRefund clears a storage slot: the EIP-3529 refund (4800) is
// within the gasUsed/5 cap.
func TestApplyRefund(t *testing.T) {
	// PUSH1 0 PUSH1 0 SSTORE STOP
	code := []byte{0x60, 0x00, 0x60, 0x00, 0x55, 0x00}
	st, e := txTestEnv(t, forks.London, 1<<40)
	st.SetCode(txTestTo, code)
	st.SetState(txTestTo, types.Hash{}, types.Hash{31: 1})
	st.IntermediateRoot(true)
	msg := &Message{Type: txTypeDynamicFee, From: txTestSender, To: &txTestTo, GasLimit: 100_000, GasPrice: txU(10), GasFeeCap: txU(10), GasTipCap: txU(1)}
	gp := GasPool(1 << 30)
	res, err := ApplyMessage(e, msg, &gp)
	if err != nil || res.Failed() {
		t.Fatalf("%v %+v", err, res)
	}
	// Cold slot SSTORE resetting to zero: 2100 + 2900 (EIP-2929, EIP-3529
	// SSTORE_RESET_GAS 5000-2100), refund SSTORE_CLEARS_SCHEDULE 4800.
	used := uint64(21000 + 3 + 3 + 2100 + 2900)
	if res.RefundedGas != 4800 || res.UsedGas != used-4800 {
		t.Errorf("refund %d used %d, want 4800 and %d", res.RefundedGas, res.UsedGas, used-4800)
	}
}

// TestApplySetCode checks EIP-7702 authorization processing: a valid
// authorization installs the designator, bumps the authority's nonce and
// refunds for an existing account; invalid ones are skipped.
func TestApplySetCode(t *testing.T) {
	key, err := types.ParsePrivateKey("0x0000000000000000000000000000000000000000000000000000000000000001")
	if err != nil {
		t.Fatal(err)
	}
	authority := types.PrivateKeyToAddress(key)
	target := types.HexToAddress("0x4000000000000000000000000000000000000004")
	sign := func(chainID, nonce uint64, addr types.Address) types.SetCodeAuthorization {
		return types.SignSetCode(types.SetCodeAuthorization{ChainID: txU(chainID), Address: addr, Nonce: nonce}, key)
	}
	other := types.HexToAddress("0x5000000000000000000000000000000000000005")
	tests := []struct {
		name      string
		auths     []types.SetCodeAuthorization
		exists    bool
		wantCode  []byte
		wantNonce uint64
		refund    bool
	}{
		{"valid new account", []types.SetCodeAuthorization{sign(1, 0, target)}, false, DelegationCode(target), 1, false},
		{"valid existing account", []types.SetCodeAuthorization{sign(0, 0, target)}, true, DelegationCode(target), 1, true},
		{"wrong chain", []types.SetCodeAuthorization{sign(2, 0, target)}, true, nil, 0, false},
		{"wrong nonce", []types.SetCodeAuthorization{sign(1, 1, target)}, true, nil, 0, false},
		{"second overrides first", []types.SetCodeAuthorization{sign(1, 0, target), sign(1, 1, other)}, true, DelegationCode(other), 2, true},
		{"clear with zero address", []types.SetCodeAuthorization{sign(1, 0, target), sign(1, 1, types.Address{})}, true, nil, 2, true},
		{"bad signature", []types.SetCodeAuthorization{{ChainID: txU(1), Address: target, R: txU(1), S: txU(1)}}, true, nil, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, e := txTestEnv(t, forks.Prague, 1<<40)
			if tt.exists {
				st.SetBalance(authority, uint256.NewInt(1))
				st.IntermediateRoot(true)
			}
			msg := &Message{Type: txTypeSetCode, From: txTestSender, To: &txTestTo, GasLimit: 200_000, GasPrice: txU(10), GasFeeCap: txU(10), GasTipCap: txU(1), AuthList: tt.auths}
			gp := GasPool(1 << 30)
			res, err := ApplyMessage(e, msg, &gp)
			if err != nil || res.Failed() {
				t.Fatalf("%v %+v", err, res)
			}
			if code := st.GetCode(authority); string(code) != string(tt.wantCode) {
				t.Errorf("code %x, want %x", code, tt.wantCode)
			}
			if n := st.GetNonce(authority); n != tt.wantNonce {
				t.Errorf("nonce %d, want %d", n, tt.wantNonce)
			}
			gasNoRefund := 21000 + 25000*uint64(len(tt.auths))
			var wantRefund uint64
			if tt.refund {
				// Each applied authorization on an account that exists
				// (the first makes it exist) refunds 12500, capped at used/5.
				applied := uint64(0)
				for range tt.auths {
					applied++
				}
				wantRefund = min(applied*12500, gasNoRefund/5)
			}
			if res.RefundedGas != wantRefund || res.UsedGas != gasNoRefund-wantRefund {
				t.Errorf("refund %d used %d; want %d and %d", res.RefundedGas, res.UsedGas, wantRefund, gasNoRefund-wantRefund)
			}
		})
	}
}

// TestApplyBlobFee checks that a blob transaction burns blobGas*blobBaseFee
// on top of the execution gas.
func TestApplyBlobFee(t *testing.T) {
	st, e := txTestEnv(t, forks.Cancun, 1<<40)
	e.Context.BlobBaseFee = uint256.NewInt(3)
	c := txU(5)
	msg := &Message{Type: txTypeBlob, From: txTestSender, To: &txTestTo, GasLimit: 21000, GasPrice: txU(10), GasFeeCap: txU(10), GasTipCap: txU(1),
		BlobHashes: []types.Hash{{0x01}, {0x01, 2}}, BlobGasFeeCap: &c}
	gp := GasPool(1 << 30)
	res, err := ApplyMessage(e, msg, &gp)
	if err != nil {
		t.Fatal(err)
	}
	if res.BlobGasUsed != 2*GasPerBlob {
		t.Errorf("blob gas %d", res.BlobGasUsed)
	}
	if got, want := 1<<40-txBalance(st, txTestSender), 21000*10+2*GasPerBlob*3; got != want {
		t.Errorf("sender paid %d, want %d", got, want)
	}
}
