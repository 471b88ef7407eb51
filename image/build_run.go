package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// run runs a RUN step through the runner and makes a layer of what it
// changed.
func (b *builder) run(ctx context.Context, st *buildState, cmd *instructions.RunCommand) (bool, error) {
	if len(cmd.FlagsUsed) > 0 {
		return false, fmt.Errorf("RUN --%s: not supported yet", cmd.FlagsUsed[0])
	}
	args, err := runArgs(st, cmd)
	if err != nil {
		return false, err
	}
	spec := RunSpec{Args: args, Env: st.runEnv(), User: st.cfg.Config.User, WorkDir: st.cfg.Config.WorkingDir,
		Output: b.opt.Output}
	if spec.WorkDir == "" {
		spec.WorkDir = "/"
	}
	if spec.Output == nil {
		spec.Output = io.Discard
	}
	key := st.chain("RUN", struct {
		Args, Env     []string
		User, WorkDir string
	}{spec.Args, spec.Env, spec.User, spec.WorkDir})
	return b.layerStep(st, key, func() (layerBlob, bool, error) {
		if b.opt.Runner == nil {
			return layerBlob{}, false, errors.New("no container engine to run it")
		}
		spec.Layers = st.trees(b.s)
		var lb layerBlob
		var empty bool
		spec.Changes = func(ctx context.Context, upper string, mounts []string) (err error) {
			lb, empty, err = b.s.layerFromUpper(ctx, upper, mounts, spec.Layers)
			return err
		}
		if err := b.opt.Runner.Run(ctx, spec); err != nil {
			return layerBlob{}, false, err
		}
		return lb, empty, nil
	})
}

// runArgs is the command of a RUN: the exec form as it is, the shell form
// (or a lone heredoc) run by the stage's SHELL.
func runArgs(st *buildState, cmd *instructions.RunCommand) ([]string, error) {
	if len(cmd.Files) > 0 {
		if !cmd.PrependShell || len(cmd.Files) != 1 || len(cmd.CmdLine) != 1 || !strings.HasPrefix(cmd.CmdLine[0], "<<") {
			return nil, errors.New("heredocs other than a lone script: not supported yet")
		}
		return append(append([]string{}, st.shell()...), cmd.Files[0].Data), nil
	}
	if len(cmd.CmdLine) == 0 {
		return nil, errors.New("no command")
	}
	return st.command(cmd.ShellDependantCmdLine), nil
}
