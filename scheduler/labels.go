package scheduler

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
)

// Compose's container labels, as the service package writes them.
const (
	labelProject = service.LabelProject
	labelService = service.LabelService
	labelNumber  = service.LabelContainerNumber
	labelHash    = service.LabelConfigHash
	labelOneoff  = service.LabelOneOff
	labelImage   = service.LabelImage
)

// LabelNetworks lists, comma-separated, the networks a container joins
// (or its network mode: host, none, container:X), as ps shows them.
const LabelNetworks = "io.stack.networks"

// networkNames is the value of LabelNetworks for spec.
func networkNames(spec runtime.Spec) string {
	if spec.Network.Mode != "" {
		return spec.Network.Mode
	}
	var names []string
	for _, a := range spec.Network.Attachments {
		names = append(names, a.Network)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// number returns the replica number in labels.
func number(labels map[string]string) (int, bool) {
	n, err := strconv.Atoi(labels[labelNumber])
	return n, err == nil && n > 0
}

func oneoff(labels map[string]string) bool {
	return strings.EqualFold(labels[labelOneoff], "true")
}

// byNumber sorts containers by replica number, then by name; containers
// without a number come last.
func byNumber(states []runtime.State) {
	slices.SortStableFunc(states, func(a, b runtime.State) int {
		na, oka := number(a.Labels)
		nb, okb := number(b.Labels)
		switch {
		case oka && okb && na != nb:
			return cmp.Compare(na, nb)
		case oka != okb && oka:
			return -1
		case oka != okb:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
}
