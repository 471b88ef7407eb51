package project

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
)

// Checking a project against the Compose schema costs a command some 12 ms
// (compiling the schema above all). A load whose every input (the files'
// names and contents, the environment, profiles, name and directories) is
// the same as one that passed before cannot fail it: Options.ValidatedCache
// remembers the inputs that passed, by hash, and those loads skip the
// check. Files that pull in others (include, extends of a file) are not
// hashed whole, so their loads are always checked.

// maxValidated bounds the cache: past it, it starts again.
const maxValidated = 1000

// validationKey is the hash of a load's inputs, or "" when it cannot be
// remembered.
func (s *settings) validationKey(d *types.ConfigDetails) string {
	if s.validated == "" {
		return ""
	}
	h := sha256.New()
	put := func(b []byte) {
		h.Write(b)
		h.Write([]byte{0})
	}
	for _, f := range d.ConfigFiles {
		if bytes.Contains(f.Content, []byte("include")) || bytes.Contains(f.Content, []byte("extends")) {
			return ""
		}
		put([]byte(f.Filename))
		put(f.Content)
	}
	keys := make([]string, 0, len(s.env))
	for k := range s.env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		put([]byte(k + "=" + s.env[k]))
	}
	for _, p := range s.profiles {
		put([]byte("profile:" + p))
	}
	put([]byte(s.name))
	put([]byte(s.dir))
	put([]byte(s.base))
	return hex.EncodeToString(h.Sum(nil))
}

// passed tells whether a load with these inputs passed the check before.
func (s *settings) passed(key string) bool {
	if key == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(s.validated, key))
	return err == nil
}

// remember records that a load with these inputs passed the check.
func (s *settings) remember(key string) {
	if key == "" {
		return
	}
	if entries, err := os.ReadDir(s.validated); err == nil && len(entries) >= maxValidated {
		os.RemoveAll(s.validated)
	}
	if os.MkdirAll(s.validated, 0o700) == nil {
		os.WriteFile(filepath.Join(s.validated, key), nil, 0o600)
	}
}
