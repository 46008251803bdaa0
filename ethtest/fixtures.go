package ethtest

import (
	"os"
	"path/filepath"
)

// FixturesDir returns the shared fixtures directory: $PLASMA_FIXTURES if
// set, else ../shared/fixtures beside the module root found by walking up
// from the working directory. It returns "" when there is none.
func FixturesDir() string {
	if d := os.Getenv("PLASMA_FIXTURES"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cand := filepath.Join(dir, "..", "shared", "fixtures")
			if st, err := os.Stat(cand); err == nil && st.IsDir() {
				return cand
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
