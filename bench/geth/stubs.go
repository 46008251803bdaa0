package main

// benchSynthetic will run the workloads of the bench/ package once it is
// part of the engine.
func benchSynthetic(o *options) []Benchmark {
	return []Benchmark{{Name: "synthetic workloads", Error: "the bench/ workload package is not in this checkout yet"}}
}
