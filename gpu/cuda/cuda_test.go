//go:build cuda

package cuda_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/gpu"
	"github.com/plasmaxpl/engine/gpu/cuda"
	"github.com/plasmaxpl/engine/types"
)

func TestProbe(t *testing.T) {
	ok, reason := cuda.Probe()
	if reason == "" {
		t.Fatal("empty reason")
	}
	t.Logf("ok=%v: %s", ok, reason)
	if ok2, reason2 := cuda.Probe(); ok2 != ok || reason2 != reason {
		t.Fatal("second probe differs")
	}
	if info, ok3 := cuda.Device(); ok3 != ok || (ok && info.Major < 8) {
		t.Fatalf("Device() = %+v, %v", info, ok3)
	}
}

func TestHooksRegistered(t *testing.T) {
	if gpu.Accelerated == nil || gpu.AcceleratedCompressor == nil {
		t.Fatal("cuda build did not set the gpu hooks")
	}
}

// TestFallback runs in a child process (the notice is printed once per
// process) with the GPU turned off, as on a machine without one.
func TestFallback(t *testing.T) {
	if os.Getenv("PLASMA_CUDA_FALLBACK_CHILD") == "1" {
		h := gpu.Accelerated(gpu.Portable{})
		if h.Name() != "portable" {
			t.Fatalf("got backend %q, want the CPU one", h.Name())
		}
		if c := gpu.AcceleratedCompressor(); c != nil {
			t.Fatalf("got compressor %q without a GPU", c.Name())
		}
		var out [1]types.Hash
		h.HashBatch([]byte("abc"), []uint32{0, 3}, out[:])
		if out[0] != types.Keccak256([]byte("abc")) {
			t.Fatal("wrong digest")
		}
		b, err := gpu.CompressBatch([][]byte{[]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")}, gpu.CodecGPUSnappy)
		if err != nil {
			t.Fatal(err)
		}
		if info, err := gpu.InspectBatch(b, 100); err != nil || info.Codec != gpu.CodecSnappy {
			t.Fatalf("without a GPU: codec %v, %v", info.Codec, err)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestFallback$", "-test.v")
	cmd.Env = append(os.Environ(), "PLASMA_CUDA_FALLBACK_CHILD=1", "PLASMA_GPU=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "falling back to CPU"); n != 1 {
		t.Fatalf("want exactly one fallback notice, got %d:\n%s", n, out)
	}
}

// TestPluginPath checks the error a program gets when a device is
// present but the plugin is not where it looks.
func TestPluginPath(t *testing.T) {
	t.Setenv("PLASMA_CUDA_PLUGIN", "/nonexistent/plasma-cuda.so")
	if got := cuda.PluginPath(); got != "/nonexistent/plasma-cuda.so" {
		t.Fatalf("PluginPath() = %q", got)
	}
	if _, err := cuda.LoadPlugin(); err == nil || !strings.Contains(err.Error(), "-buildmode=plugin") {
		t.Fatalf("missing plugin: %v", err)
	}
}
