package service

import (
	"context"
	"reflect"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// load loads an inline compose file as project demo in /srv/demo, through
// compose-go's loader as the project package does.
func load(t *testing.T, yaml string, env types.Mapping) *types.Project {
	t.Helper()
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  "/srv/demo",
		ConfigFiles: []types.ConfigFile{{Filename: "/srv/demo/compose.yaml", Content: []byte(yaml)}},
		Environment: env,
	}, func(o *loader.Options) {
		o.SetProjectName("demo", true)
		o.SkipResolveEnvironment = true
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const webYAML = `
services:
  web:
    build: ./web
    scale: 2
    environment:
      GREETING: hello
      FROM_HOST:
      TAG: ${TAG:-latest}
    ports: ["8000-8001:80"]
    volumes: ["data:/data", "./static:/static:ro", "/cache"]
    depends_on:
      db: {condition: service_healthy}
  db:
    image: postgres:16
    networks: [back]
volumes:
  data: {}
networks:
  back: {name: shared-back}
`

func TestHashIsStableAcrossLoadsOfTheSameFiles(t *testing.T) {
	want := mustHash(t, load(t, webYAML, nil).Services["web"])
	for range 10 {
		if got := mustHash(t, load(t, webYAML, nil).Services["web"]); got != want {
			t.Fatalf("hash %s, want %s", got, want)
		}
	}
	if got := mustHash(t, load(t, webYAML, types.Mapping{"TAG": "v2"}).Services["web"]); got == want {
		t.Fatal("an interpolated value changed and the hash did not")
	}
}

func TestHashOfLoadedFilesIgnoresScaleAndDependsOnCondition(t *testing.T) {
	want := mustHash(t, load(t, webYAML, nil).Services["web"])
	edited := load(t, webYAML, nil)
	web := edited.Services["web"]
	web.SetScale(5)
	web.DependsOn["db"] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
	if got := mustHash(t, web); got != want {
		t.Fatal("scale or a depends_on condition changed the hash")
	}
}

func TestSpecsOfALoadedProject(t *testing.T) {
	p := load(t, webYAML, nil)
	n, err := Replicas(p.Services["web"], nil)
	if err != nil || n != 2 {
		t.Fatalf("Replicas = %d, %v", n, err)
	}
	specs, err := Specs(p, "web", n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	second := specs[1]
	if second.Name != "demo-web-2" || second.Image != "demo-web" {
		t.Errorf("name %q image %q", second.Name, second.Image)
	}
	if want := []string{"GREETING=hello", "TAG=latest"}; !reflect.DeepEqual(second.Env, want) {
		t.Errorf("env %v, want %v", second.Env, want)
	}
	if want := []runtime.Port{{HostPort: 8001, ContainerPort: 80, Protocol: "tcp"}}; !reflect.DeepEqual(second.Network.Ports, want) {
		t.Errorf("ports %+v, want %+v", second.Network.Ports, want)
	}
	if want := []runtime.Attachment{{Network: "demo_default", Aliases: []string{"web"}}}; !reflect.DeepEqual(second.Network.Attachments, want) {
		t.Errorf("attachments %+v, want %+v", second.Network.Attachments, want)
	}
	m := second.Mounts
	if len(m) != 3 || m[0].Source != "demo_data" || m[1].Source != "/srv/demo/static" || !m[1].ReadOnly ||
		!m[1].CreateHostPath || m[2].Source != AnonymousVolume("demo-web-2", "/cache") {
		t.Errorf("mounts %+v", m)
	}
	if got := second.Labels[LabelDependsOn]; got != "db:service_healthy:false" {
		t.Errorf("depends_on label %q", got)
	}
	db, err := Spec(p, "db", 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []runtime.Attachment{{Network: "shared-back", Aliases: []string{"db"}}}; !reflect.DeepEqual(db.Network.Attachments, want) {
		t.Errorf("db attachments %+v, want %+v", db.Network.Attachments, want)
	}
}
