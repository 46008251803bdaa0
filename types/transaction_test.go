package types

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/holiman/uint256"
)

type stAuth struct {
	ChainID string `json:"chainId"`
	Address string `json:"address"`
	Nonce   string `json:"nonce"`
	V       string `json:"v"`
	R       string `json:"r"`
	S       string `json:"s"`
	Signer  string `json:"signer"`
}

type stTx struct {
	Nonce                string               `json:"nonce"`
	GasPrice             *string              `json:"gasPrice"`
	MaxFeePerGas         *string              `json:"maxFeePerGas"`
	MaxPriorityFeePerGas *string              `json:"maxPriorityFeePerGas"`
	GasLimit             []string             `json:"gasLimit"`
	To                   string               `json:"to"`
	Value                []string             `json:"value"`
	Data                 []string             `json:"data"`
	AccessLists          []*[]accessTupleJSON `json:"accessLists"`
	MaxFeePerBlobGas     *string              `json:"maxFeePerBlobGas"`
	BlobVersionedHashes  []string             `json:"blobVersionedHashes"`
	AuthorizationList    []stAuth             `json:"authorizationList"`
	Sender               string               `json:"sender"`
	SecretKey            string               `json:"secretKey"`
}

type stPost struct {
	Indexes struct {
		Data, Gas, Value int
	} `json:"indexes"`
	TxBytes         string `json:"txbytes"`
	ExpectException string `json:"expectException"`
}

type stTest struct {
	Transaction stTx                `json:"transaction"`
	Post        map[string][]stPost `json:"post"`
	Config      struct {
		ChainID string `json:"chainid"`
	} `json:"config"`
}

func mustU256(t testing.TB, s string) uint256.Int {
	t.Helper()
	var z uint256.Int
	if err := ParseUint256Hex(s, &z); err != nil {
		t.Fatal(err)
	}
	return z
}

func mustU64(t testing.TB, s string) uint64 {
	t.Helper()
	v, err := ParseUint64Hex(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestStateTestTxBytes decodes the signed transactions of a sample of state
// tests and checks them against the fixture: canonical re-encoding, the
// recovered sender, the fields the vector selects, signing the same fields
// with the fixture's key, and EIP-7702 authorities.
func TestStateTestTxBytes(t *testing.T) {
	root := filepath.Join(fixturesDir(t), "statetests")
	files := sample(jsonFiles(t, root), 10, "eip7702_set_code_tx", "stTransactionTest/ValueOverflow", "eip4844")
	var decoded, rejected, resigned, auths int
	types := map[uint8]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]stTest
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimPrefix(f, root)
		for tn, st := range tests {
			chainID := uint64(1)
			if st.Config.ChainID != "" {
				chainID = mustU64(t, st.Config.ChainID)
			}
			key, err := ParsePrivateKey(st.Transaction.SecretKey)
			if err != nil {
				t.Fatalf("%s %s: key: %v", name, tn, err)
			}
			for fork, posts := range st.Post {
				for i, p := range posts {
					where := name + " " + tn + " " + fork
					b, err := DecodeHex(p.TxBytes)
					if err != nil {
						t.Fatalf("%s: txbytes: %v", where, err)
					}
					tx, err := DecodeTransaction(b)
					if p.ExpectException != "" {
						if err != nil {
							rejected++
						}
						continue
					}
					if err != nil {
						t.Errorf("%s[%d]: decode: %v", where, i, err)
						continue
					}
					decoded++
					types[tx.Type()]++
					enc, _ := tx.MarshalBinary()
					if !bytes.Equal(enc, b) {
						t.Errorf("%s[%d]: re-encoding differs", where, i)
					}
					fresh := NewTx(new(tx.Fields()))
					if enc2, _ := fresh.MarshalBinary(); !bytes.Equal(enc2, b) {
						t.Errorf("%s[%d]: encoding from fields differs", where, i)
					}
					if fresh.Hash() != Keccak256(b) || tx.Hash() != Keccak256(b) {
						t.Errorf("%s[%d]: hash", where, i)
					}
					from, err := tx.Sender(chainID)
					if err != nil {
						t.Errorf("%s[%d]: sender: %v", where, i, err)
					} else if from != HexToAddress(st.Transaction.Sender) {
						t.Errorf("%s[%d]: sender %v, want %s", where, i, from, st.Transaction.Sender)
					}
					checkStFields(t, where, tx, &st.Transaction, &p)

					// Sign the fixture's fields with its key: RFC 6979
					// signatures are deterministic, so the bytes must match.
					d := stTxData(t, tx, &st.Transaction, &p, chainID)
					signed, err := SignTx(d, key)
					if err != nil {
						t.Errorf("%s[%d]: sign: %v", where, i, err)
					} else if enc, _ := signed.MarshalBinary(); !bytes.Equal(enc, b) {
						t.Errorf("%s[%d]: signing the fixture fields gives other bytes", where, i)
					} else {
						resigned++
					}

					for k, a := range tx.AuthList() {
						if k >= len(st.Transaction.AuthorizationList) || st.Transaction.AuthorizationList[k].Signer == "" {
							continue
						}
						got, err := a.Authority()
						want := HexToAddress(st.Transaction.AuthorizationList[k].Signer)
						if err == nil && got != want {
							t.Errorf("%s[%d]: authority %d = %v, want %v", where, i, k, got, want)
						}
						if err == nil {
							auths++
						}
					}
				}
			}
		}
	}
	t.Logf("%d files: %d txs decoded (by type %v), %d re-signed, %d authorities, %d invalid txs rejected at decoding",
		len(files), decoded, types, resigned, auths, rejected)
	if decoded == 0 {
		t.Fatal("no transactions checked")
	}
}

