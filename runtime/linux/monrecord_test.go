package linux

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"testing"

	"github.com/stackorch/stack/runtime"
)

func TestInitMessageIsTheRecordsConfigurationWithTheRunsFields(t *testing.T) {
	start := initStart{Reaper: "/lean", CgroupTasks: []string{"/a/tasks"}, OwnTasks: []string{"/b/tasks"}}
	for _, raw := range []string{
		`{"Hostname":"web","Reaper":"/old","CgroupTasks":["/x","/y"],"Tty":true}`,
		` {"Hostname":"web","Tty":true} `,
	} {
		var msg bytes.Buffer
		if err := writeInitMessage(&msg, json.RawMessage(raw), start); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		var c initConfig
		if err := json.Unmarshal(msg.Bytes(), &c); err != nil {
			t.Fatalf("%s: %q: %v", raw, msg.String(), err)
		}
		if c.Hostname != "web" || !c.Tty || c.Reaper != "/lean" || !slices.Equal(c.CgroupTasks, start.CgroupTasks) || !slices.Equal(c.OwnTasks, start.OwnTasks) {
			t.Errorf("%s: init reads %+v", raw, c)
		}
	}
	for _, c := range []struct {
		raw   string
		start initStart
		want  string
	}{
		{`{}`, initStart{}, "{}\n"},
		{` { } `, initStart{}, "{ }\n"},
		{`{"Tty":false}`, initStart{}, `{"Tty":false}` + "\n"},
		{`{}`, initStart{Reaper: "/lean"}, `{"Reaper":"/lean"}` + "\n"},
		{`{ }`, initStart{Reaper: "/lean"}, `{ "Reaper":"/lean"}` + "\n"},
	} {
		var msg bytes.Buffer
		if err := writeInitMessage(&msg, json.RawMessage(c.raw), c.start); err != nil || msg.String() != c.want {
			t.Errorf("%q with %+v: %q, %v; want %q", c.raw, c.start, msg.String(), err, c.want)
		}
	}
	for _, raw := range []string{``, `null`, `[1]`} {
		if err := writeInitMessage(io.Discard, json.RawMessage(raw), start); err == nil {
			t.Errorf("%q: no error", raw)
		}
	}
}

func TestDecodeNetworkIsWholeOnlyWithAttachments(t *testing.T) {
	whole := runtime.Network{Attachments: []runtime.Attachment{{Network: "p_default", Aliases: []string{"web"}}},
		Ports: []runtime.Port{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}, DNS: []string{"10.0.0.1"}}
	alone := runtime.Network{Mode: "container:db", IPC: "shareable", PID: "host", DNS: []string{"10.0.0.1"}}
	for _, c := range []struct {
		spec runtime.Network
		want runtime.Network
	}{
		{whole, whole},
		{alone, runtime.Network{Mode: "container:db", IPC: "shareable", PID: "host"}},
		{runtime.Network{Attachments: []runtime.Attachment{}, DNS: []string{"10.0.0.1"}}, runtime.Network{}},
	} {
		raw, err := json.Marshal(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		var got runtime.Network
		if err := decodeNetwork(raw, &got); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: decoded %+v, want %+v", raw, got, c.want)
		}
	}
}
