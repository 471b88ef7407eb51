package scheduler

import (
	"encoding/json"
	"slices"

	"github.com/stackorch/stack/runtime"
)

// LabelCommand is the command line a container runs, as a JSON array:
// the image's entrypoint and command merged with the spec's, as `ps`
// shows it.
const LabelCommand = "io.stack.command"

// Command is the JSON array of the command line spec runs on img: a spec
// entrypoint replaces the image's and drops the image's command, as Docker
// merges them.
func Command(spec runtime.Spec, img ImageContent) string {
	entry, cmd := img.Entrypoint, img.Cmd
	if spec.Entrypoint != nil {
		entry, cmd = spec.Entrypoint, nil
	}
	if spec.Command != nil {
		cmd = spec.Command
	}
	args := append(slices.Clone(entry), cmd...)
	if args == nil {
		args = []string{}
	}
	b, _ := json.Marshal(args)
	return string(b)
}
