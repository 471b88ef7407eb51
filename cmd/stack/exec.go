package main

import (
	"context"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
)

type execFlags struct {
	noTty, detach, privileged bool
	env                       []string
	user, workdir             string
	index                     int
}

func newExecCommand(g *globalFlags) *cobra.Command {
	var f execFlags
	cmd := &cobra.Command{
		Use:   "exec [OPTIONS] SERVICE COMMAND [ARGS...]",
		Short: "Execute a command in a running container",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return g.onReplica(ctx, args[0], f.index, func(s *session, c runtime.State) error {
				p := linux.Process{Args: args[1:], Env: f.env, User: f.user, WorkingDir: f.workdir, Privileged: f.privileged}
				if f.detach {
					return execDetached(ctx, s.engine, c, p)
				}
				return execAttached(ctx, s.engine, c, p, !f.noTty)
			})
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.BoolVarP(&f.noTty, "no-TTY", "T", false, "Disable pseudo-TTY allocation. By default a TTY is allocated when stdin is one")
	fl.BoolVarP(&f.detach, "detach", "d", false, "Detached mode: Run command in the background")
	fl.BoolVar(&f.privileged, "privileged", false, "Give extended privileges to the process")
	fl.StringArrayVarP(&f.env, "env", "e", nil, "Set environment variables")
	fl.StringVarP(&f.user, "user", "u", "", "Run the command as this user")
	fl.StringVarP(&f.workdir, "workdir", "w", "", "Path to workdir directory for this command")
	fl.IntVar(&f.index, "index", 0, "Index of the container if service has multiple replicas")
	return cmd
}

// execAttached runs p in c on stack's own stdin, stdout and stderr, on a
// raw terminal if tty and both are terminals, and passes its exit code on.
func execAttached(ctx context.Context, eng *linux.Engine, c runtime.State, p linux.Process, tty bool) error {
	p.Stdin, p.Stdout, p.Stderr = os.Stdin, os.Stdout, os.Stderr
	p.Tty = tty && isTerminal(os.Stdin) && isTerminal(os.Stdout)
	if p.Tty {
		defer rawTerminal(os.Stdin)()
	}
	code, err := eng.Exec(ctx, c.ID, p)
	if err != nil {
		return err
	}
	if code != 0 {
		return exitStatus(code)
	}
	return nil
}

// execDetached starts p in c and returns once it runs, or with why it
// could not start; the process then goes on without stack.
func execDetached(ctx context.Context, eng *linux.Engine, c runtime.State, p linux.Process) error {
	errc := make(chan error, 1)
	go func() {
		_, err := eng.Exec(context.WithoutCancel(ctx), c.ID, p)
		errc <- err
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(200 * time.Millisecond): // failures to start come before
		return nil
	}
}
