package scheduler_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
)

// The project every test uses.
const proj = "p"

// dep is one depends_on entry: on a service, with a condition.
type dep struct {
	on       string
	cond     string // started, healthy or completed; "" is started
	optional bool
	restart  bool
}

var conditions = map[string]string{
	"":          types.ServiceConditionStarted,
	"started":   types.ServiceConditionStarted,
	"healthy":   types.ServiceConditionHealthy,
	"completed": types.ServiceConditionCompletedSuccessfully,
}

// newGraph builds the graph of services, each with its dependencies.
func newGraph(t *testing.T, services map[string][]dep) *project.Graph {
	t.Helper()
	p := &types.Project{Name: proj, Services: types.Services{}}
	for name, deps := range services {
		svc := types.ServiceConfig{Name: name}
		for _, d := range deps {
			if svc.DependsOn == nil {
				svc.DependsOn = types.DependsOnConfig{}
			}
			svc.DependsOn[d.on] = types.ServiceDependency{Condition: conditions[d.cond], Required: !d.optional, Restart: d.restart}
		}
		p.Services[name] = svc
	}
	g, err := project.NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func labels(svc string, n int, hash string) map[string]string {
	return map[string]string{
		"com.docker.compose.project":          proj,
		"com.docker.compose.service":          svc,
		"com.docker.compose.container-number": strconv.Itoa(n),
		"com.docker.compose.config-hash":      hash,
		"com.docker.compose.oneoff":           "False",
	}
}

func cname(svc string, n int) string { return fmt.Sprintf("%s-%s-%d", proj, svc, n) }

// specs are n replicas of svc with config hash hash.
func specs(svc string, n int, hash string) []runtime.Spec {
	out := []runtime.Spec{}
	for i := 1; i <= n; i++ {
		out = append(out, runtime.Spec{Name: cname(svc, i), Image: "img", Labels: labels(svc, i, hash)})
	}
	return out
}

// state is replica n of svc as observed.
func state(svc string, n int, hash string, status runtime.Status) runtime.State {
	name := cname(svc, n)
	return runtime.State{ID: "id-" + name, Name: name, Image: "img", Labels: labels(svc, n, hash), Status: status}
}

// running is replicas 1..n of svc, running.
func running(svc string, n int, hash string) []runtime.State {
	var out []runtime.State
	for i := 1; i <= n; i++ {
		out = append(out, state(svc, i, hash, runtime.StatusRunning))
	}
	return out
}

func join[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
