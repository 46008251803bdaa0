package types

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/holiman/uint256"
)

// headerJSON accepts both the JSON-RPC header names and the names of
// blockchain-test fixtures (second name in each pair).
type headerJSON struct {
	ParentHash       *string   `json:"parentHash"`
	Sha3Uncles       *string   `json:"sha3Uncles"`
	UncleHash        *string   `json:"uncleHash"`
	Miner            *string   `json:"miner"`
	Coinbase         *string   `json:"coinbase"`
	StateRoot        *string   `json:"stateRoot"`
	TransactionsRoot *string   `json:"transactionsRoot"`
	TransactionsTrie *string   `json:"transactionsTrie"`
	ReceiptsRoot     *string   `json:"receiptsRoot"`
	ReceiptTrie      *string   `json:"receiptTrie"`
	LogsBloom        *string   `json:"logsBloom"`
	Bloom            *string   `json:"bloom"`
	Difficulty       *quantity `json:"difficulty"`
	Number           *quantity `json:"number"`
	GasLimit         *quantity `json:"gasLimit"`
	GasUsed          *quantity `json:"gasUsed"`
	Timestamp        *quantity `json:"timestamp"`
	ExtraData        *string   `json:"extraData"`
	MixHash          *string   `json:"mixHash"`
	Nonce            *string   `json:"nonce"`
	BaseFee          *quantity `json:"baseFeePerGas"`
	WithdrawalsRoot  *string   `json:"withdrawalsRoot"`
	BlobGasUsed      *quantity `json:"blobGasUsed"`
	ExcessBlobGas    *quantity `json:"excessBlobGas"`
	ParentBeaconRoot *string   `json:"parentBeaconBlockRoot"`
	RequestsHash     *string   `json:"requestsHash"`
}

func firstOf(a, b *string) *string {
	if a != nil {
		return a
	}
	return b
}

func fixedField(name string, s *string, dst []byte) error {
	if s == nil {
		return fmt.Errorf("missing %q", name)
	}
	if err := parseFixed(*s, dst); err != nil {
		return fmt.Errorf("%q: %w", name, err)
	}
	return nil
}

// UnmarshalJSON reads a header from a JSON-RPC block object or from a
// blockchain-test "blockHeader" / "genesisBlockHeader" object. Fields of
// later forks are optional; "hash" and other extra keys are ignored.
func (h *Header) UnmarshalJSON(b []byte) error {
	var j headerJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var n Header
	if err := j.toHeader(&n); err != nil {
		return fmt.Errorf("header JSON: %w", err)
	}
	*h = n
	return nil
}

func (j *headerJSON) toHeader(h *Header) error {
	fixed := []struct {
		name string
		s    *string
		dst  []byte
	}{
		{"parentHash", j.ParentHash, h.ParentHash[:]},
		{"sha3Uncles", firstOf(j.Sha3Uncles, j.UncleHash), h.UncleHash[:]},
		{"miner", firstOf(j.Miner, j.Coinbase), h.Coinbase[:]},
		{"stateRoot", j.StateRoot, h.Root[:]},
		{"transactionsRoot", firstOf(j.TransactionsRoot, j.TransactionsTrie), h.TxHash[:]},
		{"receiptsRoot", firstOf(j.ReceiptsRoot, j.ReceiptTrie), h.ReceiptHash[:]},
		{"logsBloom", firstOf(j.LogsBloom, j.Bloom), h.Bloom[:]},
		{"mixHash", j.MixHash, h.MixDigest[:]},
		{"nonce", j.Nonce, h.Nonce[:]},
	}
	for _, f := range fixed {
		if err := fixedField(f.name, f.s, f.dst); err != nil {
			return err
		}
	}
	if err := j.Difficulty.uint256("difficulty", &h.Difficulty); err != nil {
		return err
	}
	var err error
	if h.Number, err = j.Number.uint64("number"); err != nil {
		return err
	}
	if h.GasLimit, err = j.GasLimit.uint64("gasLimit"); err != nil {
		return err
	}
	if h.GasUsed, err = j.GasUsed.uint64("gasUsed"); err != nil {
		return err
	}
	if h.Time, err = j.Timestamp.uint64("timestamp"); err != nil {
		return err
	}
	if j.ExtraData == nil {
		return errors.New(`missing "extraData"`)
	}
	if h.Extra, err = DecodeHex(*j.ExtraData); err != nil {
		return fmt.Errorf(`"extraData": %w`, err)
	}
	if j.BaseFee != nil {
		h.BaseFee = new(uint256.Int)
		if err := j.BaseFee.uint256("baseFeePerGas", h.BaseFee); err != nil {
			return err
		}
	}
	optHash := func(name string, s *string) (*Hash, error) {
		if s == nil {
			return nil, nil
		}
		p := new(Hash)
		return p, fixedField(name, s, p[:])
	}
	optU64 := func(name string, q *quantity) (*uint64, error) {
		if q == nil {
			return nil, nil
		}
		v, err := q.uint64(name)
		return &v, err
	}
	if h.WithdrawalsHash, err = optHash("withdrawalsRoot", j.WithdrawalsRoot); err != nil {
		return err
	}
	if h.BlobGasUsed, err = optU64("blobGasUsed", j.BlobGasUsed); err != nil {
		return err
	}
	if h.ExcessBlobGas, err = optU64("excessBlobGas", j.ExcessBlobGas); err != nil {
		return err
	}
	if h.ParentBeaconRoot, err = optHash("parentBeaconBlockRoot", j.ParentBeaconRoot); err != nil {
		return err
	}
	if h.RequestsHash, err = optHash("requestsHash", j.RequestsHash); err != nil {
		return err
	}
	return nil
}

