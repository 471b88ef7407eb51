package linux

import (
	"os"

	"golang.org/x/sys/unix"
)

// openOverlay makes the container's root file system as a mount attached
// nowhere (fsopen, fsmount), never visible on the host, for init to move
// into place in its own mount namespace. The monitor makes it while init
// starts, so that mounting it (a millisecond or more: overlay creates and
// removes test files in the work directory) overlaps init's own start.
// It fails on kernels without the mount API or overlay's "lowerdir+"
// (6.8); init then mounts the overlay itself.
func openOverlay(c *initConfig) (*os.File, error) {
	lower, err := lowerDirs(c)
	if err != nil {
		return nil, err
	}
	fsfd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fsfd)
	for _, l := range lower {
		if err := unix.FsconfigSetString(fsfd, "lowerdir+", l); err != nil {
			return nil, err
		}
	}
	for _, kv := range [][2]string{{"upperdir", c.Upper}, {"workdir", c.Work}, {"index", "off"}} {
		if err := unix.FsconfigSetString(fsfd, kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return nil, err
	}
	mfd, err := unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(mfd), "rootfs"), nil
}
