package evm

import (
	"math"

	"github.com/plasmaxpl/engine/types"
)

// txApplyAuthorization applies one EIP-7702 authorization
// (https://eips.ethereum.org/EIPS/eip-7702). An invalid entry is skipped
// without effect (it reports false); the transaction stays valid and the
// intrinsic gas already paid for the entry is kept.
func txApplyAuthorization(e *EVM, auth *types.SetCodeAuthorization) bool {
	st := e.StateDB
	// 1. chain id is 0 (any chain) or ours.
	if !auth.ChainID.IsZero() && (!auth.ChainID.IsUint64() || auth.ChainID.Uint64() != e.Config.ChainID) {
		return false
	}
	// 2. nonce < 2^64-1 (EIP-2681), so that it can be incremented.
	if auth.Nonce == math.MaxUint64 {
		return false
	}
	// 3. the signature recovers (with s <= n/2).
	authority, err := auth.Authority()
	if err != nil {
		return false
	}
	// 4. the authority becomes warm, whatever happens next.
	st.AddAddressToAccessList(authority)
	// 5. it has no code, or only a delegation.
	if code := st.GetCode(authority); len(code) != 0 {
		if _, ok := ParseDelegation(code); !ok {
			return false
		}
	}
	// 6. its nonce matches.
	if st.GetNonce(authority) != auth.Nonce {
		return false
	}
	// 7. an existing authority costs less than the empty-account price
	// charged up front: refund the difference.
	if st.Exist(authority) {
		st.AddRefund(TxAuthEmptyAccountGas - TxAuthBaseGas)
	}
	// 8. set (or, delegating to the zero address, clear) the designator.
	if auth.Address == (types.Address{}) {
		st.SetCode(authority, nil)
	} else {
		st.SetCode(authority, DelegationCode(auth.Address))
	}
	// 9. bump the authority's nonce.
	st.SetNonce(authority, auth.Nonce+1)
	return true
}
