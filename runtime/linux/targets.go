package linux

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// A container's root needs mount points the image may not have: /proc,
// /sys, /dev and the files bound over /etc/hosts, /etc/resolv.conf and
// /etc/hostname. Made in the container's upper layer at its first start,
// they cost a copy-up of /etc and a file creation each, on the start's
// path (about a millisecond on this host's journal-less ext4). Instead a
// shared layer holding only them is stacked on top of the image's layers:
// made once per host and /etc ownership, it makes nothing at any start.
// It is used only when it changes nothing the container sees: when no
// layer has those names as anything but what the layer has (a directory,
// or a regular file, or nothing).

var (
	targetDirs  = []string{"etc", "proc", "sys", "dev"}
	targetFiles = []string{"etc/hosts", "etc/resolv.conf", "etc/hostname"}
)

// targetsLayer returns the shared layer of mount points for an image with
// layers lower (top first), making it if needed, or "" when the image's
// tree does not allow one (init then makes the mount points).
func targetsLayer(lib string, lower []string) (string, error) {
	etc, ok := imageAllowsTargets(lower)
	if !ok {
		return "", nil
	}
	dir := filepath.Join(lib, "targets", fmt.Sprintf("%04o.%d.%d", etc.mode, etc.uid, etc.gid))
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	// Built aside and renamed into place: a layer is whole or absent.
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-")
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(dir), 0o700); err == nil {
			tmp, err = os.MkdirTemp(filepath.Dir(dir), ".tmp-")
		}
	}
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	for _, d := range targetDirs {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
			return "", err
		}
	}
	etcDir := filepath.Join(tmp, "etc")
	if err := syscall.Chmod(etcDir, etc.mode); err != nil {
		return "", err
	}
	if err := os.Chown(etcDir, etc.uid, etc.gid); err != nil {
		return "", err
	}
	for _, f := range targetFiles {
		if err := os.WriteFile(filepath.Join(tmp, f), nil, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(dir); serr != nil {
			return "", err
		}
		// Another create made it meanwhile.
	}
	return dir, nil
}

type dirOwner struct {
	mode     uint32 // permission bits, with setuid, setgid and sticky
	uid, gid int
}

// imageAllowsTargets reports whether the targets layer on top of lower
// changes nothing but what the mounts cover, and the mode and owner its
// /etc must have: the image's own.
func imageAllowsTargets(lower []string) (dirOwner, bool) {
	etc := dirOwner{mode: 0o755}
	etcFound := false
	for _, l := range lower {
		for _, d := range targetDirs {
			fi, err := os.Lstat(filepath.Join(l, d))
			switch {
			case errors.Is(err, fs.ErrNotExist), err == nil && isWhiteout(fi):
				if d == "etc" && err == nil {
					etcFound = true // deleted here: the layer's /etc is all there is
				}
			case err == nil && fi.IsDir():
				if d == "etc" && !etcFound {
					st := fi.Sys().(*syscall.Stat_t)
					etc = dirOwner{mode: st.Mode & 0o7777, uid: int(st.Uid), gid: int(st.Gid)}
					etcFound = true
				}
			default:
				return etc, false
			}
		}
		for _, f := range targetFiles {
			fi, err := os.Lstat(filepath.Join(l, f))
			switch {
			case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
			case err == nil && (fi.Mode().IsRegular() || isWhiteout(fi)):
			default:
				return etc, false
			}
		}
	}
	return etc, true
}

// isWhiteout reports whether fi is an overlay whiteout: a 0:0 character
// device.
func isWhiteout(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && fi.Mode()&fs.ModeCharDevice != 0 && st.Rdev == 0
}
