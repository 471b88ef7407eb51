package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
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
	f, err := shimFS.Open("shim/stack-shim")
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return ""
	}
	// Named by its size and the hash of its start, where the Go linker
	// puts the build ID (a hash of everything the binary was built from):
	// reading and hashing all of it cost every command 30 ms.
	head := make([]byte, min(fi.Size(), 64<<10))
	if _, err := io.ReadFull(f, head); err != nil {
		return ""
	}
	sum := sha256.Sum256(head)
	path := filepath.Join(paths.Run, "shim", fmt.Sprintf("%s-%d", hex.EncodeToString(sum[:8]), fi.Size()))
	if have, err := os.Stat(path); err == nil && have.Size() == fi.Size() {
		return path
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return ""
	}
	data, err := shimFS.ReadFile("shim/stack-shim")
	if err != nil {
		return ""
	}
	if err := atomicfile.Write(path, data, 0o555); err != nil {
		return ""
	}
	return path
}
