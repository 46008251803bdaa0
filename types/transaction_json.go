package types

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/holiman/uint256"
)

// quantity is a JSON quantity written as a hex (or decimal) string or as a
// plain JSON number.
type quantity string

func (q *quantity) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*q = quantity(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return fmt.Errorf("invalid quantity %s", b)
		}
	}
	*q = quantity(b)
	return nil
}

func (q *quantity) uint64(name string) (uint64, error) {
	if q == nil {
		return 0, fmt.Errorf("missing %q", name)
	}
	v, err := ParseUint64Hex(string(*q))
	if err != nil {
		return 0, fmt.Errorf("%q: %w", name, err)
	}
	return v, nil
}

func (q *quantity) uint256(name string, z *uint256.Int) error {
	if q == nil {
		return fmt.Errorf("missing %q", name)
	}
	if err := ParseUint256Hex(string(*q), z); err != nil {
		return fmt.Errorf("%q: %w", name, err)
	}
	return nil
}

// AccessTupleJSON and SetCodeAuthorizationJSON are the JSON-RPC shapes of
// access-list entries and authorizations.
type accessTupleJSON struct {
	Address     string   `json:"address"`
	StorageKeys []string `json:"storageKeys"`
}

type authJSON struct {
	ChainID *quantity `json:"chainId"`
	Address string    `json:"address"`
	Nonce   *quantity `json:"nonce"`
	YParity *quantity `json:"yParity,omitempty"`
	V       *quantity `json:"v,omitempty"`
	R       *quantity `json:"r"`
	S       *quantity `json:"s"`
}

// txJSON is the JSON-RPC transaction object (eth_getBlockByNumber with full
// transactions, eth_getTransactionByHash) plus the aliases t8n inputs use.
type txJSON struct {
	Type                 *quantity          `json:"type,omitempty"`
	ChainID              *quantity          `json:"chainId,omitempty"`
	Nonce                *quantity          `json:"nonce"`
	Gas                  *quantity          `json:"gas"`
	GasLimit             *quantity          `json:"gasLimit,omitempty"`
	GasPrice             *quantity          `json:"gasPrice,omitempty"`
	MaxFeePerGas         *quantity          `json:"maxFeePerGas,omitempty"`
	MaxPriorityFeePerGas *quantity          `json:"maxPriorityFeePerGas,omitempty"`
	To                   *string            `json:"to"`
	Value                *quantity          `json:"value"`
	Input                *string            `json:"input"`
	Data                 *string            `json:"data,omitempty"`
	AccessList           *[]accessTupleJSON `json:"accessList,omitempty"`
	MaxFeePerBlobGas     *quantity          `json:"maxFeePerBlobGas,omitempty"`
	BlobVersionedHashes  *[]string          `json:"blobVersionedHashes,omitempty"`
	AuthorizationList    *[]authJSON        `json:"authorizationList,omitempty"`
	V                    *quantity          `json:"v,omitempty"`
	R                    *quantity          `json:"r,omitempty"`
	S                    *quantity          `json:"s,omitempty"`
	YParity              *quantity          `json:"yParity,omitempty"`
	Hash                 *string            `json:"hash,omitempty"`
}

// UnmarshalJSON decodes the JSON-RPC transaction object. A missing "type"
// means legacy; "data" and "gasLimit" are accepted for "input" and "gas";
// a missing signature decodes as zeros (an unsigned transaction). tx must be
// new (not yet shared with other goroutines). "hash" is not checked; compare
// it with Hash() when the source is untrusted.
func (tx *Transaction) UnmarshalJSON(b []byte) error {
	var j txJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var d TxData
	if err := j.toTxData(&d); err != nil {
		return fmt.Errorf("transaction JSON: %w", err)
	}
	tx.inner = NewTx(&d).inner
	tx.enc = nil
	tx.hash.Store(nil)
	tx.sender.Store(nil)
	return nil
}

