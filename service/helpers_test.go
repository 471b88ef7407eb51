package service

import (
	"github.com/compose-spec/compose-go/v2/types"
)

// testProject is a project named demo in /srv/demo holding services, with
// the default network compose-go would have added.
func testProject(services ...types.ServiceConfig) *types.Project {
	p := &types.Project{
		Name:         "demo",
		WorkingDir:   "/srv/demo",
		ComposeFiles: []string{"/srv/demo/compose.yaml", "/srv/demo/compose.override.yaml"},
		Services:     types.Services{},
		Networks:     types.Networks{"default": {Name: "demo_default"}},
		Volumes:      types.Volumes{},
		Environment:  types.Mapping{},
	}
	for _, s := range services {
		p.Services[s.Name] = s
	}
	return p
}

// testService is a service named name running image alpine, changed by edits.
func testService(name string, edits ...func(*types.ServiceConfig)) types.ServiceConfig {
	s := types.ServiceConfig{Name: name}
	s.Image = "alpine:3.20"
	s.Command = types.ShellCommand{"sleep", "infinity"}
	s.Environment = types.MappingWithEquals{"A": ptr("1"), "B": ptr("2")}
	s.Networks = map[string]*types.ServiceNetworkConfig{"default": nil}
	for _, e := range edits {
		e(&s)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func mustHash(t interface{ Fatal(...any) }, s types.ServiceConfig) string {
	h, err := Hash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
