package service

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// Options are the inputs of a spec that are not in the compose files.
type Options struct {
	Version  string   // stack's version, recorded in LabelVersion when set
	EnvFiles []string // the --env-file paths, recorded in LabelEnvironmentFile
}

// OneOff says how to make a one-off container (stack run).
type OneOff struct {
	// Slug is the caller's random hex identity of the run; the container's
	// name takes its first 12 characters and LabelSlug all of it.
	Slug string
	// ServicePorts publishes the service's ports (run --service-ports);
	// without it a one-off container publishes none, as Docker Compose.
	ServicePorts bool
	// UseAliases registers the service name and network aliases for the
	// container (run --use-aliases); without it only its own name answers.
	UseAliases bool
}

// Specs returns the specs of replicas 1 to replicas of service name.
func Specs(p *types.Project, name string, replicas int, o Options) ([]runtime.Spec, error) {
	if replicas < 0 {
		return nil, fmt.Errorf("spec service %q: %w: %d replicas", name, ErrInvalid, replicas)
	}
	specs := make([]runtime.Spec, 0, replicas)
	for n := 1; n <= replicas; n++ {
		s, err := Spec(p, name, n, o)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	return specs, nil
}

// Spec returns the spec of replica n (from 1) of service name. Numbers are
// kept across scaling, so n may exceed the service's current replica count.
func Spec(p *types.Project, name string, n int, o Options) (runtime.Spec, error) {
	svc, ok := p.Services[name]
	if !ok {
		return runtime.Spec{}, fmt.Errorf("spec service %q: %w", name, ErrUnknownService)
	}
	cname, err := Name(p, svc, n)
	if err != nil {
		return runtime.Spec{}, err
	}
	return build(p, svc, replica{name: cname, number: n, aliases: true, ports: true}, o)
}

// OneOffSpec returns the spec of a one-off container of service name.
// Flags of stack run that override the service (-e, -u, -w, --entrypoint,
// -v, -p, --name) are applied by the caller to the service before, or to the
// spec after.
func OneOffSpec(p *types.Project, name string, run OneOff, o Options) (runtime.Spec, error) {
	svc, ok := p.Services[name]
	if !ok {
		return runtime.Spec{}, fmt.Errorf("spec service %q: %w", name, ErrUnknownService)
	}
	if run.Slug == "" {
		return runtime.Spec{}, fmt.Errorf("spec one-off of service %q: %w: empty slug", name, ErrInvalid)
	}
	cname := svc.ContainerName // Docker Compose's run takes it too
	if cname == "" {
		cname = OneOffName(p.Name, name, run.Slug)
	}
	return build(p, svc, replica{name: cname, slug: run.Slug, aliases: run.UseAliases, ports: run.ServicePorts}, o)
}

// replica is what differs between the containers of one service.
type replica struct {
	name    string
	number  int    // 0 for a one-off container
	slug    string // one-off containers only
	aliases bool   // register the service name and network aliases
	ports   bool   // publish the service's ports
}

// build maps every container-affecting key of svc onto a spec.
func build(p *types.Project, svc types.ServiceConfig, r replica, o Options) (runtime.Spec, error) {
	if err := checkSupported(svc); err != nil {
		return runtime.Spec{}, err
	}
	l, err := labels(p, svc, r.number, r.slug, o)
	if err != nil {
		return runtime.Spec{}, err
	}
	s := runtime.Spec{
		Name:        r.name,
		Image:       imageName(p, svc),
		Labels:      l,
		Hostname:    svc.Hostname,
		Domainname:  svc.DomainName,
		Entrypoint:  slices.Clone([]string(svc.Entrypoint)),
		Command:     slices.Clone([]string(svc.Command)),
		Env:         environ(svc.Environment),
		WorkingDir:  svc.WorkingDir,
		User:        svc.User,
		GroupAdd:    slices.Clone(svc.GroupAdd),
		Tty:         svc.Tty,
		StdinOpen:   svc.StdinOpen,
		ReadOnly:    svc.ReadOnly,
		Privileged:  svc.Privileged,
		CapAdd:      slices.Clone(svc.CapAdd),
		CapDrop:     slices.Clone(svc.CapDrop),
		Sysctls:     mapping(svc.Sysctls),
		Ulimits:     ulimits(svc.Ulimits),
		Tmpfs:       slices.Clone([]string(svc.Tmpfs)),
		ShmSize:     int64(svc.ShmSize),
		OOMScoreAdj: int(svc.OomScoreAdj),
		Resources:   resources(svc),
		StopSignal:  svc.StopSignal,
		Healthcheck: healthcheck(svc.HealthCheck),
	}
	if svc.Init != nil {
		v := *svc.Init
		s.Init = &v
	}
	if svc.StopGracePeriod != nil {
		s.StopGracePeriod = time.Duration(*svc.StopGracePeriod)
	}
	if s.SecurityOpt, err = securityOpt(p, svc); err != nil {
		return runtime.Spec{}, err
	}
	if s.Devices, err = devices(svc); err != nil {
		return runtime.Spec{}, err
	}
	if s.Restart, err = restartPolicy(svc); err != nil {
		return runtime.Spec{}, err
	}
	if s.Mounts, err = mounts(p, svc, r.name); err != nil {
		return runtime.Spec{}, err
	}
	if s.VolumesFrom, err = volumesFrom(p, svc); err != nil {
		return runtime.Spec{}, err
	}
	if s.Network, err = network(p, svc, r); err != nil {
		return runtime.Spec{}, err
	}
	return s, nil
}

// imageName is the service's image, or for a service that is only built,
// the name Docker Compose tags the build with: <project>-<service>.
func imageName(p *types.Project, svc types.ServiceConfig) string {
	if svc.Image != "" {
		return svc.Image
	}
	return p.Name + "-" + svc.Name
}

// environ renders the environment as sorted KEY=VALUE lines. A variable
// without a value (environment: [KEY] with KEY unset where the project was
// loaded) is left out, as Docker Compose leaves it unset.
func environ(env types.MappingWithEquals) []string {
	var out []string
	for k, v := range env {
		if v != nil {
			out = append(out, k+"="+*v)
		}
	}
	sort.Strings(out)
	return out
}

// mapping copies m, nil when empty.
func mapping(m types.Mapping) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