func (j *txJSON) toTxData(d *TxData) error {
	if j.Type != nil {
		t, err := j.Type.uint64("type")
		if err != nil {
			return err
		}
		if t > SetCodeTxType {
			return fmt.Errorf("%w: type %d", ErrTxTypeNotSupported, t)
		}
		d.Type = uint8(t)
	}
	var err error
	if d.Nonce, err = j.Nonce.uint64("nonce"); err != nil {
		return err
	}
	gas := j.Gas
	if gas == nil {
		gas = j.GasLimit
	}
	if d.Gas, err = gas.uint64("gas"); err != nil {
		return err
	}
	if j.To != nil && *j.To != "" {
		var to Address
		if err := parseFixed(*j.To, to[:]); err != nil {
			return fmt.Errorf("\"to\": %w", err)
		}
		d.To = &to
	}
	if err := j.Value.uint256("value", &d.Value); err != nil {
		return err
	}
	input := j.Input
	if input == nil {
		input = j.Data
	}
	if input == nil {
		return errors.New(`missing "input"`)
	}
	if d.Data, err = DecodeHex(*input); err != nil {
		return fmt.Errorf("\"input\": %w", err)
	}
	if d.Type == LegacyTxType || d.Type == AccessListTxType {
		if err := j.GasPrice.uint256("gasPrice", &d.GasPrice); err != nil {
			return err
		}
	} else {
		if err := j.MaxPriorityFeePerGas.uint256("maxPriorityFeePerGas", &d.GasTipCap); err != nil {
			return err
		}
		if err := j.MaxFeePerGas.uint256("maxFeePerGas", &d.GasFeeCap); err != nil {
			return err
		}
	}
	if d.Type != LegacyTxType {
		if err := j.ChainID.uint256("chainId", &d.ChainID); err != nil {
			return err
		}
		if d.AccessList, err = accessListFromJSON(j.AccessList); err != nil {
			return err
		}
	}
	switch d.Type {
	case BlobTxType:
		if d.To == nil {
			return ErrTxCreateNotAllowed
		}
		if err := j.MaxFeePerBlobGas.uint256("maxFeePerBlobGas", &d.BlobFeeCap); err != nil {
			return err
		}
		if j.BlobVersionedHashes == nil {
			return errors.New(`missing "blobVersionedHashes"`)
		}
		d.BlobHashes = make([]Hash, len(*j.BlobVersionedHashes))
		for i, s := range *j.BlobVersionedHashes {
			if err := parseFixed(s, d.BlobHashes[i][:]); err != nil {
				return fmt.Errorf("\"blobVersionedHashes\": %w", err)
			}
		}
	case SetCodeTxType:
		if d.To == nil {
			return ErrTxCreateNotAllowed
		}
		if j.AuthorizationList == nil {
			return errors.New(`missing "authorizationList"`)
		}
		d.AuthList = make([]SetCodeAuthorization, len(*j.AuthorizationList))
		for i := range *j.AuthorizationList {
			if err := (*j.AuthorizationList)[i].toAuth(&d.AuthList[i]); err != nil {
				return fmt.Errorf("\"authorizationList\"[%d]: %w", i, err)
			}
		}
	}
	return j.signature(d)
}

func (j *txJSON) signature(d *TxData) error {
	if j.V == nil && j.YParity == nil && j.R == nil && j.S == nil {
		return nil // unsigned
	}
	if err := j.R.uint256("r", &d.R); err != nil {
		return err
	}
	if err := j.S.uint256("s", &d.S); err != nil {
		return err
	}
	if d.Type == LegacyTxType {
		return j.V.uint256("v", &d.V)
	}
	v := j.YParity
	if v == nil {
		v = j.V
	}
	if err := v.uint256("yParity", &d.V); err != nil {
		return err
	}
	if j.YParity != nil && j.V != nil {
		var other uint256.Int
		if err := j.V.uint256("v", &other); err != nil {
			return err
		}
		if !other.Eq(&d.V) {
			return errors.New(`"v" and "yParity" differ`)
		}
	}
	return nil
}

func accessListFromJSON(j *[]accessTupleJSON) (AccessList, error) {
	if j == nil {
		return AccessList{}, nil
	}
	al := make(AccessList, len(*j))
	for i, t := range *j {
		if err := parseFixed(t.Address, al[i].Address[:]); err != nil {
			return nil, fmt.Errorf("\"accessList\": %w", err)
		}
		if len(t.StorageKeys) > 0 {
			al[i].StorageKeys = make([]Hash, len(t.StorageKeys))
		}
		for k, s := range t.StorageKeys {
			// Fixtures sometimes write short keys; they are left-padded words.
			h, err := ParseHash(s)
			if err != nil {
				return nil, fmt.Errorf("\"accessList\": %w", err)
			}
			al[i].StorageKeys[k] = h
		}
	}
	return al, nil
}

