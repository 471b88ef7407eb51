package main

import (
	"context"
	"os"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
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

// engine opens the container engine on the image store.
func (g *globalFlags) engine() (*linux.Engine, error) {
	store, err := g.images()
	if err != nil {
		return nil, err
	}
	paths := g.paths()
	return linux.New(linux.Options{Paths: paths, Images: storeImages{store}, Binary: shimBinary(paths), Logger: g.logger()})
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
