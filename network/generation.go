package network

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A network's generation counts the changes to its endpoints: a uint64 in
// a file of the endpoint directory, mapped shared by every process that
// changes or reads it. A writer bumps it after each change; a DNS server
// compares it with the generation its records were read at, without a
// system call, and without holding an inotify instance per container (the
// kernel allows a user only 128 of those).
type generation struct {
	mem []byte
}

const generationFile = ".generation"

// openGeneration maps the generation of the endpoint directory dir,
// creating it at zero if it is new.
func openGeneration(dir string) (*generation, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, generationFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return nil, err
	} else if fi.Size() < 8 {
		if err := f.Truncate(8); err != nil {
			return nil, err
		}
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, 8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return &generation{mem: mem}, nil
}

func (g *generation) counter() *uint64 { return (*uint64)(unsafe.Pointer(&g.mem[0])) }

func (g *generation) load() uint64 { return atomic.LoadUint64(g.counter()) }

func (g *generation) bump() { atomic.AddUint64(g.counter(), 1) }

func (g *generation) close() {
	if g.mem != nil {
		unix.Munmap(g.mem)
		g.mem = nil
	}
}

// bumpGeneration records one change to the endpoints in dir.
func bumpGeneration(dir string) error {
	g, err := openGeneration(dir)
	if err != nil {
		return err
	}
	g.bump()
	g.close()
	return nil
}
