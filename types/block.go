package types

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/holiman/uint256"
	"github.com/plasmaxpl/engine/types/rlp"
)

// BlockNonce is the 8-byte proof-of-work nonce (zero since the merge).
type BlockNonce [8]byte

// Header is a block header with every field through Prague. The optional
// fields are nil before the fork that added them; they are encoded in
// order, and a nil field followed by a set one is encoded as zero (none may
// be skipped in the middle).
type Header struct {
	ParentHash  Hash
	UncleHash   Hash // keccak256 of the RLP of the uncle headers
	Coinbase    Address
	Root        Hash // state root
	TxHash      Hash // transactions root
	ReceiptHash Hash // receipts root
	Bloom       Bloom
	Difficulty  uint256.Int
	Number      uint64
	GasLimit    uint64
	GasUsed     uint64
	Time        uint64
	Extra       []byte
	MixDigest   Hash // PREVRANDAO since the merge
	Nonce       BlockNonce

	BaseFee          *uint256.Int // London (EIP-1559)
	WithdrawalsHash  *Hash        // Shanghai (EIP-4895)
	BlobGasUsed      *uint64      // Cancun (EIP-4844)
	ExcessBlobGas    *uint64      // Cancun (EIP-4844)
	ParentBeaconRoot *Hash        // Cancun (EIP-4788)
	RequestsHash     *Hash        // Prague (EIP-7685)
}

// optionalCount returns how many optional fields are encoded: up to the
// last one that is set.
func (h *Header) optionalCount() int {
	switch {
	case h.RequestsHash != nil:
		return 6
	case h.ParentBeaconRoot != nil:
		return 5
	case h.ExcessBlobGas != nil:
		return 4
	case h.BlobGasUsed != nil:
		return 3
	case h.WithdrawalsHash != nil:
		return 2
	case h.BaseFee != nil:
		return 1
	}
	return 0
}

// AppendRLP appends the header's RLP encoding.
func (h *Header) AppendRLP(dst []byte) []byte {
	dst, start := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, h.ParentHash[:])
	dst = rlp.AppendBytes(dst, h.UncleHash[:])
	dst = rlp.AppendBytes(dst, h.Coinbase[:])
	dst = rlp.AppendBytes(dst, h.Root[:])
	dst = rlp.AppendBytes(dst, h.TxHash[:])
	dst = rlp.AppendBytes(dst, h.ReceiptHash[:])
	dst = rlp.AppendBytes(dst, h.Bloom[:])
	dst = rlp.AppendUint256(dst, &h.Difficulty)
	dst = rlp.AppendUint64(dst, h.Number)
	dst = rlp.AppendUint64(dst, h.GasLimit)
	dst = rlp.AppendUint64(dst, h.GasUsed)
	dst = rlp.AppendUint64(dst, h.Time)
	dst = rlp.AppendBytes(dst, h.Extra)
	dst = rlp.AppendBytes(dst, h.MixDigest[:])
	dst = rlp.AppendBytes(dst, h.Nonce[:])
	n := h.optionalCount()
	var zeroHash Hash
	hashOr0 := func(p *Hash) []byte {
		if p == nil {
			return zeroHash[:]
		}
		return p[:]
	}
	u64Or0 := func(p *uint64) uint64 {
		if p == nil {
			return 0
		}
		return *p
	}
	if n >= 1 {
		if h.BaseFee != nil {
			dst = rlp.AppendUint256(dst, h.BaseFee)
		} else {
			dst = append(dst, rlp.EmptyString)
		}
	}
	if n >= 2 {
		dst = rlp.AppendBytes(dst, hashOr0(h.WithdrawalsHash))
	}
	if n >= 3 {
		dst = rlp.AppendUint64(dst, u64Or0(h.BlobGasUsed))
	}
	if n >= 4 {
		dst = rlp.AppendUint64(dst, u64Or0(h.ExcessBlobGas))
	}
	if n >= 5 {
		dst = rlp.AppendBytes(dst, hashOr0(h.ParentBeaconRoot))
	}
	if n >= 6 {
		dst = rlp.AppendBytes(dst, hashOr0(h.RequestsHash))
	}
	return rlp.EndList(dst, start)
}

// MarshalBinary returns the header's RLP encoding.
func (h *Header) MarshalBinary() ([]byte, error) { return h.AppendRLP(nil), nil }

