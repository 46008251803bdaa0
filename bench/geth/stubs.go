package main

func benchSynthetic(o *options) []Benchmark  { return nil }
func writeReport(o *options, r *Run) error   { return nil }
