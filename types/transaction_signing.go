package types

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/holiman/uint256"
)

var (
	// secp256k1N is the order of the secp256k1 group.
	secp256k1N = uint256.MustFromHex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	// secp256k1HalfN is N/2, the largest s Homestead (EIP-2) accepts.
	secp256k1HalfN = new(uint256.Int).Rsh(secp256k1N, 1)
)

// SetCodeMagic is the byte that prefixes an EIP-7702 authorization's signed
// message: keccak256(0x05 || rlp([chain_id, address, nonce])).
const SetCodeMagic = 0x05

// ValidSignatureValues reports whether r and s are a valid signature: both
// in [1, n-1] and, when homestead is set, s <= n/2 (EIP-2).
func ValidSignatureValues(r, s *uint256.Int, homestead bool) bool {
	if r.IsZero() || s.IsZero() || !r.Lt(secp256k1N) || !s.Lt(secp256k1N) {
		return false
	}
	return !homestead || !s.Gt(secp256k1HalfN)
}

// SigningHash returns the hash a sender signs. For a legacy transaction
// chainID selects EIP-155 signing (0: the unprotected pre-EIP-155 form);
// typed transactions sign over their own chain id and ignore the argument.
func (tx *Transaction) SigningHash(chainID uint64) Hash {
	c := uint256.NewInt(chainID)
	return tx.inner.signingHash(c)
}

func (d *TxData) signingHash(legacyChainID *uint256.Int) Hash {
	bp := encBufPool.Get().(*[]byte)
	*bp = d.appendRLP((*bp)[:0], false, legacyChainID)
	h := Keccak256(*bp)
	encBufPool.Put(bp)
	return h
}

// Sender recovers the address that signed the transaction for a chain with
// the given id, with the signature rules in force since Homestead. A legacy
// transaction may be unprotected (V 27 or 28) or EIP-155 protected for this
// chain (V = chainID*2+35 or 36); a typed transaction must carry chainID and
// a y-parity of 0 or 1. The result is cached.
func (tx *Transaction) Sender(chainID uint64) (Address, error) {
	return tx.sender0(chainID, true)
}

// SenderFrontier is Sender with Frontier's rules, which accept any s in
// [1, n-1] (EIP-2 later capped it at n/2).
func (tx *Transaction) SenderFrontier(chainID uint64) (Address, error) {
	return tx.sender0(chainID, false)
}

// CacheSender records from as the transaction's sender on chainID, as when
// a trusted source (a block's JSON "from") already recovered it. Later Sender
// calls for that chain return it without recovering.
func (tx *Transaction) CacheSender(chainID uint64, from Address) {
	tx.sender.Store(&senderEntry{chainID: chainID, from: from})
}

func (tx *Transaction) sender0(chainID uint64, homestead bool) (Address, error) {
	if e := tx.sender.Load(); e != nil && e.chainID == chainID {
		return e.from, nil
	}
	d := &tx.inner
	var parity uint64
	var signChain uint256.Int
	if d.Type == LegacyTxType {
		v := &d.V
		switch {
		case v.Eq(uint256.NewInt(27)) || v.Eq(uint256.NewInt(28)):
			parity = v.Uint64() - 27
		case v.LtUint64(35):
			return Address{}, fmt.Errorf("%w: legacy v %v", ErrInvalidSig, v)
		default:
			if !d.ChainID.Eq(uint256.NewInt(chainID)) {
				return Address{}, fmt.Errorf("%w: have %v, want %d", ErrInvalidChainID, &d.ChainID, chainID)
			}
			var p uint256.Int
			p.SubUint64(v, 35)
			parity = p.Uint64() & 1
			signChain = d.ChainID
		}
	} else {
		if !d.ChainID.Eq(uint256.NewInt(chainID)) {
			return Address{}, fmt.Errorf("%w: have %v, want %d", ErrInvalidChainID, &d.ChainID, chainID)
		}
		if !d.V.IsUint64() || d.V.Uint64() > 1 {
			return Address{}, fmt.Errorf("%w: y-parity %v", ErrInvalidSig, &d.V)
		}
		parity = d.V.Uint64()
	}
	if !ValidSignatureValues(&d.R, &d.S, homestead) {
		return Address{}, ErrInvalidSig
	}
	h := d.signingHash(&signChain)
	from, err := recoverAddress(&h, &d.R, &d.S, byte(parity))
	if err != nil {
		return Address{}, err
	}
	if homestead {
		tx.sender.Store(&senderEntry{chainID: chainID, from: from})
	}
	return from, nil
}

// recoverAddress returns the address of the key that made signature (r, s)
// with recovery parity over hash. r and s must already be range-checked.
func recoverAddress(hash *Hash, r, s *uint256.Int, parity byte) (Address, error) {
	var sig [65]byte
	sig[0] = 27 + parity
	r.WriteToSlice(sig[1:33])
	s.WriteToSlice(sig[33:65])
	pub, _, err := ecdsa.RecoverCompact(sig[:], hash[:])
	if err != nil {
		return Address{}, fmt.Errorf("%w: %v", ErrInvalidSig, err)
	}
	return PubkeyToAddress(pub), nil
}

