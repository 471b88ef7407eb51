package network

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/miekg/dns"
)

// Forwarding limits: at most maxForwards queries upstream at once (more
// get SERVFAIL at once), each server given forwardTimeout.
const (
	maxForwards    = 100
	forwardTimeout = 2 * time.Second
)

var errBusy = errors.New("too many queries upstream")

// forwarder sends queries to the upstream servers from the process's own
// network namespace (the host's, in a monitor), in order until one answers.
type forwarder struct {
	servers []string // host:port
	sem     chan struct{}
	udp     *dns.Client
	tcp     *dns.Client
}

func newForwarder(servers []string) *forwarder {
	return &forwarder{servers: servers, sem: make(chan struct{}, maxForwards),
		udp: &dns.Client{Net: "udp", Timeout: forwardTimeout, UDPSize: dns.DefaultMsgSize},
		tcp: &dns.Client{Net: "tcp", Timeout: forwardTimeout}}
}

// exchange asks each server in turn: over TCP when the asker used TCP or
// the UDP answer came back truncated.
func (f *forwarder) exchange(ctx context.Context, q *dns.Msg, tcp bool) (*dns.Msg, error) {
	if len(f.servers) == 0 {
		return nil, errors.New("no upstream servers")
	}
	select {
	case f.sem <- struct{}{}:
		defer func() { <-f.sem }()
	default:
		return nil, errBusy
	}
	var last error
	for _, s := range f.servers {
		c := f.udp
		if tcp {
			c = f.tcp
		}
		resp, _, err := c.ExchangeContext(ctx, q, s)
		if err == nil && resp.Truncated && !tcp {
			resp, _, err = f.tcp.ExchangeContext(ctx, q, s)
		}
		if err == nil {
			return resp, nil
		}
		last = fmt.Errorf("forward to %s: %w", s, err)
	}
	return nil, last
}
