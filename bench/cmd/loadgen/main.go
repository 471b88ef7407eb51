// Command loadgen is the load bench's three programs in one static binary
// (bench/load.sh builds it and puts it in the image it runs):
//
//	loadgen web  -addr :8080                      HTTP server of a web replica
//	loadgen ask  -ask web=50,asker/edns=50 ...   DNS asker inside a container
//	loadgen run  -root DIR -duration 10m ...      on the host: HTTP traffic through
//	                                              the published ports, samples of
//	                                              stack's processes, the verdict
//
// An asker waits for OUT/go, then asks its container's resolver
// (127.0.0.11, the embedded DNS) a few names a second, one question at a
// time, and writes what it sent, what was answered and what failed to
// OUT/<hostname>.json every two seconds; run adds those files up at each
// sample.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		printUsage()
	}
	args := os.Args[2:]
	var err error
	switch os.Args[1] {
	case "web":
		err = web(args)
	case "ask":
		err = ask(args)
	case "run":
		err = run(args)
	default:
		printUsage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func printUsage() {
	fmt.Fprintln(os.Stderr, "usage: loadgen web|ask|run [flags]")
	os.Exit(2)
}
