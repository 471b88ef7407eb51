package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
)

// Networks makes and removes a project's networks, labelled as Compose
// labels them.
type Networks struct {
	Manager *network.Manager
	Project *project.Project
	Version string
	// Event, if not nil, hears of each network made or removed.
	Event func(name string, s Status)
}

// Ensure makes the project's networks, in name order; an external one must
// exist.
func (n Networks) Ensure(ctx context.Context) error {
	for _, key := range slices.Sorted(maps.Keys(n.Project.Networks)) {
		spec, err := n.spec(key, n.Project.Networks[key])
		if err != nil {
			return err
		}
		_, err = n.Manager.Get(ctx, spec.Name)
		exists := err == nil
		if !exists && spec.External {
			return fmt.Errorf("network %q: %w: it is external, create it first", spec.Name, network.ErrNotFound)
		}
		if !exists {
			n.event(spec.Name, Creating)
		}
		// Even an existing one: its bridge and rules come back after a reboot.
		if _, err := n.Manager.Ensure(ctx, spec); err != nil {
			n.event(spec.Name, Failed)
			return err
		}
		if !exists {
			n.event(spec.Name, Created)
		}
	}
	return nil
}

// Remove removes the networks made for the project. One still in use by
// another project's container is left, with a warning in the error.
func (n Networks) Remove(ctx context.Context) error {
	nets, err := n.Manager.List(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, net := range nets {
		if net.Labels[service.LabelProject] != n.Project.Name {
			continue
		}
		n.event(net.Name, Removing)
		if err := n.Manager.Remove(ctx, net.Name); err != nil && !errors.Is(err, network.ErrNotFound) {
			n.event(net.Name, Failed)
			errs = append(errs, err)
			continue
		}
		n.event(net.Name, Removed)
	}
	return errors.Join(errs...)
}

func (n Networks) event(name string, s Status) {
	if n.Event != nil {
		n.Event(name, s)
	}
}

// spec maps the compose network key.
func (n Networks) spec(key string, cfg types.NetworkConfig) (network.Spec, error) {
	s := network.Spec{Name: cfg.Name, Driver: cfg.Driver, Internal: cfg.Internal, External: bool(cfg.External),
		Labels: map[string]string{}}
	if s.Name == "" {
		s.Name = n.Project.Name + "_" + key
	}
	if cfg.EnableIPv6 != nil {
		s.EnableIPv6 = *cfg.EnableIPv6
	}
	maps.Copy(s.Labels, cfg.Labels)
	s.Labels[service.LabelProject] = n.Project.Name
	s.Labels[service.LabelNetwork] = key
	if n.Version != "" {
		s.Labels[service.LabelVersion] = n.Version
	}
	for i, pool := range cfg.Ipam.Config {
		if i > 0 {
			return s, fmt.Errorf("network %q: %w: more than one ipam config", s.Name, network.ErrUnsupported)
		}
		s.Subnet, s.Gateway, s.IPRange = pool.Subnet, pool.Gateway, pool.IPRange
	}
	if name := cfg.DriverOpts["com.docker.network.bridge.name"]; name != "" {
		s.BridgeName = name
	}
	if mtu := cfg.DriverOpts["com.docker.network.driver.mtu"]; mtu != "" {
		v, err := strconv.Atoi(mtu)
		if err != nil {
			return s, fmt.Errorf("network %q: driver_opts mtu %q: %w", s.Name, mtu, network.ErrInvalid)
		}
		s.MTU = v
	}
	return s, nil
}

// Ports are the host ports the plan's new containers publish, for
// network.Manager.CheckPorts before anything starts.
func (p Plan) Ports() []runtime.Port {
	var out []runtime.Port
	for _, o := range p.Ops {
		if o.Kind == OpCreate && !p.NoStart {
			out = append(out, o.Spec.Network.Ports...)
		}
	}
	return out
}