func (j *authJSON) toAuth(a *SetCodeAuthorization) error {
	if err := j.ChainID.uint256("chainId", &a.ChainID); err != nil {
		return err
	}
	if err := parseFixed(j.Address, a.Address[:]); err != nil {
		return fmt.Errorf("\"address\": %w", err)
	}
	var err error
	if a.Nonce, err = j.Nonce.uint64("nonce"); err != nil {
		return err
	}
	v := j.YParity
	if v == nil {
		v = j.V
	}
	y, err := v.uint64("yParity")
	if err != nil {
		return err
	}
	if y > 0xff {
		return fmt.Errorf("y-parity %d does not fit in 8 bits", y)
	}
	a.V = uint8(y)
	if err := j.R.uint256("r", &a.R); err != nil {
		return err
	}
	return j.S.uint256("s", &a.S)
}

// txJSONOut is the JSON-RPC shape MarshalJSON writes.
type txJSONOut struct {
	Type                 string             `json:"type"`
	ChainID              string             `json:"chainId,omitempty"`
	Nonce                string             `json:"nonce"`
	Gas                  string             `json:"gas"`
	GasPrice             string             `json:"gasPrice,omitempty"`
	MaxFeePerGas         string             `json:"maxFeePerGas,omitempty"`
	MaxPriorityFeePerGas string             `json:"maxPriorityFeePerGas,omitempty"`
	To                   *string            `json:"to"`
	Value                string             `json:"value"`
	Input                string             `json:"input"`
	AccessList           *[]accessTupleJSON `json:"accessList,omitempty"`
	MaxFeePerBlobGas     string             `json:"maxFeePerBlobGas,omitempty"`
	BlobVersionedHashes  *[]string          `json:"blobVersionedHashes,omitempty"`
	AuthorizationList    *[]authJSONOut     `json:"authorizationList,omitempty"`
	V                    string             `json:"v"`
	R                    string             `json:"r"`
	S                    string             `json:"s"`
	YParity              string             `json:"yParity,omitempty"`
	Hash                 string             `json:"hash"`
}

type authJSONOut struct {
	ChainID string `json:"chainId"`
	Address string `json:"address"`
	Nonce   string `json:"nonce"`
	YParity string `json:"yParity"`
	R       string `json:"r"`
	S       string `json:"s"`
}

// MarshalJSON writes the JSON-RPC transaction object (without the block
// location fields and "from").
func (tx *Transaction) MarshalJSON() ([]byte, error) {
	d := &tx.inner
	o := txJSONOut{
		Type:  hexUint64(uint64(d.Type)),
		Nonce: hexUint64(d.Nonce),
		Gas:   hexUint64(d.Gas),
		Value: hexUint256(&d.Value),
		Input: hexBytes(d.Data),
		V:     hexUint256(&d.V),
		R:     hexUint256(&d.R),
		S:     hexUint256(&d.S),
		Hash:  tx.Hash().Hex(),
	}
	if d.To != nil {
		s := d.To.Hex()
		o.To = &s
	}
	if d.Type != LegacyTxType || tx.Protected() {
		o.ChainID = hexUint256(&d.ChainID)
	}
	if d.Type <= AccessListTxType {
		o.GasPrice = hexUint256(&d.GasPrice)
	} else {
		o.MaxFeePerGas = hexUint256(&d.GasFeeCap)
		o.MaxPriorityFeePerGas = hexUint256(&d.GasTipCap)
	}
	if d.Type != LegacyTxType {
		o.YParity = o.V
		al := make([]accessTupleJSON, len(d.AccessList))
		for i, t := range d.AccessList {
			keys := make([]string, len(t.StorageKeys))
			for k := range t.StorageKeys {
				keys[k] = t.StorageKeys[k].Hex()
			}
			al[i] = accessTupleJSON{Address: t.Address.Hex(), StorageKeys: keys}
		}
		o.AccessList = &al
	}
	switch d.Type {
	case BlobTxType:
		o.MaxFeePerBlobGas = hexUint256(&d.BlobFeeCap)
		hs := make([]string, len(d.BlobHashes))
		for i := range d.BlobHashes {
			hs[i] = d.BlobHashes[i].Hex()
		}
		o.BlobVersionedHashes = &hs
	case SetCodeTxType:
		auths := make([]authJSONOut, len(d.AuthList))
		o.AuthorizationList = &auths
		for i := range d.AuthList {
			a := &d.AuthList[i]
			auths[i] = authJSONOut{
				ChainID: hexUint256(&a.ChainID), Address: a.Address.Hex(), Nonce: hexUint64(a.Nonce),
				YParity: hexUint64(uint64(a.V)), R: hexUint256(&a.R), S: hexUint256(&a.S),
			}
		}
	}
	return json.Marshal(&o)
}
