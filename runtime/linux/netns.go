package linux

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/internal/atomicfile"
	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime"
)

// namespaces says how init is cloned: which namespaces are new, and which
// it joins (another container's, for network_mode, ipc and pid
// container:X) from the thread that forks it.
type namespaces struct {
	clone uintptr
	join  []*os.File // namespace files to setns before the fork
}

func (n *namespaces) close() {
	for _, f := range n.join {
		f.Close()
	}
}

// namespaces resolves the spec's network, ipc and pid modes.
func (m *monitor) namespaces() (*namespaces, error) {
	n := &namespaces{clone: unix.CLONE_NEWNS | unix.CLONE_NEWUTS}
	modes := []struct {
		key, mode string
		flag      uintptr
	}{
		{"net", m.rec.Spec.Network.Mode, unix.CLONE_NEWNET},
		{"ipc", m.rec.Spec.Network.IPC, unix.CLONE_NEWIPC},
		{"pid", m.rec.Spec.Network.PID, unix.CLONE_NEWPID},
	}
	for _, md := range modes {
		switch {
		case md.mode == "host":
		case strings.HasPrefix(md.mode, "container:"):
			other := strings.TrimPrefix(md.mode, "container:")
			pid, err := m.otherInit(other)
			if err != nil {
				n.close()
				return nil, fmt.Errorf("%s namespace of container %q: %w", md.key, other, err)
			}
			f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", pid, md.key))
			if err != nil {
				n.close()
				return nil, fmt.Errorf("%s namespace of container %q: %w", md.key, other, err)
			}
			n.join = append(n.join, f)
		default: // "", "none", "private", "shareable", "bridge": its own
			n.clone |= md.flag
		}
	}
	return n, nil
}

// otherInit is the host pid of a running container's init, by name or id.
func (m *monitor) otherInit(ref string) (int, error) {
	id := ref
	if target, err := os.Readlink(filepath.Join(m.paths.names(), ref)); err == nil {
		id = target
	}
	var st status
	if err := atomicfile.ReadJSON(m.paths.stateFile(id), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, runtime.ErrNotFound
		}
		return 0, err
	}
	if !st.Running() || st.Pid == 0 || !monitorAlive(m.paths.lockFile(id)) {
		return 0, runtime.ErrNotRunning
	}
	return st.Pid, nil
}

// endpoint is a run's place on its networks: released when the run ends.
type endpoint struct {
	nm  *network.Manager
	id  string
	res *network.Resolver
	dns *network.DNSServer
}

// attach joins the run whose init is pid to the container's networks:
// interfaces, addresses, published ports, hosts and resolv.conf, and the
// embedded DNS server at 127.0.0.11. Nothing to do for network_mode host,
// none or container:X, or without attachments.
func (m *monitor) attach(ctx context.Context, pid int) (*endpoint, error) {
	n := m.rec.Spec.Network
	if n.Mode != "" && n.Mode != "bridge" || len(n.Attachments) == 0 {
		return nil, nil
	}
	if m.nm == nil {
		nm, err := network.Open(network.Options{Lib: m.paths.Lib, Run: m.paths.Run})
		if err != nil {
			return nil, err
		}
		m.nm = nm
	}
	netns := fmt.Sprintf("/proc/%d/ns/net", pid)
	a, err := m.nm.Attach(ctx, network.Endpoint{
		ContainerID: m.id, Name: m.rec.Spec.Name, Hostname: m.rec.Init.Hostname, NetnsPath: netns,
		Attachments: n.Attachments, Ports: n.Ports, DNS: n.DNS, DNSSearch: n.DNSSearch,
		DNSOptions: n.DNSOptions, ExtraHosts: n.ExtraHosts,
	})
	if err != nil {
		return nil, err
	}
	ep := &endpoint{nm: m.nm, id: m.id}
	dir := m.paths.container(m.id)
	if err := a.WriteFiles(filepath.Join(dir, "hosts"), filepath.Join(dir, "resolv.conf")); err != nil {
		ep.release()
		return nil, err
	}
	if ep.res, err = m.nm.Resolver(a); err != nil {
		ep.release()
		return nil, err
	}
	if ep.dns, err = network.StartDNS(ctx, netns, ep.res); err != nil {
		ep.release()
		return nil, fmt.Errorf("start embedded DNS: %w", err)
	}
	return ep, nil
}

// release undoes attach, whatever part of it was done.
func (ep *endpoint) release() {
	if ep == nil {
		return
	}
	if ep.dns != nil {
		ep.dns.Close()
	}
	if ep.res != nil {
		ep.res.Close()
	}
	ep.nm.Detach(context.Background(), ep.id)
}
