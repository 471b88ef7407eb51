package linux

import (
	"bytes"
	"encoding/json"

	"github.com/stackorch/stack/internal/atomicfile"
)

// stateAhead is a state.json written and synced ahead of the change that
// makes it true, so that the change itself costs a rename: the running
// state is written while init builds the container, and put in place when
// init says the service runs.
type stateAhead struct {
	pending *atomicfile.Pending
	data    []byte
}

// prepareState writes the state f would make of the current one beside
// state.json; nil when it could not (setStateAhead then writes it).
func (m *monitor) prepareState(f func(*status)) *stateAhead {
	m.mu.Lock()
	st := m.st
	m.mu.Unlock()
	f(&st)
	data, err := json.Marshal(st)
	if err != nil {
		return nil
	}
	p, err := atomicfile.Prepare(m.paths.stateFile(m.id), data, 0o600)
	if err != nil {
		return nil
	}
	return &stateAhead{pending: p, data: data}
}

// abort drops a prepared state that was not put in place.
func (a *stateAhead) abort() {
	if a != nil && a.pending != nil {
		a.pending.Abort()
		a.pending = nil
	}
}

// setStateAhead changes the state with f and writes it out: by putting
// ahead in place when that is what f made, else afresh.
func (m *monitor) setStateAhead(ahead *stateAhead, f func(*status)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(&m.st)
	data, err := json.Marshal(m.st)
	if err != nil {
		return
	}
	if ahead != nil && ahead.pending != nil && bytes.Equal(data, ahead.data) {
		p := ahead.pending
		ahead.pending = nil
		if p.Commit() == nil {
			return
		}
	}
	ahead.abort()
	atomicfile.Write(m.paths.stateFile(m.id), data, 0o600)
}
