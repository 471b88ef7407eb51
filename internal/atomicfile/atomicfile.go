// Package atomicfile writes files so that readers see the old content or the
// new, never a mix: write a temporary file beside the target, fsync, rename.
package atomicfile

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// Write replaces path with data.
func Write(path string, data []byte, perm os.FileMode) error {
	p, err := Prepare(path, data, perm)
	if err != nil {
		return err
	}
	return p.Commit()
}

// Pending is a replacement of a file written and synced beside it, not yet
// in its place: a writer does the slow part ahead of the moment the new
// content becomes true, and Commit makes it so at once.
type Pending struct{ tmp, path string }

// Prepare writes data beside path, synced, for Commit to put in place.
func Prepare(path string, data []byte, perm os.FileMode) (*Pending, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	if _, err = f.Write(data); err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return &Pending{tmp: tmp, path: path}, nil
}

// PrepareJSON is Prepare of v encoded as JSON.
func PrepareJSON(path string, v any, perm os.FileMode) (*Pending, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Prepare(path, data, perm)
}

// Commit replaces the file with the prepared content.
func (p *Pending) Commit() error {
	if err := os.Rename(p.tmp, p.path); err != nil {
		os.Remove(p.tmp)
		return err
	}
	return nil
}

// Abort drops the prepared content; the file stays as it was.
func (p *Pending) Abort() { os.Remove(p.tmp) }

// WriteJSON replaces path with v encoded as JSON.
func WriteJSON(path string, v any, perm os.FileMode) error {
	p, err := PrepareJSON(path, v, perm)
	if err != nil {
		return err
	}
	return p.Commit()
}

// ReadJSON decodes the JSON file at path into v.
func ReadJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}
