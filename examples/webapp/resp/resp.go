// Package resp speaks enough of the Redis protocol (RESP2) for the
// examples: a client that sends commands, and the reading and writing a
// server needs.
package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// ReadCommand reads one command: an array of bulk strings, or an inline
// line of words as redis-cli and telnet send.
func ReadCommand(r *bufio.Reader) ([]string, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "*") {
		return strings.Fields(line), nil
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil || n < 0 || n > 1024 {
		return nil, fmt.Errorf("bad array length %q", line)
	}
	args := make([]string, n)
	for i := range args {
		v, err := readValue(r)
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, errors.New("command arguments must be bulk strings")
		}
		args[i] = s
	}
	return args, nil
}

// Error is an error reply.
type Error string

func (e Error) Error() string { return string(e) }

// Write writes v as a reply: nil, string (bulk), Simple, int, Error or
// []string.
func Write(w io.Writer, v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		s = "$-1\r\n"
	case Simple:
		s = "+" + string(v) + "\r\n"
	case Error:
		s = "-" + string(v) + "\r\n"
	case int:
		s = ":" + strconv.Itoa(v) + "\r\n"
	case string:
		s = "$" + strconv.Itoa(len(v)) + "\r\n" + v + "\r\n"
	case []string:
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(v))
		for _, e := range v {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(e), e)
		}
		s = b.String()
	default:
		return fmt.Errorf("cannot write %T", v)
	}
	_, err := io.WriteString(w, s)
	return err
}

// Simple is a simple string reply, such as OK.
type Simple string

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readValue reads one reply or argument.
func readValue(r *bufio.Reader) (any, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	if line == "" {
		return nil, errors.New("empty line")
	}
	switch line[0] {
	case '+':
		return Simple(line[1:]), nil
	case '-':
		return Error(line[1:]), nil
	case ':':
		return strconv.Atoi(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n > 512<<20 {
			return nil, fmt.Errorf("bad bulk length %q", line)
		}
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return nil, fmt.Errorf("bad array length %q", line)
		}
		out := make([]string, 0, max(n, 0))
		for range n {
			v, err := readValue(r)
			if err != nil {
				return nil, err
			}
			out = append(out, fmt.Sprint(v))
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply %q", line)
}

// Client is a connection to a RESP server.
type Client struct {
	conn net.Conn
	r    *bufio.Reader
}

// Dial connects to addr, trying again for up to wait while the server is
// not there yet.
func Dial(addr string, wait time.Duration) (*Client, error) {
	deadline := time.Now().Add(wait)
	for {
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			return &Client{conn: conn, r: bufio.NewReader(conn)}, nil
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Do sends one command and returns its reply; an error reply is an error.
func (c *Client) Do(args ...string) (any, error) {
	c.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if err := Write(c.conn, args); err != nil {
		return nil, err
	}
	v, err := readValue(c.r)
	if e, ok := v.(Error); ok {
		return nil, e
	}
	return v, err
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }
