package linux

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// request is one command to a monitor over its socket.
type request struct {
	Op      string        // stop, kill, pause, unpause, attach, resize
	Timeout time.Duration `json:",omitempty"` // stop: before SIGKILL
	Early   bool          `json:",omitempty"` // stop: answer once the processes are gone, before the end is recorded
	Signal  int           `json:",omitempty"` // kill
	Stdin   bool          `json:",omitempty"` // attach: the client's input goes to stdin
	Rows    uint16        `json:",omitempty"` // resize
	Cols    uint16        `json:",omitempty"` // resize
}

type reply struct {
	Error string `json:",omitempty"`
}

// call sends req to the monitor of container id and waits for its reply.
func (e *Engine) call(ctx context.Context, id string, req request) error {
	conn, err := e.exchange(ctx, id, req)
	if conn != nil {
		conn.Close()
	}
	return err
}

// exchange is call, but it returns the connection, open, after a reply
// that is not an error.
func (e *Engine) exchange(ctx context.Context, id string, req request) (net.Conn, error) {
	conn, err := e.dial(ctx, id)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	fail := func(err error) (net.Conn, error) {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return fail(err)
	}
	var r reply
	if err := json.NewDecoder(conn).Decode(&r); err != nil {
		return fail(err)
	}
	if r.Error != "" {
		return fail(fmt.Errorf("%s", r.Error))
	}
	return conn, nil
}

// dial connects to the monitor of container id. The socket's path may be
// longer than sun_path allows; it is reached through a descriptor of its
// directory.
func (e *Engine) dial(ctx context.Context, id string) (net.Conn, error) {
	dir, err := os.Open(e.o.Paths.runDir(id))
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	var d net.Dialer
	return d.DialContext(ctx, "unix", fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), filepath.Base(e.o.Paths.sockFile(id))))
}
