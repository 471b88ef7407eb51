// Command benchreport turns the raw lines bench/run.sh records into a table
// (each figure's median with its spread, for stack and Docker, and how far
// stack is ahead) and a JSON file of every sample.
//
//	benchreport -in raw.tsv [-json out.json] [-markdown]
//
// The input is tab-separated, one record a line:
//
//	info    KEY     VALUE                   (machine, versions, ...)
//	metric  KEY     UNIT    BETTER  LABEL   (BETTER: lower or higher)
//	sample  KEY     TOOL    VALUE           (TOOL: stack or docker)
//	note    TEXT
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

type metric struct {
	Key    string               `json:"key"`
	Label  string               `json:"label"`
	Unit   string               `json:"unit"`
	Better string               `json:"better"`
	Tools  map[string]*summary  `json:"tools"`
	Ratio  float64              `json:"stack_ahead_by,omitempty"`
	raw    map[string][]float64 // samples in the order they were taken
}

type summary struct {
	Samples []float64 `json:"samples"`
	Median  float64   `json:"median"`
	Min     float64   `json:"min"`
	Max     float64   `json:"max"`
}

type report struct {
	Info    map[string]string `json:"info"`
	Metrics []*metric         `json:"metrics"`
	Notes   []string          `json:"notes,omitempty"`
}

func main() {
	in := flag.String("in", "", "the raw records (default stdin)")
	out := flag.String("json", "", "write the report as JSON here")
	md := flag.Bool("markdown", false, "print the table as Markdown")
	flag.Parse()
	r := io.Reader(os.Stdin)
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		r = f
	}
	rep, err := parse(r)
	if err != nil {
		fatal(err)
	}
	if *out != "" {
		data, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
			fatal(err)
		}
	}
	table(os.Stdout, rep, *md)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchreport:", err)
	os.Exit(1)
}

func parse(r io.Reader) (*report, error) {
	rep := &report{Info: map[string]string{}}
	byKey := map[string]*metric{}
	s := bufio.NewScanner(r)
	for line := 1; s.Scan(); line++ {
		f := strings.Split(s.Text(), "\t")
		switch {
		case f[0] == "info" && len(f) >= 3:
			rep.Info[f[1]] = strings.Join(f[2:], " ")
		case f[0] == "note" && len(f) >= 2:
			rep.Notes = append(rep.Notes, strings.Join(f[1:], " "))
		case f[0] == "metric" && len(f) >= 5:
			if byKey[f[1]] == nil {
				m := &metric{Key: f[1], Unit: f[2], Better: f[3], Label: f[4], raw: map[string][]float64{}}
				byKey[f[1]] = m
				rep.Metrics = append(rep.Metrics, m)
			}
		case f[0] == "sample" && len(f) >= 4:
			m := byKey[f[1]]
			if m == nil {
				return nil, fmt.Errorf("line %d: sample of undeclared metric %q", line, f[1])
			}
			v, err := strconv.ParseFloat(f[3], 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			m.raw[f[2]] = append(m.raw[f[2]], v)
		case strings.TrimSpace(s.Text()) == "":
		default:
			return nil, fmt.Errorf("line %d: cannot read %q", line, s.Text())
		}
	}
	for _, m := range rep.Metrics {
		m.Tools = map[string]*summary{}
		for tool, v := range m.raw {
			m.Tools[tool] = summarize(v)
		}
		st, dk := m.Tools["stack"], m.Tools["docker"]
		if st != nil && dk != nil && st.Median > 0 && dk.Median > 0 {
			m.Ratio = dk.Median / st.Median
			if m.Better == "higher" {
				m.Ratio = st.Median / dk.Median
			}
		}
	}
	return rep, s.Err()
}

func summarize(v []float64) *summary {
	s := slices.Clone(v)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &summary{Samples: v, Median: med, Min: s[0], Max: s[len(s)-1]}
}

// figure is a median with its spread when there is more than one sample.
func figure(s *summary, unit string) string {
	if s == nil {
		return "not measured"
	}
	if len(s.Samples) == 1 || s.Min == s.Max {
		return value(s.Median, unit)
	}
	return value(s.Median, unit) + " (" + number(s.Min, unit) + "-" + number(s.Max, unit) + ")"
}

func value(v float64, unit string) string {
	if unit == "ms" && v >= 1000 {
		return number(v/1000, "s") + " s"
	}
	return number(v, unit) + " " + unit
}

func number(v float64, unit string) string {
	if unit == "ms" && v >= 1000 {
		v, unit = v/1000, "s"
	}
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

func ratio(m *metric) string {
	if m.Ratio == 0 {
		return ""
	}
	r := strconv.FormatFloat(m.Ratio, 'f', 1, 64) + "x"
	if m.Ratio < 10 && m.Ratio >= 0.95 {
		r = strconv.FormatFloat(m.Ratio, 'f', 2, 64) + "x"
	}
	if m.Ratio < 1 {
		r += " (behind)"
	}
	return r
}

func table(w io.Writer, rep *report, md bool) {
	head := []string{"what", "stack", "Docker", "stack ahead by"}
	rows := [][]string{}
	for _, m := range rep.Metrics {
		rows = append(rows, []string{m.Label, figure(m.Tools["stack"], m.Unit), figure(m.Tools["docker"], m.Unit), ratio(m)})
	}
	if md {
		fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, r := range rows {
			fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
		}
	} else {
		width := make([]int, len(head))
		for _, r := range append([][]string{head}, rows...) {
			for i, c := range r {
				width[i] = max(width[i], len([]rune(c)))
			}
		}
		for _, r := range append([][]string{head}, rows...) {
			for i, c := range r {
				fmt.Fprint(w, c+strings.Repeat(" ", width[i]-len([]rune(c))+2))
			}
			fmt.Fprintln(w)
		}
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
}
