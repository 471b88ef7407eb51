package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime/linux"
)

// networks opens the network state; the kernel is only touched by verbs
// that change it. A removed network's bridge is deleted by a process of
// its own, the shim (whose main calls network.Reexec), or this binary: the
// kernel takes some 40 ms over it, and nothing of stack's sees it meanwhile.
func (g *globalFlags) networks() (*network.Manager, error) {
	p := g.paths()
	return network.Open(network.Options{Lib: p.Lib, Run: p.Run, Logger: g.logger(), Finisher: finisherBinary(p)})
}

// finisherBinary is the executable of the detached process that finishes
// a command's work (internal/detach): the shim, or this binary.
func finisherBinary(p linux.Paths) string {
	if shim := shimBinary(p); shim != "" {
		return shim
	}
	return "/proc/self/exe"
}

func newNetworkCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "network", Short: "Manage networks"}
	cmd.AddCommand(newNetworkListCommand(g), newNetworkInspectCommand(g))
	return cmd
}

type networkListFlags struct {
	quiet, noTrunc bool
	format         string
}

// networkRow is one line of `stack network ls`, with docker's JSON names.
type networkRow struct {
	ID, Name, Driver, Scope, IPv6, Internal, CreatedAt, Labels string
}

func newNetworkListCommand(g *globalFlags) *cobra.Command {
	var f networkListFlags
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List networks",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "" && f.format != "json" && f.format != "table" {
				return fmt.Errorf("list networks: unsupported format %q (json or table)", f.format)
			}
			m, err := g.networks()
			if err != nil {
				return err
			}
			defer m.Close()
			nets, err := m.List(cmd.Context())
			if err != nil {
				return err
			}
			return printNetworks(cmd.OutOrStdout(), nets, f)
		},
	}
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "Only display network IDs")
	cmd.Flags().BoolVar(&f.noTrunc, "no-trunc", false, "Do not truncate the output")
	cmd.Flags().StringVar(&f.format, "format", "", "Format output: table or json")
	return cmd
}

func printNetworks(w io.Writer, nets []network.Network, f networkListFlags) error {
	rows := make([]networkRow, len(nets))
	for i, n := range nets {
		id := n.ID
		if !f.noTrunc {
			id = id[:12]
		}
		rows[i] = networkRow{ID: id, Name: n.Name, Driver: n.Driver, Scope: "local", IPv6: "false",
			Internal: fmt.Sprint(n.Internal), CreatedAt: n.Created.Local().Format("2006-01-02 15:04:05.999999999 -0700 MST"),
			Labels: labelList(n.Labels)}
	}
	if f.quiet {
		for _, r := range rows {
			fmt.Fprintln(w, r.ID)
		}
		return nil
	}
	return printFormatted(w, f.format, rows, []string{"NETWORK ID", "NAME", "DRIVER", "SCOPE"},
		func(r networkRow) []string { return []string{r.ID, r.Name, r.Driver, r.Scope} })
}

func newNetworkInspectCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "inspect NETWORK [NETWORK...]",
		Short: "Display detailed information on one or more networks",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := g.networks()
			if err != nil {
				return err
			}
			defer m.Close()
			return printInspect(cmd.OutOrStdout(), args, func(name string) (networkInspect, error) {
				return inspectNetwork(cmd.Context(), m, name)
			})
		},
	}
}

// networkInspect is a network in `docker network inspect`'s shape.
type networkInspect struct {
	Name       string
	Id         string
	Created    time.Time
	Scope      string
	Driver     string
	EnableIPv6 bool
	IPAM       struct {
		Driver  string
		Options map[string]string
		Config  []ipamConfig
	}
	Internal   bool
	Attachable bool
	Ingress    bool
	Containers map[string]endpointInspect
	Options    map[string]string
	Labels     map[string]string
}

type ipamConfig struct {
	Subnet, Gateway string
	IPRange         string `json:",omitempty"`
}

type endpointInspect struct {
	Name, EndpointID, MacAddress, IPv4Address, IPv6Address string
}

// inspectNetwork is the network name as docker network inspect shows it.
func inspectNetwork(ctx context.Context, m *network.Manager, name string) (networkInspect, error) {
	n, err := m.Get(ctx, name)
	if err != nil {
		return networkInspect{}, err
	}
	in := networkInspect{Name: n.Name, Id: n.ID, Created: n.Created, Scope: "local", Driver: n.Driver,
		Internal: n.Internal, Containers: map[string]endpointInspect{}, Labels: n.Labels,
		Options: map[string]string{"com.docker.network.bridge.name": n.Bridge}}
	if n.MTU != 0 {
		in.Options["com.docker.network.driver.mtu"] = fmt.Sprint(n.MTU)
	}
	in.IPAM.Driver = "default"
	in.IPAM.Config = []ipamConfig{{Subnet: n.Subnet, Gateway: n.Gateway, IPRange: n.IPRange}}
	for _, ep := range n.Endpoints {
		in.Containers[ep.ContainerID] = endpointInspect{Name: ep.Name, EndpointID: ep.HostVeth,
			MacAddress: ep.MAC, IPv4Address: ep.IPv4}
	}
	if in.Labels == nil {
		in.Labels = map[string]string{}
	}
	return in, nil
}
