package types

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type btBlock struct {
	RLP             string            `json:"rlp"`
	ExpectException string            `json:"expectException"`
	BlockHeader     json.RawMessage   `json:"blockHeader"`
	Transactions    []json.RawMessage `json:"transactions"`
	UncleHeaders    []json.RawMessage `json:"uncleHeaders"`
	Withdrawals     *[]*Withdrawal    `json:"withdrawals"`
}

type btTest struct {
	GenesisBlockHeader json.RawMessage `json:"genesisBlockHeader"`
	GenesisRLP         string          `json:"genesisRLP"`
	Blocks             []btBlock       `json:"blocks"`
	Config             struct {
		ChainID string `json:"chainid"`
	} `json:"config"`
}

func headerHashField(t *testing.T, raw json.RawMessage) Hash {
	t.Helper()
	var j struct {
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	return HexToHash(j.Hash)
}

// TestBlockchainTestBlocks decodes the blocks of a sample of blockchain
// tests and checks them against the fixture: canonical re-encoding, the
// header hash, the header, transactions, uncles and withdrawals given as
// JSON, and the transactions' senders.
func TestBlockchainTestBlocks(t *testing.T) {
	root := filepath.Join(fixturesDir(t), "blocktests")
	files := sample(jsonFiles(t, root), 5, "execution-spec-tests")
	var blocks, txs, invalidRejected, invalidDecoded int
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tests map[string]btTest
		if err := json.Unmarshal(raw, &tests); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimPrefix(f, root)
		for tn, bt := range tests {
			chainID := uint64(1)
			if bt.Config.ChainID != "" {
				chainID = mustU64(t, bt.Config.ChainID)
			}
			where := name + " " + tn
			// Genesis: RLP and JSON header agree with the fixture's hash.
			if bt.GenesisRLP != "" {
				g, err := DecodeBlock(mustHex(t, bt.GenesisRLP))
				if err != nil {
					t.Errorf("%s: genesis: %v", where, err)
				} else if want := headerHashField(t, bt.GenesisBlockHeader); g.Hash() != want {
					t.Errorf("%s: genesis hash %v, want %v", where, g.Hash(), want)
				}
				var gh Header
				if err := json.Unmarshal(bt.GenesisBlockHeader, &gh); err != nil {
					t.Errorf("%s: genesis header JSON: %v", where, err)
				} else if gh.Hash() != headerHashField(t, bt.GenesisBlockHeader) {
					t.Errorf("%s: genesis header JSON hash", where)
				}
			}
			for bi, bb := range bt.Blocks {
				w := where + " block " + itoa(bi)
				enc := mustHex(t, bb.RLP)
				blk, err := DecodeBlock(enc)
				if bb.ExpectException != "" {
					if err != nil {
						invalidRejected++
					} else {
						invalidDecoded++
						if re, _ := blk.MarshalBinary(); !bytes.Equal(re, enc) {
							t.Errorf("%s: decoded invalid block re-encodes differently", w)
						}
					}
					continue
				}
				if err != nil {
					t.Errorf("%s: %v", w, err)
					continue
				}
				blocks++
				re, err := blk.MarshalBinary()
				if err != nil || !bytes.Equal(re, enc) {
					t.Errorf("%s: re-encoding differs (%v)", w, err)
				}
				want := headerHashField(t, bb.BlockHeader)
				if blk.Hash() != want {
					t.Errorf("%s: hash %v, want %v", w, blk.Hash(), want)
				}
				var jh Header
				if err := json.Unmarshal(bb.BlockHeader, &jh); err != nil {
					t.Errorf("%s: header JSON: %v", w, err)
				} else if jh.Hash() != want {
					t.Errorf("%s: header from JSON hashes to %v", w, jh.Hash())
				}
				if len(bb.Transactions) != len(blk.Transactions) {
					t.Errorf("%s: %d transactions, fixture lists %d", w, len(blk.Transactions), len(bb.Transactions))
					continue
				}
				for i, rawTx := range bb.Transactions {
					var jt Transaction
					if err := json.Unmarshal(rawTx, &jt); err != nil {
						t.Errorf("%s tx %d: JSON: %v", w, i, err)
						continue
					}
					tx := blk.Transactions[i]
					if jt.Hash() != tx.Hash() {
						t.Errorf("%s tx %d: hash from JSON %v, from RLP %v", w, i, jt.Hash(), tx.Hash())
					}
					var s struct {
						Sender string `json:"sender"`
					}
					json.Unmarshal(rawTx, &s)
					if s.Sender != "" {
						if from, err := tx.Sender(chainID); err != nil || from != HexToAddress(s.Sender) {
							t.Errorf("%s tx %d: sender %v %v, want %s", w, i, from, err, s.Sender)
						}
					}
					txs++
				}
				if len(bb.UncleHeaders) != len(blk.Uncles) {
					t.Errorf("%s: uncle count", w)
				} else {
					for i, u := range bb.UncleHeaders {
						if blk.Uncles[i].Hash() != headerHashField(t, u) {
							t.Errorf("%s: uncle %d hash", w, i)
						}
					}
				}
				if bb.Withdrawals != nil {
					if len(*bb.Withdrawals) != len(blk.Withdrawals) || blk.Withdrawals == nil {
						t.Errorf("%s: withdrawals count", w)
					} else {
						for i, wd := range *bb.Withdrawals {
							if *wd != *blk.Withdrawals[i] {
								t.Errorf("%s: withdrawal %d", w, i)
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d files: %d blocks with %d transactions checked; invalid blocks: %d rejected at decoding, %d decoded",
		len(files), blocks, txs, invalidRejected, invalidDecoded)
	if blocks == 0 {
		t.Fatal("no blocks checked")
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := DecodeHex(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func itoa(i int) string { return hexUint64(uint64(i))[2:] }

// TestMainnetBlocks reads the JSON-RPC blocks of the mainnet fixtures and
// checks the block hash, every transaction hash, a sample of senders
// against "from", and a JSON round trip.
func TestMainnetBlocks(t *testing.T) {
	root := filepath.Join(fixturesDir(t), "mainnet", "ethereum", "blocks")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Skip(err)
	}
	var nblocks, ntxs, nsenders int
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(root, d.Name(), "block.json"))
		if err != nil {
			continue
		}
		var blk Block
		if err := json.Unmarshal(raw, &blk); err != nil {
			t.Errorf("%s: %v", d.Name(), err)
			continue
		}
		var j struct {
			Hash         string `json:"hash"`
			Transactions []struct {
				Hash string `json:"hash"`
				From string `json:"from"`
			} `json:"transactions"`
		}
		if err := json.Unmarshal(raw, &j); err != nil {
			t.Fatal(err)
		}
		if blk.Hash() != HexToHash(j.Hash) {
			t.Errorf("%s: hash %v, want %s", d.Name(), blk.Hash(), j.Hash)
		}
		nblocks++
		for i, tx := range blk.Transactions {
			if tx.Hash() != HexToHash(j.Transactions[i].Hash) {
				t.Errorf("%s tx %d: hash %v, want %s", d.Name(), i, tx.Hash(), j.Transactions[i].Hash)
			}
			ntxs++
			if i%7 == 0 {
				var from Address
				if blk.Header.Number < 2_675_000 { // before Spurious Dragon: no EIP-155
					from, err = tx.Sender(0)
					if err != nil && blk.Header.Number < 1_150_000 {
						from, err = tx.SenderFrontier(0)
					}
				} else {
					from, err = tx.Sender(1)
				}
				if err != nil || from != HexToAddress(j.Transactions[i].From) {
					t.Errorf("%s tx %d: sender %v %v, want %s", d.Name(), i, from, err, j.Transactions[i].From)
				}
				nsenders++
			}
		}
		// The JSON we write reads back to the same block.
		out, err := json.Marshal(&blk)
		if err != nil {
			t.Fatal(err)
		}
		var back Block
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s: reading our JSON: %v", d.Name(), err)
		}
		a, _ := blk.MarshalBinary()
		b, _ := back.MarshalBinary()
		if !bytes.Equal(a, b) {
			t.Errorf("%s: JSON round trip changes the block", d.Name())
		}
	}
	t.Logf("%d blocks, %d transaction hashes, %d senders", nblocks, ntxs, nsenders)
}

func TestHeaderOptionalFields(t *testing.T) {
	h := &Header{Number: 1, Extra: []byte("x")}
	base := h.AppendRLP(nil)
	d, _ := DecodeHeader(base)
	if d.BaseFee != nil || d.WithdrawalsHash != nil {
		t.Fatal("optional fields appeared")
	}
	// A later field set with an earlier one nil encodes the earlier as zero.
	root := Hash{1}
	h.ParentBeaconRoot = &root
	d, err := DecodeHeader(h.AppendRLP(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d.BaseFee == nil || !d.BaseFee.IsZero() || *d.WithdrawalsHash != (Hash{}) || *d.BlobGasUsed != 0 ||
		*d.ExcessBlobGas != 0 || *d.ParentBeaconRoot != root || d.RequestsHash != nil {
		t.Fatalf("decoded %+v", d)
	}
	// Extra fields after requestsHash are an error, as is a truncated field.
	enc := h.AppendRLP(nil)
	if _, err := DecodeHeader(append(enc, 0)); err == nil {
		t.Error("trailing byte accepted")
	}
}

func FuzzDecodeBlock(f *testing.F) {
	root := Hash{2}
	gas := uint64(5)
	h := &Header{Number: 1, Extra: []byte("x"), WithdrawalsHash: &root, BlobGasUsed: &gas, ExcessBlobGas: &gas}
	key, _ := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	to := HexToAddress("0x01")
	var txs []*Transaction
	for typ := uint8(0); typ <= SetCodeTxType; typ++ {
		d := &TxData{Type: typ, Gas: 21000, To: &to}
		d.ChainID.SetUint64(1)
		tx, _ := SignTx(d, key)
		txs = append(txs, tx)
	}
	b := &Block{Header: h, Transactions: txs, Uncles: []*Header{{Number: 3}}, Withdrawals: []*Withdrawal{{Index: 1, Amount: 2}}}
	enc, _ := b.MarshalBinary()
	f.Add(enc)
	f.Fuzz(func(t *testing.T, in []byte) {
		blk, err := DecodeBlock(in)
		if err != nil {
			return
		}
		out, err := blk.MarshalBinary()
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round trip: %x -> %x (%v)", in, out, err)
		}
		blk.Hash()
	})
}

func BenchmarkDecodeBlock(b *testing.B) {
	key, _ := ParsePrivateKey("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	to := HexToAddress("0x01")
	var txs []*Transaction
	for i := range 200 {
		d := &TxData{Type: DynamicFeeTxType, Nonce: uint64(i), Gas: 21000, To: &to, Data: make([]byte, 68)}
		d.ChainID.SetUint64(1)
		tx, _ := SignTx(d, key)
		txs = append(txs, tx)
	}
	blk := &Block{Header: &Header{Number: 1}, Transactions: txs}
	enc, _ := blk.MarshalBinary()
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeBlock(enc); err != nil {
			b.Fatal(err)
		}
	}
}
