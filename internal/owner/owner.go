// Package owner marks what a stack root makes on the host (links,
// nftables rules) with that root, so that what one root made can be told
// from another's: several roots share a machine (tests run many at once),
// and their network names may well be the same.
//
// A root is named by its persistent directory (Lib; the --root DIR). Marks:
//
//   - links (bridges, host-side veths): the link group (IFLA_GROUP) is
//     Group(root), set in the request that creates the link; a bridge's
//     alias (IFLA_IFALIAS) is Alias(root, "network NAME") for people;
//   - nftables rules: the comment is Tag(root, WHAT).
package owner

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"strings"
)

// key names a root in marks: the path itself, or a hash of it when the
// path is long or holds a space.
func key(root string) string {
	if len(root) <= 128 && !strings.ContainsAny(root, " \x00") {
		return root
	}
	return "#" + hash(root)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// Group is the link group of root's links: a hash of its key, never 0 (the
// kernel's default group).
func Group(root string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(key(root)))
	if g := h.Sum32(); g != 0 {
		return g
	}
	return 1
}

// Alias is a link alias naming root and what the link is, at most the
// kernel's 255 bytes.
func Alias(root, what string) string {
	s := "stack " + key(root) + " " + what
	return s[:min(len(s), 255)]
}

// Tag is the nftables comment of root's rule for what ("net:NAME",
// "ep:ID"); it fits in a rule's user data.
func Tag(root, what string) string {
	s := "stack " + key(root) + " " + what
	if len(s) > 200 {
		s = "stack " + key(root) + " #" + hash(what)
	}
	return s
}

// Owns reports whether tag is one of root's.
func Owns(tag, root string) bool {
	return strings.HasPrefix(tag, "stack "+key(root)+" ")
}
