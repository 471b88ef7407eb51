package service

import (
	"fmt"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// unsupported is the error for a key stack does not implement.
func unsupported(service, key string) error {
	return fmt.Errorf("spec service %q: %s: %w", service, key, ErrUnsupported)
}

// checkSupported refuses the keys whose silent ignoring would surprise:
// those that change what a container may do, how it is isolated or limited,
// or what runs in it. Every key it names is listed, sorted.
//
// Keys ignored on purpose, because they do not shape the container or are
// handled elsewhere: build, pull_policy, pull_refresh_after, platform and
// dockerfile (images); depends_on, profiles, extends, attach, develop, scale
// and deploy.replicas (project and scheduler); expose (documentation only
// without Swarm); deploy.mode, labels, placement, update_config,
// rollback_config, endpoint_mode and reservations.cpus (Swarm only, ignored
// by Docker Compose too); credential_spec and isolation: default (Windows);
// annotations; mem_swappiness (tuning, not a limit); bind selinux (stack does
// not relabel); logging options (stack writes json-file logs); links without
// an alias (the service name resolves anyway); x-* extensions.
func checkSupported(svc types.ServiceConfig) error {
	var keys []string
	add := func(cond bool, key string) {
		if cond {
			keys = append(keys, key)
		}
	}
	add(len(svc.Gpus) > 0, "gpus")
	add(svc.Runtime != "", "runtime")
	add(svc.Isolation != "" && svc.Isolation != "default", "isolation")
	add(svc.UserNSMode != "", "userns_mode")
	add(svc.Uts != "", "uts")
	add(svc.Cgroup == "host", "cgroup: host")
	add(svc.CgroupParent != "", "cgroup_parent")
	add(svc.CPUCount != 0, "cpu_count")
	add(svc.CPUPercent != 0, "cpu_percent")
	add(svc.CPURTPeriod != 0, "cpu_rt_period")
	add(svc.CPURTRuntime != 0, "cpu_rt_runtime")
	add(svc.BlkioConfig != nil, "blkio_config")
	add(len(svc.DeviceCgroupRules) > 0, "device_cgroup_rules")
	add(len(svc.StorageOpt) > 0, "storage_opt")
	add(svc.VolumeDriver != "" && svc.VolumeDriver != "local", "volume_driver")
	add(svc.Umask != nil, "umask")
	add(svc.UseAPISocket, "use_api_socket")
	add(svc.Provider != nil, "provider")
	add(len(svc.Models) > 0, "models")
	add(len(svc.PreStart) > 0, "pre_start")
	add(len(svc.PostStart) > 0, "post_start")
	add(len(svc.PreStop) > 0, "pre_stop")
	add(len(svc.ExternalLinks) > 0, "external_links")
	add(svc.Net != "", "net (use network_mode)")
	add(!logDriverOK(svc.LogDriver), "log_driver: "+svc.LogDriver)
	if svc.Logging != nil {
		add(!logDriverOK(svc.Logging.Driver), "logging.driver: "+svc.Logging.Driver)
	}
	for _, link := range svc.Links {
		name, alias, ok := strings.Cut(link, ":")
		add(ok && alias != name, fmt.Sprintf("links alias %q (use networks.<name>.aliases)", link))
	}
	for key, cfg := range svc.Networks {
		if cfg == nil {
			continue
		}
		add(cfg.Ipv6Address != "", "networks."+key+".ipv6_address")
		add(len(cfg.LinkLocalIPs) > 0, "networks."+key+".link_local_ips")
		add(cfg.InterfaceName != "", "networks."+key+".interface_name")
		add(cfg.GatewayPriority != 0, "networks."+key+".gw_priority")
		add(len(cfg.DriverOpts) > 0, "networks."+key+".driver_opts")
	}
	if svc.Deploy != nil {
		for _, r := range []*types.Resource{svc.Deploy.Resources.Limits, svc.Deploy.Resources.Reservations} {
			if r != nil {
				add(len(r.Devices) > 0, "deploy.resources devices")
				add(len(r.GenericResources) > 0, "deploy.resources generic_resources")
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	return unsupported(svc.Name, strings.Join(keys, ", "))
}

// logDriverOK: stack always writes json-file logs, which is what these ask
// for (local and none only change where or whether, not who reads them).
func logDriverOK(driver string) bool {
	switch driver {
	case "", "json-file", "local", "none":
		return true
	}
	return false
}
