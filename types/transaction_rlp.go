package types

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/holiman/uint256"
	"github.com/plasmaxpl/engine/types/rlp"
)

// encBufPool holds scratch buffers for hashing encodings.
var encBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// MarshalBinary returns the canonical encoding: the RLP list for a legacy
// transaction, the type byte followed by the RLP list for a typed one. This
// is the form hashed for the transaction hash and stored in the
// transactions trie.
func (tx *Transaction) MarshalBinary() ([]byte, error) {
	if tx.enc != nil {
		return bytes.Clone(tx.enc), nil
	}
	return tx.AppendBinary(nil)
}

// AppendBinary appends the canonical encoding to dst.
func (tx *Transaction) AppendBinary(dst []byte) ([]byte, error) {
	if tx.enc != nil {
		return append(dst, tx.enc...), nil
	}
	if tx.inner.Type > SetCodeTxType {
		return dst, ErrTxTypeNotSupported
	}
	return tx.inner.appendRLP(dst, true, nil), nil
}

// Hash returns keccak256 of the canonical encoding.
func (tx *Transaction) Hash() Hash {
	if h := tx.hash.Load(); h != nil {
		return *h
	}
	var h Hash
	if tx.enc != nil {
		h = Keccak256(tx.enc)
	} else {
		bp := encBufPool.Get().(*[]byte)
		*bp = tx.inner.appendRLP((*bp)[:0], true, nil)
		h = Keccak256(*bp)
		encBufPool.Put(bp)
	}
	tx.hash.Store(&h)
	return h
}

// Size returns the length of the canonical encoding.
func (tx *Transaction) Size() int {
	if tx.enc != nil {
		return len(tx.enc)
	}
	bp := encBufPool.Get().(*[]byte)
	*bp = tx.inner.appendRLP((*bp)[:0], true, nil)
	n := len(*bp)
	encBufPool.Put(bp)
	return n
}

// appendRLP appends the transaction's encoding. With sig the signature is
// included (the canonical form); without it, the form that is signed, where
// a legacy transaction commits to legacyChainID when that is non-zero
// (EIP-155).
func (d *TxData) appendRLP(dst []byte, sig bool, legacyChainID *uint256.Int) []byte {
	var start int
	if d.Type == LegacyTxType {
		dst, start = rlp.StartList(dst)
		dst = rlp.AppendUint64(dst, d.Nonce)
		dst = rlp.AppendUint256(dst, &d.GasPrice)
		dst = rlp.AppendUint64(dst, d.Gas)
		dst = appendTo(dst, d.To)
		dst = rlp.AppendUint256(dst, &d.Value)
		dst = rlp.AppendBytes(dst, d.Data)
		switch {
		case sig:
			dst = rlp.AppendUint256(dst, &d.V)
			dst = rlp.AppendUint256(dst, &d.R)
			dst = rlp.AppendUint256(dst, &d.S)
		case legacyChainID != nil && !legacyChainID.IsZero():
			dst = rlp.AppendUint256(dst, legacyChainID)
			dst = append(dst, rlp.EmptyString, rlp.EmptyString)
		}
		return rlp.EndList(dst, start)
	}
	dst = append(dst, d.Type)
	dst, start = rlp.StartList(dst)
	dst = rlp.AppendUint256(dst, &d.ChainID)
	dst = rlp.AppendUint64(dst, d.Nonce)
	if d.Type == AccessListTxType {
		dst = rlp.AppendUint256(dst, &d.GasPrice)
	} else {
		dst = rlp.AppendUint256(dst, &d.GasTipCap)
		dst = rlp.AppendUint256(dst, &d.GasFeeCap)
	}
	dst = rlp.AppendUint64(dst, d.Gas)
	dst = appendTo(dst, d.To)
	dst = rlp.AppendUint256(dst, &d.Value)
	dst = rlp.AppendBytes(dst, d.Data)
	dst = appendAccessList(dst, d.AccessList)
	switch d.Type {
	case BlobTxType:
		dst = rlp.AppendUint256(dst, &d.BlobFeeCap)
		dst = rlp.AppendListHeader(dst, len(d.BlobHashes)*33)
		for i := range d.BlobHashes {
			dst = rlp.AppendBytes(dst, d.BlobHashes[i][:])
		}
	case SetCodeTxType:
		var s int
		dst, s = rlp.StartList(dst)
		for i := range d.AuthList {
			dst = d.AuthList[i].appendRLP(dst, true)
		}
		dst = rlp.EndList(dst, s)
	}
	if sig {
		dst = rlp.AppendUint256(dst, &d.V)
		dst = rlp.AppendUint256(dst, &d.R)
		dst = rlp.AppendUint256(dst, &d.S)
	}
	return rlp.EndList(dst, start)
}

