# Benchmarks against go-ethereum (see BENCHMARKS.md). The comparison lives in
# the nested module bench/geth so go-ethereum never enters the engine's go.mod.
# FIXTURES overrides the fixtures folder (default ../shared/fixtures).
# ONLY reruns just the named sections (comma-separated: mainnet, synthetic,
# interpreter, keccak, trie, precompiles, statetests) and keeps every other
# section from the previous bench/results/<mode>.json (the other mode's file
# while this mode has none), so BENCHMARKS.md keeps all its tables:
#   make bench-quick ONLY=precompiles
FIXTURES ?=
ONLY ?=

.PHONY: bench bench-quick

# Full comparison: every mainnet block, the whole state-test suite, 5 rounds.
# Rewrites BENCHMARKS.md, bench/results/full.json and bench/charts/*.svg
# (with ONLY, only the charts of the sections run change).
bench:
	cd bench/geth && go run . $(if $(FIXTURES),--fixtures $(FIXTURES)) $(if $(ONLY),--only $(ONLY))

# The same in under 5 minutes: 3 rounds, subsets of blocks and state tests.
# Rewrites BENCHMARKS.md, bench/results/quick.json and bench/charts/*.svg
# (with ONLY, only the charts of the sections run change).
bench-quick:
	cd bench/geth && go run . --quick $(if $(FIXTURES),--fixtures $(FIXTURES)) $(if $(ONLY),--only $(ONLY))