func checkStFields(t *testing.T, where string, tx *Transaction, j *stTx, p *stPost) {
	t.Helper()
	if tx.Nonce() != mustU64(t, j.Nonce) {
		t.Errorf("%s: nonce", where)
	}
	if tx.GasLimit() != mustU64(t, j.GasLimit[p.Indexes.Gas]) {
		t.Errorf("%s: gas", where)
	}
	if v := j.Value[p.Indexes.Value]; !strings.Contains(v, "bigint") {
		want := mustU256(t, v)
		if got := tx.Value(); !got.Eq(&want) {
			t.Errorf("%s: value", where)
		}
	}
	data, err := DecodeHex(strings.TrimPrefix(j.Data[p.Indexes.Data], ":raw "))
	if err == nil && !bytes.Equal(tx.Data(), data) {
		t.Errorf("%s: data", where)
	}
	switch {
	case j.To == "" && tx.To() != nil, j.To != "" && (tx.To() == nil || *tx.To() != HexToAddress(j.To)):
		t.Errorf("%s: to", where)
	}
}

// stTxData builds the fields of the transaction the vector selects, taking
// from the decoded transaction only its type and, for legacy ones, whether
// it is EIP-155 protected.
func stTxData(t *testing.T, tx *Transaction, j *stTx, p *stPost, chainID uint64) *TxData {
	d := &TxData{Type: tx.Type(), Nonce: mustU64(t, j.Nonce), Gas: mustU64(t, j.GasLimit[p.Indexes.Gas])}
	if tx.Type() != LegacyTxType || tx.Protected() {
		d.ChainID.SetUint64(chainID)
	}
	if j.To != "" {
		to := HexToAddress(j.To)
		d.To = &to
	}
	if v := j.Value[p.Indexes.Value]; !strings.Contains(v, "bigint") {
		d.Value = mustU256(t, v)
	}
	d.Data, _ = DecodeHex(strings.TrimPrefix(j.Data[p.Indexes.Data], ":raw "))
	if j.GasPrice != nil {
		d.GasPrice = mustU256(t, *j.GasPrice)
	}
	if j.MaxFeePerGas != nil {
		d.GasFeeCap = mustU256(t, *j.MaxFeePerGas)
		d.GasTipCap = mustU256(t, *j.MaxPriorityFeePerGas)
	}
	if p.Indexes.Data < len(j.AccessLists) {
		al, err := accessListFromJSON(j.AccessLists[p.Indexes.Data])
		if err != nil {
			t.Fatal(err)
		}
		d.AccessList = al
	}
	if j.MaxFeePerBlobGas != nil {
		d.BlobFeeCap = mustU256(t, *j.MaxFeePerBlobGas)
	}
	for _, h := range j.BlobVersionedHashes {
		d.BlobHashes = append(d.BlobHashes, HexToHash(h))
	}
	for _, a := range j.AuthorizationList {
		d.AuthList = append(d.AuthList, SetCodeAuthorization{
			ChainID: mustU256(t, a.ChainID), Address: HexToAddress(a.Address), Nonce: mustU64(t, a.Nonce),
			V: uint8(mustU64(t, a.V)), R: mustU256(t, a.R), S: mustU256(t, a.S),
		})
	}
	return d
}