func appendTo(dst []byte, to *Address) []byte {
	if to == nil {
		return append(dst, rlp.EmptyString)
	}
	return rlp.AppendBytes(dst, to[:])
}

func appendAccessList(dst []byte, al AccessList) []byte {
	dst, start := rlp.StartList(dst)
	for i := range al {
		keys := 33 * len(al[i].StorageKeys)
		dst = rlp.AppendListHeader(dst, 21+rlp.ListSize(keys))
		dst = rlp.AppendBytes(dst, al[i].Address[:])
		dst = rlp.AppendListHeader(dst, keys)
		for j := range al[i].StorageKeys {
			dst = rlp.AppendBytes(dst, al[i].StorageKeys[j][:])
		}
	}
	return rlp.EndList(dst, start)
}

// appendRLP appends [chain_id, address, nonce] and, with sig, y_parity, r, s.
func (a *SetCodeAuthorization) appendRLP(dst []byte, sig bool) []byte {
	dst, start := rlp.StartList(dst)
	dst = rlp.AppendUint256(dst, &a.ChainID)
	dst = rlp.AppendBytes(dst, a.Address[:])
	dst = rlp.AppendUint64(dst, a.Nonce)
	if sig {
		dst = rlp.AppendUint64(dst, uint64(a.V))
		dst = rlp.AppendUint256(dst, &a.R)
		dst = rlp.AppendUint256(dst, &a.S)
	}
	return rlp.EndList(dst, start)
}

// DecodeTransaction decodes a transaction from its canonical encoding
// (legacy RLP list, or type byte and RLP list). Input that is not exactly
// the canonical encoding of a transaction of a known type is an error. The
// input is copied, so the caller may reuse b.
func DecodeTransaction(b []byte) (*Transaction, error) {
	return decodeTxOwned(bytes.Clone(b))
}

// UnmarshalBinary decodes the canonical encoding into tx, which must be new
// (not yet shared with other goroutines).
func (tx *Transaction) UnmarshalBinary(b []byte) error {
	t, err := DecodeTransaction(b)
	if err != nil {
		return err
	}
	tx.inner, tx.enc = t.inner, t.enc
	if tx.inner.To != nil {
		to := *tx.inner.To
		tx.inner.To = &to
	}
	tx.hash.Store(nil)
	tx.sender.Store(nil)
	return nil
}

// decodeTxOwned decodes b, which the transaction keeps (its byte fields
// alias it).
func decodeTxOwned(b []byte) (*Transaction, error) {
	if len(b) == 0 {
		return nil, ErrTxTooShort
	}
	tx := new(Transaction)
	d := &tx.inner
	var err error
	switch {
	case b[0] >= 0xc0:
		err = d.decodeLegacy(b)
	case b[0] <= 0x7f:
		if len(b) < 2 {
			return nil, ErrTxTooShort
		}
		if b[0] == LegacyTxType || b[0] > SetCodeTxType {
			return nil, fmt.Errorf("%w: type %d", ErrTxTypeNotSupported, b[0])
		}
		err = d.decodeTyped(b[0], b[1:])
	default:
		return nil, fmt.Errorf("%w: encoding starts with a string header", ErrTxTypeNotSupported)
	}
	if err != nil {
		return nil, fmt.Errorf("decode transaction: %w", err)
	}
	tx.enc = b[:len(b):len(b)]
	return tx, nil
}

