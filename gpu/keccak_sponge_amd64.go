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
// st is interleaved, lane-major: word w of lane j is st[w*lanes+j].
type sponges struct {
	st   [25 * maxLanes]uint64
	msg  [maxLanes]int  // message index per lane, -1 when idle
	pos  [maxLanes]int  // next byte of data to absorb
	end  [maxLanes]int  // end of the lane's message in data
	last [maxLanes]bool // final (padded) block absorbed
}

func (s *sponges) permute(lanes int) {
	if lanes == 8 {
		keccakF1600x8(&s.st)
	} else {
		keccakF1600x4((*[100]uint64)(s.st[:100]))
	}
}

func (s *sponges) hashBatch(lanes int, data []byte, offsets []uint32, out []types.Hash) {
	n := len(offsets) - 1
	if n > len(out) {
		n = len(out)
	}
	if n <= 0 {
		return
	}
	next, active := 0, 0
	for j := 0; j < lanes; j++ {
		if next = s.start(lanes, j, next, n, data, offsets, out); s.msg[j] >= 0 {
			active++
		}
	}
	for active > 0 {
		s.permute(lanes)
		for j := 0; j < lanes; j++ {
			switch {
			case s.msg[j] < 0:
			case s.last[j]:
				s.digest(lanes, j, &out[s.msg[j]])
				if next = s.start(lanes, j, next, n, data, offsets, out); s.msg[j] < 0 {
					active--
				}
			default:
				s.absorb(lanes, j, data)
			}
		}
	}
}

// start gives lane j the first well-formed message at or after index next
// and loads its first block into the lane, writing (not xoring) all 25
// words. Malformed messages get the zero Hash. It returns the index after
// the message taken; the lane is idle (msg -1) when none is left.
func (s *sponges) start(lanes, j, next, n int, data []byte, offsets []uint32, out []types.Hash) int {
	for ; next < n; next++ {
		lo, hi := int(offsets[next]), int(offsets[next+1])
		if lo > hi || hi > len(data) {
			out[next] = types.Hash{}
			continue
		}
		s.msg[j], s.pos[j], s.end[j], s.last[j] = next, lo, hi, false
		st := s.st[:25*lanes]
		if hi-lo >= keccakRate {
			blk := data[lo : lo+keccakRate]
			for w := 0; w < keccakRateWords; w++ {
				st[w*lanes+j] = binary.LittleEndian.Uint64(blk[8*w:])
			}
			s.pos[j] = lo + keccakRate
		} else {
			s.finalBlock(lanes, j, data, lo, hi, false)
		}
		for w := keccakRateWords; w < 25; w++ {
			st[w*lanes+j] = 0
		}
		return next + 1
	}
	s.msg[j] = -1
	return next
}

// absorb xors lane j's next block into its state.
func (s *sponges) absorb(lanes, j int, data []byte) {
	lo, hi := s.pos[j], s.end[j]
	if hi-lo < keccakRate {
		s.finalBlock(lanes, j, data, lo, hi, true)
		return
	}
	st := s.st[:25*lanes]
	blk := data[lo : lo+keccakRate]
	for w := 0; w < keccakRateWords; w++ {
		st[w*lanes+j] ^= binary.LittleEndian.Uint64(blk[8*w:])
	}
	s.pos[j] = lo + keccakRate
}

// finalBlock loads data[lo:hi] (shorter than a block) with Keccak padding
// into the rate words of lane j, xoring into the state or overwriting it.
func (s *sponges) finalBlock(lanes, j int, data []byte, lo, hi int, xor bool) {
	st := s.st[:25*lanes]
	s.last[j] = true
	tail := data[lo:hi]
	full := len(tail) / 8
	put := func(w int, v uint64) {
		if xor {
			st[w*lanes+j] ^= v
		} else {
			st[w*lanes+j] = v
		}
	}
	for w := 0; w < full; w++ {
		put(w, binary.LittleEndian.Uint64(tail[8*w:]))
	}
	r := uint(len(tail) % 8)
	var v uint64
	switch {
	case r == 0:
	case full > 0:
		// The last 8 bytes of the message hold the r tail bytes on top.
		v = binary.LittleEndian.Uint64(tail[len(tail)-8:]) >> (64 - 8*r)
	case lo+8 <= len(data):
		v = binary.LittleEndian.Uint64(data[lo:]) & (1<<(8*r) - 1)
	default:
		for k := len(tail) - 1; k >= 0; k-- {
			v = v<<8 | uint64(tail[k])
		}
	}
	v |= 1 << (8 * r)
	if full == keccakRateWords-1 {
		put(full, v|0x80<<56)
		return
	}
	put(full, v)
	if !xor {
		for w := full + 1; w < keccakRateWords-1; w++ {
			st[w*lanes+j] = 0
		}
	}
	put(keccakRateWords-1, 0x80<<56)
}

// digest writes the first 32 bytes of lane j's state to h.
func (s *sponges) digest(lanes, j int, h *types.Hash) {
	st := s.st[:25*lanes]
	binary.LittleEndian.PutUint64(h[0:], st[j])
	binary.LittleEndian.PutUint64(h[8:], st[lanes+j])
	binary.LittleEndian.PutUint64(h[16:], st[2*lanes+j])
	binary.LittleEndian.PutUint64(h[24:], st[3*lanes+j])
}