// headerJSONOut is the JSON-RPC header shape MarshalJSON writes.
type headerJSONOut struct {
	Hash             string  `json:"hash"`
	ParentHash       string  `json:"parentHash"`
	Sha3Uncles       string  `json:"sha3Uncles"`
	Miner            string  `json:"miner"`
	StateRoot        string  `json:"stateRoot"`
	TransactionsRoot string  `json:"transactionsRoot"`
	ReceiptsRoot     string  `json:"receiptsRoot"`
	LogsBloom        string  `json:"logsBloom"`
	Difficulty       string  `json:"difficulty"`
	Number           string  `json:"number"`
	GasLimit         string  `json:"gasLimit"`
	GasUsed          string  `json:"gasUsed"`
	Timestamp        string  `json:"timestamp"`
	ExtraData        string  `json:"extraData"`
	MixHash          string  `json:"mixHash"`
	Nonce            string  `json:"nonce"`
	BaseFee          *string `json:"baseFeePerGas,omitempty"`
	WithdrawalsRoot  *string `json:"withdrawalsRoot,omitempty"`
	BlobGasUsed      *string `json:"blobGasUsed,omitempty"`
	ExcessBlobGas    *string `json:"excessBlobGas,omitempty"`
	ParentBeaconRoot *string `json:"parentBeaconBlockRoot,omitempty"`
	RequestsHash     *string `json:"requestsHash,omitempty"`
}

func (h *Header) jsonOut() headerJSONOut {
	o := headerJSONOut{
		Hash:             h.Hash().Hex(),
		ParentHash:       h.ParentHash.Hex(),
		Sha3Uncles:       h.UncleHash.Hex(),
		Miner:            h.Coinbase.Hex(),
		StateRoot:        h.Root.Hex(),
		TransactionsRoot: h.TxHash.Hex(),
		ReceiptsRoot:     h.ReceiptHash.Hex(),
		LogsBloom:        h.Bloom.Hex(),
		Difficulty:       hexUint256(&h.Difficulty),
		Number:           hexUint64(h.Number),
		GasLimit:         hexUint64(h.GasLimit),
		GasUsed:          hexUint64(h.GasUsed),
		Timestamp:        hexUint64(h.Time),
		ExtraData:        hexBytes(h.Extra),
		MixHash:          h.MixDigest.Hex(),
		Nonce:            hexBytes(h.Nonce[:]),
	}
	str := func(s string) *string { return &s }
	if h.BaseFee != nil {
		o.BaseFee = str(hexUint256(h.BaseFee))
	}
	if h.WithdrawalsHash != nil {
		o.WithdrawalsRoot = str(h.WithdrawalsHash.Hex())
	}
	if h.BlobGasUsed != nil {
		o.BlobGasUsed = str(hexUint64(*h.BlobGasUsed))
	}
	if h.ExcessBlobGas != nil {
		o.ExcessBlobGas = str(hexUint64(*h.ExcessBlobGas))
	}
	if h.ParentBeaconRoot != nil {
		o.ParentBeaconRoot = str(h.ParentBeaconRoot.Hex())
	}
	if h.RequestsHash != nil {
		o.RequestsHash = str(h.RequestsHash.Hex())
	}
	return o
}

