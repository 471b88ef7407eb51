// Command web is the example's front end: each page view counts a visit in
// the store and shows how many jobs the workers have done.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/stackorch/stack/examples/webapp/resp"
)

func main() {
	addr := flag.String("addr", ":8080", "where to listen")
	check := flag.Bool("check", false, "ask the web server at -addr for /healthz and exit 0 if it answers")
	flag.Parse()
	if *check {
		resp, err := http.Get("http://127.0.0.1" + *addr + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			os.Exit(1)
		}
		os.Exit(0)
	}
	store := os.Getenv("STORE_ADDR")
	if store == "" {
		store = "store:6379"
	}
	host, _ := os.Hostname()
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c, err := resp.Dial(store, 2*time.Second)
		if err != nil {
			http.Error(w, "store unreachable: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		defer c.Close()
		visits, err := c.Do("INCR", "visits")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		jobs, _ := c.Do("GET", "jobs")
		workers, _ := c.Do("KEYS", "jobs:*")
		names, _ := workers.([]string)
		for i, n := range names {
			names[i] = strings.TrimPrefix(n, "jobs:")
		}
		if jobs == nil {
			jobs = "0"
		}
		fmt.Fprintf(w, "Hello from %s: visit %v, %v jobs done by %d workers (%s)\n", host, visits, jobs, len(names), strings.Join(names, ", "))
	})
	log.Printf("web listening on %s, store at %s", *addr, store)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
