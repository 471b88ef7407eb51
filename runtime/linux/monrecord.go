package linux

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"github.com/stackorch/stack/runtime"
)

// monitorRecord is what a monitor decodes of its container's record
// (config.json). encoding/json builds, and a monitor keeps for its whole
// life, encoders and field lists for every type under the one it decodes:
// for the whole record, tens of kilobytes of a monitor's heap. So a
// monitor decodes the parts it acts on and keeps init's configuration as
// written: it hands that on to init, and decodes it only to exec
// (healthchecks).
type monitorRecord struct {
	ID    string
	Spec  monitorSpec
	Image struct {
		Config struct {
			StopSignal  string
			Healthcheck *runtime.Healthcheck
		}
	}
	Init json.RawMessage
}

// monitorSpec is the part of a runtime.Spec a monitor acts on.
type monitorSpec struct {
	Name            string
	Tty             bool
	StdinOpen       bool
	StdinOnce       bool
	StopSignal      string
	StopGracePeriod time.Duration
	Restart         runtime.RestartPolicy
	Healthcheck     *runtime.Healthcheck
	Network         json.RawMessage // decoded whole only with attachments
}

// decodeNetwork decodes a spec's network, whole only if it has
// attachments (a monitor attaches the container to its networks); else
// the modes of its namespaces alone, which spares a container on no
// network the encoders of the network's types. The record is
// encoding/json's, which writes a slice without attachments as null (or
// []).
func decodeNetwork(raw json.RawMessage, n *runtime.Network) error {
	if len(raw) == 0 {
		return nil
	}
	if !bytes.Contains(raw, []byte(`"Attachments":null`)) && !bytes.Contains(raw, []byte(`"Attachments":[]`)) {
		return json.Unmarshal(raw, n)
	}
	var modes struct{ Mode, IPC, PID string }
	if err := json.Unmarshal(raw, &modes); err != nil {
		return err
	}
	n.Mode, n.IPC, n.PID = modes.Mode, modes.IPC, modes.PID
	return nil
}

// monitorInit is the part of init's configuration a monitor acts on: it
// makes the root file system too (openOverlay).
type monitorInit struct {
	Hostname string
	Init     bool
	Tty      bool
	Lower    []string
	Targets  string
	Upper    string
	Work     string
}

// loadRecord reads the container's record into m.rec, all but init's
// configuration, of which only the fields of monitorInit.
func (m *monitor) loadRecord() error {
	data, err := os.ReadFile(m.paths.configFile(m.id))
	if err != nil {
		return err
	}
	var r monitorRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	var in monitorInit
	if err := json.Unmarshal(r.Init, &in); err != nil {
		return err
	}
	s := &m.rec.Spec
	m.rec.ID = r.ID
	s.Name, s.Tty, s.StdinOpen, s.StdinOnce = r.Spec.Name, r.Spec.Tty, r.Spec.StdinOpen, r.Spec.StdinOnce
	s.StopSignal, s.StopGracePeriod, s.Restart = r.Spec.StopSignal, r.Spec.StopGracePeriod, r.Spec.Restart
	s.Healthcheck = r.Spec.Healthcheck
	if err := decodeNetwork(r.Spec.Network, &s.Network); err != nil {
		return err
	}
	m.rec.Image.Config.StopSignal, m.rec.Image.Config.Healthcheck = r.Image.Config.StopSignal, r.Image.Config.Healthcheck
	m.rec.Init.Hostname, m.rec.Init.Init, m.rec.Init.Tty = in.Hostname, in.Init, in.Tty
	m.rec.Init.Lower, m.rec.Init.Upper, m.rec.Init.Work = in.Lower, in.Upper, in.Work
	m.rec.Init.Targets = in.Targets
	m.initRaw = r.Init
	return nil
}

// execRecord is the record with init's whole configuration, which exec
// needs; decoded once, at the first exec.
func (m *monitor) execRecord() (*record, error) {
	m.execOnce.Do(func() {
		r := m.rec
		if m.execErr = json.Unmarshal(m.initRaw, &r.Init); m.execErr == nil {
			m.execRec = &r
		}
	})
	return m.execRec, m.execErr
}

// execState is what execRecord decodes once.
type execState struct {
	execOnce sync.Once
	execRec  *record
	execErr  error
}

// initStart is what each run adds to init's configuration.
type initStart struct {
	Lower       []string `json:",omitempty"` // with the targets layer on top
	Reaper      string   `json:",omitempty"`
	CgroupTasks []string `json:",omitempty"`
	OwnTasks    []string `json:",omitempty"`
}

// writeInitMessage writes what init reads for a run: its configuration as
// the record has it, with start's fields after the record's own (of two
// equal keys, encoding/json, which init decodes with, keeps the later).
// It writes the record's bytes as they are, without a copy.
func writeInitMessage(w io.Writer, raw json.RawMessage, start initStart) error {
	extra, err := json.Marshal(start)
	if err != nil {
		return err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return errors.New("init configuration: not a JSON object")
	}
	body := extra[1 : len(extra)-1]
	if len(body) > 0 && len(bytes.TrimSpace(raw[1:len(raw)-1])) > 0 {
		extra[0] = ','
	} else {
		extra = extra[1:]
	}
	extra[len(extra)-1] = '}'
	if _, err := w.Write(raw[:len(raw)-1]); err != nil {
		return err
	}
	_, err = w.Write(append(extra, '\n'))
	return err
}
