package service

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// fileMounts maps secrets: (under /run/secrets/) and configs: (under /) to
// read-only file mounts: a bind of the file for file:, the content itself
// for content: and environment:.
func fileMounts(p *types.Project, svc types.ServiceConfig) ([]runtime.Mount, error) {
	var out []runtime.Mount
	for _, ref := range svc.Secrets {
		def, ok := p.Secrets[ref.Source]
		if !ok {
			return nil, fmt.Errorf("spec service %q: secret %q: %w: not declared in the top-level secrets", svc.Name, ref.Source, ErrInvalid)
		}
		m, err := fileMount(p, svc.Name, "secret", types.FileReferenceConfig(ref), types.FileObjectConfig(def), "/run/secrets/")
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, ref := range svc.Configs {
		def, ok := p.Configs[ref.Source]
		if !ok {
			return nil, fmt.Errorf("spec service %q: config %q: %w: not declared in the top-level configs", svc.Name, ref.Source, ErrInvalid)
		}
		m, err := fileMount(p, svc.Name, "config", types.FileReferenceConfig(ref), types.FileObjectConfig(def), "/")
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// fileMount maps one secret or config (kind) reference; base is where a
// relative or missing target goes.
func fileMount(p *types.Project, service, kind string, ref types.FileReferenceConfig, def types.FileObjectConfig, base string) (runtime.Mount, error) {
	what := fmt.Sprintf("%s %q", kind, ref.Source)
	switch {
	case bool(def.External):
		return runtime.Mount{}, unsupported(service, "external "+what)
	case def.Driver != "":
		return runtime.Mount{}, unsupported(service, what+" driver")
	case def.TemplateDriver != "":
		return runtime.Mount{}, unsupported(service, what+" template_driver")
	}
	target := ref.Target
	if target == "" {
		target = base + ref.Source
	} else if !strings.HasPrefix(target, "/") {
		target = base + target
	}
	m := runtime.Mount{Type: runtime.MountBind, Target: target, ReadOnly: true, UID: ref.UID, GID: ref.GID}
	if ref.Mode != nil {
		mode := uint32(*ref.Mode)
		m.Mode = &mode
	}
	switch {
	case def.Environment != "":
		v, ok := p.Environment[def.Environment]
		if !ok {
			return m, fmt.Errorf("spec service %q: %s: %w: environment variable %q is not set", service, what, ErrInvalid, def.Environment)
		}
		m.Content = []byte(v)
	case def.Content != "":
		m.Content = []byte(def.Content)
	case def.File != "":
		m.Source = hostPath(p, def.File)
	default:
		return m, fmt.Errorf("spec service %q: %s: %w: it has no file, content or environment", service, what, ErrInvalid)
	}
	return m, nil
}
