package image

import (
	"fmt"

	"github.com/distribution/reference"
)

// NormalizeName normalises an image reference as Docker does:
// "busybox" -> "docker.io/library/busybox:latest",
// "localhost:5000/app" -> "localhost:5000/app:latest". A reference by digest
// keeps its digest and gets no tag.
func NormalizeName(s string) (string, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return "", fmt.Errorf("image name %q: %w", s, ErrInvalidReference)
	}
	return reference.TagNameOnly(named).String(), nil
}

// normalizeTag is NormalizeName for a name that must be name:tag, not a
// digest: what a reference file stores.
func normalizeTag(s string) (string, error) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return "", fmt.Errorf("image name %q: %w", s, ErrInvalidReference)
	}
	if _, ok := named.(reference.Digested); ok {
		return "", fmt.Errorf("image name %q: a tag is needed, not a digest: %w", s, ErrInvalidReference)
	}
	return reference.TagNameOnly(named).String(), nil
}

// FamiliarName is the short form of a normalised name, as `stack images`
// shows it: "docker.io/library/busybox:latest" -> "busybox:latest". A string
// that is not a name comes back unchanged.
func FamiliarName(s string) string {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return s
	}
	return reference.FamiliarString(named)
}

// SplitName splits a normalised name:tag into its familiar repository and
// its tag: "docker.io/library/busybox:latest" -> "busybox", "latest".
func SplitName(s string) (repository, tag string) {
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return s, ""
	}
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	return reference.FamiliarName(named), tag
}

// MatchName tells whether the normalised name:tag name is what filter asks
// for, as `docker images FILTER` does: "busybox" matches every tag of
// docker.io/library/busybox, "busybox:1.36" only that tag.
func MatchName(filter, name string) bool {
	f, err := reference.ParseNormalizedNamed(filter)
	if err != nil {
		return false
	}
	n, err := reference.ParseNormalizedNamed(name)
	if err != nil || f.Name() != n.Name() {
		return false
	}
	if ft, ok := f.(reference.Tagged); ok {
		nt, ok := n.(reference.Tagged)
		return ok && nt.Tag() == ft.Tag()
	}
	return true
}
