package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/mattn/go-shellwords"
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
)

type runFlags struct {
	rm, detach, noDeps, noTty, servicePorts, useAliases, removeOrphans bool
	interactive, tty                                                   bool
	env, volumes, publish, labels                                      []string
	entrypoint, name, user, workdir, pull                              string
	entrypointSet                                                      bool
}

func newRunCommand(g *globalFlags) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [OPTIONS] SERVICE [COMMAND] [ARGS...]",
		Short: "Run a one-off command on a service",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.entrypointSet = cmd.Flags().Changed("entrypoint")
			code, err := runOneOff(cmd, g, f, args[0], args[1:])
			if err == nil && code != 0 {
				err = exitStatus(code)
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.BoolVar(&f.rm, "rm", false, "Automatically remove the container when it exits")
	fl.BoolVarP(&f.detach, "detach", "d", false, "Run container in background and print container ID")
	fl.BoolVar(&f.noDeps, "no-deps", false, "Don't start linked services")
	fl.BoolVarP(&f.noTty, "no-TTY", "T", false, "Disable pseudo-TTY allocation (default: auto-detected)")
	fl.BoolVarP(&f.interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	fl.BoolVarP(&f.tty, "tty", "t", true, "Allocate a pseudo-TTY when stdin and stdout are terminals")
	fl.BoolVarP(&f.servicePorts, "service-ports", "P", false, "Run command with all service's ports enabled and mapped to the host")
	fl.BoolVar(&f.useAliases, "use-aliases", false, "Use the service's network useAliases in the network(s) the container connects to")
	fl.BoolVar(&f.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	fl.StringArrayVarP(&f.env, "env", "e", nil, "Set environment variables")
	fl.StringArrayVarP(&f.volumes, "volume", "v", nil, "Bind mount a volume")
	fl.StringArrayVarP(&f.publish, "publish", "p", nil, "Publish a container's port(s) to the host")
	fl.StringArrayVarP(&f.labels, "label", "l", nil, "Add or override a label")
	fl.StringVar(&f.entrypoint, "entrypoint", "", "Override the entrypoint of the image")
	fl.StringVar(&f.name, "name", "", "Assign a name to the container")
	fl.StringVarP(&f.user, "user", "u", "", "Run as specified username or uid")
	fl.StringVarP(&f.workdir, "workdir", "w", "", "Working directory inside the container")
	fl.StringVar(&f.pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never"|"policy")`)
	return cmd
}

// oneOffSpec is the spec of the one-off container of svc with the flags
// applied to the service first, as Docker Compose applies them.
func (f runFlags) oneOffSpec(p *types.Project, name string, command []string) (runtime.Spec, error) {
	svc := p.Services[name]
	if len(command) > 0 {
		svc.Command = command
	}
	if f.entrypointSet {
		words, err := shellwords.Parse(f.entrypoint)
		if err != nil {
			return runtime.Spec{}, fmt.Errorf("run: --entrypoint %q: %w", f.entrypoint, err)
		}
		svc.Entrypoint = words
	}
	env := types.MappingWithEquals{}
	for k, v := range svc.Environment {
		env[k] = v
	}
	for _, kv := range f.env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			if v, ok = os.LookupEnv(k); !ok {
				continue
			}
		}
		env[k] = &v
	}
	svc.Environment = env
	if f.user != "" {
		svc.User = f.user
	}
	if f.workdir != "" {
		svc.WorkingDir = f.workdir
	}
	// As Docker Compose: a terminal when stack has one, stdin kept open and
	// closed when stack's own ends.
	svc.Tty = f.tty && !f.noTty && isTerminal(os.Stdin) && isTerminal(os.Stdout)
	svc.StdinOpen = f.interactive
	for _, v := range f.volumes {
		vol, err := format.ParseVolume(v)
		if err != nil {
			return runtime.Spec{}, fmt.Errorf("run: --volume %q: %w", v, err)
		}
		if vol.Type == types.VolumeTypeBind && !filepath.IsAbs(vol.Source) {
			vol.Source = filepath.Join(p.WorkingDir, vol.Source)
		}
		if vol.Type == types.VolumeTypeBind {
			vol.Bind = &types.ServiceVolumeBind{CreateHostPath: true}
		}
		if vol.Type == types.VolumeTypeVolume && vol.Source != "" {
			if _, ok := p.Volumes[vol.Source]; !ok {
				p.Volumes[vol.Source] = types.VolumeConfig{Name: vol.Source}
			}
		}
		svc.Volumes = append(svc.Volumes, vol)
	}
	ports := f.servicePorts
	if len(f.publish) > 0 {
		svc.Ports, ports = nil, true
		for _, s := range f.publish {
			pcs, err := types.ParsePortConfig(s)
			if err != nil {
				return runtime.Spec{}, fmt.Errorf("run: --publish %q: %w", s, err)
			}
			svc.Ports = append(svc.Ports, pcs...)
		}
	}
	if f.name != "" {
		svc.ContainerName = f.name
	}
	p.Services[name] = svc
	slug := make([]byte, 32)
	rand.Read(slug)
	spec, err := service.OneOffSpec(p, name, service.OneOff{Slug: hex.EncodeToString(slug), ServicePorts: ports, UseAliases: f.useAliases},
		service.Options{Version: versionString()})
	if err != nil {
		return spec, err
	}
	for _, kv := range f.labels {
		k, v, _ := strings.Cut(kv, "=")
		spec.Labels[k] = v
	}
	spec.StdinOnce = spec.StdinOpen && !f.detach
	return spec, nil
}
