package linux

// makeCgroup gives the container a fresh cgroup with its limits, before
// its monitor starts: every start, so that a restart by `start` or a
// repair by `up` gets the limits too. One left by a monitor that was
// killed goes first.
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
