//go:build !purego

package gpu

import (
	"encoding/binary"

	"github.com/plasmaxpl/engine/types"
)

// maxLanes is the widest SIMD permutation (AVX-512: 8 states per call).
const maxLanes = 8

// sponges runs up to maxLanes Keccak-256 sponges side by side. Each lane
// absorbs one message block by block; when a lane's message is done its
// digest is written out and the lane takes the next message of the batch,
// so lanes stay busy whatever the mix of lengths.
//
// The assembly absorbs and permutes; Go only points each lane at its next
// 136-byte block: in place in data while whole blocks remain, else a padded
// copy of the message's tail in pad.
type sponges struct {
	// st is interleaved, lane-major: word w of lane j is st[w*lanes+j].
	st     [25 * maxLanes]uint64
	blocks [maxLanes]*byte
	keep   [4]uint64 // AVX2's form of the keep mask: ^0 continues a lane
	pad    [maxLanes][keccakRate]byte
	msg    [maxLanes]int  // message index per lane, -1 when idle
	pos    [maxLanes]int  // next byte of data to absorb
	end    [maxLanes]int  // end of the lane's message in data
	last   [maxLanes]bool // blocks[j] is the final (padded) block

	// For keccakShortX8: the group being filled and where its digests go.
	spans [16]uint32 // starts of the 8 messages, then their ends
	outs  [8]*[32]byte
}

// hashBatch hashes the batch with the lane kernels, leaving out the
// well-formed messages shorter than a block that come before shortDone
// (keccakShortX8 has hashed those).
func (s *sponges) hashBatch(lanes int, data []byte, offsets []uint32, out []types.Hash, shortDone int) {
	n := len(offsets) - 1
	if n > len(out) {
		n = len(out)
	}
	if n <= 0 {
		return
	}
	next, active := 0, 0
	keep := uint8(0) // bit j set: lane j continues its message
	for j := 0; j < lanes; j++ {
		if next = s.start(j, next, n, data, offsets, out, shortDone); s.msg[j] >= 0 {
			active++
		}
	}
	all := uint8(1<<lanes - 1)
	for active > 0 {
		if lanes == 8 {
			keccakBlockX8(&s.st, &s.blocks, keep)
		} else {
			for j := range s.keep {
				s.keep[j] = -uint64(keep >> j & 1)
			}
			keccakBlockX4((*[100]uint64)(s.st[:100]), (*[4]*byte)(s.blocks[:4]), &s.keep)
		}
		keep = all
		for j := 0; j < lanes; j++ {
			switch {
			case s.msg[j] < 0:
			case s.last[j]:
				s.digest(lanes, j, &out[s.msg[j]])
				keep &^= 1 << j
				if next = s.start(j, next, n, data, offsets, out, shortDone); s.msg[j] < 0 {
					active--
				}
			default:
				s.nextBlock(j, data)
			}
		}
	}
}

// start gives lane j the first message at or after index next that is
// well-formed and not already hashed (see hashBatch), and points it at its
// first block. Malformed messages get the zero Hash. It returns the index
// after the message taken; the lane is idle (msg -1, reading its pad
// block) when none is left.
func (s *sponges) start(j, next, n int, data []byte, offsets []uint32, out []types.Hash, shortDone int) int {
	for ; next < n; next++ {
		lo, hi := int(offsets[next]), int(offsets[next+1])
		if lo > hi || hi > len(data) {
			out[next] = types.Hash{}
			continue
		}
		if next < shortDone && hi-lo < keccakRate {
			continue
		}
		s.msg[j], s.pos[j], s.end[j] = next, lo, hi
		s.nextBlock(j, data)
		return next + 1
	}
	s.msg[j] = -1
	s.blocks[j] = &s.pad[j][0]
	return next
}

// nextBlock points lane j at its next block: in data when a whole block
// remains, else at the message's tail with Keccak padding in s.pad[j].
func (s *sponges) nextBlock(j int, data []byte) {
	lo, hi := s.pos[j], s.end[j]
	if hi-lo >= keccakRate {
		s.blocks[j] = &data[lo]
		s.pos[j] = lo + keccakRate
		return
	}
	b := &s.pad[j]
	k := copy(b[:], data[lo:hi])
	clear(b[k:])
	b[k] = 0x01
	b[keccakRate-1] |= 0x80
	s.blocks[j] = &b[0]
	s.last[j] = true
	s.pos[j] = hi
}

// digest writes the first 32 bytes of lane j's state to h and marks the
// lane's message done.
func (s *sponges) digest(lanes, j int, h *types.Hash) {
	s.last[j] = false
	st := s.st[:25*lanes]
	binary.LittleEndian.PutUint64(h[0:], st[j])
	binary.LittleEndian.PutUint64(h[8:], st[lanes+j])
	binary.LittleEndian.PutUint64(h[16:], st[2*lanes+j])
	binary.LittleEndian.PutUint64(h[24:], st[3*lanes+j])
}
