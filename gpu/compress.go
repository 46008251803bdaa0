package gpu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// Codec names the compression of every chunk of a batch.
type Codec uint8

const (
	// CodecNone stores chunks as they are.
	CodecNone Codec = 0
	// CodecSnappy is the Snappy block format, written by s2's
	// Snappy-compatible encoder: fast, and any Snappy decoder reads it.
	CodecSnappy Codec = 1
	// CodecZstd is Zstandard (RFC 8878) frames: the best ratio.
	CodecZstd Codec = 2
	// CodecGPUSnappy is the Snappy block format written by the GPU kernel
	// (gpu/kernels/snappy.cu). Without a GPU, CompressBatch writes
	// CodecSnappy instead.
	CodecGPUSnappy Codec = 3
	// CodecS2 is the S2 block format: faster and denser than Snappy, read
	// only by S2 decoders.
	CodecS2 Codec = 4
)

// Codecs lists every codec, in numeric order.
var Codecs = []Codec{CodecNone, CodecSnappy, CodecZstd, CodecGPUSnappy, CodecS2}

func (c Codec) String() string {
	switch c {
	case CodecNone:
		return "none"
	case CodecSnappy:
		return "snappy"
	case CodecZstd:
		return "zstd"
	case CodecGPUSnappy:
		return "gpu-snappy"
	case CodecS2:
		return "s2"
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// ParseCodec returns the codec named by s, as Codec.String writes it.
func ParseCodec(s string) (Codec, error) {
	for _, c := range Codecs {
		if c.String() == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("gpu: unknown codec %q (want none, snappy, zstd, gpu-snappy or s2)", s)
}

func (c Codec) valid() bool { return c <= CodecS2 }

// Batch format, version 1, all integers little-endian:
//
//	magic    [4]byte "PXCB"
//	version  uint8   1
//	codec    uint8   Codec
//	reserved uint16  0
//	count    uint32  number of chunks
//	count × { compressed uint32, uncompressed uint32 }
//	payloads         the compressed chunks, back to back
//	crc      uint32  CRC-32C (Castagnoli) of everything before it
//
// A chunk whose compressed size equals its uncompressed size is stored as
// is (the encoder stores any chunk that does not shrink); a compressed size
// larger than the uncompressed one is invalid.
const (
	batchMagic      = "PXCB"
	batchVersion    = 1
	batchHeaderSize = 12
	batchEntrySize  = 8
	batchCRCSize    = 4
)

// DefaultChunkSize is the chunk size callers should use unless they measured
// better: 64 KiB keeps every Snappy offset within a 2-byte copy and gives
// the GPU enough independent chunks.
const DefaultChunkSize = 64 << 10

// MaxChunkSize is the largest chunk CompressBatch accepts.
const MaxChunkSize = 1<<32 - 1

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt reports a batch that is malformed or fails its checksum.
var ErrCorrupt = errors.New("gpu: corrupt compressed batch")

// ErrTooLarge reports a batch that declares more uncompressed bytes than
// the caller allows.
var ErrTooLarge = errors.New("gpu: compressed batch declares more bytes than allowed")

// SplitChunks cuts data into chunks of size bytes (the last may be
// shorter). The chunks alias data.
func SplitChunks(data []byte, size int) [][]byte {
	if size <= 0 {
		size = DefaultChunkSize
	}
	chunks := make([][]byte, 0, (len(data)+size-1)/size)
	for off := 0; off < len(data); off += size {
		chunks = append(chunks, data[off:min(off+size, len(data)):min(off+size, len(data))])
	}
	return chunks
}

// CompressBatch compresses each chunk with codec and returns a
// self-describing batch that DecompressBatch reads whatever backend wrote
// it. CPU codecs compress chunks in parallel on all cores. CodecGPUSnappy
// uses the GPU when the program was built with -tags cuda and a device
// is present, and otherwise writes a CodecSnappy batch.
func CompressBatch(chunks [][]byte, codec Codec) ([]byte, error) {
	if !codec.valid() {
		return nil, fmt.Errorf("gpu: unknown codec %d", codec)
	}
	if uint64(len(chunks)) > (1<<32-1)/batchEntrySize {
		return nil, fmt.Errorf("gpu: %d chunks is too many for one batch", len(chunks))
	}
	for i, c := range chunks {
		if uint64(len(c)) > MaxChunkSize {
			return nil, fmt.Errorf("gpu: chunk %d has %d bytes, over the %d-byte limit", i, len(c), uint64(MaxChunkSize))
		}
	}
	payloads, used, err := compressChunks(chunks, codec)
	if err != nil {
		return nil, err
	}
	size := batchHeaderSize + batchEntrySize*len(chunks) + batchCRCSize
	for i, p := range payloads {
		if len(p) >= len(chunks[i]) {
			payloads[i] = chunks[i] // stored: compression did not help
		}
		size += len(payloads[i])
	}
	b := make([]byte, batchHeaderSize+batchEntrySize*len(chunks), size)
	copy(b, batchMagic)
	b[4] = batchVersion
	b[5] = byte(used)
	binary.LittleEndian.PutUint32(b[8:], uint32(len(chunks)))
	for i, p := range payloads {
		e := b[batchHeaderSize+batchEntrySize*i:]
		binary.LittleEndian.PutUint32(e, uint32(len(p)))
		binary.LittleEndian.PutUint32(e[4:], uint32(len(chunks[i])))
	}
	for _, p := range payloads {
		b = append(b, p...)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable)), nil
}

// compressChunks returns the payloads and the codec that made them.
func compressChunks(chunks [][]byte, codec Codec) ([][]byte, Codec, error) {
	if codec == CodecGPUSnappy {
		if AcceleratedCompressor != nil {
			if c := AcceleratedCompressor(); c != nil {
				p, err := c.CompressChunks(chunks)
				if err == nil && len(p) == len(chunks) {
					return p, CodecGPUSnappy, nil
				}
			}
		}
		codec = CodecSnappy
	}
	out := make([][]byte, len(chunks))
	if codec == CodecNone {
		copy(out, chunks)
		return out, codec, nil
	}
	var enc *zstd.Encoder
	if codec == CodecZstd {
		enc = zstdEncoder()
	}
	parallel(len(chunks), func(i int) {
		c := chunks[i]
		switch codec {
		case CodecSnappy:
			out[i] = s2.EncodeSnappy(nil, c)
		case CodecS2:
			out[i] = s2.Encode(nil, c)
		case CodecZstd:
			out[i] = enc.EncodeAll(c, make([]byte, 0, len(c)/2+64))
		}
	})
	return out, codec, nil
}

// parallel runs f(0..n-1) on up to GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				f(j)
			}
		}()
	}
	wg.Wait()
}

