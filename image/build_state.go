package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	goruntime "runtime"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// buildState is a stage as far as it is built: its config and layers, and
// the cache key of its file system.
type buildState struct {
	cfg    v1.ConfigFile
	layers []layerBlob
	key    string            // hex: the base and every file-changing step so far
	args   map[string]string // the stage's ARGs with values
	cmdSet bool              // CMD was set in this stage
}

// trees are the unpacked layers of the state, bottom to top.
func (st *buildState) trees(s *Store) []string {
	out := make([]string, len(st.layers))
	for i, l := range st.layers {
		out[i] = s.layerTree(l.info.DiffID)
	}
	return out
}

// expandEnv is what variables in instructions expand from: the stage's
// ARGs, overridden by its ENV.
func (st *buildState) expandEnv() []string {
	var env []string
	for _, k := range slices.Sorted(maps.Keys(st.args)) {
		env = append(env, k+"="+st.args[k])
	}
	return append(env, st.cfg.Config.Env...)
}

// runEnv is the environment of a RUN step: ENV, and the ARGs ENV does not
// set.
func (st *buildState) runEnv() []string {
	env := slices.Clone(st.cfg.Config.Env)
	for _, k := range slices.Sorted(maps.Keys(st.args)) {
		if !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, k+"=") }) {
			env = append(env, k+"="+st.args[k])
		}
	}
	return env
}

// shell is the stage's SHELL, /bin/sh -c by default.
func (st *buildState) shell() []string {
	if len(st.cfg.Config.Shell) > 0 {
		return st.cfg.Config.Shell
	}
	return []string{"/bin/sh", "-c"}
}

// chain is the cache key of a step on this state: the state's key and the
// step's inputs.
func (st *buildState) chain(kind string, inputs any) string {
	data, err := json.Marshal(inputs)
	if err != nil {
		panic(fmt.Sprintf("cache key of %s: %v", kind, err)) // inputs are plain data
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", st.key, kind)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// clone copies a state deeply, for a stage built on another.
func (st *buildState) clone() *buildState {
	out := &buildState{layers: slices.Clone(st.layers), key: st.key, args: map[string]string{}}
	data, _ := json.Marshal(st.cfg)
	json.Unmarshal(data, &out.cfg)
	return out
}

// base starts stage i: from scratch, an earlier stage, or an image (pulled
// when it is not stored, or always with spec.Pull).
func (b *builder) base(ctx context.Context, i int) (*buildState, error) {
	name, err := b.expand(b.df.stages[i].BaseName, b.metaEnv())
	if err != nil {
		return nil, err
	}
	var st *buildState
	if j, ok := b.df.stageIndex(name, i); ok {
		st = b.built[j].clone()
	} else if strings.EqualFold(name, "scratch") {
		st = &buildState{key: "scratch", args: map[string]string{}, cfg: v1.ConfigFile{
			OS: "linux", Architecture: goruntime.GOARCH, RootFS: v1.RootFS{Type: "layers"}}}
	} else {
		img, err := b.image(ctx, name)
		if err != nil {
			return nil, err
		}
		if st, err = b.s.imageState(img.ID); err != nil {
			return nil, err
		}
	}
	if !slices.ContainsFunc(st.cfg.Config.Env, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") }) {
		st.cfg.Config.Env = append([]string{DefaultPath}, st.cfg.Config.Env...)
	}
	return st, nil
}

// image finds a base image, pulling it if it is missing or spec.Pull asks.
func (b *builder) image(ctx context.Context, name string) (Image, error) {
	normalized, err := NormalizeName(name)
	if err != nil {
		return Image{}, err
	}
	if !b.spec.Pull {
		img, err := b.s.Get(normalized)
		if !errors.Is(err, ErrNotFound) {
			return img, err
		}
	}
	p, err := b.s.Pull(ctx, normalized, b.opt.Pull)
	return p.Image, err
}

// imageState is a stored image as the start of a stage.
func (s *Store) imageState(ref string) (*buildState, error) {
	id, err := parseDigest(ref)
	if err != nil {
		return nil, err
	}
	rec, err := s.readRecord(id)
	if err != nil {
		return nil, err
	}
	m, err := s.readManifest(rec.Manifest)
	if err != nil {
		return nil, err
	}
	cf, err := s.readConfig(id)
	if err != nil {
		return nil, err
	}
	if len(cf.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("image %q: config lists %d layers, manifest %d: %w", id, len(cf.RootFS.DiffIDs), len(m.Layers), ErrFormat)
	}
	st := &buildState{cfg: *cf, key: "image " + id.String(), args: map[string]string{}}
	for i, d := range m.Layers {
		info, err := s.readLayerInfo(cf.RootFS.DiffIDs[i])
		if err != nil {
			return nil, err
		}
		st.layers = append(st.layers, layerBlob{info: info, blob: d.Digest, blobSize: d.Size, compression: compressionOf(d.MediaType)})
	}
	return st, nil
}
