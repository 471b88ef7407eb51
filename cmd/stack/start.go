package main

import (
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/scheduler"
)

func newStartCommand(g *globalFlags) *cobra.Command {
	var wait bool
	var waitTimeout int
	cmd := &cobra.Command{
		Use:   "start [SERVICE...]",
		Short: "Start services",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return g.onContainers(ctx, changing, args, listOptions{stopped: true}, func(s *session, services []string, cs []runtime.State) error {
				plan := scheduler.PlanStart(cs, s.p.Graph, services)
				if err := s.ensureNetworks(ctx); err != nil {
					return err
				}
				if err := s.run(ctx, plan, "Running", nil); err != nil || !wait {
					return err
				}
				return s.waitReady(ctx, replicaNames(plan, nil), waitTimeout)
			})
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	cmd.Flags().IntVar(&waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	return cmd
}

func newStopCommand(g *globalFlags) *cobra.Command {
	var timeout int
	cmd := &cobra.Command{
		Use:   "stop [OPTIONS] [SERVICE...]",
		Short: "Stop services",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return g.onContainers(ctx, changing, args, listOptions{stopped: true}, func(s *session, services []string, cs []runtime.State) error {
				return s.run(ctx, scheduler.PlanStop(cs, s.p.Graph, services), "Stopping", timeoutFlag(cmd, timeout))
			})
		},
	}
	cmd.Flags().IntVarP(&timeout, "timeout", "t", 0, "Specify a shutdown timeout in seconds")
	return cmd
}

func newRestartCommand(g *globalFlags) *cobra.Command {
	var timeout int
	var noDeps bool
	cmd := &cobra.Command{
		Use:   "restart [OPTIONS] [SERVICE...]",
		Short: "Restart service containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return g.onContainers(ctx, changing, args, listOptions{stopped: true}, func(s *session, services []string, cs []runtime.State) error {
				// Only the named services restart: --no-deps is how it is anyway.
				return s.run(ctx, scheduler.PlanRestart(cs, s.p.Graph, services), "Restarting", timeoutFlag(cmd, timeout))
			})
		},
	}
	cmd.Flags().IntVarP(&timeout, "timeout", "t", 0, "Specify a shutdown timeout in seconds")
	cmd.Flags().BoolVar(&noDeps, "no-deps", false, "Don't restart dependent services")
	return cmd
}
