package main

import (
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/scheduler"
)

type upFlags struct {
	createFlags
	detach, wait, noStart               bool
	alwaysRecreateDeps, noDeps, renewAV bool
	abortOnExit, abortOnFailure         bool
	noColor, noLogPrefix, timestamps    bool
	attach, noAttach                    []string
	waitTimeout, timeout                int
	exitCodeFrom                        string
}

func newUpCommand(g *globalFlags) *cobra.Command {
	var f upFlags
	cmd := &cobra.Command{
		Use:   "up [OPTIONS] [SERVICE...]",
		Short: "Create and start containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.exitCodeFrom != "" {
				f.abortOnExit = true
			}
			switch {
			case f.detach && (f.abortOnExit || f.abortOnFailure):
				return errors.New("up: --detach cannot be combined with --abort-on-container-exit, --abort-on-container-failure or --exit-code-from")
			case f.forceRecreate && f.noRecreate:
				return errors.New("up: --force-recreate and --no-recreate are incompatible")
			case f.wait:
				f.detach = true
			}
			ctx := cmd.Context()
			s, services, err := g.openServices(ctx, openOptions{lock: true}, args)
			if err != nil {
				return err
			}
			defer s.close()
			s.setVolumes(f.renewAV)
			scale, err := parseScale(f.scale)
			if err != nil {
				return err
			}
			opts := scheduler.Options{Services: services, NoDeps: f.noDeps, ForceRecreate: f.forceRecreate,
				NoRecreate: f.noRecreate, AlwaysRecreateDeps: f.alwaysRecreateDeps, RemoveOrphans: f.removeOrphans,
				NoStart: f.noStart}
			since := time.Now()
			// Ctrl-C while converging cancels what is under way.
			convergeCtx, stop := untilInterrupted(ctx)
			plan, err := s.converge(convergeCtx, convergeOptions{plan: opts, scale: scale, images: f.images(), timeout: timeoutFlag(cmd, f.timeout), title: "Running"})
			stop()
			if err != nil || g.ui.dryRun || f.noStart {
				return err
			}
			if f.wait {
				return s.waitReady(ctx, replicaNames(plan, nil), f.waitTimeout)
			}
			if f.detach {
				return nil
			}
			s.release()
			scope := s.scope(opts)
			code, err := s.attach(ctx, attachOptions{scope: scope, attach: attached(scope, services, f.attach, f.noAttach),
				since: since, abortOnExit: f.abortOnExit, abortOnFail: f.abortOnFailure, exitCodeFrom: f.exitCodeFrom,
				noPrefix: f.noLogPrefix, noColor: f.noColor, timestamps: f.timestamps, timeout: timeoutFlag(cmd, f.timeout)})
			if err == nil && code != 0 {
				err = exitStatus(code)
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.detach, "detach", "d", false, "Detached mode: Run containers in the background")
	fl.BoolVar(&f.wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	fl.IntVar(&f.waitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	f.createFlags.register(cmd)
	fl.BoolVar(&f.alwaysRecreateDeps, "always-recreate-deps", false, "Recreate dependent containers. Incompatible with --no-recreate.")
	fl.BoolVar(&f.noDeps, "no-deps", false, "Don't start linked services")
	fl.BoolVar(&f.noStart, "no-start", false, "Don't start the services after creating them")
	fl.IntVarP(&f.timeout, "timeout", "t", 0, "Use this timeout in seconds for container shutdown when attached or when containers are already running")
	fl.BoolVarP(&f.renewAV, "renew-anon-volumes", "V", false, "Recreate anonymous volumes instead of retrieving data from the previous containers")
	fl.BoolVar(&f.abortOnExit, "abort-on-container-exit", false, "Stops all containers if any container was stopped. Incompatible with -d")
	fl.BoolVar(&f.abortOnFailure, "abort-on-container-failure", false, "Stops all containers if any container exited with failure. Incompatible with -d")
	fl.StringVar(&f.exitCodeFrom, "exit-code-from", "", "Return the exit code of the selected service container. Implies --abort-on-container-exit")
	fl.StringArrayVar(&f.attach, "attach", nil, "Restrict attaching to the specified services")
	fl.StringArrayVar(&f.noAttach, "no-attach", nil, "Do not attach (stream logs) to the specified services")
	fl.BoolVar(&f.noColor, "no-color", false, "Produce monochrome output")
	fl.BoolVar(&f.noLogPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	fl.BoolVar(&f.timestamps, "timestamps", false, "Show timestamps")
	return cmd
}

// timeoutFlag is -t's value when it was given, else nil: each container's
// stop_grace_period.
func timeoutFlag(cmd *cobra.Command, v int) *int {
	if cmd.Flags().Changed("timeout") {
		return &v
	}
	return nil
}
