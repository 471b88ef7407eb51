package limits

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/stackorch/stack/runtime"
)

// resources converts a spec's limits to the runtime-spec form the cgroups
// library takes.
func resources(r runtime.Resources) *specs.LinuxResources {
	out := &specs.LinuxResources{}
	if r.Memory > 0 || r.MemoryReservation > 0 || r.MemorySwap != 0 {
		m := &specs.LinuxMemory{}
		if r.Memory > 0 {
			m.Limit = &r.Memory
		}
		if r.MemoryReservation > 0 {
			m.Reservation = &r.MemoryReservation
		}
		if r.MemorySwap != 0 {
			m.Swap = &r.MemorySwap
		}
		if r.OOMKillDisable {
			m.DisableOOMKiller = &r.OOMKillDisable
		}
		out.Memory = m
	}
	if r.NanoCPUs > 0 || r.CPUShares > 0 || r.CPUSet != "" || r.CPUQuota > 0 || r.CPUPeriod > 0 {
		c := &specs.LinuxCPU{Cpus: r.CPUSet}
		if r.NanoCPUs > 0 {
			period := uint64(100000)
			quota := r.NanoCPUs * int64(period) / 1e9
			c.Period, c.Quota = &period, &quota
		}
		if r.CPUPeriod > 0 {
			period := uint64(r.CPUPeriod)
			c.Period = &period
		}
		if r.CPUQuota > 0 {
			quota := r.CPUQuota
			c.Quota = &quota
		}
		if r.CPUShares > 0 {
			shares := uint64(r.CPUShares)
			c.Shares = &shares
		}
		out.CPU = c
	}
	if r.PidsLimit != 0 {
		limit := r.PidsLimit
		out.Pids = &specs.LinuxPids{Limit: &limit}
	}
	return out
}
