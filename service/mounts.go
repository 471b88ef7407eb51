package service

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// mounts maps volumes:, then secrets: and configs: (skipping a secret or
// config whose target a volume already takes, as Docker Compose does).
// container is the container's name, which anonymous volumes are named after.
func mounts(p *types.Project, svc types.ServiceConfig, container string) ([]runtime.Mount, error) {
	var out []runtime.Mount
	taken := map[string]bool{}
	for i, v := range svc.Volumes {
		m, err := volumeMount(p, svc.Name, container, v)
		if err != nil {
			return nil, fmt.Errorf("spec service %q: volumes[%d]: %w", svc.Name, i, err)
		}
		out = append(out, m)
		taken[m.Target] = true
	}
	files, err := fileMounts(p, svc)
	if err != nil {
		return nil, err
	}
	for _, m := range files {
		if !taken[m.Target] {
			out = append(out, m)
			taken[m.Target] = true
		}
	}
	return out, nil
}

// volumeMount maps one entry of volumes:.
func volumeMount(p *types.Project, service, container string, v types.ServiceVolumeConfig) (runtime.Mount, error) {
	m := runtime.Mount{Target: v.Target, ReadOnly: v.ReadOnly}
	switch v.Type {
	case types.VolumeTypeBind:
		m.Type = runtime.MountBind
		m.Source = hostPath(p, v.Source)
		if b := v.Bind; b != nil {
			if b.Recursive != "" && b.Recursive != "enabled" {
				return m, unsupported(service, "bind.recursive: "+b.Recursive)
			}
			m.Propagation = b.Propagation
			// selinux (z, Z) relabels for SELinux, which stack does not use.
			m.CreateHostPath = bool(b.CreateHostPath)
		}
	case types.VolumeTypeVolume:
		m.Type = runtime.MountVolume
		if vv := v.Volume; vv != nil {
			if vv.Subpath != "" {
				return m, unsupported(service, "volume.subpath")
			}
			m.NoCopy = vv.NoCopy
		}
		if v.Source == "" {
			m.Source = AnonymousVolume(container, v.Target)
			m.Anonymous = true
			break
		}
		vol, ok := p.Volumes[v.Source]
		if !ok {
			return m, fmt.Errorf("%w: volume %q is not declared in the top-level volumes", ErrInvalid, v.Source)
		}
		m.Source = vol.Name
		if m.Source == "" {
			m.Source = p.Name + "_" + v.Source
		}
	case types.VolumeTypeTmpfs:
		m.Type = runtime.MountTmpfs
		if t := v.Tmpfs; t != nil {
			m.TmpfsSize = int64(t.Size)
			m.TmpfsMode = t.Mode
		}
	default:
		return m, unsupported(service, "volumes of type "+v.Type)
	}
	if !path.IsAbs(m.Target) {
		return m, fmt.Errorf("%w: target %q is not an absolute path", ErrInvalid, v.Target)
	}
	return m, nil
}

// AnonymousVolume is the name of the anonymous volume at target in a
// container: derived from both, so a recreated container (same name) gets
// its predecessor's volume back, as Docker Compose carries anonymous volumes
// over. 64 hex digits, like Docker's anonymous volume names.
func AnonymousVolume(container, target string) string {
	sum := sha256.Sum256([]byte("stack anonymous volume\x00" + container + "\x00" + path.Clean(target)))
	return hex.EncodeToString(sum[:])
}

// hostPath makes a relative host path absolute against the project's
// directory (the loader normally has done so already).
func hostPath(p *types.Project, src string) string {
	if src == "" || path.IsAbs(src) || strings.HasPrefix(src, "~") {
		return src
	}
	return path.Join(p.WorkingDir, src)
}

// volumesFrom maps volumes_from: a service becomes its first container's
// name; container:NAME stays NAME; an :ro or :rw suffix is kept.
func volumesFrom(p *types.Project, svc types.ServiceConfig) ([]string, error) {
	var out []string
	for _, ref := range svc.VolumesFrom {
		var name, mode string
		if rest, ok := strings.CutPrefix(ref, types.ContainerPrefix); ok {
			name, mode, _ = strings.Cut(rest, ":")
		} else {
			var service string
			service, mode, _ = strings.Cut(ref, ":")
			first, err := firstContainer(p, service)
			if err != nil {
				return nil, fmt.Errorf("spec service %q: volumes_from: %w", svc.Name, err)
			}
			name = first
		}
		switch mode {
		case "":
		case "ro", "rw":
			name += ":" + mode
		default:
			return nil, fmt.Errorf("spec service %q: volumes_from %q: %w mode %q", svc.Name, ref, ErrInvalid, mode)
		}
		out = append(out, name)
	}
	return out, nil
}
