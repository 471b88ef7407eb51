package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/stackorch/stack/internal/atomicfile"
	"github.com/stackorch/stack/runtime/linux"
)

// shimFS holds cmd/stack-shim's binary when the build put it there (make
// build does); see cmd/stack-shim for why it exists.
//
//go:embed shim
var shimFS embed.FS

// shimBinary returns the path of the embedded shim, written once under the
// run directory by its content hash, or "" (the engine then runs monitors
// from this binary).
func shimBinary(paths linux.Paths) string {
	data, err := shimFS.ReadFile("shim/stack-shim")
	if err != nil || len(data) == 0 {
		return ""
	}
	sum := sha256.Sum256(data)
	path := filepath.Join(paths.Run, "shim", hex.EncodeToString(sum[:8]))
	if fi, err := os.Stat(path); err == nil && fi.Size() == int64(len(data)) {
		return path
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return ""
	}
	if err := atomicfile.Write(path, data, 0o555); err != nil {
		return ""
	}
	return path
}
