package ethtest

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
)

// knownFailures reads testdata/statetest_known_failures.txt: one
// "name|fork|index" key per line, with a reason after '#'.
func knownFailures(t *testing.T, file string) map[string]string {
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, reason, _ := strings.Cut(line, "#")
		out[strings.TrimSpace(key)] = strings.TrimSpace(reason)
	}
	return out
}

func jsonFiles(t *testing.T, root string) []string {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// TestStateTestFixtures runs every vector under fixtures/statetests and
// fails on any failure not listed, with its reason, in
// testdata/statetest_known_failures.txt. With -short it runs every 10th
// file.
func TestStateTestFixtures(t *testing.T) {
	dir := FixturesDir()
	if dir == "" {
		t.Skip("no ../shared/fixtures beside the module: state tests skipped")
	}
	root := filepath.Join(dir, "statetests")
	known := knownFailures(t, "statetest_known_failures.txt")
	out := runFixtureFiles(t, root, 10, func(path string) ([]Result, error) {
		tests, err := ReadStateTestFile(path)
		if err != nil {
			return nil, err
		}
		return RunStateTests(tests, StateTestOptions{Index: -1}), nil
	})

	perFolder := map[string][2]int{}
	var unexpected []string
	total, passed := 0, 0
	for _, fr := range out {
		if fr.err != nil {
			unexpected = append(unexpected, fmt.Sprintf("%s: %v", fr.rel, fr.err))
			continue
		}
		folder := strings.SplitN(fr.rel, string(filepath.Separator), 2)[0]
		c := perFolder[folder]
		for _, r := range fr.results {
			total++
			c[1]++
			if r.Pass {
				passed++
				c[0]++
				continue
			}
			key := fmt.Sprintf("%s|%s|%d", r.Name, r.Fork, r.Index)
			if _, ok := known[key]; !ok {
				unexpected = append(unexpected, fmt.Sprintf("%s: %s (%s): %s", fr.rel, r.Name, r.Fork, firstLine(r.Error)))
			}
		}
		perFolder[folder] = c
	}
	for f, c := range perFolder {
		t.Logf("%-24s %d/%d", f, c[0], c[1])
	}
	t.Logf("state tests: %d/%d vectors passed in %d files", passed, total, len(out))
	if total == 0 {
		t.Fatal("no state-test vectors found under " + root)
	}
	for i, u := range unexpected {
		if i == 50 {
			t.Errorf("... and %d more", len(unexpected)-50)
			break
		}
		t.Error(u)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// fixtureFileResult is one fixture file's results, or why it gave none.
type fixtureFileResult struct {
	rel     string // path relative to the fixture root
	results []Result
	err     error
}

// runFixtureFiles runs every JSON file under root (every nth with -short)
// on all CPUs and returns the results in file order.
func runFixtureFiles(t *testing.T, root string, shortEvery int, run func(path string) ([]Result, error)) []fixtureFileResult {
	t.Helper()
	files := jsonFiles(t, root)
	if testing.Short() {
		var sample []string
		for i := 0; i < len(files); i += shortEvery {
			sample = append(sample, files[i])
		}
		files = sample
	}
	out := make([]fixtureFileResult, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rel, _ := filepath.Rel(root, files[i])
				results, err := run(files[i])
				out[i] = fixtureFileResult{rel: rel, results: results, err: err}
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
