package project

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// Docker Compose reads `env_file: {path: f, format: raw}` as `docker run
// --env-file` does: KEY=VALUE taken as is, no quotes, no interpolation.
func init() { dotenv.RegisterFormat("raw", parseRawEnv) }

// parseRawEnv reads KEY=VALUE lines into vars. Blank lines and # comments
// are skipped; a bare KEY takes its value from lookup, if it has one.
func parseRawEnv(r io.Reader, filename string, vars map[string]string, lookup func(string) (string, bool)) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := sc.Bytes()
		if n == 1 {
			text = bytes.TrimPrefix(text, []byte("\xEF\xBB\xBF"))
		}
		line := strings.TrimLeftFunc(string(text), unicode.IsSpace)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, hasValue := strings.Cut(line, "=")
		switch {
		case key == "":
			return fmt.Errorf("read env file %q: line %d: no variable name", filename, n)
		case strings.ContainsAny(key, " \t\n\v\f\r"):
			return fmt.Errorf("read env file %q: line %d: variable %q contains whitespace", filename, n, key)
		case hasValue:
			vars[key] = value
		default:
			if v, ok := lookup(key); ok {
				vars[key] = v
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read env file %q: %w", filename, err)
	}
	return nil
}
