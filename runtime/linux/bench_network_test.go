package linux

import (
	"context"
	"fmt"
	"testing"

	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime"
)

// BenchmarkCreateStartNetworked is BenchmarkCreateStart with each
// container on a bridge network: the difference is what joining a network
// costs a container (veth, address, routes, hosts and resolv.conf, DNS).
func BenchmarkCreateStartNetworked(b *testing.B) {
	e := benchEngine(b)
	nm, err := network.Open(network.Options{Lib: e.o.Paths.Lib, Run: e.o.Paths.Run})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := nm.Ensure(ctx, network.Spec{Name: "bench_default"}); err != nil {
		nm.Close()
		b.Fatal(err)
	}
	// Also when the benchmark fails half way: its containers, then the
	// network, go.
	b.Cleanup(func() {
		list, _ := e.List(ctx, nil)
		for _, c := range list {
			e.Remove(ctx, c.ID, true)
		}
		if err := nm.Remove(ctx, "bench_default"); err != nil {
			b.Errorf("remove network: %v", err)
		}
		nm.Close()
	})
	benchCreateStart(b, e, func(i int) runtime.Spec {
		return runtime.Spec{Name: fmt.Sprintf("b-%d", i), Image: "busybox", Command: []string{"sleep", "300"},
			Network: runtime.Network{Attachments: []runtime.Attachment{{Network: "bench_default"}}}}
	})
}
