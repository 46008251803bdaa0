package types

import (
	"encoding/json"
	"fmt"
)

// UnmarshalJSON reads {"address", "storageKeys"}; keys shorter than 32
// bytes (as some fixtures write them) are left-padded.
func (t *AccessTuple) UnmarshalJSON(b []byte) error {
	var j accessTupleJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	al, err := accessListFromJSON(&[]accessTupleJSON{j})
	if err != nil {
		return err
	}
	*t = al[0]
	return nil
}

// MarshalJSON writes {"address", "storageKeys"}.
func (t AccessTuple) MarshalJSON() ([]byte, error) {
	keys := make([]string, len(t.StorageKeys))
	for i := range t.StorageKeys {
		keys[i] = t.StorageKeys[i].Hex()
	}
	return json.Marshal(accessTupleJSON{Address: t.Address.Hex(), StorageKeys: keys})
}

// UnmarshalJSON reads an authorization as JSON-RPC writes it ({chainId,
// address, nonce, yParity, r, s}) or as state-test fixtures do ("v" for
// the y-parity; "signer" is ignored).
func (a *SetCodeAuthorization) UnmarshalJSON(b []byte) error {
	var j authJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var n SetCodeAuthorization
	if err := j.toAuth(&n); err != nil {
		return fmt.Errorf("authorization: %w", err)
	}
	*a = n
	return nil
}

// MarshalJSON writes the JSON-RPC authorization object.
func (a SetCodeAuthorization) MarshalJSON() ([]byte, error) {
	return json.Marshal(authJSONOut{
		ChainID: hexUint256(&a.ChainID), Address: a.Address.Hex(), Nonce: hexUint64(a.Nonce),
		YParity: hexUint64(uint64(a.V)), R: hexUint256(&a.R), S: hexUint256(&a.S),
	})
}

// UnmarshalJSON reads the fields of a transaction from the JSON-RPC shape
// (see Transaction.UnmarshalJSON); a missing signature leaves V, R, S zero,
// ready for SignTx.
func (d *TxData) UnmarshalJSON(b []byte) error {
	var j txJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var n TxData
	if err := j.toTxData(&n); err != nil {
		return fmt.Errorf("transaction JSON: %w", err)
	}
	*d = n
	return nil
}
