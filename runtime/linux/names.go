package linux

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stackorch/stack/runtime"
)

// A container's name is a symlink, names/<name> -> <id>, and it is what
// makes the container exist: Create writes the container's directory
// first and claims the name last; Remove gives the name up first. A
// process killed in between leaves a directory no name points at, which
// nothing lists and List sweeps once it is old.

// claimed is the id the name points at.
func (e *Engine) claimed(name string) (string, error) {
	return os.Readlink(filepath.Join(e.o.Paths.names(), name))
}

// claim points name at id, unless another container has it. A name left
// pointing at a container whose directory is gone is taken over.
func (e *Engine) claim(name, id string) error {
	link := filepath.Join(e.o.Paths.names(), name)
	err := os.Symlink(id, link)
	if !errors.Is(err, os.ErrExist) {
		return err
	}
	old, rerr := os.Readlink(link)
	if rerr != nil {
		return err
	}
	if _, serr := os.Stat(e.o.Paths.configFile(old)); !errors.Is(serr, os.ErrNotExist) {
		return runtime.ErrAlreadyExists
	}
	tmp := link + ".claim-" + id[:12]
	if err := os.Symlink(id, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// unclaim gives up name if it is id's.
func (e *Engine) unclaim(name, id string) {
	if owner, err := e.claimed(name); err == nil && owner == id {
		os.Remove(filepath.Join(e.o.Paths.names(), name))
	}
}

// abandoned is how old a container directory no name points at must be
// before List removes it: a create in progress is far quicker.
const abandoned = time.Minute

// sweep removes d, an entry of the containers directory that is no
// container, if it was abandoned: a create or remove cut short.
func (e *Engine) sweep(d os.DirEntry) {
	info, err := d.Info()
	if err != nil || !d.IsDir() || time.Since(info.ModTime()) < abandoned {
		return
	}
	id := strings.TrimPrefix(d.Name(), trashPrefix)
	if _, _, err := e.load(id); err == nil || monitorAlive(e.o.Paths.lockFile(id)) {
		return // a container after all, or one still being removed
	}
	os.RemoveAll(e.o.Paths.runDir(id))
	if cg := loadCgroup(id); cg != nil {
		cg.delete()
	}
	os.RemoveAll(filepath.Join(e.o.Paths.containers(), d.Name()))
}
