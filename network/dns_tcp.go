package network

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// TCP limits of the embedded server: at most maxTCPClients connections
// open at once (the ones past it are reset as they are accepted, so a
// flood of connections costs the monitor neither a descriptor nor a
// goroutine each), each closed when a query takes longer than tcpTimeout
// to arrive or an answer longer than that to leave, or after tcpTimeout
// idle between queries.
const (
	maxTCPClients = 32
	tcpTimeout    = 2 * time.Second
)

// tcpLimiter is a listener that keeps at most max connections open.
type tcpLimiter struct {
	net.Listener
	max  int32
	open atomic.Int32
}

func (l *tcpLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) > l.max {
			l.open.Add(-1)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) // a reset: no TIME_WAIT left behind
			}
			c.Close()
			continue
		}
		return &tcpClient{Conn: c, l: l}, nil
	}
}

// tcpClient is an accepted connection: it frees its place when closed, and
// it closes itself when an answer cannot be written in time (the asker
// does not read), so the server stops reading its queries at once.
type tcpClient struct {
	net.Conn
	l    *tcpLimiter
	once sync.Once
}

func (c *tcpClient) Write(b []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(tcpTimeout))
	n, err := c.Conn.Write(b)
	if err != nil {
		c.Conn.Close()
	}
	return n, err
}

func (c *tcpClient) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.open.Add(-1) })
	return err
}
