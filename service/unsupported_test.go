package service

import (
	"errors"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestSpecRefusesKeysItWouldSilentlyIgnore(t *testing.T) {
	cases := map[string]func(*types.ServiceConfig){
		"gpus":                   func(s *types.ServiceConfig) { s.Gpus = []types.DeviceRequest{{Count: -1}} },
		"runtime":                func(s *types.ServiceConfig) { s.Runtime = "runsc" },
		"userns_mode":            func(s *types.ServiceConfig) { s.UserNSMode = "host" },
		"uts":                    func(s *types.ServiceConfig) { s.Uts = "host" },
		"cgroup: host":           func(s *types.ServiceConfig) { s.Cgroup = "host" },
		"cgroup_parent":          func(s *types.ServiceConfig) { s.CgroupParent = "/custom" },
		"cpu_rt_runtime":         func(s *types.ServiceConfig) { s.CPURTRuntime = 950000 },
		"blkio_config":           func(s *types.ServiceConfig) { s.BlkioConfig = &types.BlkioConfig{Weight: 300} },
		"device_cgroup_rules":    func(s *types.ServiceConfig) { s.DeviceCgroupRules = []string{"c 1:3 mr"} },
		"storage_opt":            func(s *types.ServiceConfig) { s.StorageOpt = map[string]string{"size": "1G"} },
		"volume_driver":          func(s *types.ServiceConfig) { s.VolumeDriver = "nfs" },
		"use_api_socket":         func(s *types.ServiceConfig) { s.UseAPISocket = true },
		"post_start":             func(s *types.ServiceConfig) { s.PostStart = []types.ServiceHook{{}} },
		"pre_stop":               func(s *types.ServiceConfig) { s.PreStop = []types.ServiceHook{{}} },
		"external_links":         func(s *types.ServiceConfig) { s.ExternalLinks = []string{"redis"} },
		"logging.driver: syslog": func(s *types.ServiceConfig) { s.Logging = &types.LoggingConfig{Driver: "syslog"} },
		`links alias "db:database" (use networks.<name>.aliases)`: func(s *types.ServiceConfig) { s.Links = []string{"db:database"} },
		"networks.default.ipv6_address": func(s *types.ServiceConfig) {
			s.Networks = map[string]*types.ServiceNetworkConfig{"default": {Ipv6Address: "fd00::2"}}
		},
		"deploy.resources devices": func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{Resources: types.Resources{Reservations: &types.Resource{
				Devices: []types.DeviceRequest{{Capabilities: []string{"gpu"}}}}}}
		},
	}
	for key, edit := range cases {
		t.Run(key, func(t *testing.T) {
			_, err := Spec(testProject(testService("db"), testService("web", edit)), "web", 1, Options{})
			want := `spec service "web": ` + key + `: not supported by stack`
			if !errors.Is(err, ErrUnsupported) || err.Error() != want {
				t.Fatalf("error %v\nwant %s", err, want)
			}
		})
	}
}

func TestSpecNamesEveryUnsupportedKeySorted(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Runtime = "runsc"
		s.Gpus = []types.DeviceRequest{{}}
		s.Uts = "host"
	})
	_, err := Spec(testProject(svc), "web", 1, Options{})
	if want := `spec service "web": gpus, runtime, uts: not supported by stack`; err == nil || err.Error() != want {
		t.Fatalf("error %v\nwant %s", err, want)
	}
}

func TestSpecIgnoresKeysThatDoNotShapeTheContainer(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Build = &types.BuildConfig{Context: "."}
		s.PullPolicy = types.PullPolicyAlways
		s.Platform = "linux/amd64"
		s.Profiles = []string{"x"}
		s.Attach = ptr(false)
		s.Expose = types.StringOrNumberList{"9000"}
		s.Links = []string{"db", "db:db"}
		s.Logging = &types.LoggingConfig{Driver: "json-file", Options: types.Options{"max-size": "10m"}}
		s.Isolation = "default"
		s.Cgroup = "private"
		s.MemSwappiness = 10
		s.Annotations = types.Mapping{"a": "b"}
		s.Deploy = &types.DeployConfig{Mode: "replicated", Labels: types.Labels{"x": "y"},
			Placement: types.Placement{Constraints: []string{"node.role==manager"}}}
		s.Extensions = types.Extensions{"x-anything": 1}
	})
	if _, err := Spec(testProject(testService("db"), svc), "web", 1, Options{}); err != nil {
		t.Fatal(err)
	}
}
