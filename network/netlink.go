package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// nlsock is a netlink socket for the few requests a monitor makes when it
// attaches its container: links, addresses and a route (rtnl.go), the DNS
// redirect's nftables rules (dns_redirect.go). Requests are built, sent
// and answered through one buffer, with plain system calls: the kernel
// answers before the send returns. A monitor keeps whatever memory it ever
// touched, and vishvananda/netlink receives every answer into a 64 KiB
// array on the caller's stack, google/nftables into a fresh page per
// message.
type nlsock struct {
	fd     int
	seq    uint32
	buf    []byte
	pooled *[]byte // buf's, to give back
}

// nlBufSize holds the largest answer read, a link's (under 3 KiB without
// its statistics), and the largest request, the DNS redirect's batch.
const nlBufSize = 8192

// openNetlink opens a netlink socket of protocol proto in the calling
// thread's network namespace, where it stays.
func openNetlink(proto int) (*nlsock, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, fmt.Errorf("open netlink: %w", err)
	}
	// The timeout is for a kernel that does not answer.
	tv := unix.Timeval{Sec: 10}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("open netlink: %w", err)
	}
	p := nlBufs.Get().(*[]byte)
	return &nlsock{fd: fd, buf: (*p)[:0], pooled: p}, nil
}

// nlBufs keeps the buffer of a closed socket for the next: a monitor
// opens several in turn.
var nlBufs = sync.Pool{New: func() any { b := make([]byte, nlBufSize); return &b }}

func (c *nlsock) close() {
	unix.Close(c.fd)
	nlBufs.Put(c.pooled)
	c.buf, c.pooled = nil, nil
}

var ne = binary.NativeEndian

// begin appends to b a message's header and its fixed part, zeroed, and
// returns where the message starts; finish sets its length.
func (c *nlsock) begin(b []byte, typ, flags uint16, fixed int) ([]byte, int) {
	c.seq++
	at := len(b)
	b = append(b, make([]byte, unix.SizeofNlMsghdr+fixed)...)
	ne.PutUint16(b[at+4:], typ)
	ne.PutUint16(b[at+6:], flags|unix.NLM_F_REQUEST)
	ne.PutUint32(b[at+8:], c.seq)
	return b, at
}

func finish(b []byte, at int) []byte {
	ne.PutUint32(b[at:], uint32(len(b)-at))
	return b
}

// request begins a lone request in the socket's buffer.
func (c *nlsock) request(typ, flags uint16, fixed int) []byte {
	b, _ := c.begin(c.buf[:0], typ, flags, fixed)
	return b
}

// do sends the request b and reads its answer: nil for an
// acknowledgement, the payload of an answer with data.
func (c *nlsock) do(b []byte) ([]byte, error) {
	if err := c.send(finish(b, 0)); err != nil {
		return nil, err
	}
	return c.answer(c.seq)
}

func (c *nlsock) send(b []byte) error {
	_, err := unix.Write(c.fd, b)
	return err
}

// answer reads the answer to the message seq: nil for an
// acknowledgement, the payload of an answer with data.
func (c *nlsock) answer(seq uint32) (out []byte, err error) {
	err = c.read(seq, func(data []byte) bool { out = data; return true })
	return out, err
}

// dump sends the dump request b and calls fn with the payload of each
// message of its answer.
func (c *nlsock) dump(b []byte, fn func(data []byte)) error {
	if err := c.send(b); err != nil {
		return err
	}
	return c.read(c.seq, func(data []byte) bool { fn(data); return false })
}

// read reads the answers to the message seq, handing each payload to fn
// until fn says it was the last, or the kernel does. An error answer to
// any message ends it: the socket is this request's only.
func (c *nlsock) read(seq uint32, fn func(data []byte) bool) error {
	buf := c.buf[:cap(c.buf)]
	for {
		n, err := recvTrunc(c.fd, buf)
		if err != nil {
			return err
		}
		if n > len(buf) {
			return fmt.Errorf("netlink answer of %d bytes: %w", n, unix.EMSGSIZE)
		}
		for msg := buf[:n]; len(msg) >= unix.SizeofNlMsghdr; {
			l := int(ne.Uint32(msg))
			if l < unix.SizeofNlMsghdr || l > len(msg) {
				return errors.New("netlink: malformed answer")
			}
			typ, s, data := ne.Uint16(msg[4:]), ne.Uint32(msg[8:]), msg[unix.SizeofNlMsghdr:l]
			msg = msg[min(len(msg), align(l, unix.NLMSG_ALIGNTO)):]
			switch {
			case typ == unix.NLMSG_ERROR && len(data) >= 4:
				if e := int32(ne.Uint32(data)); e != 0 {
					return unix.Errno(-e)
				}
				if s == seq {
					return nil
				}
			case s != seq:
			case typ == unix.NLMSG_DONE || fn(data):
				return nil
			}
		}
	}
}

func align(n, to int) int { return (n + to - 1) &^ (to - 1) }

// recvTrunc reads a datagram into b and says how long it was, even when
// longer than b.
func recvTrunc(fd int, b []byte) (int, error) {
	for {
		n, _, e := unix.Syscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), unix.MSG_TRUNC, 0, 0)
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), nil
	}
}

// attr appends an attribute, padded to 4 bytes.
func attr(b []byte, typ uint16, data []byte) []byte {
	b = ne.AppendUint16(b, uint16(unix.SizeofRtAttr+len(data)))
	b = ne.AppendUint16(b, typ)
	return pad(append(b, data...))
}

func attrU32(b []byte, typ uint16, v uint32) []byte {
	b = ne.AppendUint16(b, unix.SizeofRtAttr+4)
	b = ne.AppendUint16(b, typ)
	return ne.AppendUint32(b, v)
}

// attrBE32 is a number in network byte order, as nftables takes them.
func attrBE32(b []byte, typ uint16, v uint32) []byte {
	b = ne.AppendUint16(b, unix.SizeofRtAttr+4)
	b = ne.AppendUint16(b, typ)
	return binary.BigEndian.AppendUint32(b, v)
}

func attrString(b []byte, typ uint16, s string) []byte {
	b = ne.AppendUint16(b, uint16(unix.SizeofRtAttr+len(s)+1))
	b = ne.AppendUint16(b, typ)
	return pad(append(append(b, s...), 0))
}

func pad(b []byte) []byte {
	for len(b)%unix.RTA_ALIGNTO != 0 {
		b = append(b, 0)
	}
	return b
}

// nest appends the header of an attribute that holds others; end sets its
// length once they are in.
func nest(b []byte, typ uint16) ([]byte, int) {
	return attr(b, typ, nil), len(b)
}

func end(b []byte, at int) []byte {
	ne.PutUint16(b[at:], uint16(len(b)-at))
	return b
}
