package service

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// resources maps the service's limits; deploy.resources overrides the
// top-level keys as in Docker Compose (compose-go has already refused the two
// disagreeing). deploy.resources.reservations.cpus is a Swarm placement hint
// and, as in Docker Compose, ignored.
func resources(svc types.ServiceConfig) runtime.Resources {
	r := runtime.Resources{
		Memory:            int64(svc.MemLimit),
		MemoryReservation: int64(svc.MemReservation),
		MemorySwap:        int64(svc.MemSwapLimit),
		NanoCPUs:          nanoCPUs(svc.CPUS),
		CPUPeriod:         svc.CPUPeriod,
		CPUQuota:          svc.CPUQuota,
		CPUShares:         svc.CPUShares,
		CPUSet:            svc.CPUSet,
		PidsLimit:         svc.PidsLimit,
		OOMKillDisable:    svc.OomKillDisable,
	}
	if svc.Deploy == nil {
		return r
	}
	if l := svc.Deploy.Resources.Limits; l != nil {
		if l.MemoryBytes != 0 {
			r.Memory = int64(l.MemoryBytes)
		}
		if l.NanoCPUs != 0 {
			r.NanoCPUs = nanoCPUs(float32(l.NanoCPUs))
		}
		if l.Pids > 0 {
			r.PidsLimit = l.Pids
		}
	}
	if res := svc.Deploy.Resources.Reservations; res != nil && res.MemoryBytes != 0 {
		r.MemoryReservation = int64(res.MemoryBytes)
	}
	return r
}

// nanoCPUs converts a CPU count to billionths of a CPU. compose-go holds it
// as a float32; going through its shortest decimal form keeps 0.1 at exactly
// 100000000 instead of the float32's 100000001.49.
func nanoCPUs(cpus float32) int64 {
	if cpus == 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(cpus), 'f', -1, 32), 64)
	return int64(math.Round(f * 1e9))
}

// ulimits maps ulimits sorted by name; a single value sets both limits.
func ulimits(m map[string]*types.UlimitsConfig) []runtime.Ulimit {
	var out []runtime.Ulimit
	for name, u := range m {
		if u == nil {
			continue
		}
		soft, hard := u.Single, u.Single
		if u.Soft != 0 {
			soft = u.Soft
		}
		if u.Hard != 0 {
			hard = u.Hard
		}
		out = append(out, runtime.Ulimit{Name: name, Soft: int64(soft), Hard: int64(hard)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// devices maps host devices. A CDI device name (vendor.com/class=name) asks
// for a device plugin stack does not have.
func devices(svc types.ServiceConfig) ([]runtime.Device, error) {
	var out []runtime.Device
	for _, d := range svc.Devices {
		if d.Source == d.Target && isCDIName(d.Source) {
			return nil, unsupported(svc.Name, fmt.Sprintf("devices (CDI device %q)", d.Source))
		}
		target := d.Target
		if target == "" {
			target = d.Source
		}
		perms := d.Permissions
		if perms == "" {
			perms = "rwm"
		}
		out = append(out, runtime.Device{Source: d.Source, Target: target, Permissions: perms})
	}
	return out, nil
}

// isCDIName reports whether s looks like a qualified CDI device name rather
// than a path: vendor/class=name.
func isCDIName(s string) bool {
	kind, name, ok := strings.Cut(s, "=")
	return ok && name != "" && strings.Contains(kind, "/") && !strings.HasPrefix(kind, "/")
}
