package types

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// fixturesDir returns ../shared/fixtures relative to the repository root,
// skipping the test when it is absent.
func fixturesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	f := filepath.Join(dir, "..", "shared", "fixtures")
	if _, err := os.Stat(f); err != nil {
		t.Skip("fixtures not found at ../shared/fixtures (relative to the repository root)")
	}
	return f
}

// jsonFiles lists the .json files under root in sorted order.
func jsonFiles(t testing.TB, root string) []string {
	t.Helper()
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

// sample returns every nth file plus every file whose path contains one of
// the always substrings; with TYPES_FIXTURES_ALL=1 in the environment it
// returns them all.
func sample(files []string, n int, always ...string) []string {
	if os.Getenv("TYPES_FIXTURES_ALL") != "" {
		return files
	}
	var out []string
	for i, f := range files {
		keep := i%n == 0
		for _, a := range always {
			if strings.Contains(f, a) {
				keep = true
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}
