package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/runtime/linux/limits"
)

// buildMounts are what the engine mounts in every container: stubs of them
// in a RUN step's upper directory are not changes.
var buildMounts = []string{"/proc", "/dev", "/sys", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"}

// buildLabel marks the containers of RUN steps.
const buildLabel = "org.stackorch.build"

// buildNetwork is the network RUN steps are on while a build runs.
const buildNetwork = "stack_build"

// engineRunner runs the RUN steps of builds in stack containers: one
// container per step, on the step's layers, removed once its upper
// directory has become a layer. Each step is on the build network, which
// gives it egress (and nothing else) like Docker's default bridge.
type engineRunner struct {
	paths  linux.Paths
	binary string // the monitor binary; "" means the embedded shim or this one
	g      *globalFlags
}

func (g *globalFlags) buildRunner() engineRunner {
	paths := g.paths()
	return engineRunner{paths: paths, binary: shimBinary(paths), g: g}
}

// buildImage is the one image a RUN step's engine knows: its layers.
type buildImage struct{ layers []string }

func (b buildImage) Image(context.Context, string) (linux.Image, error) {
	return linux.Image{ID: "build", Layers: b.layers}, nil
}

func (r engineRunner) Run(ctx context.Context, spec image.RunSpec) (err error) {
	e, err := linux.New(linux.Options{Paths: r.paths, Images: buildImage{spec.Layers}, Binary: r.binary, Logger: r.g.logger(), Limits: limits.Make})
	if err != nil {
		return err
	}
	nm, err := r.g.networks()
	if err != nil {
		return err
	}
	defer nm.Close()
	if _, err := nm.Ensure(ctx, network.Spec{Name: buildNetwork}); err != nil {
		return err
	}
	// The last step of the last build takes the network away.
	defer func() {
		if rerr := nm.Remove(context.WithoutCancel(ctx), buildNetwork); rerr != nil && !errors.Is(rerr, network.ErrInUse) && err == nil {
			err = rerr
		}
	}()
	var suffix [6]byte
	rand.Read(suffix[:])
	st, err := e.Create(ctx, runtime.Spec{Name: "stack-build-" + hex.EncodeToString(suffix[:]), Image: "build",
		Entrypoint: spec.Args, Command: []string{}, Env: spec.Env, User: spec.User, WorkingDir: spec.WorkDir,
		Labels:  map[string]string{buildLabel: "true"},
		Network: runtime.Network{Attachments: []runtime.Attachment{{Network: buildNetwork}}}})
	if err != nil {
		return err
	}
	defer func() {
		if rerr := e.Remove(context.WithoutCancel(ctx), st.ID, true); err == nil && rerr != nil {
			err = rerr
		}
	}()
	err = copyLog(ctx, e, st.ID, spec.Output, func() error {
		if err := e.Start(ctx, st.ID); err != nil {
			return err
		}
		var werr error
		st, werr = e.Wait(ctx, st.ID, runtime.UntilExited)
		return werr
	})
	if err != nil {
		return err
	}
	if st.ExitCode != 0 {
		return fmt.Errorf("exit code %d", st.ExitCode)
	}
	return spec.Changes(ctx, filepath.Join(r.paths.Lib, "containers", st.ID, "upper"), buildMounts)
}

// copyLog copies what container id logs to w while run runs (starting it
// and waiting for it to exit), then what is left.
func copyLog(ctx context.Context, e *linux.Engine, id string, w io.Writer, run func() error) error {
	copied := 0
	follow, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.Logs(follow, id, linux.LogOptions{Follow: true, Tail: -1}, func(le linux.LogEntry) error {
			copied++
			io.WriteString(w, le.Log)
			return nil
		})
	}()
	err := run()
	stop()
	<-done
	// The rest: what the follower had not read when it stopped.
	e.Logs(context.WithoutCancel(ctx), id, linux.LogOptions{Tail: -1}, func(le linux.LogEntry) error {
		if copied > 0 {
			copied--
		} else {
			io.WriteString(w, le.Log)
		}
		return nil
	})
	return err
}