// Hash returns the block hash: keccak256 of the header's RLP encoding.
func (h *Header) Hash() Hash {
	bp := encBufPool.Get().(*[]byte)
	*bp = h.AppendRLP((*bp)[:0])
	hash := Keccak256(*bp)
	encBufPool.Put(bp)
	return hash
}

// DecodeHeader decodes a header's RLP encoding. The input is copied.
func DecodeHeader(b []byte) (*Header, error) {
	d, err := rlp.OpenList(bytes.Clone(b))
	if err != nil {
		return nil, fmt.Errorf("decode header: %w", err)
	}
	h := new(Header)
	h.decodeFields(&d)
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("decode header: %w", err)
	}
	return h, nil
}

// UnmarshalBinary decodes a header's RLP encoding into h.
func (h *Header) UnmarshalBinary(b []byte) error {
	d, err := DecodeHeader(b)
	if err != nil {
		return err
	}
	*h = *d
	return nil
}

// decodeHeader reads a header list from d; byte fields alias the input.
func decodeHeader(d *rlp.Decoder) *Header {
	l := d.List()
	h := new(Header)
	h.decodeFields(&l)
	d.Close(&l)
	return h
}

func (h *Header) decodeFields(l *rlp.Decoder) {
	l.FixedBytes(h.ParentHash[:])
	l.FixedBytes(h.UncleHash[:])
	l.FixedBytes(h.Coinbase[:])
	l.FixedBytes(h.Root[:])
	l.FixedBytes(h.TxHash[:])
	l.FixedBytes(h.ReceiptHash[:])
	l.FixedBytes(h.Bloom[:])
	l.Uint256(&h.Difficulty)
	h.Number = l.Uint64()
	h.GasLimit = l.Uint64()
	h.GasUsed = l.Uint64()
	h.Time = l.Uint64()
	h.Extra = exact(l.Bytes())
	l.FixedBytes(h.MixDigest[:])
	l.FixedBytes(h.Nonce[:])
	if !l.More() {
		return
	}
	h.BaseFee = new(uint256.Int)
	l.Uint256(h.BaseFee)
	if !l.More() {
		return
	}
	h.WithdrawalsHash = new(Hash)
	l.FixedBytes(h.WithdrawalsHash[:])
	if !l.More() {
		return
	}
	h.BlobGasUsed = new(uint64)
	*h.BlobGasUsed = l.Uint64()
	if !l.More() {
		return
	}
	h.ExcessBlobGas = new(uint64)
	*h.ExcessBlobGas = l.Uint64()
	if !l.More() {
		return
	}
	h.ParentBeaconRoot = new(Hash)
	l.FixedBytes(h.ParentBeaconRoot[:])
	if !l.More() {
		return
	}
	h.RequestsHash = new(Hash)
	l.FixedBytes(h.RequestsHash[:])
}

// Withdrawal is an EIP-4895 validator withdrawal; Amount is in gwei.
type Withdrawal struct {
	Index     uint64
	Validator uint64
	Address   Address
	Amount    uint64
}

// AppendRLP appends rlp([index, validator, address, amount]).
func (w *Withdrawal) AppendRLP(dst []byte) []byte {
	n := rlp.Uint64Size(w.Index) + rlp.Uint64Size(w.Validator) + 21 + rlp.Uint64Size(w.Amount)
	dst = rlp.AppendListHeader(dst, n)
	dst = rlp.AppendUint64(dst, w.Index)
	dst = rlp.AppendUint64(dst, w.Validator)
	dst = rlp.AppendBytes(dst, w.Address[:])
	return rlp.AppendUint64(dst, w.Amount)
}

// MarshalBinary returns the withdrawal's RLP encoding (the value stored in
// the withdrawals trie).
func (w *Withdrawal) MarshalBinary() ([]byte, error) { return w.AppendRLP(nil), nil }

// UnmarshalBinary decodes a withdrawal's RLP encoding.
func (w *Withdrawal) UnmarshalBinary(b []byte) error {
	d, err := rlp.OpenList(b)
	if err != nil {
		return fmt.Errorf("decode withdrawal: %w", err)
	}
	w.decodeFields(&d)
	if err := d.Finish(); err != nil {
		*w = Withdrawal{}
		return fmt.Errorf("decode withdrawal: %w", err)
	}
	return nil
}

func (w *Withdrawal) decodeFields(l *rlp.Decoder) {
	w.Index = l.Uint64()
	w.Validator = l.Uint64()
	l.FixedBytes(w.Address[:])
	w.Amount = l.Uint64()
}

