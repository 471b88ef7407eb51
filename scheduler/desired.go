package scheduler

import (
	"fmt"
	"maps"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
)

// DesiredOptions are the inputs of Desired that are not in the project.
type DesiredOptions struct {
	// Scale is the --scale flags: service -> replicas.
	Scale map[string]int
	// Service is passed to service.Specs.
	Service service.Options
	// ImageID, if not nil, returns the ID of the image a reference names.
	// It is recorded in each container's LabelImage, so that a container
	// of an image since replaced is recreated. Its error fails NewDesired.
	ImageID func(ref string) (string, error)
}

// NewDesired returns what p's containers should be: every service's replica
// specs, scaled as o.Scale, scale: and deploy.replicas say.
func NewDesired(p *project.Project, o DesiredOptions) (Desired, error) {
	for name := range o.Scale {
		if _, ok := p.Services[name]; !ok {
			return Desired{}, fmt.Errorf("scale service %q: %w", name, service.ErrUnknownService)
		}
	}
	d := Desired{Project: p.Name, Graph: p.Graph, Services: map[string][]runtime.Spec{}}
	tp := *p.Project // services get image labels: leave the caller's alone
	tp.Services = maps.Clone(p.Services)
	ids := map[string]string{}
	for _, name := range tp.ServiceNames() {
		svc := tp.Services[name]
		n, err := service.Replicas(svc, o.Scale)
		if err != nil {
			return Desired{}, err
		}
		if o.ImageID != nil {
			ref := project.ImageName(&tp, name)
			id, seen := ids[ref]
			if !seen {
				if id, err = o.ImageID(ref); err != nil {
					return Desired{}, err
				}
				ids[ref] = id
			}
			svc.CustomLabels = maps.Clone(svc.CustomLabels)
			if svc.CustomLabels == nil {
				svc.CustomLabels = map[string]string{}
			}
			svc.CustomLabels[service.LabelImage] = id
			tp.Services[name] = svc
		}
		specs, err := service.Specs(&tp, name, n, o.Service)
		if err != nil {
			return Desired{}, err
		}
		d.Services[name] = specs
	}
	return d, nil
}
