package image

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// step runs one instruction of stage i on st. cached tells whether a
// file-changing step's result came from the build cache.
func (b *builder) step(ctx context.Context, st *buildState, stage int, cmd instructions.Command) (cached bool, err error) {
	env := st.expandEnv()
	if e, ok := cmd.(instructions.SupportsSingleWordExpansion); ok {
		if err := e.Expand(func(w string) (string, error) { return b.expand(w, env) }); err != nil {
			return false, err
		}
	}
	layers := len(st.layers)
	c := &st.cfg.Config
	switch cmd := cmd.(type) {
	case *instructions.EnvCommand:
		for _, kv := range cmd.Env {
			c.Env = setEnv(c.Env, kv.Key, kv.Value)
		}
	case *instructions.ArgCommand:
		b.declareArgs(st, cmd)
	case *instructions.LabelCommand:
		for _, kv := range cmd.Labels {
			if c.Labels == nil {
				c.Labels = map[string]string{}
			}
			c.Labels[kv.Key] = kv.Value
		}
	case *instructions.MaintainerCommand:
		st.cfg.Author = cmd.Maintainer
	case *instructions.UserCommand:
		c.User = cmd.User
	case *instructions.WorkdirCommand:
		dir := cmd.Path
		if !path.IsAbs(dir) {
			dir = path.Join("/", c.WorkingDir, dir)
		}
		c.WorkingDir = path.Clean(dir)
		cached, err = b.workdir(ctx, st)
	case *instructions.ExposeCommand:
		for _, p := range cmd.Ports {
			p, err := b.expand(p, env)
			if err != nil {
				return false, err
			}
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			if c.ExposedPorts == nil {
				c.ExposedPorts = map[string]struct{}{}
			}
			c.ExposedPorts[p] = struct{}{}
		}
	case *instructions.VolumeCommand:
		for _, v := range cmd.Volumes {
			if c.Volumes == nil {
				c.Volumes = map[string]struct{}{}
			}
			c.Volumes[v] = struct{}{}
		}
	case *instructions.StopSignalCommand:
		c.StopSignal = cmd.Signal
	case *instructions.CmdCommand:
		c.Cmd = st.command(cmd.ShellDependantCmdLine)
		st.cmdSet = true
	case *instructions.EntrypointCommand:
		c.Entrypoint = st.command(cmd.ShellDependantCmdLine)
		if !st.cmdSet {
			c.Cmd = nil // an inherited CMD goes with the old entrypoint, as in Docker
		}
	case *instructions.ShellCommand:
		c.Shell = cmd.Shell
	case *instructions.HealthCheckCommand:
		h := cmd.Health
		c.Healthcheck = &v1.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
			StartPeriod: h.StartPeriod, Retries: h.Retries}
	case *instructions.OnbuildCommand:
		c.OnBuild = append(c.OnBuild, cmd.Expression)
	case *instructions.CopyCommand:
		cached, err = b.copy(ctx, st, stage, copyArgs{srcs: cmd.SourcePaths, dest: cmd.DestPath, from: cmd.From,
			chown: cmd.Chown, chmod: cmd.Chmod, contents: cmd.SourceContents, parents: cmd.Parents, exclude: cmd.ExcludePatterns})
	case *instructions.AddCommand:
		if cmd.Checksum != "" {
			return false, errors.New("ADD --checksum: not supported yet")
		}
		cached, err = b.copy(ctx, st, stage, copyArgs{srcs: cmd.SourcePaths, dest: cmd.DestPath, chown: cmd.Chown,
			chmod: cmd.Chmod, contents: cmd.SourceContents, add: true, exclude: cmd.ExcludePatterns})
	case *instructions.RunCommand:
		cached, err = b.run(ctx, st, cmd)
	default:
		return false, fmt.Errorf("instruction %s: not supported", cmd.Name())
	}
	if err != nil {
		return false, err
	}
	st.cfg.History = append(st.cfg.History, v1.History{CreatedBy: historyText(cmd), EmptyLayer: len(st.layers) == layers})
	return cached, nil
}

// declareArgs gives a stage's ARGs their values: the build's, else their
// defaults, else the value of the ARG of that name before the first FROM.
func (b *builder) declareArgs(st *buildState, cmd *instructions.ArgCommand) {
	for _, kv := range cmd.Args {
		if v, ok := b.spec.Args[kv.Key]; ok {
			st.args[kv.Key] = v
		} else if kv.Value != nil {
			st.args[kv.Key] = *kv.Value
		} else if v, ok := b.meta[kv.Key]; ok {
			st.args[kv.Key] = v
		}
	}
}

// command is CMD's or ENTRYPOINT's exec form; the shell form runs in the
// stage's SHELL.
func (st *buildState) command(cl instructions.ShellDependantCmdLine) []string {
	if !cl.PrependShell {
		return append([]string{}, cl.CmdLine...)
	}
	return append(append([]string{}, st.shell()...), strings.Join(cl.CmdLine, " "))
}

// historyText is how an image's history tells a step, as buildkit does.
func historyText(cmd instructions.Command) string {
	text := strings.TrimSpace(cmdText(cmd))
	if r, ok := cmd.(*instructions.RunCommand); ok && r.PrependShell {
		return "RUN /bin/sh -c " + strings.Join(r.CmdLine, " ") + " # buildkit"
	}
	return text
}
