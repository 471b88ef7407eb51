package project

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileNames are the compose file names looked for, in order of preference;
// OverrideFileNames are the override files merged on top of the one found.
// Docker Compose prefers them in this order.
var (
	FileNames         = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
	OverrideFileNames = []string{"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"}
)

// findFiles fills s.files when no -f was given: from COMPOSE_FILE, else
// the first compose file found walking up from the project directory, with
// its override file beside it.
func (s *settings) findFiles() error {
	if len(s.files) > 0 {
		return nil
	}
	if v, ok := s.env[EnvFile]; ok && v != "" {
		sep := s.env[EnvPathSeparator]
		if sep == "" {
			sep = string(os.PathListSeparator)
		}
		for _, f := range strings.Split(v, sep) {
			if f == "" {
				continue
			}
			path := s.abs(f)
			if err := regularFile(path); err != nil {
				return fmt.Errorf("compose file %q set by %s: %w", f, EnvFile, err)
			}
			s.files = append(s.files, path)
		}
		if len(s.files) > 0 {
			return nil
		}
	}
	for dir := s.workDir(); ; {
		if found := existing(dir, FileNames); len(found) > 0 {
			if len(found) > 1 {
				s.log.Warn("found several compose files, using the first", "files", strings.Join(found, ", "))
			}
			s.files = append(s.files, found[0])
			if over := existing(dir, OverrideFileNames); len(over) > 0 {
				if len(over) > 1 {
					s.log.Warn("found several override files, using the first", "files", strings.Join(over, ", "))
				}
				s.files = append(s.files, over[0])
			}
			return nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return fmt.Errorf("%w: no compose file (%s) in %q or above", ErrNoConfig, strings.Join(FileNames, ", "), s.workDir())
		}
		dir = parent
	}
}

// existing returns the names in dir that exist, as absolute paths.
func existing(dir string, names []string) []string {
	var out []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// regularFile checks that path is a file that can be read as a compose file.
func regularFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case os.IsNotExist(err):
		return ErrNotFound
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("is a directory")
	case !fi.Mode().IsRegular():
		return fmt.Errorf("not a regular file")
	}
	return nil
}
