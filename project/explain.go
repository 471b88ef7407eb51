package project

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/go-viper/mapstructure/v2"
)

// problem is a compose-go error taken apart: which file, where, and what.
type problem struct {
	file    string // absolute, or "" when the message does not say
	line    int
	path    string // shown: services.web
	find    string // looked up for the line, when not path: services.web.bogus
	keyLine bool   // the line of the key rather than of its value
	last    bool   // the value that counts is the last file's (merged model)
	dollar  bool   // the value that counts holds a $ (interpolation)
	msg     string
	missing string // a file an extends or include names that cannot be read
}

var (
	reParse    = regexp.MustCompile(`(?s)^failed to parse (.+?): (yaml: .*)$`)
	reValidate = regexp.MustCompile(`(?s)^validating (.+?): (.*)$`)
	reInterp   = regexp.MustCompile(`^(?:error while interpolating|invalid interpolation format for) ([^\s:]+?)[.:]?(?:\s|$)`)
	rePathMsg  = regexp.MustCompile(`(?s)^((?:services|networks|volumes|secrets|configs|include|models|jobs|service)(?:\.[^\s:]+)?):? (.*)$`)
	reService  = regexp.MustCompile(`service "([^"]+)"`)
	reAddProps = regexp.MustCompile(`^additional propert(?:y|ies) (.*) not allowed$`)
	reQuoted   = regexp.MustCompile(`'([^']*)'`)
	reDecode   = regexp.MustCompile(`\[([^\]]*)\]`)
	reEnvFile  = regexp.MustCompile(`^env file (.+) not found: `)
)

// classify takes err apart. Each branch is one shape of compose-go message.
func classify(err error) problem {
	msg := err.Error()
	var missing *template.MissingRequiredError
	var badTemplate *template.InvalidTemplateError
	var decode *mapstructure.DecodeError
	var pathErr *fs.PathError
	switch {
	case reParse.MatchString(msg):
		m := reParse.FindStringSubmatch(msg)
		line, text := yamlMessage(m[2])
		return problem{file: m[1], line: line, msg: text}
	case reValidate.MatchString(msg):
		m := reValidate.FindStringSubmatch(msg)
		p := schemaProblem(m[2])
		p.file = m[1]
		return p
	case errors.As(err, &missing):
		p := problem{find: interpPath(msg), path: listless(interpPath(msg)), dollar: true}
		p.msg = fmt.Sprintf("required variable %s is missing a value", missing.Variable)
		if missing.Reason != "" {
			p.msg += ": " + missing.Reason
		}
		return p
	case errors.As(err, &badTemplate):
		return problem{find: interpPath(msg), path: listless(interpPath(msg)), dollar: true,
			msg: fmt.Sprintf("invalid interpolation format %q: escape a literal $ as $$", badTemplate.Template)}
	case reInterp.MatchString(msg): // a value of the wrong type
		p := problem{find: interpPath(msg), path: listless(interpPath(msg)), msg: msg[strings.Index(msg, ": ")+2:]}
		var num *strconv.NumError
		if errors.As(err, &num) {
			p.msg = fmt.Sprintf("%q is not a number", num.Num)
		}
		return p
	case errors.As(err, &decode):
		path := reDecode.ReplaceAllString(decode.Name(), ".$1")
		return problem{path: path, last: true, msg: decode.Unwrap().Error()}
	case reEnvFile.MatchString(msg):
		return problem{msg: fmt.Sprintf("env file %q: not found", reEnvFile.FindStringSubmatch(msg)[1])}
	case errors.As(err, &pathErr): // an extends or include file
		return problem{msg: fmt.Sprintf("%s %q: %v", pathErr.Op, pathErr.Path, pathErr.Err), missing: pathErr.Path}
	case rePathMsg.MatchString(msg) && !strings.HasPrefix(msg, "service "):
		m := rePathMsg.FindStringSubmatch(msg)
		return problem{path: m[1], last: true, msg: m[2]}
	case reService.MatchString(msg):
		name := reService.FindStringSubmatch(msg)[1]
		return problem{find: "services." + name, keyLine: true, msg: msg}
	}
	return problem{msg: msg}
}

// schemaProblem reads a JSON schema message: "<path> <what>", where path
// may be empty (the top level).
func schemaProblem(s string) problem {
	path, what, _ := strings.Cut(s, " ")
	p := problem{path: path, msg: what}
	switch m := reAddProps.FindStringSubmatch(what); {
	case what == "false schema": // a key the schema does not allow
		i := strings.LastIndex(path, ".")
		key := path[i+1:]
		p.path, p.find, p.keyLine = path[:max(i, 0)], path, true
		p.msg = fmt.Sprintf("unknown key %q", key)
	case m != nil:
		keys := reQuoted.FindAllStringSubmatch(m[1], -1)
		var quoted []string
		for _, k := range keys {
			quoted = append(quoted, strconv.Quote(k[1]))
		}
		p.msg = "unknown key " + strings.Join(quoted, ", ")
		if len(quoted) > 1 {
			p.msg = "unknown keys " + strings.Join(quoted, ", ")
		}
		if len(keys) > 0 {
			p.find, p.keyLine = strings.TrimPrefix(path+"."+keys[0][1], "."), true
		}
	default:
		p.msg = strings.NewReplacer("a array", "a list", "array", "list", "a integer", "an integer").Replace(what)
	}
	return p
}

// listless drops the "any list item" steps of a path: services.a.command.
func listless(path string) string { return strings.ReplaceAll(path, ".[]", "") }

// interpPath is the model path of an interpolation message.
func interpPath(msg string) string {
	if m := reInterp.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

var reMark = regexp.MustCompile(`^(?:(.+?) at )?line (\d+)(?:, column \d+)?: `)

// yamlMessage reads a YAML parser message, "yaml: <context> at line 1,
// column 3: line 3, column 4: <what>", into the line of the problem and
// "yaml: <what> (<context> at line 1)".
func yamlMessage(s string) (int, string) {
	for strings.HasPrefix(s, "yaml: ") {
		s = strings.TrimPrefix(s, "yaml: ")
	}
	if rest, ok := strings.CutPrefix(s, "construct errors:"); ok {
		s = strings.TrimSpace(strings.SplitN(strings.TrimSpace(rest), "\n", 2)[0])
	}
	type mark struct {
		context string
		line    int
	}
	var marks []mark
	for {
		m := reMark.FindStringSubmatch(s)
		if m == nil {
			break
		}
		n, _ := strconv.Atoi(m[2])
		marks = append(marks, mark{m[1], n})
		s = s[len(m[0]):]
	}
	// go-yaml v4.0.0-rc.4 counts parser (not scanner) lines from 0.
	shift := 0
	if strings.HasPrefix(s, "did not find expected") || strings.HasPrefix(s, "found duplicate %") || strings.HasPrefix(s, "found incompatible YAML") {
		shift = 1
	}
	for _, m := range marks {
		if strings.HasPrefix(m.context, "while parsing") {
			shift = 1
		}
	}
	line, context := 0, ""
	if len(marks) > 0 {
		line = marks[len(marks)-1].line + shift
	}
	for _, m := range marks {
		if m.context != "" {
			context = m.context
			if m.line+shift != line {
				context += " at line " + strconv.Itoa(m.line+shift)
			}
			break
		}
	}
	s = "yaml: " + oneLine(strings.TrimPrefix(s, "yaml: "))
	if context != "" {
		s += " (" + context + ")"
	}
	return line, s
}

// oneLine joins the lines of a message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
