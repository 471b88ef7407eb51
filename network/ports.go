package network

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

// portString is host_ip:port/proto, as errors name a port.
func portString(p runtime.Port) string {
	ip := p.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	return ip + ":" + strconv.Itoa(int(p.HostPort)) + "/" + p.Protocol
}

// normPort checks a port and fills in its defaults.
func normPort(p runtime.Port) (runtime.Port, error) {
	if p.Protocol == "" {
		p.Protocol = "tcp"
	}
	if p.Protocol != "tcp" && p.Protocol != "udp" {
		return p, fmt.Errorf("port %q: %w: protocol %q", portString(p), ErrUnsupported, p.Protocol)
	}
	if p.HostIP != "" {
		a, err := netip.ParseAddr(p.HostIP)
		if err != nil {
			return p, fmt.Errorf("port %q: %w: host ip", portString(p), ErrInvalid)
		}
		if !a.Is4() {
			if !a.IsUnspecified() {
				return p, fmt.Errorf("port %q: %w: IPv6 host addresses", portString(p), ErrUnsupported)
			}
			p.HostIP = "" // "::" means every address
		}
	}
	if p.ContainerPort == 0 {
		return p, fmt.Errorf("port %q: %w: no container port", portString(p), ErrInvalid)
	}
	return p, nil
}

// overlap reports whether two published ports would catch the same packets.
func overlap(a, b runtime.Port) bool {
	if a.HostPort != b.HostPort || a.Protocol != b.Protocol || a.HostPort == 0 {
		return false
	}
	anyA := a.HostIP == "" || a.HostIP == "0.0.0.0"
	anyB := b.HostIP == "" || b.HostIP == "0.0.0.0"
	return anyA || anyB || a.HostIP == b.HostIP
}

// CheckPorts tells, before anything starts, whether ports can be
// published: each fixed host port must be free of stack's containers and
// of the host's programs. Ephemeral ports (HostPort 0) always can.
func (m *Manager) CheckPorts(ctx context.Context, ports []runtime.Port) error {
	if err := m.kernel(); err != nil {
		return err
	}
	taken, err := m.publishedPorts("")
	if err != nil {
		return fmt.Errorf("check ports: %w", err)
	}
	return m.checkPorts(ports, taken, func(p runtime.Port) error {
		_, c, err := m.reserve(p)
		if err == nil {
			c.Close()
		}
		return err
	})
}

func (m *Manager) checkPorts(ports, taken []runtime.Port, try func(runtime.Port) error) error {
	var seen []runtime.Port
	for _, p := range ports {
		p, err := normPort(p)
		if err != nil {
			return err
		}
		if p.HostPort == 0 {
			continue
		}
		for _, t := range append(seen, taken...) {
			if overlap(p, t) {
				return fmt.Errorf("bind %q: %w", portString(p), ErrPortUsed)
			}
		}
		if err := try(p); err != nil {
			return err
		}
		seen = append(seen, p)
	}
	return nil
}

// publishedPorts are the ports stack's live containers publish, but
// except's.
func (m *Manager) publishedPorts(except string) ([]runtime.Port, error) {
	nets, err := m.st.networks()
	if err != nil {
		return nil, err
	}
	var out []runtime.Port
	for _, n := range nets {
		eps, err := m.st.endpoints(n.Name)
		if err != nil {
			return nil, err
		}
		for _, ep := range eps {
			if ep.ContainerID != except && len(ep.Ports) > 0 && ep.alive() {
				out = append(out, ep.Ports...)
			}
		}
	}
	return out, nil
}

// reserve binds the host port in the host namespace (picking one when
// HostPort is 0) so that no program can take it while a container
// publishes it; the socket never listens, the DNAT rules get the packets.
func (m *Manager) reserve(p runtime.Port) (runtime.Port, io.Closer, error) {
	var hold *portHold
	err := inNetns(m.hostNS, func() error {
		typ := unix.SOCK_STREAM
		if p.Protocol == "udp" {
			typ = unix.SOCK_DGRAM
		}
		fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		sa := &unix.SockaddrInet4{Port: int(p.HostPort)}
		if p.HostIP != "" {
			sa.Addr = netip.MustParseAddr(p.HostIP).As4()
		}
		if err := unix.Bind(fd, sa); err != nil {
			unix.Close(fd)
			return err
		}
		if p.HostPort == 0 {
			got, err := unix.Getsockname(fd)
			if err != nil {
				unix.Close(fd)
				return err
			}
			p.HostPort = uint16(got.(*unix.SockaddrInet4).Port)
		}
		hold = &portHold{fd: fd}
		return nil
	})
	if errors.Is(err, unix.EADDRINUSE) {
		return p, nil, fmt.Errorf("bind %q: %w", portString(p), ErrPortUsed)
	}
	if err != nil {
		return p, nil, fmt.Errorf("bind %q: %w", portString(p), err)
	}
	return p, hold, nil
}

type portHold struct{ fd int }

func (h *portHold) Close() error { return unix.Close(h.fd) }
