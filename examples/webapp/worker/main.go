// Command worker does a "job" every half second: it counts it in the
// store, in total and under its own host name.
package main

import (
	"log"
	"os"
	"time"

	"github.com/stackorch/stack/examples/webapp/resp"
)

func main() {
	store := os.Getenv("STORE_ADDR")
	if store == "" {
		store = "store:6379"
	}
	host, _ := os.Hostname()
	c, err := resp.Dial(store, 30*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("worker %s connected to %s", host, store)
	for n := 1; ; n++ {
		if _, err := c.Do("INCR", "jobs"); err != nil {
			log.Fatal(err)
		}
		if _, err := c.Do("INCR", "jobs:"+host); err != nil {
			log.Fatal(err)
		}
		if n%10 == 0 {
			log.Printf("%d jobs done", n)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
