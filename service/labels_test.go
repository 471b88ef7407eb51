package service

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestSpecLabels(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Labels = types.Labels{"app": "shop", LabelProject: "spoofed"}
		s.CustomLabels = types.Labels{LabelImage: "sha256:0123"}
		s.DependsOn = types.DependsOnConfig{
			"db":    {Condition: types.ServiceConditionHealthy, Restart: true, Required: true},
			"cache": {Condition: types.ServiceConditionStarted},
		}
	})
	s, err := Spec(testProject(svc), "web", 2, Options{Version: "1.2.3", EnvFiles: []string{"/srv/demo/.env", "/srv/demo/x.env"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"app":                "shop",
		LabelProject:         "demo",
		LabelService:         "web",
		LabelContainerNumber: "2",
		LabelOneOff:          "False",
		LabelConfigHash:      mustHash(t, svc),
		LabelWorkingDir:      "/srv/demo",
		LabelConfigFiles:     "/srv/demo/compose.yaml,/srv/demo/compose.override.yaml",
		LabelEnvironmentFile: "/srv/demo/.env,/srv/demo/x.env",
		LabelDependsOn:       "cache:service_started:false,db:service_healthy:true",
		LabelImage:           "sha256:0123",
		LabelVersion:         "1.2.3",
	}
	for k, v := range want {
		if s.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, s.Labels[k], v)
		}
	}
	if len(s.Labels) != len(want) {
		t.Errorf("labels %v, want exactly %v", s.Labels, want)
	}
}

func TestSpecLabelsLeaveOutUnsetOptions(t *testing.T) {
	s := mustSpec(t, testProject(testService("web")), "web", 1)
	for _, k := range []string{LabelVersion, LabelEnvironmentFile, LabelSlug, LabelImage} {
		if v, ok := s.Labels[k]; ok {
			t.Errorf("label %s = %q, want none", k, v)
		}
	}
	if s.Labels[LabelDependsOn] != "" {
		t.Errorf("depends_on label %q, want empty", s.Labels[LabelDependsOn])
	}
}

func TestOneOffSpecLabelsAndName(t *testing.T) {
	p := testProject(testService("web"))
	slug := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	s, err := OneOffSpec(p, "web", OneOff{Slug: slug}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "demo-web-run-0123456789ab" {
		t.Errorf("name %q", s.Name)
	}
	if s.Labels[LabelOneOff] != "True" || s.Labels[LabelSlug] != slug {
		t.Errorf("oneoff %q slug %q", s.Labels[LabelOneOff], s.Labels[LabelSlug])
	}
	if _, ok := s.Labels[LabelContainerNumber]; ok {
		t.Errorf("one-off container has a container-number label")
	}
	if _, err := OneOffSpec(p, "web", OneOff{}, Options{}); err == nil {
		t.Error("OneOffSpec without a slug succeeded")
	}
}
