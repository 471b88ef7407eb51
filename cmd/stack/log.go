package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/sirupsen/logrus"
)

// warnHandler prints slog records of warning level and above as
// "stack: warning: <msg> key=value ..." lines.
type warnHandler struct {
	w     io.Writer
	attrs []slog.Attr
}

func (h warnHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h warnHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("stack: warning: " + r.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	b.WriteByte('\n')
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h warnHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return warnHandler{w: h.w, attrs: append(slices.Clip(h.attrs), as...)}
}

func (h warnHandler) WithGroup(string) slog.Handler { return h }

// logrusWarnings prints compose-go's warnings (it logs through logrus) the
// same way.
type logrusWarnings struct{}

func (logrusWarnings) Format(e *logrus.Entry) ([]byte, error) {
	return []byte("stack: warning: " + e.Message + "\n"), nil
}

func init() {
	logrus.SetFormatter(logrusWarnings{})
	logrus.SetOutput(os.Stderr)
}