func TestSignAndRecover(t *testing.T) {
	key, err := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	if err != nil {
		t.Fatal(err)
	}
	// The well-known address of this fixture key.
	want := HexToAddress("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")
	if got := PrivateKeyToAddress(key); got != want {
		t.Fatalf("address %v", got)
	}
	to := HexToAddress("0x1000000000000000000000000000000000000000")
	for typ := uint8(0); typ <= SetCodeTxType; typ++ {
		for _, chain := range []uint64{0, 1, 1337, 1 << 40} {
			if typ != LegacyTxType && chain == 0 {
				continue
			}
			d := &TxData{Type: typ, Nonce: 7, Gas: 50000, To: &to, Data: []byte{1, 2, 3}}
			d.ChainID.SetUint64(chain)
			d.GasPrice.SetUint64(10)
			d.GasFeeCap.SetUint64(10)
			d.GasTipCap.SetUint64(1)
			d.Value.SetUint64(12345)
			d.AccessList = AccessList{{Address: to, StorageKeys: []Hash{{1}, {2}}}}
			d.BlobHashes = []Hash{{1}}
			d.AuthList = []SetCodeAuthorization{SignSetCode(SetCodeAuthorization{Address: to, Nonce: 3}, key)}
			tx, err := SignTx(d, key)
			if err != nil {
				t.Fatal(err)
			}
			if from, err := tx.Sender(chain); err != nil || from != want {
				t.Errorf("type %d chain %d: sender %v %v", typ, chain, from, err)
			}
			_, _, s := tx.RawSignatureValues()
			if s.Gt(secp256k1HalfN) {
				t.Errorf("high s")
			}
			if typ == SetCodeTxType {
				if a, err := tx.AuthList()[0].Authority(); err != nil || a != want {
					t.Errorf("authority %v %v", a, err)
				}
			}
			enc, _ := tx.MarshalBinary()
			back, err := DecodeTransaction(enc)
			if err != nil {
				t.Fatalf("type %d: %v", typ, err)
			}
			if back.Hash() != tx.Hash() {
				t.Errorf("type %d: hash after decoding", typ)
			}
			if from, err := back.Sender(chain); err != nil || from != want {
				t.Errorf("type %d chain %d: decoded sender %v %v", typ, chain, from, err)
			}
			if tx.Protected() {
				if _, err := back.Sender(chain + 1); !errors.Is(err, ErrInvalidChainID) {
					t.Errorf("type %d chain %d: wrong chain accepted: %v", typ, chain, err)
				}
			}
			js, err := json.Marshal(tx)
			if err != nil {
				t.Fatal(err)
			}
			var fromJSON Transaction
			if err := json.Unmarshal(js, &fromJSON); err != nil {
				t.Fatalf("type %d: %v\n%s", typ, err, js)
			}
			if fromJSON.Hash() != tx.Hash() {
				t.Errorf("type %d: JSON round trip changes the hash\n%s", typ, js)
			}
		}
	}
}

