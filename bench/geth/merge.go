package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

func resultsPath(root string, quick bool) string {
	mode := "full"
	if quick {
		mode = "quick"
	}
	return filepath.Join(root, "bench", "results", mode+".json")
}

// keepPrevious completes a run made with --only: every section it did not
// measure is taken, with its origin, from the previous results of the same
// mode, or from the other mode's results when this mode has none yet (so
// the first quick run of one section still reports the rest). It returns
// the file it read, or "" when there was none.
func keepPrevious(o *options, run *Run) (string, error) {
	var prev Run
	var from string
	for _, quick := range []bool{run.Quick, !run.Quick} {
		path := resultsPath(o.root, quick)
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if err := json.Unmarshal(b, &prev); err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		from = path
		break
	}
	if from == "" {
		return "", nil
	}
	have := map[string]Section{}
	for _, s := range prev.Sections {
		if s.Origin == nil {
			// Written before sections recorded their origin: the whole
			// file came from one run.
			s.Origin = prev.origin()
		}
		have[s.Key] = s
	}
	for _, s := range run.Sections {
		have[s.Key] = s
	}
	// Keep the report's order, and only sections this program still has.
	run.Sections = run.Sections[:0]
	for _, s := range sections {
		if sec, ok := have[s.key]; ok {
			run.Sections = append(run.Sections, sec)
		}
	}
	return from, nil
}
