package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"text/template"
)

// printFormatted prints rows as --format asks: "json" one object per line,
// "table" (or "") with columns, a Go template ("table TEMPLATE" with a
// header), as the docker CLI does.
func printFormatted[T any](w io.Writer, format string, rows []T, columns []string, cells func(T) []string) error {
	switch {
	case format == "json":
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case format == "" || format == "table":
		tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
		fmt.Fprintln(tw, strings.Join(columns, "\t"))
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(cells(r), "\t"))
		}
		return tw.Flush()
	}
	text, table := strings.CutPrefix(format, "table ")
	tmpl, err := template.New("format").Funcs(template.FuncMap{
		"json": func(v any) string { b, _ := json.Marshal(v); return string(b) },
		"join": strings.Join, "upper": strings.ToUpper, "lower": strings.ToLower,
	}).Parse(text)
	if err != nil {
		return fmt.Errorf("format %q: %w", format, err)
	}
	out := w
	var tw *tabwriter.Writer
	if table {
		tw = tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
		out = tw
		fmt.Fprintln(tw, header(text))
	}
	for _, r := range rows {
		var b strings.Builder
		if err := tmpl.Execute(&b, r); err != nil {
			return fmt.Errorf("format %q: %w", format, err)
		}
		fmt.Fprintln(out, strings.ReplaceAll(b.String(), `\t`, "\t"))
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

// printInspect prints what get finds for each name as one indented JSON
// array, as docker's inspect verbs do, and returns the errors of the rest.
func printInspect[T any](w io.Writer, names []string, get func(string) (T, error)) error {
	out := []T{}
	var errs []error
	for _, name := range names {
		v, err := get(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, v)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	return errors.Join(errs...)
}

var field = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

// header is a table template's header: each {{.Field}} as FIELD.
func header(text string) string {
	h := field.ReplaceAllStringFunc(text, func(m string) string {
		return strings.ToUpper(field.FindStringSubmatch(m)[1])
	})
	return strings.ReplaceAll(h, `\t`, "\t")
}

// labelList is k=v,k=v sorted, as docker prints labels.
func labelList(l map[string]string) string {
	keys := slices.Sorted(maps.Keys(l))
	for i, k := range keys {
		keys[i] = k + "=" + l[k]
	}
	return strings.Join(keys, ",")
}
