package service

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// shortVolumes parses volume short syntax as compose-go's loader does.
func shortVolumes(t *testing.T, specs ...string) []types.ServiceVolumeConfig {
	t.Helper()
	var out []types.ServiceVolumeConfig
	for _, s := range specs {
		v, err := format.ParseVolume(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestSpecMountsVolumes(t *testing.T) {
	p := testProject()
	p.Volumes["data"] = types.VolumeConfig{Name: "demo_data"}
	p.Volumes["shared"] = types.VolumeConfig{Name: "company-shared", External: true}
	vols := shortVolumes(t, "data:/var/lib/data", "shared:/shared:ro,nocopy", "./src:/src:ro", "/etc/hosts:/h:rslave")
	vols = append(vols,
		types.ServiceVolumeConfig{Type: "bind", Source: "/srv/demo/conf", Target: "/conf"},
		types.ServiceVolumeConfig{Type: "bind", Source: "/srv/demo/made", Target: "/made", Bind: &types.ServiceVolumeBind{CreateHostPath: true}},
		types.ServiceVolumeConfig{Type: "tmpfs", Target: "/scratch", Tmpfs: &types.ServiceVolumeTmpfs{Size: 1 << 20, Mode: 0o700}},
	)
	p.Services["web"] = testService("web", func(s *types.ServiceConfig) { s.Volumes = vols })
	got := mustSpec(t, p, "web", 1).Mounts
	want := []runtime.Mount{
		{Type: runtime.MountVolume, Source: "demo_data", Target: "/var/lib/data"},
		{Type: runtime.MountVolume, Source: "company-shared", Target: "/shared", ReadOnly: true, NoCopy: true},
		{Type: runtime.MountBind, Source: "/srv/demo/src", Target: "/src", ReadOnly: true, CreateHostPath: true},
		{Type: runtime.MountBind, Source: "/etc/hosts", Target: "/h", Propagation: "rslave", CreateHostPath: true},
		{Type: runtime.MountBind, Source: "/srv/demo/conf", Target: "/conf"},
		{Type: runtime.MountBind, Source: "/srv/demo/made", Target: "/made", CreateHostPath: true},
		{Type: runtime.MountTmpfs, Target: "/scratch", TmpfsSize: 1 << 20, TmpfsMode: 0o700},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mounts\n got %+v\nwant %+v", got, want)
	}
}

func TestSpecNamesAnonymousVolumesPerContainer(t *testing.T) {
	p := testProject(testService("web", func(s *types.ServiceConfig) { s.Volumes = shortVolumes(t, "/cache") }))
	one, again, two := mustSpec(t, p, "web", 1).Mounts[0], mustSpec(t, p, "web", 1).Mounts[0], mustSpec(t, p, "web", 2).Mounts[0]
	if !one.Anonymous || one.Type != runtime.MountVolume || one.Target != "/cache" {
		t.Fatalf("mount %+v is not an anonymous volume at /cache", one)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(one.Source) {
		t.Errorf("anonymous volume name %q is not 64 hex digits", one.Source)
	}
	if one.Source != again.Source {
		t.Errorf("replica 1 got %q then %q: the name must be stable", one.Source, again.Source)
	}
	if one.Source == two.Source {
		t.Errorf("replicas 1 and 2 share anonymous volume %q", one.Source)
	}
	if one.Source != AnonymousVolume("demo-web-1", "/cache") {
		t.Errorf("name %q is not AnonymousVolume(container, target)", one.Source)
	}
}

func TestSpecRefusesUnsupportedVolumes(t *testing.T) {
	cases := map[string]types.ServiceVolumeConfig{
		"volumes of type npipe":    {Type: "npipe", Source: `\\.\pipe\x`, Target: "/p"},
		"volumes of type image":    {Type: "image", Source: "alpine", Target: "/img"},
		"volume.subpath":           {Type: "volume", Source: "data", Target: "/d", Volume: &types.ServiceVolumeVolume{Subpath: "sub"}},
		"bind.recursive: disabled": {Type: "bind", Source: "/x", Target: "/x", Bind: &types.ServiceVolumeBind{Recursive: "disabled"}},
	}
	for key, v := range cases {
		p := testProject(testService("web", func(s *types.ServiceConfig) { s.Volumes = []types.ServiceVolumeConfig{v} }))
		p.Volumes["data"] = types.VolumeConfig{Name: "demo_data"}
		_, err := Spec(p, "web", 1, Options{})
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v", key, err)
		}
	}
}

func TestSpecRefusesAnUndeclaredVolume(t *testing.T) {
	p := testProject(testService("web", func(s *types.ServiceConfig) { s.Volumes = shortVolumes(t, "nope:/data") }))
	_, err := Spec(p, "web", 1, Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `volume "nope" is not declared`) {
		t.Fatalf("error = %v", err)
	}
}

func TestSpecMountsSecretsAndConfigs(t *testing.T) {
	p := testProject()
	p.Environment["TOKEN"] = "from-env"
	p.Secrets = types.Secrets{
		"db_password": {Name: "demo_db_password", File: "./secrets/db.txt"},
		"token":       {Name: "demo_token", Environment: "TOKEN"},
	}
	p.Configs = types.Configs{
		"nginx": {Name: "demo_nginx", File: "/srv/demo/nginx.conf"},
		"motd":  {Name: "demo_motd", Content: "hello\n"},
	}
	mode := types.FileMode(0o440)
	p.Services["web"] = testService("web", func(s *types.ServiceConfig) {
		s.Secrets = []types.ServiceSecretConfig{
			{Source: "db_password"},
			{Source: "token", Target: "api_token", UID: "100", GID: "101", Mode: &mode},
		}
		s.Configs = []types.ServiceConfigObjConfig{
			{Source: "nginx", Target: "/etc/nginx/nginx.conf"},
			{Source: "motd"},
		}
	})
	got := mustSpec(t, p, "web", 1).Mounts
	m440 := uint32(0o440)
	want := []runtime.Mount{
		{Type: runtime.MountBind, Source: "/srv/demo/secrets/db.txt", Target: "/run/secrets/db_password", ReadOnly: true},
		{Type: runtime.MountBind, Target: "/run/secrets/api_token", ReadOnly: true, UID: "100", GID: "101", Mode: &m440, Content: []byte("from-env")},
		{Type: runtime.MountBind, Source: "/srv/demo/nginx.conf", Target: "/etc/nginx/nginx.conf", ReadOnly: true},
		{Type: runtime.MountBind, Target: "/motd", ReadOnly: true, Content: []byte("hello\n")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mounts\n got %+v\nwant %+v", got, want)
	}
}

func TestSpecLetsAVolumeTakeASecretsTarget(t *testing.T) {
	p := testProject()
	p.Secrets = types.Secrets{"s": {File: "/srv/demo/s"}}
	p.Services["web"] = testService("web", func(s *types.ServiceConfig) {
		s.Volumes = shortVolumes(t, "/host/s:/run/secrets/s")
		s.Secrets = []types.ServiceSecretConfig{{Source: "s"}}
	})
	got := mustSpec(t, p, "web", 1).Mounts
	if len(got) != 1 || got[0].Source != "/host/s" {
		t.Fatalf("mounts %+v, want only the volume", got)
	}
}

func TestSpecRefusesSecretsItCannotProvide(t *testing.T) {
	cases := []struct {
		def  types.SecretConfig
		want error
		text string
	}{
		{types.SecretConfig{External: true}, ErrUnsupported, `external secret "s"`},
		{types.SecretConfig{File: "/x", Driver: "vault"}, ErrUnsupported, `secret "s" driver`},
		{types.SecretConfig{Environment: "MISSING"}, ErrInvalid, `environment variable "MISSING" is not set`},
		{types.SecretConfig{}, ErrInvalid, `no file, content or environment`},
	}
	for _, c := range cases {
		p := testProject(testService("web", func(s *types.ServiceConfig) { s.Secrets = []types.ServiceSecretConfig{{Source: "s"}} }))
		p.Secrets = types.Secrets{"s": c.def}
		_, err := Spec(p, "web", 1, Options{})
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("secret %+v: error %v, want %v containing %q", c.def, err, c.want, c.text)
		}
	}
}

func TestSpecVolumesFrom(t *testing.T) {
	p := testProject(
		testService("data"),
		testService("named", func(s *types.ServiceConfig) { s.ContainerName = "the-named" }),
		testService("web", func(s *types.ServiceConfig) {
			s.VolumesFrom = []string{"data", "named:ro", "container:legacy", "container:other:rw"}
		}),
	)
	got := mustSpec(t, p, "web", 1).VolumesFrom
	want := []string{"demo-data-1", "the-named:ro", "legacy", "other:rw"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("volumes_from %v, want %v", got, want)
	}
	p.Services["web"] = testService("web", func(s *types.ServiceConfig) { s.VolumesFrom = []string{"ghost"} })
	if _, err := Spec(p, "web", 1, Options{}); !errors.Is(err, ErrUnknownService) {
		t.Fatalf("volumes_from an unknown service: error %v", err)
	}
}
