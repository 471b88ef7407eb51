package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/service"
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
			s, err := g.open(ctx, openOptions{nameOnly: true})
			if err != nil {
				return err
			}
			defer s.close()
			c, err := s.replica(ctx, args[0], f.index)
			if err != nil {
				return err
			}
			p := linux.Process{Args: args[1:], Env: f.env, User: f.user, WorkingDir: f.workdir, Privileged: f.privileged}
			if f.detach {
				return execDetached(ctx, s.engine, c, p)
			}
			p.Stdin, p.Stdout, p.Stderr = os.Stdin, os.Stdout, os.Stderr
			p.Tty = !f.noTty && isTerminal(os.Stdin) && isTerminal(os.Stdout)
			if p.Tty {
				defer rawTerminal(os.Stdin)()
			}
			code, err := s.engine.Exec(ctx, c.ID, p)
			if err != nil {
				return err
			}
			if code != 0 {
				return exitStatus(code)
			}
			return nil
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

// replica finds the running container number index (0: the first) of svc.
func (s *session) replica(ctx context.Context, svc string, index int) (runtime.State, error) {
	if _, err := s.services([]string{svc}); err != nil {
		return runtime.State{}, err
	}
	cs, err := s.containers(ctx, listOptions{services: []string{svc}})
	if err != nil {
		return runtime.State{}, err
	}
	for _, c := range cs {
		if index == 0 || c.Labels[service.LabelContainerNumber] == strconv.Itoa(index) {
			return c, nil
		}
	}
	if index > 0 {
		return runtime.State{}, fmt.Errorf("service %q has no running container number %d", svc, index)
	}
	return runtime.State{}, fmt.Errorf("service %q is not running", svc)
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
