package linux

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

// initConfig resolves a container's spec against its image, as Docker
// merges them, into what init needs at every start. Errors here fail
// Create, before anything exists.
func (e *Engine) initConfig(ctx context.Context, rec *record) (initConfig, error) {
	spec, img := rec.Spec, rec.Image
	dir := e.o.Paths.container(rec.ID)
	c := initConfig{
		Rootfs:     filepath.Join(dir, "rootfs"),
		Upper:      filepath.Join(dir, "upper"),
		Work:       filepath.Join(dir, "work"),
		ReadOnly:   spec.ReadOnly,
		Hostname:   spec.Hostname,
		Domainname: spec.Domainname,
		Sysctls:    spec.Sysctls,
		Privileged: spec.Privileged,
		ShmSize:    spec.ShmSize,
		Args:       commandLine(spec, img.Config),
		Env:        mergeEnv(img.Config.Env, spec.Env),
		Cwd:        firstOf(spec.WorkingDir, img.Config.WorkingDir),
		User:       firstOf(spec.User, img.Config.User),
		GroupAdd:   spec.GroupAdd,
		Rlimits:    spec.Ulimits,
		Init:       spec.Init == nil || *spec.Init,
		Tty:        spec.Tty,
		Files: map[string]string{
			"/etc/hosts":       filepath.Join(dir, "hosts"),
			"/etc/resolv.conf": filepath.Join(dir, "resolv.conf"),
			"/etc/hostname":    filepath.Join(dir, "hostname"),
		},
	}
	if c.Hostname == "" {
		c.Hostname = rec.ID[:12]
	}
	if spec.Tty {
		c.Env = mergeEnv([]string{"TERM=xterm"}, c.Env)
	}
	if len(c.Args) == 0 {
		return c, errors.New("no command specified: the image has none and the service sets none")
	}
	for i := len(img.Layers) - 1; i >= 0; i-- {
		c.Lower = append(c.Lower, img.Layers[i])
	}
	var err error
	if c.Targets, err = targetsLayer(e.o.Paths.Lib, c.Lower); err != nil {
		return c, fmt.Errorf("mount points layer: %w", err)
	}
	if c.Caps, err = capSet(spec.CapAdd, spec.CapDrop, spec.Privileged, hostCaps()); err != nil {
		return c, err
	}
	var profile *runtime.Seccomp
	unconfined := false
	for _, o := range spec.SecurityOpt {
		switch o {
		case "no-new-privileges", "no-new-privileges:true", "no-new-privileges=true":
			c.NoNewPrivs = true
		case "no-new-privileges:false", "no-new-privileges=false":
		default:
			p, unconf, ok, err := seccompOpt(o)
			if !ok {
				return c, fmt.Errorf("security_opt %q: not supported", o)
			}
			if err != nil {
				return c, err
			}
			profile, unconfined = p, unconf
		}
	}
	if c.Seccomp, err = seccompFilter(profile, unconfined, spec.Privileged, c.Caps); err != nil {
		return c, err
	}
	if err := checkRlimits(spec.Ulimits, hostCaps()["SYS_RESOURCE"]); err != nil {
		return c, err
	}
	if m := spec.Resources.Memory; m > 0 && m < 6<<20 {
		return c, fmt.Errorf("memory limit %d bytes: the minimum is 6 MB, as Docker's", m)
	}
	for k := range spec.Sysctls {
		if !namespacedSysctl(k) {
			return c, fmt.Errorf("sysctl %q is not namespaced: setting it would change the host", k)
		}
	}
	c.OOMScoreAdj = spec.OOMScoreAdj
	if c.Devices, err = devices(spec.Devices); err != nil {
		return c, err
	}
	if c.Mounts, err = e.mounts(ctx, spec, dir); err != nil {
		return c, err
	}
	from, err := e.volumesFrom(spec.VolumesFrom)
	if err != nil {
		return c, err
	}
	c.Mounts = append(from, c.Mounts...)
	return c, nil
}

