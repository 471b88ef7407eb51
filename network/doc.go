// Package network gives containers their networks: Linux bridges named
// stk-<id>, IPAM that avoids the host's routes and remembers its
// allocations, a veth per attachment whose peer is created inside the
// container's network namespace, egress masquerade, isolation and published
// ports in the one nftables table "stack", and an embedded DNS server at
// 127.0.0.11 in every container.
//
// State: networks are remembered under <Lib>/network (they outlive a
// reboot, as Docker's do); endpoints, which die with their network
// namespace, under <Run>/network/endpoints/<network>/<container>.json. The
// endpoint files are also the DNS registry: every container's DNS server
// watches the directories of its networks with inotify, so answers change
// the moment a replica is attached or detached. One flock (<Run>/network/lock)
// serializes every change, across CLIs and monitors.
//
// Who calls what:
//
//   - the CLI or scheduler: Open, Ensure a network before its containers,
//     CheckPorts before anything starts, Remove after the last container,
//     List and Get for `stack network ls|inspect`;
//   - a container's monitor, once per run, after init is cloned with a new
//     network namespace and before init is let go: Attach (with
//     /proc/<pid>/ns/net), Attached.WriteFiles, NewResolver and StartDNS;
//     when the run ends: DNSServer.Close and Detach. In between it holds
//     the host ports it publishes and no connection to the kernel: Attach
//     and Detach open what they need and close it again, unless the
//     Manager already keeps its connections (a CLI's, after Ensure).
package network

import "errors"

// Sentinels, checked with errors.Is.
var (
	ErrNotFound    = errors.New("no such network")
	ErrInUse       = errors.New("network has active endpoints")
	ErrConflict    = errors.New("exists with a different configuration")
	ErrInvalid     = errors.New("invalid")
	ErrUnsupported = errors.New("not supported")
	ErrNoSubnet    = errors.New("no free subnet in the default pools")
	ErrNoAddress   = errors.New("no free address")
	ErrAddressUsed = errors.New("address already in use")
	ErrPortUsed    = errors.New("port is already allocated")
)
