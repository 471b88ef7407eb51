package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
)

func newPortCommand(g *globalFlags) *cobra.Command {
	var protocol string
	var index int
	cmd := &cobra.Command{
		Use:   "port [OPTIONS] SERVICE PRIVATE_PORT",
		Short: "Print the public port for a port binding",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			private, err := strconv.ParseUint(args[1], 10, 16)
			if err != nil {
				return fmt.Errorf("port: %q is not a port number", args[1])
			}
			ctx := cmd.Context()
			return g.onReplica(ctx, args[0], index, func(s *session, c runtime.State) error {
				nets, err := s.networks(nil)
				if err != nil {
					return err
				}
				ports, err := nets.Manager.Ports(ctx, c.ID)
				if err != nil {
					return err
				}
				for _, p := range ports {
					if int(p.ContainerPort) == int(private) && strings.EqualFold(firstNonEmpty(p.Protocol, "tcp"), protocol) {
						fmt.Fprintf(cmd.OutOrStdout(), "%s:%d\n", firstNonEmpty(p.HostIP, "0.0.0.0"), p.HostPort)
						return nil
					}
				}
				return fmt.Errorf("no port %d/%s published for service %q", private, protocol, args[0])
			})
		},
	}
	cmd.Flags().StringVar(&protocol, "protocol", "tcp", "tcp or udp")
	cmd.Flags().IntVar(&index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
