package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBindsTmpfsSecretsAndConfigs(t *testing.T) {
	p := newProject(t, `
name: demo
services:
  app:
    image: busybox
    command: sleep 1d
    volumes: ["./made:/made", "./ro:/ro:ro", {type: tmpfs, target: /scratch}]
    secrets: [token]
    configs: [{source: motd, target: /etc/motd, mode: 0444}]
secrets:
  token: {file: ./token.txt}
configs:
  motd: {content: "welcome"}
`, "ro/file", "read only\n", "token.txt", "s3cret\n")
	p.ok("up", "-d")
	if fi, err := os.Stat(filepath.Join(p.dir, "made")); err != nil || !fi.IsDir() {
		t.Errorf("a short-syntax bind did not make its host directory: %v", err)
	}
	p.ok("exec", "app", "sh", "-c", "echo from-container > /made/out")
	if data, _ := os.ReadFile(filepath.Join(p.dir, "made", "out")); string(data) != "from-container\n" {
		t.Errorf("bind: host sees %q", data)
	}
	if r := p.run("exec", "app", "touch", "/ro/x"); r.code == 0 {
		t.Error(":ro bind is writable")
	}
	checks := map[string]string{
		"cat /ro/file":                            "read only\n",
		"cat /run/secrets/token":                  "s3cret\n",
		"cat /etc/motd":                           "welcome",
		"grep -c ' /scratch tmpfs ' /proc/mounts": "1\n",
	}
	for cmd, want := range checks {
		if r := p.ok("exec", "app", "sh", "-c", cmd); r.stdout != want {
			t.Errorf("%s: %q, want %q", cmd, r.stdout, want)
		}
	}
	p.write("compose.yaml", `
name: demo
services:
  app:
    image: busybox
    command: sleep 1d
    volumes: [{type: bind, source: ./nothere, target: /x}]
`)
	p.fails(`bind mount "`+filepath.Join(p.dir, "nothere")+`"`, "up", "-d", "--force-recreate")
}
