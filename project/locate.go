package project

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// explain turns a compose-go error into a *FileError: one line naming the
// file, the line when it can be found, and the place in the model.
func (s *settings) explain(ctx context.Context, err error, d *types.ConfigDetails, opts []func(*loader.Options)) error {
	p := classify(err)
	p.msg = strings.TrimSuffix(oneLine(strings.ReplaceAll(p.msg, s.base+string(filepath.Separator), "")), ": invalid compose project")
	find := p.find
	if find == "" {
		find = p.path
	}
	switch {
	case p.file != "" && p.line == 0 && find != "":
		p.line = lineOf(s.content(d, p.file), find, p)
	case p.file == "" && find != "":
		p.file, p.line = s.search(d, find, p)
	}
	if p.file == "" && p.missing != "" {
		p.file, p.line, p.path = s.extender(d, p.missing)
	}
	if p.file == "" {
		p.file = s.culprit(ctx, d, err, opts)
	}
	if strings.HasSuffix(p.msg, "cannot start any token (while scanning for the next token)") && tabAt(s.content(d, p.file), p.line) {
		p.msg = "yaml: a tab indents this line; YAML indents with spaces only"
	}
	return &FileError{File: s.display(p.file), Line: p.line, Path: p.path, Msg: p.msg}
}

// search finds the compose file that holds path: the first one, or the
// last one when the merged value is what counts.
func (s *settings) search(d *types.ConfigDetails, path string, p problem) (string, int) {
	n := len(d.ConfigFiles)
	for i := range n {
		f := d.ConfigFiles[i]
		if p.last {
			f = d.ConfigFiles[n-1-i]
		}
		if line := lineOf(f.Content, path, p); line > 0 {
			return f.Filename, line
		}
	}
	return "", 0
}

// culprit finds which file brings in an error that names none: the first
// file whose addition makes the load fail the same way.
func (s *settings) culprit(ctx context.Context, d *types.ConfigDetails, err error, opts []func(*loader.Options)) string {
	files := d.ConfigFiles
	for k := 1; k < len(files); k++ {
		sub := types.ConfigDetails{WorkingDir: d.WorkingDir, Environment: d.Environment.Clone(), ConfigFiles: files[:k]}
		if _, e := loader.LoadWithContext(ctx, sub, opts...); e != nil && e.Error() == err.Error() {
			return files[k-1].Filename
		}
	}
	return files[len(files)-1].Filename
}

// extender finds the service whose extends names the file missing, and
// returns where it says so.
func (s *settings) extender(d *types.ConfigDetails, missing string) (file string, line int, path string) {
	for _, f := range d.ConfigFiles {
		var doc yaml.Node
		if yaml.Unmarshal(f.Content, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		services := child(doc.Content[0], "services")
		if services == nil || services.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(services.Content); i += 2 {
			name := services.Content[i].Value
			ref := child(child(services.Content[i+1], "extends"), "file")
			if ref != nil && ref.Kind == yaml.ScalarNode && (ref.Value == missing || filepath.Join(filepath.Dir(f.Filename), ref.Value) == missing) {
				return f.Filename, ref.Line, "services." + name + ".extends.file"
			}
		}
	}
	return "", 0, ""
}

// content is a compose file's text: read already, or an included one.
func (s *settings) content(d *types.ConfigDetails, file string) []byte {
	for _, f := range d.ConfigFiles {
		if f.Filename == file {
			return f.Content
		}
	}
	b, _ := os.ReadFile(file)
	return b
}

// tabAt reports whether line (1-based) of content starts with a tab.
func tabAt(content []byte, line int) bool {
	lines := strings.Split(string(content), "\n")
	return line > 0 && line <= len(lines) && strings.HasPrefix(strings.TrimLeft(lines[line-1], " "), "\t")
}

// display names a file for messages.
func (s *settings) display(file string) string {
	if file == "-" {
		return "<stdin>"
	}
	return s.rel(file)
}

// lineOf is the line of path (dotted; "[]" is any list item, a number one
// item) in a YAML document, or 0.
func lineOf(content []byte, path string, p problem) int {
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return 0
		}
		if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if path == "" {
			return root.Line
		}
		key, val := walk(root, strings.Split(path, "."), p.dollar)
		switch {
		case val == nil:
			continue
		case p.keyLine && key != nil:
			return key.Line
		}
		return val.Line
	}
}

// walk follows segs from n and returns the node found and its key.
func walk(n *yaml.Node, segs []string, dollar bool) (key, val *yaml.Node) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if len(segs) == 0 {
		if dollar && !(n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "$")) {
			return nil, nil
		}
		return nil, n
	}
	seg, rest := segs[0], segs[1:]
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" {
				if k2, v2 := walk(v, segs, dollar); v2 != nil {
					return k2, v2
				}
			}
			if k.Value != seg {
				continue
			}
			k2, v2 := walk(v, rest, dollar)
			if v2 != nil && len(rest) == 0 {
				k2 = k
			}
			return k2, v2
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if seg == "[]" || seg == strconv.Itoa(i) {
				if k, v := walk(item, rest, dollar); v != nil {
					return k, v
				}
			}
		}
	}
	return nil, nil
}
