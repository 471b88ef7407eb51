package linux

import (
	"errors"
	"os"
)

// makeCgroup gives the container a fresh cgroup with its limits, while its
// monitor starts up (which waits for it: awaitCgroup): every start, so
// that a restart by `start` or a repair by `up` gets the limits too. One
// left by a monitor that was killed goes first.
func (e *Engine) makeCgroup(rec *record) error {
	if old := loadCgroup(rec.ID); old != nil {
		if err := old.delete(); err != nil {
			return err
		}
	}
	return e.o.Limits(cgroupPath(rec.ID), rec.Spec.Resources, deviceRules(rec.Spec.Privileged, rec.Init.Devices))
}

// dropCgroup removes the cgroup of a container whose start failed, when
// its monitor is gone without doing so (it was killed, or failed before it
// took the cgroup over). A monitor still alive keeps it: it removes it.
func (e *Engine) dropCgroup(id string) {
	if monitorAlive(e.o.Paths.lockFile(id)) {
		return
	}
	if cg := loadCgroup(id); cg != nil {
		cg.delete()
	}
}

// awaitCgroup waits for the engine's word on f that it made the
// container's cgroup.
func awaitCgroup(f *os.File) error {
	defer f.Close()
	var b [1]byte
	if n, _ := f.Read(b[:]); n != 1 {
		return errors.New("its cgroup could not be made")
	}
	return nil
}
