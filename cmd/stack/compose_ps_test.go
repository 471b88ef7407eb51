package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestPsListsWithComposeFieldsAndFilters(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  web: {image: busybox, command: sleep 1d, labels: {tier: front}, networks: [default, back]}
  job: {image: busybox, command: sh -c 'exit 2', network_mode: none}
networks:
  back: {}
`)
	p.ok("up", "-d")
	if r := p.run("wait", "job"); r.code != 2 {
		t.Fatalf("wait job: exit %d, want the job's 2: %s", r.code, r.stderr)
	}
	r := p.ok("ps", "--format", "json")
	var row map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &row); err != nil {
		t.Fatalf("ps --format json (only running): %v\n%s", err, r.stdout)
	}
	for _, key := range []string{"Name", "ID", "Service", "Project", "State", "Health", "ExitCode", "Publishers", "Command", "Image", "Labels", "CreatedAt", "Status"} {
		if _, ok := row[key]; !ok {
			t.Errorf("ps --format json lacks %s: %s", key, r.stdout)
		}
	}
	if row["Name"] != "demo-web-1" || row["Command"] != "sleep 1d" || row["Image"] != "busybox" || !strings.Contains(row["Labels"].(string), "tier=front") ||
		row["Networks"] != "demo_back,demo_default" {
		t.Errorf("row: %v", row)
	}
	if !regexp.MustCompile(`^Up `).MatchString(row["Status"].(string)) {
		t.Errorf("status %q", row["Status"])
	}
	all := p.ps()
	if job := all["demo-job-1"]; job.State != "exited" || job.ExitCode != 2 || !strings.HasPrefix(job.Status, "Exited (2) ") {
		t.Errorf("job: %+v", job)
	}
	if r := p.ok("ps", "-a", "--format", "{{.Networks}}", "job"); r.stdout != "none\n" {
		t.Errorf("ps networks of a network_mode none job: %q", r.stdout)
	}
	if r := p.ok("ps", "-q"); strings.TrimSpace(r.stdout) != all["demo-web-1"].ID {
		t.Errorf("ps -q: %q", r.stdout)
	}
	if r := p.ok("ps", "-a", "--services"); r.stdout != "job\nweb\n" {
		t.Errorf("ps --services: %q", r.stdout)
	}
	if r := p.ok("ps", "--status", "exited", "--format", "{{.Name}} {{.ExitCode}}"); r.stdout != "demo-job-1 2\n" {
		t.Errorf("ps --status exited: %q", r.stdout)
	}
	if r := p.ok("ps", "--filter", "status=running", "--format", "{{.Service}}"); r.stdout != "web\n" {
		t.Errorf("ps --filter status=running: %q", r.stdout)
	}
	r = p.ok("ps", "-a", "--format", "table {{.Name}}\t{{.State}}", "job")
	if strings.Join(strings.Fields(r.stdout), " ") != "NAME STATE demo-job-1 exited" {
		t.Errorf("ps table template: %q", r.stdout)
	}
	r = p.ok("ps", "-a")
	if !strings.HasPrefix(strings.Join(strings.Fields(r.stdout), " "), "NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS demo-job-1 busybox \"sh -c exit 2\" job") {
		t.Errorf("ps table:\n%s", r.stdout)
	}
	r = p.ok("ls")
	if strings.Join(strings.Fields(r.stdout), " ") != "NAME STATUS CONFIG FILES demo exited(1), running(1) "+p.dir+"/compose.yaml" {
		t.Errorf("ls:\n%s", r.stdout)
	}
	if r := p.ok("ls", "-q"); r.stdout != "demo\n" {
		t.Errorf("ls -q: %q", r.stdout)
	}
	p.ok("stop")
	if r := p.ok("ls", "--format", "json"); r.stdout != "[]\n" {
		t.Errorf("ls of a stopped project: %q", r.stdout)
	}
	if r := p.ok("ls", "-a", "--format", "json"); !strings.Contains(r.stdout, `"Status":"exited(2)"`) {
		t.Errorf("ls -a: %q", r.stdout)
	}
}
