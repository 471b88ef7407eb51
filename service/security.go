package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// securityOpt maps security_opt. A seccomp profile given by path (relative
// to the project directory) is read and checked here and passed on as its
// JSON, as Docker Compose sends it to the engine: a bad profile stops the
// project before anything starts. Other entries pass as written.
func securityOpt(p *types.Project, svc types.ServiceConfig) ([]string, error) {
	var out []string
	for _, o := range svc.SecurityOpt {
		path, ok := strings.CutPrefix(o, "seccomp=")
		if !ok {
			path, ok = strings.CutPrefix(o, "seccomp:")
		}
		if !ok || path == "unconfined" || strings.HasPrefix(strings.TrimSpace(path), "{") {
			out = append(out, o)
			continue
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.WorkingDir, path)
		}
		data, err := os.ReadFile(path)
		if err == nil {
			_, err = runtime.ParseSeccomp(data)
		}
		if err != nil {
			return nil, fmt.Errorf("spec service %q: security_opt seccomp profile %q: %w: %v", svc.Name, path, ErrInvalid, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			return nil, fmt.Errorf("spec service %q: security_opt seccomp profile %q: %w: %v", svc.Name, path, ErrInvalid, err)
		}
		out = append(out, "seccomp="+compact.String())
	}
	return out, nil
}
