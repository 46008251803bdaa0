package main

import (
	"fmt"
	"image/color"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ratioChart draws, for every benchmark of a section, one bar per
// implementation of ours: its median throughput over go-ethereum's in the
// same rounds (go-ethereum = 1, the dashed line).
func ratioChart(sec Section, path string) error {
	var bms []Benchmark
	for _, b := range sec.Benchmarks {
		if b.Error == "" && hasRatio(b) {
			bms = append(bms, b)
		}
	}
	if len(bms) == 0 {
		return nil
	}
	// One bar series per implementation name, in first-seen order.
	var implNames []string
	seen := map[string]bool{}
	for _, b := range bms {
		for _, s := range b.Series {
			if !s.Geth && !seen[s.Impl] {
				seen[s.Impl] = true
				implNames = append(implNames, s.Impl)
			}
		}
	}
	p := plot.New()
	p.Title.Text = sec.Title + ": throughput relative to go-ethereum"
	p.Title.Padding = vg.Points(6)
	p.Y.Label.Text = "× go-ethereum (median of rounds)"
	p.Y.Min = 0
	labels := make([]string, len(bms))
	for i, b := range bms {
		labels[i] = shortName(b.Name)
	}
	w := vg.Points(60 / float64(len(implNames)+1))
	maxY := 1.0
	for k, name := range implNames {
		vals := make(plotter.Values, len(bms))
		for i, b := range bms {
			for _, s := range b.Series {
				if s.Impl == name {
					vals[i] = s.RatioMedian
				}
			}
			if vals[i] > maxY {
				maxY = vals[i]
			}
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return err
		}
		bars.LineStyle.Width = vg.Length(0)
		bars.Color = plotutil.Color(k)
		bars.Offset = w * vg.Length(float64(k)-float64(len(implNames)-1)/2)
		p.Add(bars)
		p.Legend.Add(name, bars)
	}
	one, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 1}, {X: float64(len(bms)) - 0.5, Y: 1}})
	if err != nil {
		return err
	}
	one.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	one.Color = color.Gray{Y: 60}
	p.Add(one)
	p.Legend.Add("go-ethereum = 1", one)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Y.Max = maxY * 1.35
	p.NominalX(labels...)
	p.Add(plotter.NewGrid())
	width := vg.Points(float64(120 + 110*len(bms)))
	if width < 480 {
		width = 480
	}
	return p.Save(width, 320, path)
}

func hasRatio(b Benchmark) bool {
	for _, s := range b.Series {
		if s.Geth {
			return true
		}
	}
	return false
}

func shortName(n string) string {
	n = strings.TrimPrefix(n, "interpreter ")
	n = strings.TrimPrefix(n, "mainnet replay, ")
	return n
}

// workersChart draws, per workload, our throughput with 1 and 2 workers
// over ours with 1 worker, and go-ethereum's (sequential) on the same scale.
func workersChart(run *Run, path string) (bool, error) {
	p := plot.New()
	p.Title.Text = "Speedup with workers (relative to ours, 1 worker)"
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = "workers"
	p.Y.Label.Text = "speedup"
	p.Y.Min = 0
	n := 0
	maxW := 1
	for _, sec := range run.Sections {
		for _, b := range sec.Benchmarks {
			if b.Error != "" {
				continue
			}
			var base float64
			var pts plotter.XYs
			var geth float64
			for _, s := range b.Series {
				if s.Workers == 1 {
					base = s.Median
				}
				if s.Geth {
					geth = s.Median
				}
			}
			if base == 0 {
				continue
			}
			for _, s := range b.Series {
				if s.Workers > 0 && !s.Geth {
					pts = append(pts, plotter.XY{X: float64(s.Workers), Y: s.Median / base})
					if s.Workers > maxW {
						maxW = s.Workers
					}
				}
			}
			if len(pts) < 2 {
				continue
			}
			line, points, err := plotter.NewLinePoints(pts)
			if err != nil {
				return false, err
			}
			line.Color = plotutil.Color(n)
			points.Color = plotutil.Color(n)
			points.Shape = plotutil.Shape(n)
			p.Add(line, points)
			p.Legend.Add(b.Name, line, points)
			if geth > 0 {
				g, err := plotter.NewScatter(plotter.XYs{{X: 1, Y: geth / base}})
				if err != nil {
					return false, err
				}
				g.Shape = draw.CrossGlyph{}
				g.Radius = vg.Points(5)
				g.Color = plotutil.Color(n)
				p.Add(g)
				p.Legend.Add(b.Name+": go-ethereum", g)
			}
			n++
		}
	}
	if n == 0 {
		return false, nil
	}
	ideal, _ := plotter.NewLine(plotter.XYs{{X: 1, Y: 1}, {X: float64(maxW), Y: float64(maxW)}})
	ideal.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	ideal.Color = color.Gray{Y: 60}
	p.Add(ideal)
	p.Legend.Add("linear", ideal)
	p.Legend.Top = true
	p.Legend.Left = true
	p.X.Min, p.X.Max = 0.8, float64(maxW)+0.2
	p.Y.Max = float64(maxW) * 1.3
	var ticks []plot.Tick
	for w := 1; w <= maxW; w++ {
		ticks = append(ticks, plot.Tick{Value: float64(w), Label: fmt.Sprint(w)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Add(plotter.NewGrid())
	return true, p.Save(560, 360, filepath.Clean(path))
}
