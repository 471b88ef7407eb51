package project

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Limits on a compose file that stack reads (each -f file, stdin, or the
// file found in the project directory), so a hostile one fails in well
// under a second. The YAML decoder and compose-go bound the rest: nesting
// at 10000 levels, excessive aliasing (billion laughs), alias, include and
// extends cycles. Files brought in by include: and extends: are read by
// compose-go and have only those.
const (
	// MaxFileSize is the largest compose file stack reads. Real ones are a
	// few kilobytes; loading time grows with size.
	MaxFileSize = 1 << 20
	// MaxCommandLen bounds a command or entrypoint written as one string:
	// splitting it into words takes time quadratic in a word's length.
	// The list form has no such bound.
	MaxCommandLen = 64 << 10
	// MaxKeys bounds the keys of one mapping (services, labels, ...): the
	// YAML decoder checks for duplicate keys in time quadratic in them.
	MaxKeys = 10000
)

// checkSize refuses content larger than MaxFileSize.
func (s *settings) checkSize(file string, size int64) error {
	if size > MaxFileSize {
		return &FileError{File: s.display(file), Msg: fmt.Sprintf("file of %d bytes is larger than %d (1 MiB), the most stack reads in a compose file", size, MaxFileSize)}
	}
	return nil
}

// checkCommands refuses a mapping of more than MaxKeys keys, and a command
// or entrypoint string longer than MaxCommandLen, in content. A file that does not parse is left to
// compose-go, which says why.
func (s *settings) checkCommands(file string, content []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			return nil
		}
		if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
			continue
		}
		if n, path := bigMapping(doc.Content[0], ""); n != nil {
			return &FileError{File: s.display(file), Line: n.Line, Path: path,
				Msg: fmt.Sprintf("a mapping of %d keys is more than %d, the most stack loads", len(n.Content)/2, MaxKeys)}
		}
		services := child(doc.Content[0], "services")
		if services == nil || services.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(services.Content); i += 2 {
			name, svc := services.Content[i].Value, unalias(services.Content[i+1])
			for _, key := range []string{"command", "entrypoint"} {
				v := child(svc, key)
				if v == nil || v.Kind != yaml.ScalarNode || len(v.Value) <= MaxCommandLen {
					continue
				}
				return &FileError{File: s.display(file), Line: v.Line, Path: "services." + name + "." + key,
					Msg: fmt.Sprintf("a string of %d bytes is longer than %d (64 KiB), the most stack splits into words: write it as a list", len(v.Value), MaxCommandLen)}
			}
		}
	}
}

// bigMapping finds a mapping of more than MaxKeys keys under n, without
// following aliases, and its dotted path.
func bigMapping(n *yaml.Node, path string) (*yaml.Node, string) {
	if n.Kind == yaml.MappingNode && len(n.Content)/2 > MaxKeys {
		return n, path
	}
	for i, c := range n.Content {
		sub := path
		switch n.Kind {
		case yaml.MappingNode:
			if i%2 == 0 {
				continue
			}
			sub = strings.TrimPrefix(path+"."+n.Content[i-1].Value, ".")
		case yaml.SequenceNode:
			sub = fmt.Sprintf("%s.%d", path, i)
		}
		if big, p := bigMapping(c, sub); big != nil {
			return big, p
		}
	}
	return nil, ""
}

// child is the value of key in the mapping n, aliases and merge keys (<<)
// followed, or nil.
func child(n *yaml.Node, key string) *yaml.Node { return childIn(n, key, 0) }

func childIn(n *yaml.Node, key string, depth int) *yaml.Node {
	n = unalias(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 100 {
		return nil
	}
	var merged *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, unalias(n.Content[i+1])
		switch {
		case k == key:
			return v
		case k == "<<" && merged == nil && v != nil && v.Kind == yaml.SequenceNode:
			for _, m := range v.Content {
				if merged = childIn(m, key, depth+1); merged != nil {
					break
				}
			}
		case k == "<<" && merged == nil:
			merged = childIn(v, key, depth+1)
		}
	}
	return merged
}

// deref follows aliases; a cycle of them ends at nil.
func unalias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 100 {
			return nil
		}
		n = n.Alias
	}
	return n
}
