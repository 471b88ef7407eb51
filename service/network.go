package service

import (
	"fmt"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// network maps network_mode or networks:, ports, DNS, extra_hosts, ipc and
// pid.
func network(p *types.Project, svc types.ServiceConfig, r replica) (runtime.Network, error) {
	n := runtime.Network{
		DNS:        slices.Clone([]string(svc.DNS)),
		DNSSearch:  slices.Clone([]string(svc.DNSSearch)),
		DNSOptions: slices.Clone(svc.DNSOpts),
		ExtraHosts: extraHosts(svc.ExtraHosts),
	}
	var err error
	if n.Mode, err = networkMode(p, svc); err != nil {
		return n, err
	}
	if n.IPC, err = namespace(p, svc, "ipc", svc.Ipc, "", "private", "shareable", "host", "none"); err != nil {
		return n, err
	}
	if n.PID, err = namespace(p, svc, "pid", svc.Pid, "", "host"); err != nil {
		return n, err
	}
	if n.Mode == "" {
		if n.Attachments, err = attachments(p, svc, r); err != nil {
			return n, err
		}
	}
	if r.ports {
		if n.Ports, err = ports(svc, r.number); err != nil {
			return n, err
		}
	}
	return n, nil
}

// networkMode maps network_mode: host, none, container:NAME, and service:X
// as container:<X's first container>, as Docker Compose resolves it.
func networkMode(p *types.Project, svc types.ServiceConfig) (string, error) {
	switch mode := svc.NetworkMode; {
	case mode == "" || mode == "host" || mode == "none":
		return mode, nil
	case mode == "disabled":
		return "none", nil
	case strings.HasPrefix(mode, types.ContainerPrefix) || strings.HasPrefix(mode, types.ServicePrefix):
		return namespace(p, svc, "network_mode", mode)
	default:
		return "", unsupported(svc.Name, fmt.Sprintf("network_mode %q (use networks:)", mode))
	}
}

// namespace maps an ipc, pid or network_mode value that may join another
// container's namespace: service:X becomes container:<X's first container>;
// plain values must be one of allowed.
func namespace(p *types.Project, svc types.ServiceConfig, key, value string, allowed ...string) (string, error) {
	if service, ok := strings.CutPrefix(value, types.ServicePrefix); ok {
		first, err := firstContainer(p, service)
		if err != nil {
			return "", fmt.Errorf("spec service %q: %s: %w", svc.Name, key, err)
		}
		return types.ContainerPrefix + first, nil
	}
	if name, ok := strings.CutPrefix(value, types.ContainerPrefix); ok && name != "" {
		return value, nil
	}
	if slices.Contains(allowed, value) {
		return value, nil
	}
	return "", fmt.Errorf("spec service %q: %s: %w value %q", svc.Name, key, ErrInvalid, value)
}

// attachments maps networks: in priority order (highest first, then by
// name), the first being the one that carries the default route. A service
// listing none joins the project's default network.
func attachments(p *types.Project, svc types.ServiceConfig, r replica) ([]runtime.Attachment, error) {
	keys := svc.NetworksByPriority()
	if len(keys) == 0 {
		keys = []string{"default"}
	}
	var out []runtime.Attachment
	for i, key := range keys {
		cfg := svc.Networks[key]
		a := runtime.Attachment{Network: networkName(p, key)}
		if _, ok := p.Networks[key]; !ok && key != "default" {
			return nil, fmt.Errorf("spec service %q: networks: %w: network %q is not declared in the top-level networks", svc.Name, ErrInvalid, key)
		}
		if r.aliases && cfg.ServiceNameAliasEnabled() {
			a.Aliases = append(a.Aliases, svc.Name)
		}
		if cfg != nil {
			if r.aliases {
				a.Aliases = append(a.Aliases, cfg.Aliases...)
			}
			a.IPv4Address = cfg.Ipv4Address
			a.MACAddress = cfg.MacAddress
			a.Priority = cfg.Priority
		}
		if i == 0 && svc.MacAddress != "" {
			// service-level mac_address belongs to the main network
			if a.MACAddress != "" && a.MACAddress != svc.MacAddress {
				return nil, fmt.Errorf("spec service %q: mac_address: %w: %q differs from network %q's %q",
					svc.Name, ErrInvalid, svc.MacAddress, key, a.MACAddress)
			}
			a.MACAddress = svc.MacAddress
		}
		if r.number > 1 && (a.IPv4Address != "" || a.MACAddress != "") {
			return nil, fmt.Errorf("spec service %q: networks.%s: %w: replica %d cannot share the fixed address of replica 1; remove ipv4_address and mac_address to scale",
				svc.Name, key, ErrInvalid, r.number)
		}
		out = append(out, a)
	}
	return out, nil
}

// networkName is the real name of the project's network key: its name:, or
// <project>_<key> as compose-go names it.
func networkName(p *types.Project, key string) string {
	if n, ok := p.Networks[key]; ok && n.Name != "" {
		return n.Name
	}
	return p.Name + "_" + key
}

// extraHosts renders extra_hosts as sorted host:ip lines.
func extraHosts(h types.HostsList) []string {
	if len(h) == 0 {
		return nil
	}
	l := h.AsList(":")
	slices.Sort(l)
	return l
}
