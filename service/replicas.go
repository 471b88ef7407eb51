package service

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
)

// Replicas is how many containers svc runs: scale[svc.Name] (the --scale
// flag) when present, else scale:, else deploy.replicas, else 1. Like
// compose-go, scale: and deploy.replicas may both be set only to the same
// value. A negative count is an error, and so is more than one container for
// a service with a container_name.
func Replicas(svc types.ServiceConfig, scale map[string]int) (int, error) {
	n, key := 1, ""
	if svc.Deploy != nil && svc.Deploy.Replicas != nil {
		n, key = *svc.Deploy.Replicas, "deploy.replicas"
	}
	if svc.Scale != nil {
		if key != "" && n != *svc.Scale {
			return 0, fmt.Errorf("replicas of service %q: %w: scale (%d) and deploy.replicas (%d) differ",
				svc.Name, ErrInvalid, *svc.Scale, n)
		}
		n, key = *svc.Scale, "scale"
	}
	if flag, ok := scale[svc.Name]; ok {
		n, key = flag, "--scale"
	}
	if n < 0 {
		return 0, fmt.Errorf("replicas of service %q: %w: %s %d is negative", svc.Name, ErrInvalid, key, n)
	}
	if n > 1 && svc.ContainerName != "" {
		return 0, containerNameScaleError(svc.Name, svc.ContainerName, n)
	}
	return n, nil
}
