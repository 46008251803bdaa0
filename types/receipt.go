package types

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/holiman/uint256"
	"github.com/plasmaxpl/engine/types/rlp"
)

// Receipt status values (EIP-658, from Byzantium).
const (
	ReceiptStatusFailed     = 0
	ReceiptStatusSuccessful = 1
)

// Receipt is the outcome of one transaction. Type, PostState or Status,
// CumulativeGasUsed, Bloom and Logs are consensus fields (hashed into the
// receipts root); the rest are derived and locate it.
type Receipt struct {
	Type              uint8
	PostState         []byte // intermediate state root (before Byzantium); nil to encode Status
	Status            uint64
	CumulativeGasUsed uint64
	Bloom             Bloom
	Logs              []*Log

	TxHash            Hash
	ContractAddress   Address // for a contract creation
	GasUsed           uint64
	EffectiveGasPrice uint256.Int
	BlobGasUsed       uint64
	BlobGasPrice      uint256.Int
	BlockHash         Hash
	BlockNumber       uint64
	TransactionIndex  uint
}

// appendRLP appends rlp([postStateOrStatus, cumulativeGasUsed, bloom, logs]).
func (r *Receipt) appendRLP(dst []byte) []byte {
	var first int
	if len(r.PostState) > 0 {
		first = rlp.BytesSize(r.PostState)
	} else {
		first = rlp.Uint64Size(r.Status)
	}
	logs := logsPayloadSize(r.Logs)
	payload := first + rlp.Uint64Size(r.CumulativeGasUsed) + 3 + BloomLength + rlp.ListSize(logs)
	dst = rlp.AppendListHeader(dst, payload)
	if len(r.PostState) > 0 {
		dst = rlp.AppendBytes(dst, r.PostState)
	} else {
		dst = rlp.AppendUint64(dst, r.Status)
	}
	dst = rlp.AppendUint64(dst, r.CumulativeGasUsed)
	dst = rlp.AppendBytes(dst, r.Bloom[:])
	dst = rlp.AppendListHeader(dst, logs)
	for _, l := range r.Logs {
		dst = l.AppendRLP(dst)
	}
	return dst
}

// AppendBinary appends the consensus encoding: the RLP list for a legacy
// receipt, the type byte followed by the RLP list for a typed one. This is
// the value stored in the receipts trie.
func (r *Receipt) AppendBinary(dst []byte) ([]byte, error) {
	if r.Type > SetCodeTxType {
		return dst, ErrTxTypeNotSupported
	}
	if r.Type != LegacyTxType {
		dst = append(dst, r.Type)
	}
	return r.appendRLP(dst), nil
}

// MarshalBinary returns the consensus encoding (see AppendBinary).
func (r *Receipt) MarshalBinary() ([]byte, error) { return r.AppendBinary(nil) }

// DecodeReceipt decodes a receipt's consensus encoding. The input is copied.
func DecodeReceipt(b []byte) (*Receipt, error) {
	r := new(Receipt)
	if err := r.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return r, nil
}

// UnmarshalBinary decodes a receipt's consensus encoding into r, clearing
// its other fields.
func (r *Receipt) UnmarshalBinary(b []byte) error {
	*r = Receipt{}
	if len(b) == 0 {
		return errors.New("decode receipt: empty input")
	}
	b = bytes.Clone(b)
	switch {
	case b[0] >= 0xc0:
	case b[0] != LegacyTxType && b[0] <= SetCodeTxType && len(b) > 1:
		r.Type = b[0]
		b = b[1:]
	default:
		return fmt.Errorf("decode receipt: %w: type byte %#x", ErrTxTypeNotSupported, b[0])
	}
	d, err := rlp.OpenList(b)
	if err != nil {
		return fmt.Errorf("decode receipt: %w", err)
	}
	first := d.Bytes()
	switch {
	case len(first) == 0:
		r.Status = ReceiptStatusFailed
	case len(first) == 1 && first[0] == 1:
		r.Status = ReceiptStatusSuccessful
	case len(first) == HashLength:
		r.PostState = exact(first)
	case d.Err() == nil:
		d.Fail(fmt.Errorf("receipt status or state root of %d bytes", len(first)))
	}
	r.CumulativeGasUsed = d.Uint64()
	d.FixedBytes(r.Bloom[:])
	r.Logs = decodeLogs(&d)
	if err := d.Finish(); err != nil {
		*r = Receipt{}
		return fmt.Errorf("decode receipt: %w", err)
	}
	return nil
}

// receiptJSON is the shape of receipts in JSON-RPC and t8n results.
type receiptJSON struct {
	Type              string `json:"type"`
	Root              string `json:"root"`
	Status            string `json:"status"`
	CumulativeGasUsed string `json:"cumulativeGasUsed"`
	Bloom             Bloom  `json:"logsBloom"`
	Logs              []*Log `json:"logs"`
	TxHashHex         string `json:"transactionHash"`
	ContractAddress   string `json:"contractAddress"`
	GasUsed           string `json:"gasUsed"`
	EffectiveGasPrice string `json:"effectiveGasPrice,omitempty"`
	BlobGasUsed       string `json:"blobGasUsed,omitempty"`
	BlobGasPrice      string `json:"blobGasPrice,omitempty"`
	BlockHash         string `json:"blockHash"`
	BlockNumber       string `json:"blockNumber"`
	TransactionIndex  string `json:"transactionIndex"`
}

// MarshalJSON writes the receipt as JSON-RPC and go-ethereum's t8n do
// ("root" is "0x" after Byzantium; "contractAddress" is the zero address
// when none was created).
func (r *Receipt) MarshalJSON() ([]byte, error) {
	logs := r.Logs
	if logs == nil {
		logs = []*Log{}
	}
	j := receiptJSON{
		Type:              hexUint64(uint64(r.Type)),
		Root:              hexBytes(r.PostState),
		Status:            hexUint64(r.Status),
		CumulativeGasUsed: hexUint64(r.CumulativeGasUsed),
		Bloom:             r.Bloom,
		Logs:              logs,
		TxHashHex:         r.TxHash.Hex(),
		ContractAddress:   r.ContractAddress.Hex(),
		GasUsed:           hexUint64(r.GasUsed),
		BlockHash:         r.BlockHash.Hex(),
		BlockNumber:       hexUint64(r.BlockNumber),
		TransactionIndex:  hexUint64(uint64(r.TransactionIndex)),
	}
	if !r.EffectiveGasPrice.IsZero() {
		j.EffectiveGasPrice = hexUint256(&r.EffectiveGasPrice)
	}
	if r.BlobGasUsed != 0 {
		j.BlobGasUsed = hexUint64(r.BlobGasUsed)
		j.BlobGasPrice = hexUint256(&r.BlobGasPrice)
	}
	return json.Marshal(&j)
}
