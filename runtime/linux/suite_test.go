package linux

import (
	"strconv"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/runtimetest"
)

// The behaviour every runtime.Runtime has, on the real engine: the same
// suite the fake passes.
func TestEngineBehavesAsTheRuntimeContractSays(t *testing.T) {
	runtimetest.Suite(t, func(t *testing.T) runtimetest.Engine {
		e := newEngine(t)
		return runtimetest.Engine{
			Runtime: e,
			Runs: func(name string) runtime.Spec {
				return runtime.Spec{Name: name, Image: "busybox", Command: []string{"sleep", "300"}, StopGracePeriod: time.Second}
			},
			Exits: func(name string, code int) runtime.Spec {
				return runtime.Spec{Name: name, Image: "busybox", Command: []string{"sh", "-c", "exit " + strconv.Itoa(code)}}
			},
			Healthy: func(name string) runtime.Spec {
				return runtime.Spec{Name: name, Image: "busybox", Command: []string{"sleep", "300"},
					Healthcheck: &runtime.Healthcheck{Test: []string{"CMD", "true"}, Interval: 50 * time.Millisecond}}
			},
		}
	})
}