var (
	zstdEncOnce sync.Once
	zstdEnc     *zstd.Encoder
	zstdDecOnce sync.Once
	zstdDec     *zstd.Decoder
)

func zstdEncoder() *zstd.Encoder {
	zstdEncOnce.Do(func() {
		var err error
		zstdEnc, err = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithEncoderCRC(false), zstd.WithZeroFrames(true))
		if err != nil {
			panic(err) // static options
		}
	})
	return zstdEnc
}

func zstdDecoder() *zstd.Decoder {
	zstdDecOnce.Do(func() {
		var err error
		zstdDec, err = zstd.NewReader(nil, zstd.WithDecodeAllCapLimit(true),
			zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxChunkSize))
		if err != nil {
			panic(err) // static options
		}
	})
	return zstdDec
}

// BatchInfo describes a batch without decompressing it.
type BatchInfo struct {
	Codec        Codec
	Chunks       int
	Compressed   int // bytes of the whole batch
	Uncompressed int // sum of the chunks' sizes
}

type batchEntry struct{ csize, usize uint32 }

// parseBatch checks everything about b that can be checked without
// decompressing and returns the chunk table.
func parseBatch(b []byte, maxTotal int) (BatchInfo, []batchEntry, error) {
	var info BatchInfo
	if len(b) < batchHeaderSize+batchCRCSize {
		return info, nil, fmt.Errorf("%w: %d bytes is shorter than a header", ErrCorrupt, len(b))
	}
	if string(b[:4]) != batchMagic {
		return info, nil, fmt.Errorf("%w: bad magic %q", ErrCorrupt, b[:4])
	}
	if b[4] != batchVersion {
		return info, nil, fmt.Errorf("%w: version %d, this build reads version %d", ErrCorrupt, b[4], batchVersion)
	}
	codec := Codec(b[5])
	if !codec.valid() {
		return info, nil, fmt.Errorf("%w: unknown codec %d", ErrCorrupt, b[5])
	}
	if b[6] != 0 || b[7] != 0 {
		return info, nil, fmt.Errorf("%w: reserved bytes set", ErrCorrupt)
	}
	body := b[:len(b)-batchCRCSize]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(b[len(body):]) {
		return info, nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	count := uint64(binary.LittleEndian.Uint32(b[8:]))
	if count > uint64(len(body)-batchHeaderSize)/batchEntrySize {
		return info, nil, fmt.Errorf("%w: %d chunks do not fit in %d bytes", ErrCorrupt, count, len(b))
	}
	entries := make([]batchEntry, count)
	var csum, usum uint64
	for i := range entries {
		e := body[batchHeaderSize+batchEntrySize*i:]
		entries[i] = batchEntry{binary.LittleEndian.Uint32(e), binary.LittleEndian.Uint32(e[4:])}
		if entries[i].csize > entries[i].usize || (codec == CodecNone && entries[i].csize != entries[i].usize) {
			return info, nil, fmt.Errorf("%w: chunk %d: %d compressed bytes for %d", ErrCorrupt, i, entries[i].csize, entries[i].usize)
		}
		csum += uint64(entries[i].csize)
		usum += uint64(entries[i].usize)
	}
	if payload := uint64(len(body)) - batchHeaderSize - batchEntrySize*count; csum != payload {
		return info, nil, fmt.Errorf("%w: chunk sizes add up to %d bytes, payload has %d", ErrCorrupt, csum, payload)
	}
	if maxTotal < 0 || usum > uint64(maxTotal) {
		return info, nil, fmt.Errorf("%w: %d bytes declared, limit %d", ErrTooLarge, usum, maxTotal)
	}
	info = BatchInfo{Codec: codec, Chunks: int(count), Compressed: len(b), Uncompressed: int(usum)}
	return info, entries, nil
}

// InspectBatch checks a batch's header, sizes and checksum and describes it
// without decompressing.
func InspectBatch(b []byte, maxTotal int) (BatchInfo, error) {
	info, _, err := parseBatch(b, maxTotal)
	return info, err
}

// DecompressBatch decodes a batch written by CompressBatch, whatever codec
// and backend wrote it, and returns its chunks. It refuses a batch that
// declares more than maxTotal uncompressed bytes, or whose chunk table does
// not match its length, before allocating for the chunks. The chunks share
// one allocation.
func DecompressBatch(b []byte, maxTotal int) ([][]byte, error) {
	info, entries, err := parseBatch(b, maxTotal)
	if err != nil {
		return nil, err
	}
	payloads := make([][]byte, len(entries))
	payloadAt := batchHeaderSize + batchEntrySize*len(entries)
	for i, e := range entries {
		payloads[i] = b[payloadAt : payloadAt+int(e.csize)]
		payloadAt += int(e.csize)
		// Each payload's own size field must agree with the table before
		// anything is allocated for it.
		if err := checkDeclaredSize(info.Codec, payloads[i], int(e.usize)); err != nil {
			return nil, fmt.Errorf("%w: chunk %d: %v", ErrCorrupt, i, err)
		}
	}
	buf := make([]byte, info.Uncompressed)
	chunks := make([][]byte, len(entries))
	at := 0
	for i, e := range entries {
		chunks[i] = buf[at : at+int(e.usize) : at+int(e.usize)]
		at += int(e.usize)
	}
	errs := make([]error, len(entries))
	decode := func(i int, payload []byte) {
		errs[i] = decodeChunk(info.Codec, payload, chunks[i])
		if errs[i] != nil {
			errs[i] = fmt.Errorf("%w: chunk %d: %v", ErrCorrupt, i, errs[i])
		}
	}
	if info.Uncompressed < 1<<20 || info.Codec == CodecNone {
		for i := range entries {
			decode(i, payloads[i])
		}
	} else {
		parallel(len(entries), func(i int) { decode(i, payloads[i]) })
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return chunks, nil
}

// checkDeclaredSize checks the size a compressed payload declares in its own
// header against the batch's table.
func checkDeclaredSize(codec Codec, payload []byte, usize int) error {
	if len(payload) == usize {
		return nil // stored
	}
	switch codec {
	case CodecSnappy, CodecGPUSnappy, CodecS2:
		n, err := s2.DecodedLen(payload)
		if err != nil {
			return err
		}
		if n != usize {
			return fmt.Errorf("block declares %d bytes, table says %d", n, usize)
		}
	case CodecZstd:
		var h zstd.Header
		if err := h.Decode(payload); err != nil {
			return err
		}
		if !h.HasFCS || h.FrameContentSize != uint64(usize) {
			return fmt.Errorf("zstd frame declares %d bytes (known: %v), table says %d", h.FrameContentSize, h.HasFCS, usize)
		}
	default:
		return fmt.Errorf("codec %v cannot hold a %d-byte chunk in %d bytes", codec, usize, len(payload))
	}
	return nil
}

// decodeChunk decodes payload into dst, which has exactly the declared size.
func decodeChunk(codec Codec, payload, dst []byte) error {
	if len(payload) == len(dst) {
		copy(dst, payload) // stored
		return nil
	}
	if err := checkDeclaredSize(codec, payload, len(dst)); err != nil {
		return err
	}
	switch codec {
	case CodecSnappy, CodecGPUSnappy, CodecS2:
		out, err := s2.Decode(dst, payload)
		if err != nil {
			return err
		}
		if len(out) != len(dst) || (len(out) > 0 && &out[0] != &dst[0]) {
			return errors.New("block decoded outside its buffer")
		}
		return nil
	case CodecZstd:
		out, err := zstdDecoder().DecodeAll(payload, dst[:0])
		if err != nil {
			return err
		}
		if len(out) != len(dst) || (len(out) > 0 && &out[0] != &dst[0]) {
			return fmt.Errorf("zstd data decodes to %d bytes, table says %d", len(out), len(dst))
		}
		return nil
	}
	return fmt.Errorf("codec %v cannot hold a %d-byte chunk in %d bytes", codec, len(dst), len(payload))
}
