package service

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// ports maps ports: for replica number (0 for a one-off container). compose-go
// has already split a container port range into one entry per port; what is
// left to expand is a host port range published for one container port:
// each replica takes its own port of the range, replica n the n-th, where
// Docker lets the engine pick a free one. A fixed host port can only be
// published by one replica.
func ports(svc types.ServiceConfig, number int) ([]runtime.Port, error) {
	var out []runtime.Port
	for _, pc := range svc.Ports {
		port, err := portOf(svc.Name, pc, number)
		if err != nil {
			return nil, err
		}
		out = append(out, port)
	}
	return out, nil
}

func portOf(service string, pc types.ServicePortConfig, number int) (runtime.Port, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("spec service %q: ports: %w: "+format, append([]any{service, ErrInvalid}, args...)...)
	}
	proto := strings.ToLower(pc.Protocol)
	switch proto {
	case "":
		proto = "tcp"
	case "tcp", "udp":
	default:
		return runtime.Port{}, unsupported(service, "ports with protocol "+proto)
	}
	if pc.Target == 0 || pc.Target > 65535 {
		return runtime.Port{}, fail("container port %d is out of range", pc.Target)
	}
	p := runtime.Port{
		HostIP:        strings.TrimSuffix(strings.TrimPrefix(pc.HostIP, "["), "]"),
		ContainerPort: uint16(pc.Target),
		Protocol:      proto,
	}
	if pc.Published == "" || pc.Published == "0" {
		return p, nil // ephemeral: the network layer picks a free port
	}
	lo, hi, err := portRange(pc.Published)
	if err != nil {
		return p, fail("published %q: %v", pc.Published, err)
	}
	idx := max(number, 1) - 1
	if lo == hi && idx > 0 {
		return p, fail("replica %d cannot publish host port %d too; publish a range (\"%d-%d:%d\") or no host port to scale",
			number, lo, lo, int(lo)+idx, pc.Target)
	}
	if int(lo)+idx > int(hi) {
		return p, fail("replica %d has no host port left in %s for container port %d", number, pc.Published, pc.Target)
	}
	p.HostPort = uint16(int(lo) + idx)
	return p, nil
}

// portRange parses "8080" or "8000-8005".
func portRange(s string) (lo, hi uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parsePort(a); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return lo, lo, nil
	}
	if hi, err = parsePort(b); err != nil {
		return 0, 0, err
	}
	if hi < lo {
		return 0, 0, fmt.Errorf("range ends before it starts")
	}
	return lo, hi, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a port", s)
	}
	return uint16(n), nil
}