// volumesFrom is every mount of the containers named, as volumes_from
// means: their binds and volumes, read-only when asked.
func (e *Engine) volumesFrom(refs []string) ([]initMount, error) {
	var out []initMount
	for _, ref := range refs {
		name, mode, _ := strings.Cut(ref, ":")
		rec, _, err := e.load(name)
		if err != nil {
			return nil, fmt.Errorf("volumes_from %q: %w", name, err)
		}
		for _, m := range rec.Init.Mounts {
			if m.Type != "bind" {
				continue
			}
			switch mode {
			case "ro":
				m.ReadOnly = true
			case "rw":
				m.ReadOnly = false
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// devices resolves the service's devices against the host's nodes.
func devices(list []runtime.Device) ([]initDevice, error) {
	var out []initDevice
	for _, d := range list {
		var st unix.Stat_t
		if err := unix.Stat(d.Source, &st); err != nil {
			return nil, fmt.Errorf("device %q: %w", d.Source, err)
		}
		access := firstOf(d.Permissions, "rwm")
		if err := checkDeviceAccess(d.Source, access); err != nil {
			return nil, err
		}
		kind := st.Mode & unix.S_IFMT
		if kind != unix.S_IFCHR && kind != unix.S_IFBLK {
			return nil, fmt.Errorf("device %q: not a device node", d.Source)
		}
		out = append(out, initDevice{Path: firstOf(d.Target, d.Source), Char: kind == unix.S_IFCHR,
			Major: unix.Major(uint64(st.Rdev)), Minor: unix.Minor(uint64(st.Rdev)), Mode: st.Mode & 0o777,
			UID: int(st.Uid), GID: int(st.Gid), Access: access})
	}
	return out, nil
}

// commandLine merges entrypoint and command as Docker does: a service
// entrypoint replaces the image's and drops the image's command.
func commandLine(spec runtime.Spec, img ImageConfig) []string {
	entry, cmd := img.Entrypoint, img.Cmd
	if spec.Entrypoint != nil {
		entry, cmd = spec.Entrypoint, nil
	}
	if spec.Command != nil {
		cmd = spec.Command
	}
	return append(slices.Clone(entry), cmd...)
}

// mergeEnv puts over on top of base, key by key, keeping base's order.
func mergeEnv(base, over []string) []string {
	out := slices.Clone(base)
	for _, kv := range over {
		k, _, _ := strings.Cut(kv, "=")
		i := slices.IndexFunc(out, func(e string) bool { return e == k || strings.HasPrefix(e, k+"=") })
		if i >= 0 {
			out[i] = kv
		} else {
			out = append(out, kv)
		}
	}
	return out
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// namespacedSysctl reports whether key belongs to a namespace the container
// has its own of (net, ipc), as Docker allows.
func namespacedSysctl(key string) bool {
	switch key {
	case "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
		"kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced":
		return true
	}
	return strings.HasPrefix(key, "net.") || strings.HasPrefix(key, "fs.mqueue.")
}

// mounts resolves the spec's mounts to host sources.
func (e *Engine) mounts(ctx context.Context, spec runtime.Spec, dir string) ([]initMount, error) {
	var out []initMount
	for i, m := range spec.Mounts {
		im := initMount{Target: m.Target, ReadOnly: m.ReadOnly, Type: "bind"}
		switch {
		case m.Content != nil:
			p, err := writeContent(dir, i, m)
			if err != nil {
				return nil, fmt.Errorf("file %q: %w", m.Target, err)
			}
			im.Source, im.File, im.ReadOnly = p, true, true
		case m.Type == runtime.MountBind:
			fi, err := os.Stat(m.Source)
			if errors.Is(err, os.ErrNotExist) && m.CreateHostPath {
				err = os.MkdirAll(m.Source, 0o755)
				fi, _ = os.Stat(m.Source)
			}
			if err != nil {
				return nil, fmt.Errorf("bind mount %q: %w", m.Source, err)
			}
			im.Source, im.File = m.Source, !fi.IsDir()
		case m.Type == runtime.MountVolume:
			if e.o.Volume == nil {
				return nil, fmt.Errorf("volume %q: this engine has no volume store", m.Source)
			}
			p, err := e.o.Volume(ctx, m.Source)
			if err != nil {
				return nil, fmt.Errorf("volume %q: %w", m.Source, err)
			}
			im.Source = p
		case m.Type == runtime.MountTmpfs:
			im.Type, im.Source, im.Data = "tmpfs", "tmpfs", tmpfsData(m.TmpfsSize, m.TmpfsMode)
		default:
			return nil, fmt.Errorf("mount %q: unknown type %q", m.Target, m.Type)
		}
		out = append(out, im)
	}
	for _, t := range spec.Tmpfs {
		target, opts, _ := strings.Cut(t, ":")
		out = append(out, initMount{Type: "tmpfs", Source: "tmpfs", Target: target, Data: opts})
	}
	return out, nil
}

func tmpfsData(size int64, mode uint32) string {
	var o []string
	if size > 0 {
		o = append(o, fmt.Sprintf("size=%d", size))
	}
	if mode != 0 {
		o = append(o, fmt.Sprintf("mode=%o", mode))
	}
	return strings.Join(o, ",")
}

// writeEtcFiles writes the hosts, resolv.conf and hostname files bound into
// the container; the network fills them in for real.
func writeEtcFiles(dir string, spec runtime.Spec) error {
	host := spec.Hostname
	if host == "" {
		host = filepath.Base(dir)[:12]
	}
	hosts := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
	for _, h := range spec.Network.ExtraHosts {
		name, ip, _ := strings.Cut(h, ":")
		hosts += ip + "\t" + name + "\n"
	}
	resolv, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		resolv = nil
	}
	for name, data := range map[string][]byte{"hosts": []byte(hosts), "resolv.conf": resolv, "hostname": []byte(host + "\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeContent writes a secret's or config's content to a file of the
// container's, with its owner and mode, to be bound read-only.
func writeContent(dir string, i int, m runtime.Mount) (string, error) {
	files := filepath.Join(dir, "files")
	if err := os.MkdirAll(files, 0o700); err != nil {
		return "", err
	}
	p := filepath.Join(files, strconv.Itoa(i))
	mode := os.FileMode(0o444)
	if m.Mode != nil {
		mode = os.FileMode(*m.Mode)
	}
	if err := os.WriteFile(p, m.Content, 0o600); err != nil {
		return "", err
	}
	uid, _ := strconv.Atoi(firstOf(m.UID, "0"))
	gid, _ := strconv.Atoi(firstOf(m.GID, "0"))
	if err := os.Chown(p, uid, gid); err != nil {
		return "", err
	}
	return p, os.Chmod(p, mode)
}
