package linux

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/stackorch/stack/runtime"
)

// AttachOptions are the caller's ends of an attached container's streams.
type AttachOptions struct {
	Stdin  io.Reader // nil: none; its end closes the service's stdin when the spec says StdinOnce
	Stdout io.Writer
	Stderr io.Writer // a terminal's output all comes as Stdout
}

// Attach connects to the current run of container ref: its output goes to
// Stdout and Stderr and Stdin goes to its stdin (when the spec keeps
// stdin open), until the run ends or ctx is done. Output written before
// the first client attached to this run is sent first.
func (e *Engine) Attach(ctx context.Context, ref string, o AttachOptions) error {
	rec, st, err := e.load(ref)
	if err != nil {
		return err
	}
	if !st.Running() {
		return fmt.Errorf("attach to container %q: %w", rec.Spec.Name, runtime.ErrNotRunning)
	}
	conn, err := e.dial(ctx, rec.ID)
	if err != nil {
		return fmt.Errorf("attach to container %q: %w", rec.Spec.Name, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := json.NewEncoder(conn).Encode(request{Op: "attach", Stdin: o.Stdin != nil}); err != nil {
		return fmt.Errorf("attach to container %q: %w", rec.Spec.Name, err)
	}
	br := bufio.NewReader(conn)
	line, err := br.ReadBytes('\n')
	var r reply
	if err == nil {
		err = json.Unmarshal(line, &r)
	}
	if err == nil && r.Error != "" {
		err = errors.New(r.Error)
	}
	if err != nil {
		return fmt.Errorf("attach to container %q: %w", rec.Spec.Name, err)
	}
	if o.Stdin != nil {
		go func() {
			io.Copy(conn, o.Stdin)
			conn.(*net.UnixConn).CloseWrite()
		}()
	}
	err = demux(br, o.Stdout, o.Stderr)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// demux copies attach frames to their streams until the end of r.
func demux(r io.Reader, stdout, stderr io.Writer) error {
	var hdr [frameHeader]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		w := stdout
		if hdr[0] == 2 && stderr != nil {
			w = stderr
		}
		if w == nil {
			w = io.Discard
		}
		if _, err := io.CopyN(w, r, int64(binary.BigEndian.Uint32(hdr[4:]))); err != nil {
			return err
		}
	}
}

// Resize sets the window size of the terminal of container ref.
func (e *Engine) Resize(ctx context.Context, ref string, rows, cols uint16) error {
	rec, _, err := e.load(ref)
	if err != nil {
		return err
	}
	if err := e.call(ctx, rec.ID, request{Op: "resize", Rows: rows, Cols: cols}); err != nil {
		return fmt.Errorf("resize the terminal of container %q: %w", rec.Spec.Name, err)
	}
	return nil
}
