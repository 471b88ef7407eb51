package main

import (
	"context"
	"fmt"
	"io"

	"github.com/stackorch/stack/image"
)

// pullImage pulls ref into s. Unless quiet it prints header (if any), then
// each layer's progress on w, as docker pull does.
func (g *globalFlags) pullImage(ctx context.Context, s *image.Store, ref string, w io.Writer, quiet bool, header string) (image.Pulled, error) {
	opt := image.PullOptions{RegistryOptions: registryOptions()}
	var done func()
	opt.Progress, done = g.layers(w, quiet, header, "Pulling fs layer")
	defer done()
	return s.Pull(ctx, ref, opt)
}

// pushImage pushes ref from s. Unless quiet it prints header (if any), then
// each layer's progress on w, as docker push does.
func (g *globalFlags) pushImage(ctx context.Context, s *image.Store, ref string, w io.Writer, quiet bool, header string) (image.Pushed, error) {
	opt := image.PushOptions{RegistryOptions: registryOptions()}
	var done func()
	opt.Progress, done = g.layers(w, quiet, header, "Preparing")
	defer done()
	return s.Push(ctx, ref, opt)
}

// layers starts showing the layers of a pull or push on w, after header,
// unless quiet (report is then nil); waiting is what a layer not begun is
// called. done ends the display.
func (g *globalFlags) layers(w io.Writer, quiet bool, header, waiting string) (report func(image.Progress), done func()) {
	if quiet {
		return nil, func() {}
	}
	if header != "" {
		fmt.Fprintln(w, header)
	}
	bars := g.newLayerProgress(w, map[string]string{image.StatusWaiting: waiting})
	return bars.report, bars.close
}
