package main

import (
	"context"
	"os"
	"slices"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/runtime/linux/limits"
	"github.com/stackorch/stack/scheduler"
	"github.com/stackorch/stack/volume"
)

// paths are stack's state directories: --root, else $STACK_ROOT, else
// /var/lib/stack and /run/stack.
func (g *globalFlags) paths() linux.Paths {
	root := g.root
	if root == "" {
		root = os.Getenv("STACK_ROOT")
	}
	return linux.PathsAt(root)
}

// images opens the image store.
func (g *globalFlags) images() (*image.Store, error) {
	return image.Open(g.paths().Lib)
}

// volumes opens the volume store.
func (g *globalFlags) volumes() (*volume.Store, error) {
	return volume.Open(g.paths().Lib)
}

// engine opens the container engine on the image and volume stores. A
// volume the engine mounts is made if missing: the scheduler has made and
// filled the project's before.
func (g *globalFlags) engine() (*linux.Engine, error) {
	store, err := g.images()
	if err != nil {
		return nil, err
	}
	vols, err := g.volumes()
	if err != nil {
		return nil, err
	}
	paths := g.paths()
	return linux.New(linux.Options{Paths: paths, Images: storeImages{store}, Binary: shimBinary(paths), Reaper: reaperBinary(paths), Logger: g.logger(),
		Limits: limits.Make, DeferRemoval: true, // session.close sweeps
		Volume: func(ctx context.Context, name string) (string, error) {
			v, _, err := vols.Create(ctx, name, volume.Options{})
			return v.Mountpoint, err
		}})
}

// engineVolumes opens the engine and the volume store, for the volume verbs
// that ask the engine which volumes containers use.
func (g *globalFlags) engineVolumes() (*linux.Engine, *volume.Store, error) {
	eng, err := g.engine()
	if err != nil {
		return nil, nil, err
	}
	vols, err := g.volumes()
	if err != nil {
		return nil, nil, err
	}
	return eng, vols, nil
}

// content is what the scheduler's volumes need of an image: its layers for
// copy-up, its VOLUMEs, its command.
func (si storeImages) content(ctx context.Context, ref string) (scheduler.ImageContent, error) {
	img, err := si.s.Get(ref)
	if err != nil {
		return scheduler.ImageContent{}, err
	}
	c := scheduler.ImageContent{Layers: img.Layers, Entrypoint: img.Config.Entrypoint, Cmd: img.Config.Cmd}
	for v := range img.Config.Volumes {
		c.Volumes = append(c.Volumes, v)
	}
	slices.Sort(c.Volumes)
	return c, nil
}

// storeImages gives the engine the store's images in the engine's terms.
type storeImages struct{ s *image.Store }

func (si storeImages) Image(ctx context.Context, ref string) (linux.Image, error) {
	img, err := si.s.Get(ref)
	if err != nil {
		return linux.Image{}, err
	}
	c := img.Config
	out := linux.Image{ID: img.ID, Layers: img.Layers, Config: linux.ImageConfig{
		User: c.User, Env: c.Env, Entrypoint: c.Entrypoint, Cmd: c.Cmd, WorkingDir: c.WorkingDir,
		StopSignal: c.StopSignal, Labels: c.Labels,
	}}
	for v := range c.Volumes {
		out.Config.Volumes = append(out.Config.Volumes, v)
	}
	if h := c.Healthcheck; h != nil {
		out.Config.Healthcheck = &runtime.Healthcheck{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
			StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	return out, nil
}
