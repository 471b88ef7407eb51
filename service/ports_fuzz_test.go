package service

import (
	"errors"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// FuzzPorts parses a port spec as the loader does (compose-go's short
// syntax) and maps it for a replica as Spec does. Neither may panic; what
// Spec refuses, it refuses with ErrInvalid or ErrUnsupported; what it
// accepts is a port of the range published, for tcp or udp.
func FuzzPorts(f *testing.F) {
	for _, s := range []string{
		"80", "8080:80", "127.0.0.1:8080:80", "[::1]:8080:80/udp", "8000-8005:80", "8000-8001:80-81",
		"0:80", "80/sctp", "65535:65535", "1-65535:1-65535", "65536:80", "-1:80", "8080:", ":80",
		"127.0.0.1::80", "a:b:c:d", "80-79:80", "9999999999999999999:80", "80/tcp/udp", "[::1]::80",
	} {
		f.Add(s, uint8(1))
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, spec string, number uint8) {
		if len(spec) > 256 {
			return
		}
		pcs, err := types.ParsePortConfig(spec)
		if err != nil {
			return
		}
		for _, pc := range pcs {
			p, err := portOf("web", pc, int(number))
			if err != nil {
				if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrUnsupported) {
					t.Errorf("%q: error %v matches neither ErrInvalid nor ErrUnsupported", spec, err)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("%q: error spans lines: %q", spec, err)
				}
				continue
			}
			if p.ContainerPort == 0 || uint32(p.ContainerPort) != pc.Target {
				t.Errorf("%q: container port %d from target %d", spec, p.ContainerPort, pc.Target)
			}
			if p.Protocol != "tcp" && p.Protocol != "udp" {
				t.Errorf("%q: protocol %q", spec, p.Protocol)
			}
			if pc.Published == "" || pc.Published == "0" {
				if p.HostPort != 0 {
					t.Errorf("%q: host port %d with nothing published", spec, p.HostPort)
				}
				continue
			}
			lo, hi, err := portRange(pc.Published)
			if err != nil || p.HostPort < lo || p.HostPort > hi {
				t.Errorf("%q replica %d: host port %d outside %q", spec, number, p.HostPort, pc.Published)
			}
		}
	})
}
