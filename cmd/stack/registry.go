package main

import (
	"os"
	"strings"

	"github.com/stackorch/stack/image"
)

// insecureRegistriesEnv lists registries (host or host:port, separated by
// commas or blanks) that pull, push and build may reach over plain http,
// besides localhost and 127.0.0.1, which always may.
const insecureRegistriesEnv = "STACK_INSECURE_REGISTRIES"

// registryOptions are how this stack reaches registries: credentials from
// the Docker config file, insecure registries from the environment.
func registryOptions() image.RegistryOptions {
	return image.RegistryOptions{Insecure: strings.FieldsFunc(os.Getenv(insecureRegistriesEnv), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n'
	})}
}
