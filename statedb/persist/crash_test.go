package persist

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The crash test replays the synthetic workload into an on-disk database
// in a child process (this test binary, re-executed) and kills it with
// SIGKILL at random moments. After every kill the database must open, its
// head must be a block the uninterrupted run committed with that same
// root, and resuming must reach the uninterrupted run's final root.

const (
	crashEnvDir    = "PLASMA_PERSIST_CRASH_DIR"
	crashBlocks    = 400
	crashTxs       = 60
	crashRetain    = 6
	crashPruneStep = 5
)

var crashOpts = Options{Retain: crashRetain, PruneEvery: crashPruneStep}

// TestCrashChild is the child's body; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnvDir)
	if dir == "" {
		t.Skip("runs only as the child of TestCrashRecovery")
	}
	db, err := Open(dir, &crashOpts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	if err := replay(db, crashBlocks, crashTxs, 17); err != nil {
		fmt.Fprintln(os.Stderr, "child replay:", err)
		os.Exit(4)
	}
	db.Close()
}

func TestCrashRecovery(t *testing.T) {
	kills := 50
	if testing.Short() {
		kills = 10
	}
	ref := referenceRoots(crashBlocks, crashTxs)
	dir := filepath.Join(t.TempDir(), "state")
	seed, _ := strconv.ParseUint(os.Getenv("PLASMA_CRASH_SEED"), 10, 64)
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (set PLASMA_CRASH_SEED to repeat)", seed)
	r := rand.New(rand.NewPCG(seed, 1))

	check := func(when string) uint64 {
		db, err := Open(dir, &crashOpts)
		if err != nil {
			t.Fatalf("%s: reopening: %v", when, err)
		}
		defer db.Close()
		h, ok := db.Head()
		if !ok {
			return 0
		}
		if h.Number > crashBlocks || h.Root != ref[h.Number] {
			t.Fatalf("%s: head is block %d with root %x, which was never committed (want %x)", when, h.Number, h.Root, ref[h.Number])
		}
		if err := walkState(db, h.Root); err != nil {
			t.Fatalf("%s: head state incomplete: %v", when, err)
		}
		return h.Number + 1
	}

	killed, finished := 0, 0
	var heads []uint64
	for killed < kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnvDir+"="+dir)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		delay := time.Duration(20+r.IntN(400)) * time.Millisecond
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("child failed: %v", err)
			}
			finished++
			if next := check("after a finished run"); next != crashBlocks+1 {
				t.Fatalf("finished run left head at %d", next-1)
			}
			os.RemoveAll(dir) // start over so that kills keep landing mid-replay
			continue
		case <-time.After(delay):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
		}
		heads = append(heads, check(fmt.Sprintf("kill %d after %v", killed, delay)))
	}
	t.Logf("%d kills, %d runs finished; next blocks after kills: %v", killed, finished, heads)

	// Resume without interruption: the final root must be the reference.
	db, err := Open(dir, &crashOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := replay(db, crashBlocks, crashTxs, 17); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.Head(); h.Number != crashBlocks || h.Root != ref[crashBlocks] {
		t.Fatalf("resumed replay ends at block %d root %x, want %x", h.Number, h.Root, ref[crashBlocks])
	}
}
