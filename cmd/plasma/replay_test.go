package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plasmaxpl/engine/ethtest"
	"github.com/plasmaxpl/engine/statedb/persist"
)

// runCLI runs `plasma name args...` in-process with stdout and stderr
// captured. A panic fails the test: bad input must give an exit status.
func runCLI(t *testing.T, name string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd, ok := commands[name]
	if !ok {
		t.Fatalf("no command %q", name)
	}
	capture := func(f **os.File) (restore func() string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		old := *f
		*f = w
		done := make(chan string)
		go func() {
			b, _ := io.ReadAll(r)
			done <- string(b)
		}()
		return func() string {
			w.Close()
			*f = old
			return <-done
		}
	}
	outDone, errDone := capture(&os.Stdout), capture(&os.Stderr)
	func() {
		defer func() {
			if p := recover(); p != nil {
				outDone()
				errDone()
				t.Fatalf("plasma %s %s panicked: %v", name, strings.Join(args, " "), p)
			}
		}()
		code = cmd.run(args)
	}()
	return code, outDone(), errDone()
}

// mainnetBlockDirs returns the mainnet fixture blocks in replay order;
// with -short the first 14, which include the consecutive pair
// 4369999/4370000 (a block that runs on its parent's committed state).
func mainnetBlockDirs(t *testing.T) []string {
	t.Helper()
	fx := ethtest.FixturesDir()
	if fx == "" {
		t.Skip("no ../shared/fixtures beside the module: mainnet replay skipped")
	}
	dirs, err := ethtest.FindBlockDirs(filepath.Join(fx, "mainnet", "ethereum", "blocks"))
	if err != nil {
		t.Skipf("no mainnet fixture blocks: %v", err)
	}
	if testing.Short() && len(dirs) > 14 {
		dirs = dirs[:14]
	}
	return dirs
}