func (d *TxData) decodeLegacy(b []byte) error {
	l, err := rlp.OpenList(b)
	if err != nil {
		return err
	}
	d.Type = LegacyTxType
	d.Nonce = l.Uint64()
	l.Uint256(&d.GasPrice)
	d.Gas = l.Uint64()
	d.To = decodeTo(&l, true)
	l.Uint256(&d.Value)
	d.Data = exact(l.Bytes())
	l.Uint256(&d.V)
	l.Uint256(&d.R)
	l.Uint256(&d.S)
	if err := l.Finish(); err != nil {
		return err
	}
	d.ChainID = legacyChainID(&d.V)
	return nil
}

func (d *TxData) decodeTyped(typ byte, b []byte) error {
	l, err := rlp.OpenList(b)
	if err != nil {
		return err
	}
	d.Type = typ
	l.Uint256(&d.ChainID)
	d.Nonce = l.Uint64()
	if typ == AccessListTxType {
		l.Uint256(&d.GasPrice)
	} else {
		l.Uint256(&d.GasTipCap)
		l.Uint256(&d.GasFeeCap)
	}
	d.Gas = l.Uint64()
	// Blob and set-code transactions cannot create contracts: their
	// destination is a plain 20-byte address.
	d.To = decodeTo(&l, typ <= DynamicFeeTxType)
	l.Uint256(&d.Value)
	d.Data = exact(l.Bytes())
	d.AccessList = decodeAccessList(&l)
	switch typ {
	case BlobTxType:
		l.Uint256(&d.BlobFeeCap)
		hl := l.List()
		if n := hl.Count(); n > 0 {
			d.BlobHashes = make([]Hash, n)
			for i := range d.BlobHashes {
				hl.FixedBytes(d.BlobHashes[i][:])
			}
		} else {
			d.BlobHashes = []Hash{}
		}
		l.Close(&hl)
	case SetCodeTxType:
		al := l.List()
		n := al.Count()
		d.AuthList = make([]SetCodeAuthorization, n)
		for i := range d.AuthList {
			d.AuthList[i].decodeRLP(&al)
		}
		l.Close(&al)
	}
	l.Uint256(&d.V)
	l.Uint256(&d.R)
	l.Uint256(&d.S)
	return l.Finish()
}

// exact limits a slice's capacity to its length, so that appending to it
// never writes into the buffer it aliases.
func exact(b []byte) []byte {
	if b == nil {
		return nil
	}
	return b[:len(b):len(b)]
}

func decodeTo(l *rlp.Decoder, allowCreate bool) *Address {
	b := l.Bytes()
	switch {
	case l.Err() != nil:
		return nil
	case len(b) == 0 && allowCreate:
		return nil
	case len(b) == 0:
		l.Fail(ErrTxCreateNotAllowed)
		return nil
	case len(b) != AddressLength:
		l.Fail(fmt.Errorf("recipient is %d bytes, want 20", len(b)))
		return nil
	}
	a := Address(b)
	return &a
}

func decodeAccessList(l *rlp.Decoder) AccessList {
	outer := l.List()
	n := outer.Count()
	al := make(AccessList, n)
	for i := range al {
		t := outer.List()
		t.FixedBytes(al[i].Address[:])
		keys := t.List()
		if k := keys.Count(); k > 0 {
			al[i].StorageKeys = make([]Hash, k)
			for j := range al[i].StorageKeys {
				keys.FixedBytes(al[i].StorageKeys[j][:])
			}
		}
		t.Close(&keys)
		outer.Close(&t)
	}
	l.Close(&outer)
	return al
}

func (a *SetCodeAuthorization) decodeRLP(outer *rlp.Decoder) {
	l := outer.List()
	l.Uint256(&a.ChainID)
	l.FixedBytes(a.Address[:])
	a.Nonce = l.Uint64()
	v := l.Uint64()
	if v > 0xff {
		l.Fail(fmt.Errorf("authorization y-parity %d does not fit in 8 bits", v))
	}
	a.V = uint8(v)
	l.Uint256(&a.R)
	l.Uint256(&a.S)
	outer.Close(&l)
}
