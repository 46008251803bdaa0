//go:build cuda

// Command plugin is the CUDA engine of package gpu/cuda, built as a Go
// plugin so that gorgonia.org/cu (which calls cuInit in its package init and
// exits the process when that fails) is initialised only after gpu/cuda has
// found a device:
//
//	go build -tags cuda -buildmode=plugin -o plasma-cuda.so ./gpu/cuda/plugin
//
// Build it with the same Go toolchain, flags and module versions as the
// program that loads it. It exports NewEngine (see cuda.PluginSymbol).
package main

/*
#cgo CFLAGS: -I/usr/local/cuda/include
#cgo LDFLAGS: -L/usr/local/cuda/lib64 -L/usr/local/cuda/lib64/stubs -lcuda
#include <cuda.h>

// Pinned host memory, which gorgonia.org/cu does not wrap.
static int pe_alloc_host(void **p, size_t n) { return (int)cuMemAllocHost(p, n); }
static const char *pe_error_name(int code)
{
	const char *s = NULL;
	if (cuGetErrorName((CUresult)code, &s) != CUDA_SUCCESS || s == NULL)
		return "CUDA error";
	return s;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"gorgonia.org/cu"

	"github.com/plasmaxpl/engine/gpu/cuda"
	"github.com/plasmaxpl/engine/gpu/kernels"
	"github.com/plasmaxpl/engine/types"
)

func main() {}

// Work is cut into pieces so that host copies of one piece overlap the
// device's work on the previous one, and buffers stay bounded.
const (
	pieceBytes    = 64 << 20
	pieceMessages = 1 << 20
	maxShared     = 48 << 10
)

// NewEngine creates a context on device ordinal and loads the kernels.
func NewEngine(ordinal int) (cuda.Engine, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dev, err := cu.GetDevice(ordinal)
	if err != nil {
		return nil, fmt.Errorf("device %d: %v", ordinal, err)
	}
	major, minor, err := dev.ComputeCapability()
	if err != nil {
		return nil, err
	}
	name, _ := dev.Name()
	e := &engine{desc: fmt.Sprintf("%s (sm_%d%d)", name, major, minor)}
	if e.ctx, err = dev.MakeContext(cu.SchedAuto); err != nil {
		return nil, fmt.Errorf("context on %s: %v", e.desc, err)
	}
	fail := func(err error) (cuda.Engine, error) {
		e.closeLocked()
		return nil, err
	}
	load := func(module, function string) (cu.Module, cu.Function, error) {
		ptx, err := kernels.PTX(module, major, minor)
		if err != nil {
			return cu.Module{}, cu.Function{}, err
		}
		m, err := cu.LoadData(ptx)
		if err != nil {
			return cu.Module{}, cu.Function{}, fmt.Errorf("loading %s PTX: %v", module, err)
		}
		f, err := m.Function(function)
		if err != nil {
			return m, cu.Function{}, fmt.Errorf("%s: %v", function, err)
		}
		return m, f, nil
	}
	if e.keccakMod, e.keccakFn, err = load(kernels.KeccakModule, kernels.KeccakFunction); err != nil {
		return fail(err)
	}
	if e.snappyMod, e.snappyFn, err = load(kernels.SnappyModule, kernels.SnappyFunction); err != nil {
		return fail(err)
	}
	for i := range e.slots {
		if e.slots[i].stream, err = cu.MakeStream(cu.NonBlocking); err != nil {
			return fail(fmt.Errorf("stream: %v", err))
		}
	}
	return e, nil
}

// pinned is page-locked host memory, which the device reads and writes by
// DMA while the host goes on.
type pinned struct {
	p unsafe.Pointer
	n int
}

func (b *pinned) ensure(n int) error {
	if n <= b.n {
		return nil
	}
	b.free()
	n = max(n+n/4, 1<<16)
	var p unsafe.Pointer
	if code := C.pe_alloc_host(&p, C.size_t(n)); code != 0 {
		return fmt.Errorf("cuMemAllocHost(%d): %s (%d)", n, C.GoString(C.pe_error_name(code)), int(code))
	}
	b.p, b.n = p, n
	return nil
}

func (b *pinned) free() {
	if b.p != nil {
		cu.MemFreeHost(b.p)
		b.p, b.n = nil, 0
	}
}

func (b *pinned) bytes(n int) []byte { return unsafe.Slice((*byte)(b.p), n) }

// device is device memory that grows on demand.
type device struct {
	p cu.DevicePtr
	n int64
}

func (d *device) ensure(n int64) error {
	if n <= d.n {
		return nil
	}
	d.free()
	n = max(n+n/4, 1<<16)
	p, err := cu.MemAlloc(n)
	if err != nil {
		return fmt.Errorf("cuMemAlloc(%d): %v", n, err)
	}
	d.p, d.n = p, n
	return nil
}

func (d *device) free() {
	if d.n != 0 {
		cu.MemFree(d.p)
		d.p, d.n = 0, 0
	}
}

// slot is one piece in flight: its stream and buffers.
type slot struct {
	stream                cu.Stream
	hIn, hOff, hOut, hLen pinned
	dIn, dOff, dOut, dLen device
	dDstOff, dScratch     device
	hDstOff               pinned
	busy                  bool
	first, count          int
}

func (s *slot) free() {
	for _, b := range []*pinned{&s.hIn, &s.hOff, &s.hOut, &s.hLen, &s.hDstOff} {
		b.free()
	}
	for _, d := range []*device{&s.dIn, &s.dOff, &s.dOut, &s.dLen, &s.dDstOff, &s.dScratch} {
		d.free()
	}
	if s.stream != (cu.Stream{}) {
		s.stream.Destroy()
	}
}

type engine struct {
	mu                   sync.Mutex
	desc                 string
	ctx                  cu.CUContext
	keccakMod, snappyMod cu.Module
	keccakFn, snappyFn   cu.Function
	slots                [2]slot
	closed               bool
}

func (e *engine) Device() string { return e.desc }

// enter serialises calls and makes the context current on this thread.
// On success the caller must call leave.
func (e *engine) enter() error {
	e.mu.Lock()
	runtime.LockOSThread()
	err := errors.New("engine closed")
	if !e.closed {
		err = cu.SetCurrentContext(e.ctx)
	}
	if err != nil {
		runtime.UnlockOSThread()
		e.mu.Unlock()
	}
	return err
}

func (e *engine) leave() {
	for i := range e.slots {
		e.slots[i].busy = false
	}
	runtime.UnlockOSThread()
	e.mu.Unlock()
}

// param boxes a kernel argument in 8 bytes: gorgonia.org/cu copies 8 bytes
// from every parameter pointer, and the kernel reads its declared size.
func param(v uint64) unsafe.Pointer { return unsafe.Pointer(&v) }

func (e *engine) HashBatch(data []byte, offsets []uint32, out []types.Hash) error {
	n := len(offsets) - 1
	if n <= 0 {
		return nil
	}
	if len(out) < n {
		return fmt.Errorf("HashBatch: %d digests for %d messages", len(out), n)
	}
	for i := 0; i < n; i++ {
		if offsets[i+1] < offsets[i] {
			return fmt.Errorf("HashBatch: offsets decrease at %d", i)
		}
	}
	if int(offsets[n]) > len(data) {
		return fmt.Errorf("HashBatch: offset %d past %d data bytes", offsets[n], len(data))
	}
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	k := 0
	for i := 0; i < n; k++ {
		j := i + 1
		for j < n && j-i < pieceMessages && offsets[j+1]-offsets[i] <= pieceBytes {
			j++
		}
		s := &e.slots[k%len(e.slots)]
		if s.busy {
			if err := e.finishHash(s, out); err != nil {
				return err
			}
		}
		if err := e.launchHash(s, data, offsets[i:j+1], i); err != nil {
			return err
		}
		i = j
	}
	for i := range e.slots {
		// Finish in launch order.
		s := &e.slots[(k+i)%len(e.slots)]
		if s.busy {
			if err := e.finishHash(s, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *engine) launchHash(s *slot, data []byte, offs []uint32, first int) error {
	count := len(offs) - 1
	base := offs[0]
	span := int(offs[count] - base)
	for _, err := range []error{
		s.hIn.ensure(span), s.hOff.ensure(4 * len(offs)), s.hOut.ensure(32 * count),
		s.dIn.ensure(int64(max(span, 1))), s.dOff.ensure(int64(4 * len(offs))), s.dOut.ensure(int64(32 * count)),
	} {
		if err != nil {
			return err
		}
	}
	copy(s.hIn.bytes(span), data[base:int(base)+span])
	copy(unsafe.Slice((*uint32)(s.hOff.p), len(offs)), offs)
	if span > 0 {
		if err := cu.MemcpyHtoDAsync(s.dIn.p, s.hIn.p, int64(span), s.stream); err != nil {
			return err
		}
	}
	if err := cu.MemcpyHtoDAsync(s.dOff.p, s.hOff.p, int64(4*len(offs)), s.stream); err != nil {
		return err
	}
	args := []unsafe.Pointer{
		param(uint64(s.dIn.p)), param(uint64(s.dOff.p)), param(uint64(base)),
		param(uint64(count)), param(uint64(s.dOut.p)),
	}
	grid := (count + kernels.KeccakBlock - 1) / kernels.KeccakBlock
	if err := e.keccakFn.Launch(grid, 1, 1, kernels.KeccakBlock, 1, 1, 0, s.stream, args); err != nil {
		return fmt.Errorf("keccak kernel: %v", err)
	}
	if err := cu.MemcpyDtoHAsync(s.hOut.p, s.dOut.p, int64(32*count), s.stream); err != nil {
		return err
	}
	s.busy, s.first, s.count = true, first, count
	return nil
}

func (e *engine) finishHash(s *slot, out []types.Hash) error {
	s.busy = false
	if err := s.stream.Synchronize(); err != nil {
		return fmt.Errorf("keccak kernel: %v", err)
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(&out[s.first][0])), 32*s.count)
	copy(dst, s.hOut.bytes(32*s.count))
	return nil
}

func (e *engine) CompressChunks(chunks [][]byte, segLen, lookback int) ([][]byte, error) {
	if segLen <= 0 || lookback < 0 || segLen+lookback > kernels.SnappyMaxWindow {
		return nil, fmt.Errorf("CompressChunks: segment %d + lookback %d outside 1..%d", segLen, lookback, kernels.SnappyMaxWindow)
	}
	for i, c := range chunks {
		if 4*kernels.SnappySegments(len(c), segLen) > maxShared {
			return nil, fmt.Errorf("CompressChunks: chunk %d of %d bytes has too many segments", i, len(c))
		}
	}
	out := make([][]byte, len(chunks))
	if len(chunks) == 0 {
		return out, nil
	}
	if err := e.enter(); err != nil {
		return nil, err
	}
	defer e.leave()
	for i := 0; i < len(chunks); {
		j, total := i, 0
		for j < len(chunks) && (j == i || total+len(chunks[j]) <= pieceBytes) {
			total += len(chunks[j])
			j++
		}
		if err := e.compressPiece(&e.slots[0], chunks[i:j], out[i:j], segLen, lookback); err != nil {
			return nil, err
		}
		i = j
	}
	return out, nil
}

func (e *engine) compressPiece(s *slot, chunks, out [][]byte, segLen, lookback int) error {
	n := len(chunks)
	total, maxSegs := 0, 1
	dstTotal := uint64(0)
	for _, c := range chunks {
		total += len(c)
		maxSegs = max(maxSegs, kernels.SnappySegments(len(c), segLen))
		dstTotal += uint64(kernels.SnappyChunkBound(len(c), segLen))
	}
	if uint64(total) >= 1<<32 {
		return fmt.Errorf("CompressChunks: %d bytes in one piece", total)
	}
	for _, err := range []error{
		s.hIn.ensure(total), s.hOff.ensure(4 * (n + 1)), s.hDstOff.ensure(8 * (n + 1)),
		s.hLen.ensure(4 * n), s.hOut.ensure(int(dstTotal)),
		s.dIn.ensure(int64(max(total, 1))), s.dOff.ensure(int64(4 * (n + 1))), s.dDstOff.ensure(int64(8 * (n + 1))),
		s.dLen.ensure(int64(4 * n)), s.dOut.ensure(int64(dstTotal)), s.dScratch.ensure(int64(dstTotal)),
	} {
		if err != nil {
			return err
		}
	}
	in := s.hIn.bytes(total)
	srcOff := unsafe.Slice((*uint32)(s.hOff.p), n+1)
	dstOff := unsafe.Slice((*uint64)(s.hDstOff.p), n+1)
	at, dat := 0, uint64(0)
	for i, c := range chunks {
		srcOff[i], dstOff[i] = uint32(at), dat
		copy(in[at:], c)
		at += len(c)
		dat += uint64(kernels.SnappyChunkBound(len(c), segLen))
	}
	srcOff[n], dstOff[n] = uint32(at), dat
	steps := []func() error{
		func() error { return cu.MemcpyHtoDAsync(s.dIn.p, s.hIn.p, int64(max(total, 1)), s.stream) },
		func() error { return cu.MemcpyHtoDAsync(s.dOff.p, s.hOff.p, int64(4*(n+1)), s.stream) },
		func() error { return cu.MemcpyHtoDAsync(s.dDstOff.p, s.hDstOff.p, int64(8*(n+1)), s.stream) },
		func() error {
			args := []unsafe.Pointer{
				param(uint64(s.dIn.p)), param(uint64(s.dOff.p)), param(uint64(n)),
				param(uint64(segLen)), param(uint64(lookback)), param(uint64(s.dScratch.p)),
				param(uint64(s.dOut.p)), param(uint64(s.dDstOff.p)), param(uint64(s.dLen.p)),
			}
			threads := min(maxSegs, 256)
			if err := e.snappyFn.Launch(n, 1, 1, threads, 1, 1, 4*maxSegs, s.stream, args); err != nil {
				return fmt.Errorf("snappy kernel: %v", err)
			}
			return nil
		},
		func() error { return cu.MemcpyDtoHAsync(s.hLen.p, s.dLen.p, int64(4*n), s.stream) },
		func() error { return cu.MemcpyDtoHAsync(s.hOut.p, s.dOut.p, int64(dstTotal), s.stream) },
		func() error {
			if err := s.stream.Synchronize(); err != nil {
				return fmt.Errorf("snappy kernel: %v", err)
			}
			return nil
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	lens := unsafe.Slice((*uint32)(s.hLen.p), n)
	res := s.hOut.bytes(int(dstTotal))
	for i := range chunks {
		if uint64(lens[i]) > dstOff[i+1]-dstOff[i] {
			return fmt.Errorf("snappy kernel: chunk %d: %d bytes, over its %d-byte slot", i, lens[i], dstOff[i+1]-dstOff[i])
		}
		out[i] = append([]byte(nil), res[dstOff[i]:dstOff[i]+uint64(lens[i])]...)
	}
	return nil
}

func (e *engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if e.closed {
		return nil
	}
	if err := cu.SetCurrentContext(e.ctx); err != nil {
		return err
	}
	e.closeLocked()
	return nil
}

func (e *engine) closeLocked() {
	e.closed = true
	for i := range e.slots {
		e.slots[i].free()
	}
	if e.keccakMod != (cu.Module{}) {
		e.keccakMod.Unload()
	}
	if e.snappyMod != (cu.Module{}) {
		e.snappyMod.Unload()
	}
	if e.ctx != (cu.CUContext{}) {
		e.ctx.Destroy()
	}
}