// Block is a header and body. Withdrawals is nil when the body has no
// withdrawals list (blocks before Shanghai) and non-nil, possibly empty,
// when it has one (from Shanghai on). Whether body and header agree is for
// block validation to check.
type Block struct {
	Header       *Header
	Transactions []*Transaction
	Uncles       []*Header
	Withdrawals  []*Withdrawal
}

// Hash returns the block hash (the header's).
func (b *Block) Hash() Hash { return b.Header.Hash() }

// Number returns the block number.
func (b *Block) Number() uint64 { return b.Header.Number }

// AppendRLP appends rlp([header, [txs], [uncles]]), with [withdrawals]
// appended when Withdrawals is non-nil: a Shanghai or later block needs a
// non-nil (possibly empty) slice. Encoding follows the fields, not the
// header, so that any decoded block re-encodes to its input.
// Typed transactions are RLP strings holding their canonical encoding.
func (b *Block) AppendRLP(dst []byte) ([]byte, error) {
	if b.Header == nil {
		return dst, errors.New("block has no header")
	}
	dst, start := rlp.StartList(dst)
	dst = b.Header.AppendRLP(dst)
	var err error
	if dst, err = AppendTransactionsRLP(dst, b.Transactions); err != nil {
		return dst, err
	}
	dst, s := rlp.StartList(dst)
	for _, u := range b.Uncles {
		dst = u.AppendRLP(dst)
	}
	dst = rlp.EndList(dst, s)
	if b.Withdrawals != nil {
		dst, s = rlp.StartList(dst)
		for _, w := range b.Withdrawals {
			dst = w.AppendRLP(dst)
		}
		dst = rlp.EndList(dst, s)
	}
	return rlp.EndList(dst, start), nil
}

// AppendTransactionsRLP appends the list of transactions as a block body
// holds it: legacy ones as their RLP list, typed ones wrapped in an RLP
// string.
func AppendTransactionsRLP(dst []byte, txs []*Transaction) ([]byte, error) {
	dst, start := rlp.StartList(dst)
	for _, tx := range txs {
		if tx.Type() == LegacyTxType {
			var err error
			if dst, err = tx.AppendBinary(dst); err != nil {
				return dst, err
			}
			continue
		}
		dst = rlp.AppendStringHeader(dst, tx.Size())
		var err error
		if dst, err = tx.AppendBinary(dst); err != nil {
			return dst, err
		}
	}
	return rlp.EndList(dst, start), nil
}

// MarshalBinary returns the block's RLP encoding.
func (b *Block) MarshalBinary() ([]byte, error) { return b.AppendRLP(nil) }

// DecodeBlock decodes a block's RLP encoding. The input is copied once and
// the block's byte fields alias that copy.
func DecodeBlock(b []byte) (*Block, error) {
	d, err := rlp.OpenList(bytes.Clone(b))
	if err != nil {
		return nil, fmt.Errorf("decode block: %w", err)
	}
	blk := &Block{Header: decodeHeader(&d)}

	txl := d.List()
	if n := txl.Count(); n > 0 {
		blk.Transactions = make([]*Transaction, 0, n)
	}
	for txl.More() {
		var enc []byte
		if k, _ := txl.PeekKind(); k == rlp.List {
			enc = txl.Raw()
		} else if enc = txl.Bytes(); len(enc) > 0 && enc[0] >= 0x80 {
			// A string must hold a typed transaction, not a legacy one.
			txl.Fail(fmt.Errorf("%w: string-wrapped transaction starts with %#x", ErrTxTypeNotSupported, enc[0]))
			break
		}
		tx, err := decodeTxOwned(enc)
		if err != nil {
			txl.Fail(fmt.Errorf("transaction %d: %w", len(blk.Transactions), err))
			break
		}
		blk.Transactions = append(blk.Transactions, tx)
	}
	d.Close(&txl)

	ul := d.List()
	for ul.More() {
		blk.Uncles = append(blk.Uncles, decodeHeader(&ul))
	}
	d.Close(&ul)

	if d.More() {
		wl := d.List()
		n := wl.Count()
		ws := make([]Withdrawal, n)
		blk.Withdrawals = make([]*Withdrawal, n)
		for i := range ws {
			e := wl.List()
			ws[i].decodeFields(&e)
			wl.Close(&e)
			blk.Withdrawals[i] = &ws[i]
		}
		d.Close(&wl)
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("decode block: %w", err)
	}
	return blk, nil
}