// MarshalJSON writes the JSON-RPC header object (with "hash").
func (h *Header) MarshalJSON() ([]byte, error) {
	o := h.jsonOut()
	return json.Marshal(&o)
}

type withdrawalJSON struct {
	Index     *quantity `json:"index"`
	Validator *quantity `json:"validatorIndex"`
	Address   string    `json:"address"`
	Amount    *quantity `json:"amount"`
}

// UnmarshalJSON reads {index, validatorIndex, address, amount}.
func (w *Withdrawal) UnmarshalJSON(b []byte) error {
	var j withdrawalJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var n Withdrawal
	var err error
	if n.Index, err = j.Index.uint64("index"); err != nil {
		return err
	}
	if n.Validator, err = j.Validator.uint64("validatorIndex"); err != nil {
		return err
	}
	if err := parseFixed(j.Address, n.Address[:]); err != nil {
		return fmt.Errorf("withdrawal address: %w", err)
	}
	if n.Amount, err = j.Amount.uint64("amount"); err != nil {
		return err
	}
	*w = n
	return nil
}

// MarshalJSON writes {index, validatorIndex, address, amount}.
func (w *Withdrawal) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"index": hexUint64(w.Index), "validatorIndex": hexUint64(w.Validator),
		"address": w.Address.Hex(), "amount": hexUint64(w.Amount),
	})
}

// UnmarshalJSON reads a JSON-RPC block object with full transaction objects
// (eth_getBlockByNumber(n, true)). Uncles are given there only as hashes,
// so Uncles stays empty. A transaction of a type this package does not know
// (such as an OP-stack deposit, 0x7e) is an error.
func (b *Block) UnmarshalJSON(data []byte) error {
	var h Header
	if err := h.UnmarshalJSON(data); err != nil {
		return err
	}
	var j struct {
		Transactions []json.RawMessage `json:"transactions"`
		Withdrawals  *[]*Withdrawal    `json:"withdrawals"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	n := Block{Header: &h, Transactions: make([]*Transaction, len(j.Transactions))}
	for i, raw := range j.Transactions {
		if len(raw) > 0 && raw[0] == '"' {
			return errors.New("block JSON: transactions are hashes, not full objects")
		}
		tx := new(Transaction)
		if err := tx.UnmarshalJSON(raw); err != nil {
			return fmt.Errorf("block JSON: transaction %d: %w", i, err)
		}
		n.Transactions[i] = tx
	}
	if j.Withdrawals != nil {
		n.Withdrawals = *j.Withdrawals
		if n.Withdrawals == nil {
			n.Withdrawals = []*Withdrawal{}
		}
	}
	*b = n
	return nil
}

// MarshalJSON writes the JSON-RPC block object with full transactions and
// the uncles' hashes.
func (b *Block) MarshalJSON() ([]byte, error) {
	if b.Header == nil {
		return nil, errors.New("block has no header")
	}
	uncles := make([]string, len(b.Uncles))
	for i, u := range b.Uncles {
		uncles[i] = u.Hash().Hex()
	}
	txs := b.Transactions
	if txs == nil {
		txs = []*Transaction{}
	}
	out := struct {
		headerJSONOut
		Transactions []*Transaction `json:"transactions"`
		Uncles       []string       `json:"uncles"`
		Withdrawals  *[]*Withdrawal `json:"withdrawals,omitempty"`
	}{b.Header.jsonOut(), txs, uncles, nil}
	if b.Withdrawals != nil {
		out.Withdrawals = &b.Withdrawals
	}
	return json.Marshal(&out)
}