func TestSignatureChecks(t *testing.T) {
	if secp256k1N.ToBig().Cmp(secp256k1.Params().N) != 0 {
		t.Fatalf("group order %v differs from the curve's %v", secp256k1N, secp256k1.Params().N)
	}
	key, _ := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	to := HexToAddress("0x01")
	d := &TxData{Type: DynamicFeeTxType, Gas: 21000, To: &to}
	d.ChainID.SetUint64(1)
	tx, _ := SignTx(d, key)
	good := tx.Fields()

	mod := func(f func(*TxData)) error {
		c := good
		f(&c)
		_, err := NewTx(&c).Sender(1)
		return err
	}
	// s' = n - s: a valid but malleated signature, rejected since Homestead.
	var highS uint256.Int
	highS.Sub(secp256k1N, &good.S)
	if err := mod(func(c *TxData) { c.S = highS; c.V.SetUint64(1 - c.V.Uint64()) }); !errors.Is(err, ErrInvalidSig) {
		t.Errorf("high s accepted: %v", err)
	}
	c := good
	c.S = highS
	c.V.SetUint64(1 - c.V.Uint64())
	if from, err := NewTx(&c).SenderFrontier(1); err != nil || from != PrivateKeyToAddress(key) {
		t.Errorf("frontier rules: %v %v", from, err)
	}
	for name, f := range map[string]func(*TxData){
		"r zero":   func(c *TxData) { c.R.Clear() },
		"s zero":   func(c *TxData) { c.S.Clear() },
		"r = n":    func(c *TxData) { c.R = *secp256k1N },
		"v = 2":    func(c *TxData) { c.V.SetUint64(2) },
		"v = 27":   func(c *TxData) { c.V.SetUint64(27) },
		"chain id": func(c *TxData) { c.ChainID.SetUint64(2) },
	} {
		if err := mod(f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	legacy := &TxData{Type: LegacyTxType, Gas: 21000, To: &to}
	ltx, _ := SignTx(legacy, key)
	lf := ltx.Fields()
	for _, v := range []uint64{0, 1, 26, 29, 34} {
		c := lf
		c.V.SetUint64(v)
		if _, err := NewTx(&c).Sender(1); err == nil {
			t.Errorf("legacy v=%d accepted", v)
		}
	}
}

func TestDecodeTransactionErrors(t *testing.T) {
	key, _ := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	to := HexToAddress("0x01")
	for typ := uint8(0); typ <= SetCodeTxType; typ++ {
		d := &TxData{Type: typ, Gas: 21000, To: &to}
		d.ChainID.SetUint64(1)
		tx, _ := SignTx(d, key)
		enc, _ := tx.MarshalBinary()
		if _, err := DecodeTransaction(append(bytes.Clone(enc), 0)); err == nil {
			t.Errorf("type %d: trailing byte accepted", typ)
		}
		for n := range len(enc) {
			if _, err := DecodeTransaction(enc[:n]); err == nil {
				t.Errorf("type %d: truncated to %d accepted", typ, n)
			}
		}
		if typ >= BlobTxType {
			d.To = nil
			tx, _ := SignTx(d, key)
			enc, _ := tx.MarshalBinary()
			if _, err := DecodeTransaction(enc); !errors.Is(err, ErrTxCreateNotAllowed) {
				t.Errorf("type %d: creation accepted: %v", typ, err)
			}
		}
	}
	// A type-0 envelope around typed fields is not a legacy transaction.
	typed0, _ := SignTx(&TxData{Type: AccessListTxType, Gas: 1}, key)
	enc0, _ := typed0.MarshalBinary()
	enc0[0] = 0
	if _, err := DecodeTransaction(enc0); err == nil {
		t.Error("type 0 envelope accepted")
	}
	for _, s := range []string{"", "05c0", "7fc0", "80", "b800", "01", "02c0", "00c0"} {
		b, _ := DecodeHex(s)
		if _, err := DecodeTransaction(b); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// TestConcurrentSender checks the caches under the race detector.
func TestConcurrentSender(t *testing.T) {
	key, _ := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	to := HexToAddress("0x01")
	d := &TxData{Type: DynamicFeeTxType, Gas: 21000, To: &to}
	d.ChainID.SetUint64(1)
	signed, _ := SignTx(d, key)
	enc, _ := signed.MarshalBinary()
	tx, _ := DecodeTransaction(enc)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if from, err := tx.Sender(1); err != nil || from != PrivateKeyToAddress(key) {
				t.Errorf("sender %v %v", from, err)
			}
			if tx.Hash() != Keccak256(enc) {
				t.Errorf("hash")
			}
		})
	}
	wg.Wait()
}

func FuzzDecodeTransaction(f *testing.F) {
	key, _ := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	to := HexToAddress("0x01")
	for typ := uint8(0); typ <= SetCodeTxType; typ++ {
		d := &TxData{Type: typ, Gas: 21000, To: &to, AccessList: AccessList{{Address: to, StorageKeys: []Hash{{}}}},
			BlobHashes: []Hash{{1}}, AuthList: []SetCodeAuthorization{{Nonce: 1}}}
		d.ChainID.SetUint64(1)
		tx, _ := SignTx(d, key)
		enc, _ := tx.MarshalBinary()
		f.Add(enc)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTransaction(b)
		if err != nil {
			return
		}
		enc, err := NewTx(new(tx.Fields())).MarshalBinary()
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("round trip: %x -> %x (%v)", b, enc, err)
		}
		tx.Sender(1)
		for _, a := range tx.AuthList() {
			a.Authority()
		}
	})
}

func BenchmarkDecodeAndSender(b *testing.B) {
	key, _ := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	to := HexToAddress("0x01")
	d := &TxData{Type: DynamicFeeTxType, Gas: 21000, To: &to, Data: make([]byte, 68)}
	d.ChainID.SetUint64(1)
	d.GasFeeCap.SetUint64(30e9)
	d.Value.SetUint64(1e18)
	signed, _ := SignTx(d, key)
	enc, _ := signed.MarshalBinary()
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeTransaction(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode+sender", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tx, err := DecodeTransaction(enc)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Sender(1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 512)
		for b.Loop() {
			buf, _ = signed.AppendBinary(buf[:0])
		}
	})
	b.Run("hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tx := NewTx(&d2)
			tx.Hash()
		}
	})
}

