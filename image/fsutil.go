package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// writeFileAtomic replaces path with data: a temporary file beside it, fsync,
// rename, fsync of the directory.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	ok = true
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %q: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %q: %w", dir, err)
	}
	return nil
}

// fileLock is a held flock.
type fileLock struct{ f *os.File }

// lockFile takes a flock on path, shared or exclusive, waiting until ctx is
// done. flock locks belong to the open file, so two goroutines of one
// process exclude each other as two processes do.
func lockFile(ctx context.Context, path string, exclusive bool) (*fileLock, error) {
	l, ok, err := tryLockFile(path, exclusive)
	for err == nil && !ok {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %q: %w", path, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
		l, ok, err = tryLockFile(path, exclusive)
	}
	return l, err
}

// tryLockFile takes a flock on path if it is free now.
func tryLockFile(path string, exclusive bool) (*fileLock, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("lock %q: %w", path, err)
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err = unix.Flock(int(f.Fd()), how|unix.LOCK_NB)
		if err != unix.EINTR {
			break
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("lock %q: %w", path, err)
	}
	return &fileLock{f}, true, nil
}

func (l *fileLock) unlock() {
	if l != nil {
		l.f.Close() // closing the last descriptor releases the flock
	}
}
