package service

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

func TestSpecResources(t *testing.T) {
	cases := []struct {
		name string
		edit func(*types.ServiceConfig)
		want runtime.Resources
	}{
		{name: "none", want: runtime.Resources{}},
		{name: "top-level keys", edit: func(s *types.ServiceConfig) {
			s.MemLimit = 64 << 20
			s.MemReservation = 32 << 20
			s.MemSwapLimit = -1
			s.CPUS = 1.5
			s.CPUShares = 512
			s.CPUSet = "0-1"
			s.CPUPeriod = 100000
			s.CPUQuota = 50000
			s.PidsLimit = 100
			s.OomKillDisable = true
		}, want: runtime.Resources{Memory: 64 << 20, MemoryReservation: 32 << 20, MemorySwap: -1, NanoCPUs: 1.5e9,
			CPUShares: 512, CPUSet: "0-1", CPUPeriod: 100000, CPUQuota: 50000, PidsLimit: 100, OOMKillDisable: true}},
		{name: "cpus keeps its decimal value", edit: func(s *types.ServiceConfig) { s.CPUS = 0.1 },
			want: runtime.Resources{NanoCPUs: 1e8}},
		{name: "deploy limits and reservations", edit: func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{Resources: types.Resources{
				Limits:       &types.Resource{NanoCPUs: 0.25, MemoryBytes: 128 << 20, Pids: 50},
				Reservations: &types.Resource{NanoCPUs: 2, MemoryBytes: 16 << 20},
			}}
		}, want: runtime.Resources{Memory: 128 << 20, MemoryReservation: 16 << 20, NanoCPUs: 2.5e8, PidsLimit: 50}},
		{name: "deploy limits override equal top-level keys", edit: func(s *types.ServiceConfig) {
			s.MemLimit = 128 << 20
			s.CPUS = 0.5
			s.Deploy = &types.DeployConfig{Resources: types.Resources{Limits: &types.Resource{NanoCPUs: 0.5, MemoryBytes: 128 << 20}}}
		}, want: runtime.Resources{Memory: 128 << 20, NanoCPUs: 5e8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mustSpec(t, testProject(testService("web", opt(c.edit))), "web", 1).Resources
			if got != c.want {
				t.Fatalf("resources\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestSpecUlimitsAreSortedAndSingleValuesSetBoth(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Ulimits = map[string]*types.UlimitsConfig{
			"nproc":  {Single: 65535},
			"nofile": {Soft: 1024, Hard: 4096},
			"core":   {Single: 0, Soft: 0, Hard: 0},
		}
	})
	got := mustSpec(t, testProject(svc), "web", 1).Ulimits
	want := []runtime.Ulimit{{Name: "core"}, {Name: "nofile", Soft: 1024, Hard: 4096}, {Name: "nproc", Soft: 65535, Hard: 65535}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ulimits %+v, want %+v", got, want)
	}
}

func TestSpecDevices(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Devices = []types.DeviceMapping{
			{Source: "/dev/fuse", Target: "/dev/fuse", Permissions: "rwm"},
			{Source: "/dev/ttyUSB0", Target: "/dev/ttyACM0", Permissions: "r"},
			{Source: "/dev/kvm"},
		}
	})
	got := mustSpec(t, testProject(svc), "web", 1).Devices
	want := []runtime.Device{
		{Source: "/dev/fuse", Target: "/dev/fuse", Permissions: "rwm"},
		{Source: "/dev/ttyUSB0", Target: "/dev/ttyACM0", Permissions: "r"},
		{Source: "/dev/kvm", Target: "/dev/kvm", Permissions: "rwm"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("devices %+v, want %+v", got, want)
	}
}

func TestSpecRefusesCDIDevices(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Devices = []types.DeviceMapping{{Source: "nvidia.com/gpu=all", Target: "nvidia.com/gpu=all"}}
	})
	_, err := Spec(testProject(svc), "web", 1, Options{})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `CDI device "nvidia.com/gpu=all"`) {
		t.Fatalf("error = %v", err)
	}
}
