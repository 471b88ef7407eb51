package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/stackorch/stack/internal/atomicfile"
	"github.com/stackorch/stack/runtime/linux"
)

// shimFS holds cmd/stack-shim's and cmd/stack-init's binaries when the
// build put them there (make build does); see those commands for why they
// exist.
//
//go:embed shim
var shimFS embed.FS

// shimBinary returns the path of the embedded shim, or "" (the engine then
// runs monitors from this binary).
func shimBinary(paths linux.Paths) string { return embedded(paths, "stack-shim", 0o555) }

// reaperBinary returns the path of the embedded lean init, or "" (inits
// then stay themselves). It is execute-only: see linux.ReaperEnv.
func reaperBinary(paths linux.Paths) string { return embedded(paths, "stack-init", 0o111) }

// embeddedAt remembers, for this process, where embedded found or wrote
// each binary: the engine and the network manager both ask for the shim.
var embeddedAt sync.Map

// embedded returns the path of the embedded binary name, written once
// under the run directory, or "" when it is not embedded.
func embedded(paths linux.Paths, name string, perm os.FileMode) string {
	key := paths.Run + "\x00" + name
	if path, ok := embeddedAt.Load(key); ok {
		return path.(string)
	}
	path := writeEmbedded(paths, name, perm)
	if path != "" {
		embeddedAt.Store(key, path)
	}
	return path
}

func writeEmbedded(paths linux.Paths, name string, perm os.FileMode) string {
	f, err := shimFS.Open("shim/" + name)
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
	if have, err := os.Stat(path); err == nil && have.Size() == fi.Size() && have.Mode().Perm() == perm {
		return path
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return ""
	}
	data, err := shimFS.ReadFile("shim/" + name)
	if err != nil {
		return ""
	}
	if err := atomicfile.Write(path, data, perm); err != nil {
		return ""
	}
	return path
}
