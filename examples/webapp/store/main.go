// Command store is a small in-memory key-value server that speaks the
// Redis protocol: PING, ECHO, SET, GET, DEL, EXISTS, INCR, INCRBY, DECR,
// KEYS, DBSIZE, FLUSHALL. With -file it keeps its data in that file, so a
// volume keeps it across containers. With -check it asks a running store
// whether it answers, for a healthcheck.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/stackorch/stack/examples/webapp/resp"
)

type store struct {
	mu   sync.Mutex
	data map[string]string
	file string
}

func main() {
	addr := flag.String("addr", ":6379", "where to listen")
	file := flag.String("file", os.Getenv("STORE_FILE"), "keep the data in this file")
	check := flag.Bool("check", false, "ping the store at -addr and exit 0 if it answers")
	flag.Parse()
	if *check {
		os.Exit(ping(*addr))
	}
	s := &store{data: map[string]string{}, file: *file}
	if err := s.load(); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("store listening on %s with %d keys", *addr, len(s.data))
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go s.serve(conn)
	}
}

func ping(addr string) int {
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	c, err := resp.Dial(addr, 0)
	if err != nil {
		return 1
	}
	defer c.Close()
	if v, err := c.Do("PING"); err != nil || v != resp.Simple("PONG") {
		return 1
	}
	return 0
}

func (s *store) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		args, err := resp.ReadCommand(r)
		if err != nil {
			return
		}
		if len(args) == 0 {
			continue
		}
		if strings.EqualFold(args[0], "QUIT") {
			resp.Write(conn, resp.Simple("OK"))
			return
		}
		if err := resp.Write(conn, s.do(args)); err != nil {
			return
		}
	}
}

// do runs one command.
func (s *store) do(args []string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd, args := strings.ToUpper(args[0]), args[1:]
	need := func(n int) bool { return len(args) == n }
	switch {
	case cmd == "PING" && need(0):
		return resp.Simple("PONG")
	case cmd == "ECHO" && need(1):
		return args[0]
	case cmd == "GET" && need(1):
		if v, ok := s.data[args[0]]; ok {
			return v
		}
		return nil
	case cmd == "SET" && need(2):
		s.data[args[0]] = args[1]
		return s.saved(resp.Simple("OK"))
	case cmd == "DEL" || cmd == "EXISTS":
		n := 0
		for _, k := range args {
			if _, ok := s.data[k]; ok {
				n++
				if cmd == "DEL" {
					delete(s.data, k)
				}
			}
		}
		if cmd == "DEL" {
			return s.saved(n)
		}
		return n
	case (cmd == "INCR" || cmd == "DECR") && need(1), cmd == "INCRBY" && need(2):
		by := 1
		if cmd == "DECR" {
			by = -1
		}
		if cmd == "INCRBY" {
			var err error
			if by, err = strconv.Atoi(args[1]); err != nil {
				return resp.Error("ERR value is not an integer or out of range")
			}
		}
		n := 0
		if v, ok := s.data[args[0]]; ok {
			var err error
			if n, err = strconv.Atoi(v); err != nil {
				return resp.Error("ERR value is not an integer or out of range")
			}
		}
		n += by
		s.data[args[0]] = strconv.Itoa(n)
		return s.saved(n)
	case cmd == "KEYS" && need(1):
		var keys []string
		for k := range s.data {
			if ok, _ := path.Match(args[0], k); ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		return keys
	case cmd == "DBSIZE" && need(0):
		return len(s.data)
	case cmd == "FLUSHALL" && need(0):
		s.data = map[string]string{}
		return s.saved(resp.Simple("OK"))
	}
	return resp.Error(fmt.Sprintf("ERR unknown command or wrong number of arguments for '%s'", strings.ToLower(cmd)))
}

// saved writes the data out, if there is a file, and returns reply.
func (s *store) saved(reply any) any {
	if s.file == "" {
		return reply
	}
	data, _ := json.Marshal(s.data)
	tmp := s.file + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return resp.Error("ERR save: " + err.Error())
	}
	if err := os.Rename(tmp, s.file); err != nil {
		return resp.Error("ERR save: " + err.Error())
	}
	return reply
}

func (s *store) load() error {
	if s.file == "" {
		return nil
	}
	data, err := os.ReadFile(s.file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(data, &s.data)
}
