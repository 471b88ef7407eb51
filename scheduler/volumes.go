package scheduler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
	"github.com/stackorch/stack/volume"
)

// LabelVolumes lists, comma-separated, the volumes a container mounts, so
// that a volume in use is never removed.
const LabelVolumes = "io.stack.volumes"

// ErrExternalVolume: an external volume the project needs does not exist.
var ErrExternalVolume = errors.New("external volume not found")

// Volumes makes the volumes a container mounts before it is created: a
// project's declared volumes labelled as Compose labels them, anonymous
// volumes (the service's and the image's VOLUMEs), each filled from the
// image's content on first use unless nocopy.
type Volumes struct {
	Store *volume.Store
	// Image, if not nil, returns what copy-up and the image's VOLUMEs need
	// of the image a reference names.
	Image   func(ctx context.Context, ref string) (ImageContent, error)
	Project *project.Project // its volumes: section; nil: none declared
	Version string           // recorded in com.docker.compose.version
	// RenewAnonymous makes a container's anonymous volumes afresh rather
	// than keeping its predecessor's (up -V).
	RenewAnonymous bool
}

// ImageContent is what volumes need of an image.
type ImageContent struct {
	Layers     []string // unpacked layer trees, bottom to top
	Volumes    []string // its VOLUMEs
	Entrypoint []string
	Cmd        []string
}

// Check fails if an external volume of the project is missing.
func (v Volumes) Check() error {
	if v.Project == nil {
		return nil
	}
	for _, key := range slices.Sorted(maps.Keys(v.Project.Volumes)) {
		cfg := v.Project.Volumes[key]
		if !bool(cfg.External) {
			continue
		}
		if _, err := v.Store.Get(cfg.Name); errors.Is(err, volume.ErrNotFound) {
			return fmt.Errorf("volume %q: %w: create it with stack volume create, or remove external: true", cfg.Name, ErrExternalVolume)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Runtime returns rt whose Create prepares the spec's volumes first.
func (v Volumes) Runtime(rt runtime.Runtime) runtime.Runtime { return volumeRuntime{rt, v} }

type volumeRuntime struct {
	runtime.Runtime
	v Volumes
}

func (r volumeRuntime) Create(ctx context.Context, spec runtime.Spec) (runtime.State, error) {
	spec, err := r.v.Prepare(ctx, spec)
	if err != nil {
		return runtime.State{}, fmt.Errorf("create container %q: %w", spec.Name, err)
	}
	return r.Runtime.Create(ctx, spec)
}

// Prepare makes the volumes spec mounts and returns spec with the image's
// VOLUMEs added as anonymous volumes and LabelVolumes, LabelCommand and
// LabelNetworks set.
func (v Volumes) Prepare(ctx context.Context, spec runtime.Spec) (runtime.Spec, error) {
	var img *ImageContent
	if v.Image != nil {
		if i, err := v.Image(ctx, spec.Image); err == nil {
			img = &i
		}
	}
	spec.Mounts = slices.Clone(spec.Mounts)
	if img != nil {
		for _, target := range img.Volumes {
			if !mounted(spec, target) {
				spec.Mounts = append(spec.Mounts, runtime.Mount{Type: runtime.MountVolume, Target: target,
					Source: service.AnonymousVolume(spec.Name, target), Anonymous: true})
			}
		}
	}
	var names []string
	for _, m := range spec.Mounts {
		if m.Type != runtime.MountVolume {
			continue
		}
		opts := volume.Options{Labels: v.labels(spec, m)}
		if img != nil && !m.NoCopy {
			layers, target := img.Layers, m.Target
			opts.Fill = func(ctx context.Context, dir string) error { return volume.CopyUp(ctx, dir, layers, target) }
		}
		if v.external(m.Source) {
			opts.Fill = nil
			if _, err := v.Store.Get(m.Source); err != nil {
				return spec, fmt.Errorf("volume %q: %w", m.Source, ErrExternalVolume)
			}
		}
		if m.Anonymous && v.RenewAnonymous {
			if err := v.Store.Remove(ctx, m.Source); err != nil && !errors.Is(err, volume.ErrNotFound) {
				return spec, err
			}
		}
		if _, _, err := v.Store.Create(ctx, m.Source, opts); err != nil {
			return spec, err
		}
		names = append(names, m.Source)
	}
	spec.Labels = maps.Clone(spec.Labels)
	if spec.Labels == nil {
		spec.Labels = map[string]string{}
	}
	if len(names) > 0 {
		spec.Labels[LabelVolumes] = strings.Join(names, ",")
	}
	if img != nil {
		spec.Labels[LabelCommand] = Command(spec, *img)
	}
	if n := networkNames(spec); n != "" {
		spec.Labels[LabelNetworks] = n
	}
	return spec, nil
}

// mounted reports whether spec already mounts something at target.
func mounted(spec runtime.Spec, target string) bool {
	for _, m := range spec.Mounts {
		if path.Clean(m.Target) == path.Clean(target) {
			return true
		}
	}
	for _, t := range spec.Tmpfs {
		if t, _, _ := strings.Cut(t, ":"); path.Clean(t) == path.Clean(target) {
			return true
		}
	}
	return false
}

// labels are the labels of a volume m of spec's container, if it makes it.
func (v Volumes) labels(spec runtime.Spec, m runtime.Mount) map[string]string {
	l := map[string]string{}
	if p := spec.Labels[service.LabelProject]; p != "" {
		l[service.LabelProject] = p
	}
	if v.Version != "" {
		l[service.LabelVersion] = v.Version
	}
	if m.Anonymous {
		l[volume.LabelAnonymous] = ""
		l[volume.LabelContainer] = spec.Name
		return l
	}
	if key, cfg, ok := v.declared(m.Source); ok {
		maps.Copy(l, cfg.Labels)
		l[service.LabelProject] = v.Project.Name
		l[service.LabelVolume] = key
	}
	return l
}

// declared finds the project's volume whose real name is name.
func (v Volumes) declared(name string) (string, projectVolume, bool) {
	if v.Project == nil {
		return "", projectVolume{}, false
	}
	for key, cfg := range v.Project.Volumes {
		if cfg.Name == name || (cfg.Name == "" && v.Project.Name+"_"+key == name) {
			return key, projectVolume{Labels: cfg.Labels, External: bool(cfg.External)}, true
		}
	}
	return "", projectVolume{}, false
}

type projectVolume struct {
	Labels   map[string]string
	External bool
}

func (v Volumes) external(name string) bool {
	_, cfg, ok := v.declared(name)
	return ok && cfg.External
}
