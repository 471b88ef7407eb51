package linux

import "path/filepath"

// Paths are the directories the engine keeps its state in.
type Paths struct {
	Lib string // persistent: container configs, state, logs, upper layers
	Run string // volatile: monitor locks and sockets, netns pins
}

// DefaultPaths are /var/lib/stack and /run/stack.
var DefaultPaths = Paths{Lib: "/var/lib/stack", Run: "/run/stack"}

// PathsAt puts both directories under root, for --root and for tests.
func PathsAt(root string) Paths {
	if root == "" {
		return DefaultPaths
	}
	return Paths{Lib: root, Run: filepath.Join(root, "run")}
}

func (p Paths) containers() string         { return filepath.Join(p.Lib, "containers") }
func (p Paths) names() string              { return filepath.Join(p.Lib, "names") }
func (p Paths) container(id string) string { return filepath.Join(p.containers(), id) }
func (p Paths) runDir(id string) string    { return filepath.Join(p.Run, "containers", id) }

// files of one container
func (p Paths) configFile(id string) string { return filepath.Join(p.container(id), "config.json") }
func (p Paths) stateFile(id string) string  { return filepath.Join(p.container(id), "state.json") }
func (p Paths) logFile(id string) string    { return filepath.Join(p.container(id), "container.log") }
func (p Paths) lockFile(id string) string   { return filepath.Join(p.runDir(id), "monitor.lock") }
func (p Paths) sockFile(id string) string   { return filepath.Join(p.runDir(id), "monitor.sock") }