// replayLines splits replay output into block lines and the summary, with
// the timing fields removed so that runs compare.
func replayLines(t *testing.T, out string) (blocks []map[string]any, summary map[string]any) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("replay printed a line that is not JSON: %q", line)
		}
		if s, ok := m["summary"].(map[string]any); ok {
			delete(s, "ms")
			delete(s, "mgasPerSec")
			summary = s
			continue
		}
		for _, k := range []string{"ms", "mgasPerSec", "seedMs", "commitMs"} {
			delete(m, k)
		}
		blocks = append(blocks, m)
	}
	if summary == nil {
		t.Fatal("replay printed no summary line")
	}
	return blocks, summary
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func openHead(t *testing.T, dir string) persist.Head {
	t.Helper()
	db, err := persist.Open(dir, &persist.Options{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h, ok := db.Head()
	if !ok {
		t.Fatalf("%s has no head", dir)
	}
	return h
}

// TestReplayDBSameLines: replaying the fixture blocks into a database
// prints the same lines as replaying them in memory, timings aside.
func TestReplayDBSameLines(t *testing.T) {
	dirs := mainnetBlockDirs(t)
	code, mem, _ := runCLI(t, "replay", dirs...)
	if code != 0 {
		t.Fatalf("replay without --db: exit %d\n%s", code, mem)
	}
	dbDir := filepath.Join(t.TempDir(), "state")
	code, withDB, stderr := runCLI(t, "replay", append([]string{"--db", dbDir}, dirs...)...)
	if code != 0 {
		t.Fatalf("replay --db: exit %d\n%s%s", code, withDB, stderr)
	}
	mb, ms := replayLines(t, mem)
	db, ds := replayLines(t, withDB)
	if len(mb) != len(dirs) || len(db) != len(dirs) {
		t.Fatalf("%d and %d lines for %d blocks", len(mb), len(db), len(dirs))
	}
	for i := range mb {
		if a, b := jsonString(mb[i]), jsonString(db[i]); a != b {
			t.Errorf("block line %d differs:\nmemory: %s\n--db:   %s", i, a, b)
		}
	}
	if a, b := jsonString(ms), jsonString(ds); a != b {
		t.Errorf("summaries differ:\nmemory: %s\n--db:   %s", a, b)
	}
	last := uint64(db[len(db)-1]["block"].(float64))
	h := openHead(t, dbDir)
	if h.Number != last || !strings.Contains(stderr, h.Root.Hex()) {
		t.Errorf("head %d %v, last block %d; stderr %q", h.Number, h.Root, last, stderr)
	}
}

// TestReplayDBRoots: a block whose read set was committed as its parent
// ends with the same state root in the database as in memory; every
// block's checks agree.
func TestReplayDBRoots(t *testing.T) {
	dirs := mainnetBlockDirs(t)
	db, err := persist.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	chained := 0
	for _, d := range dirs {
		b, err := ethtest.LoadMainnetBlock(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		head, hasHead := db.Head()
		mem := ethtest.ReplayBlock(b, ethtest.ReplayOptions{})
		got, err := ethtest.ReplayInto(db, b, ethtest.ReplayOptions{})
		if err != nil {
			t.Fatalf("block %d: %v", b.Header.Number, err)
		}
		if !mem.OK || !got.OK {
			t.Fatalf("block %d: memory %v %q, database %v %q", b.Header.Number, mem.OK, mem.Error, got.OK, got.Error)
		}
		root := openRoot(t, db, b.Header.Number)
		if hasHead && head.Number == b.Header.Number-1 {
			chained++
		} else if root != mem.Result.StateRoot {
			t.Errorf("block %d: database root %v, in-memory root %v", b.Header.Number, root, mem.Result.StateRoot)
		}
		if got.Result.GasUsed != mem.Result.GasUsed || got.Result.ReceiptsRoot != mem.Result.ReceiptsRoot || got.Result.Bloom != mem.Result.Bloom {
			t.Errorf("block %d: results differ", b.Header.Number)
		}
	}
	if chained == 0 {
		t.Error("no consecutive blocks: the chained path went untested")
	}
}

func openRoot(t *testing.T, db *persist.DB, number uint64) [32]byte {
	t.Helper()
	h, ok := db.Head()
	if !ok || h.Number != number {
		t.Fatalf("head %+v after block %d", h, number)
	}
	return h.Root
}

// TestReplayDBResume: a replay stopped halfway resumes after the
// database's head, executing only the rest, and ends where a one-shot
// replay does.
func TestReplayDBResume(t *testing.T) {
	dirs := mainnetBlockDirs(t)
	tmp := t.TempDir()
	oneShot, resumed := filepath.Join(tmp, "one"), filepath.Join(tmp, "resumed")
	code, all, _ := runCLI(t, "replay", append([]string{"--db", oneShot}, dirs...)...)
	if code != 0 {
		t.Fatalf("one-shot replay: exit %d\n%s", code, all)
	}
	half := len(dirs) / 2
	if code, out, _ := runCLI(t, "replay", append([]string{"--db", resumed}, dirs[:half]...)...); code != 0 {
		t.Fatalf("first half: exit %d\n%s", code, out)
	}
	code, second, _ := runCLI(t, "replay", append([]string{"--db", resumed}, dirs...)...)
	if code != 0 {
		t.Fatalf("resumed replay: exit %d\n%s", code, second)
	}
	want, _ := replayLines(t, all)
	got, sum := replayLines(t, second)
	for i, line := range got {
		skipped, _ := line["skipped"].(string)
		if i < half {
			if !strings.HasPrefix(skipped, "already in the database at root 0x") || len(line) != 2 {
				t.Errorf("block line %d of the resumed run: want skipped, got %s", i, jsonString(line))
			}
			continue
		}
		if a, b := jsonString(want[i]), jsonString(line); a != b {
			t.Errorf("block line %d:\none-shot: %s\nresumed:  %s", i, a, b)
		}
	}
	if sum["skipped"] != float64(half) || sum["blocks"] != float64(len(dirs)-half) || sum["ok"] != float64(len(dirs)-half) {
		t.Errorf("resumed summary %s: want %d skipped, %d executed", jsonString(sum), half, len(dirs)-half)
	}
	if a, b := openHead(t, oneShot), openHead(t, resumed); a != b {
		t.Errorf("one-shot head %+v, resumed head %+v", a, b)
	}
}

// TestReplayDBBadDir: a --db that is not a state database is refused with
// exit status 2 and a message, never a panic; and the database is left
// as it was.
func TestReplayDBBadDir(t *testing.T) {
	dirs := mainnetBlockDirs(t)[:1]
	tmp := t.TempDir()
	foreign := filepath.Join(tmp, "foreign")
	os.MkdirAll(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("not a database"), 0o644)
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	for _, dir := range []string{foreign, file} {
		code, out, stderr := runCLI(t, "replay", "--db", dir, dirs[0])
		if code != 2 || out != "" || !strings.Contains(stderr, "plasma replay: --db") {
			t.Errorf("--db %s: exit %d, stdout %q, stderr %q", dir, code, out, stderr)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(foreign, "notes.txt")); string(b) != "not a database" {
		t.Error("foreign directory altered")
	}
}

// TestBenchStore: plasma bench store runs both modes on the same blocks and
// times the pebble commits.
func TestBenchStore(t *testing.T) {
	dirs := mainnetBlockDirs(t)[:3]
	code, out, stderr := runCLI(t, "bench", append([]string{"store", "--rounds", "1", "--json", "--dir", t.TempDir()}, dirs...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rs []storeBenchResult
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r storeBenchResult
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v in %q", err, out)
		}
		rs = append(rs, r)
	}
	if len(rs) != 2 || rs[0].Mode != "memory" || rs[1].Mode != "pebble" {
		t.Fatalf("want a memory and a pebble line, got %s", out)
	}
	m, p := rs[0], rs[1]
	if m.Blocks != 3 || p.Blocks != 3 || m.GasUsed != p.GasUsed || m.Txs != p.Txs || m.GasUsed == 0 {
		t.Errorf("modes replayed different work: %+v %+v", m, p)
	}
	if m.CommitMs != 0 || p.CommitMs <= 0 || p.SeedMs <= 0 || p.DBBytes <= 0 || p.CommitPerExec <= 0 {
		t.Errorf("commit timings: memory %+v, pebble %+v", m, p)
	}
	code, out, _ = runCLI(t, "bench", "store", "--rounds", "1", "--dir", t.TempDir(), dirs[0])
	if code != 0 || !strings.Contains(out, "commit/exec") || !strings.Contains(out, "pebble") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "bench", "store", "--rounds", "0", dirs[0]); code != 2 {
		t.Errorf("--rounds 0: exit %d, want 2", code)
	}
}
