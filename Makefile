# Benchmarks against go-ethereum (see BENCHMARKS.md). The comparison lives in
# the nested module bench/geth so go-ethereum never enters the engine's go.mod.
# FIXTURES overrides the fixtures folder (default ../shared/fixtures).
FIXTURES ?=

.PHONY: bench bench-quick

# Full comparison: every mainnet block, the whole state-test suite, 5 rounds.
# Rewrites BENCHMARKS.md, bench/results/full.json and bench/charts/*.svg.
bench:
	cd bench/geth && go run . $(if $(FIXTURES),--fixtures $(FIXTURES))

# The same in under 5 minutes: 3 rounds, subsets of blocks and state tests.
# Rewrites BENCHMARKS.md, bench/results/quick.json and bench/charts/*.svg.
bench-quick:
	cd bench/geth && go run . --quick $(if $(FIXTURES),--fixtures $(FIXTURES))
