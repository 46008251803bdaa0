package bench

import (
	"encoding/binary"

	"github.com/plasmaxpl/engine/evm"
	"github.com/plasmaxpl/engine/types"
)

// Hand-written contracts of the synthetic workloads. asm assembles: an
// evm.OpCode is emitted as is, an int as PUSH1, a []byte as PUSHn.
func asm(parts ...any) []byte {
	var out []byte
	for _, p := range parts {
		switch v := p.(type) {
		case evm.OpCode:
			out = append(out, byte(v))
		case int:
			out = append(out, byte(evm.PUSH1), byte(v))
		case []byte:
			out = append(out, byte(evm.PUSH1)+byte(len(v)-1))
			out = append(out, v...)
		}
	}
	return out
}

const (
	dup2 = evm.DUP1 + 1
	dup3 = evm.DUP1 + 2
	dup5 = evm.DUP1 + 4
	dup7 = evm.DUP1 + 6
)

// transferTopic is keccak256("Transfer(address,address,uint256)").
var transferTopic = types.HexToHash("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")

// TokenCode is a minimal ERC-20-style token: calldata (to, amount) moves
// amount from the caller's balance (the slot keyed by the caller's
// address) to to's, reverting when the caller has too little, and logs
// Transfer(from, to, amount).
func TokenCode() []byte {
	body := asm(
		0x20, evm.CALLDATALOAD, // amt
		evm.CALLER, evm.SLOAD, // bal amt
		dup2, dup2, evm.LT, // bal<amt bal amt
	)
	var d [2]byte
	success := asm(
		dup2, evm.SWAP1, evm.SUB, evm.CALLER, evm.SSTORE, // amt
		0, evm.CALLDATALOAD, evm.DUP1, evm.SLOAD, // balTo to amt
		dup3, evm.ADD, evm.SWAP1, evm.SSTORE, // amt
		0, evm.MSTORE,
		0, evm.CALLDATALOAD, evm.CALLER, transferTopic[:], 0x20, 0, evm.LOG0+3,
		evm.STOP,
	)
	revertAt := len(body) + 4 + len(success) // after PUSH2 dest JUMPI and the success path
	binary.BigEndian.PutUint16(d[:], uint16(revertAt))
	code := append(body, asm(d[:], evm.JUMPI)...)
	code = append(code, success...)
	return append(code, asm(evm.JUMPDEST, 0, evm.DUP1, evm.REVERT)...)
}

// TokenBalanceSlot is the storage slot of holder's balance in TokenCode.
func TokenBalanceSlot(holder types.Address) types.Hash {
	var h types.Hash
	copy(h[12:], holder[:])
	return h
}

// TokenTransferData is the calldata of a TokenCode transfer.
func TokenTransferData(to types.Address, amount uint64) []byte {
	data := make([]byte, 64)
	copy(data[12:32], to[:])
	binary.BigEndian.PutUint64(data[56:], amount)
	return data
}

// PoolCode is a constant-product pool with reserves in slots 0 and 1:
// calldata (dir, in) adds in to reserve dir and removes
// reserve[1-dir]*in/(reserve[dir]+in) from the other, and logs the amounts.
func PoolCode() []byte {
	return asm(
		0, evm.CALLDATALOAD, // a
		evm.DUP1, evm.SLOAD, // ra a
		dup2, 1, evm.XOR, // b ra a
		evm.DUP1, evm.SLOAD, // rb b ra a
		0x20, evm.CALLDATALOAD, // in rb b ra a
		evm.DUP1, dup5, evm.ADD, // ra+in in rb b ra a
		evm.DUP1, dup7, evm.SSTORE, // ra+in in rb b ra a
		evm.SWAP1, dup3, evm.MUL, // rb*in ra+in rb b ra a
		evm.DIV,                 // out rb b ra a
		evm.DUP1, 0, evm.MSTORE, // out rb b ra a
		evm.SWAP1, evm.SUB, // rb-out b ra a
		evm.SWAP1, evm.SSTORE, // ra a
		0x20, evm.CALLDATALOAD, 0x20, evm.MSTORE,
		0x40, 0, evm.LOG0,
		evm.STOP,
	)
}

// SwapData is the calldata of a PoolCode swap.
func SwapData(dir int, in uint64) []byte {
	data := make([]byte, 64)
	data[31] = byte(dir)
	binary.BigEndian.PutUint64(data[56:], in)
	return data
}

// CounterCode increments slot 0 and logs the new value.
func CounterCode() []byte {
	return asm(
		0, evm.SLOAD, 1, evm.ADD, // n+1
		evm.DUP1, 0, evm.SSTORE,
		0, evm.MSTORE,
		0x20, 0, evm.LOG0,
		evm.STOP,
	)
}
