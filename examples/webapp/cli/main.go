// Command cli sends one command to the store and prints the reply, as
// redis-cli does: cli SET greeting hello; cli GET greeting.
package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/stackorch/stack/examples/webapp/resp"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cli COMMAND [ARG...]")
		os.Exit(2)
	}
	store := os.Getenv("STORE_ADDR")
	if store == "" {
		store = "store:6379"
	}
	c, err := resp.Dial(store, 10*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cli:", err)
		os.Exit(1)
	}
	defer c.Close()
	v, err := c.Do(os.Args[1:]...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "(error)", err)
		os.Exit(1)
	}
	switch v := v.(type) {
	case nil:
		fmt.Println("(nil)")
	case []string:
		fmt.Println(strings.Join(v, "\n"))
	default:
		fmt.Println(v)
	}
}