var d2 = TxData{Type: DynamicFeeTxType, Gas: 21000, Data: make([]byte, 68)}

func TestEffectiveGasPrice(t *testing.T) {
	d := &TxData{Type: DynamicFeeTxType}
	d.GasFeeCap.SetUint64(100)
	d.GasTipCap.SetUint64(10)
	tx := NewTx(d)
	for _, c := range []struct{ base, want uint64 }{{0, 10}, {50, 60}, {90, 100}, {95, 100}} {
		if got := tx.EffectiveGasPrice(uint256.NewInt(c.base)); got.Uint64() != c.want {
			t.Errorf("base %d: %v, want %d", c.base, &got, c.want)
		}
	}
	if got := tx.EffectiveGasPrice(nil); got.Uint64() != 100 {
		t.Errorf("no base fee: %v", &got)
	}
	l := &TxData{}
	l.GasPrice.SetUint64(7)
	if got := NewTx(l).EffectiveGasPrice(uint256.NewInt(5)); got.Uint64() != 7 {
		t.Errorf("legacy: %v", &got)
	}
}

func TestFieldJSON(t *testing.T) {
	var al AccessList
	if err := json.Unmarshal([]byte(`[{"address":"0x0000000000000000000000000000000000000001","storageKeys":["0x01","0x0000000000000000000000000000000000000000000000000000000000000002"]}]`), &al); err != nil {
		t.Fatal(err)
	}
	if len(al) != 1 || len(al[0].StorageKeys) != 2 || al[0].StorageKeys[0] != (Hash{31: 1}) || al[0].StorageKeys[1] != (Hash{31: 2}) {
		t.Fatalf("%+v", al)
	}
	out, _ := json.Marshal(al)
	var back AccessList
	if err := json.Unmarshal(out, &back); err != nil || len(back) != 1 || back[0].StorageKeys[1] != al[0].StorageKeys[1] {
		t.Fatalf("round trip %s: %v", out, err)
	}
	var a SetCodeAuthorization
	if err := json.Unmarshal([]byte(`{"chainId":"0x00","address":"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b","nonce":"0x00","v":"0x01","r":"0x5a8cac98fd240d8ef83c22db4a061ffa0facb1801245283cc05fc809d8b92837","s":"0x1c3162fe11d91bc24d4fa00fb19ca34531e0eacdf8142c804be44058d5b8244f","signer":"0x6389e7f33ce3b1e94e4325ef02829cd12297ef71"}`), &a); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Authority(); err != nil || got != HexToAddress("0x6389e7f33ce3b1e94e4325ef02829cd12297ef71") {
		t.Fatalf("authority %v %v", got, err)
	}
	var d TxData
	if err := json.Unmarshal([]byte(`{"type":"0x2","chainId":"0x1","nonce":"0x0","gas":"0x5208","maxFeePerGas":"0xa","maxPriorityFeePerGas":"0x1","to":null,"value":"0x0","input":"0x"}`), &d); err != nil {
		t.Fatal(err)
	}
	if d.Type != 2 || d.Gas != 21000 || d.To != nil || d.GasFeeCap.Uint64() != 10 {
		t.Fatalf("%+v", d)
	}
}

func TestRecoverSenders(t *testing.T) {
	key, _ := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	to := HexToAddress("0x01")
	var txs []*Transaction
	for i := range 20 {
		d := &TxData{Type: uint8(i % 3), Nonce: uint64(i), Gas: 21000, To: &to}
		d.ChainID.SetUint64(1)
		tx, _ := SignTx(d, key)
		txs = append(txs, tx)
	}
	from, err := RecoverSenders(txs, 1, true, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range from {
		if from[i] != PrivateKeyToAddress(key) {
			t.Fatalf("tx %d: %v", i, from[i])
		}
	}
	bad := txs[7].Fields()
	bad.R.Clear()
	txs[7] = NewTx(&bad)
	if _, err := RecoverSenders(txs, 1, true, 3); err == nil || !strings.Contains(err.Error(), "transaction 7") {
		t.Fatalf("bad signature: %v", err)
	}
	if out, err := RecoverSenders(nil, 1, true, 4); err != nil || len(out) != 0 {
		t.Fatal(err)
	}
}