// PubkeyToAddress returns the address of a public key: the last 20 bytes of
// keccak256 of its 64-byte uncompressed form.
func PubkeyToAddress(pub *secp256k1.PublicKey) Address {
	var p secp256k1.JacobianPoint
	pub.AsJacobian(&p)
	var xy [64]byte
	p.X.PutBytesUnchecked(xy[:32])
	p.Y.PutBytesUnchecked(xy[32:])
	h := Keccak256(xy[:])
	return Address(h[12:])
}

// PrivateKeyToAddress returns the address of a private key.
func PrivateKeyToAddress(key *secp256k1.PrivateKey) Address {
	return PubkeyToAddress(key.PubKey())
}

// ParsePrivateKey parses a 32-byte secp256k1 private key (hex, 0x optional),
// as found in test fixtures' "secretKey".
func ParsePrivateKey(s string) (*secp256k1.PrivateKey, error) {
	b, err := DecodeHex(s)
	if err != nil {
		return nil, err
	}
	if len(b) != 32 {
		return nil, fmt.Errorf("private key is %d bytes, want 32", len(b))
	}
	var k secp256k1.ModNScalar
	if overflow := k.SetByteSlice(b); overflow || k.IsZero() {
		return nil, errors.New("private key out of range")
	}
	return secp256k1.NewPrivateKey(&k), nil
}

// sign signs hash with key, returning r, s (s <= n/2) and the y-parity.
func sign(hash *Hash, key *secp256k1.PrivateKey) (r, s uint256.Int, parity byte) {
	sig := ecdsa.SignCompact(key, hash[:], false) // [27+recid, r, s]
	r.SetBytes(sig[1:33])
	s.SetBytes(sig[33:65])
	return r, s, (sig[0] - 27) & 1
}

// SignTx signs the transaction described by d with key and returns it. A
// legacy transaction is EIP-155 protected when d.ChainID is non-zero;
// typed transactions sign over d.ChainID. d's own V, R, S are ignored.
func SignTx(d *TxData, key *secp256k1.PrivateKey) (*Transaction, error) {
	if d.Type > SetCodeTxType {
		return nil, ErrTxTypeNotSupported
	}
	c := *d
	h := c.signingHash(&c.ChainID)
	r, s, parity := sign(&h, key)
	c.R, c.S = r, s
	if c.Type == LegacyTxType {
		if c.ChainID.IsZero() {
			c.V.SetUint64(27 + uint64(parity))
		} else {
			c.V.Lsh(&c.ChainID, 1)
			c.V.AddUint64(&c.V, 35+uint64(parity))
		}
	} else {
		c.V.SetUint64(uint64(parity))
	}
	return NewTx(&c), nil
}

// SigningHash returns keccak256(0x05 || rlp([chain_id, address, nonce])),
// the message an EIP-7702 authority signs.
func (a *SetCodeAuthorization) SigningHash() Hash {
	var buf [128]byte
	b := append(buf[:0], SetCodeMagic)
	b = a.appendRLP(b, false)
	return Keccak256(b)
}

// Authority recovers the account that signed the authorization. It fails
// when y-parity is not 0 or 1, r or s is zero or not below n, or s > n/2
// (EIP-7702 then skips the authorization; the transaction stays valid).
func (a *SetCodeAuthorization) Authority() (Address, error) {
	if a.V > 1 {
		return Address{}, fmt.Errorf("%w: authorization y-parity %d", ErrInvalidSig, a.V)
	}
	if !ValidSignatureValues(&a.R, &a.S, true) {
		return Address{}, fmt.Errorf("%w: authorization r, s", ErrInvalidSig)
	}
	h := a.SigningHash()
	return recoverAddress(&h, &a.R, &a.S, a.V)
}

// SignSetCode returns auth signed by key (its V, R, S replaced).
func SignSetCode(auth SetCodeAuthorization, key *secp256k1.PrivateKey) SetCodeAuthorization {
	h := auth.SigningHash()
	auth.R, auth.S, auth.V = sign(&h, key)
	return auth
}

// RecoverSenders recovers (and caches) the senders of txs on up to workers
// goroutines, with Homestead's signature rules when homestead is set and
// Frontier's otherwise. It returns the senders in order, or the error of
// the first transaction (by index) that fails.
func RecoverSenders(txs []*Transaction, chainID uint64, homestead bool, workers int) ([]Address, error) {
	out := make([]Address, len(txs))
	errs := make([]error, len(txs))
	if workers < 1 {
		workers = 1
	}
	if workers > len(txs) {
		workers = len(txs)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(txs) {
					return
				}
				out[i], errs[i] = txs[i].sender0(chainID, homestead)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("transaction %d: %w", i, err)
		}
	}
	return out, nil
}
