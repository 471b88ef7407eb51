// Package project turns compose files into a resolved Compose project and
// its dependency graph, as Docker Compose (through compose-go) loads them.
//
//	p, err := project.Open(ctx, project.Options{Files: flags.files, Profiles: flags.profiles})
//	web, err := p.Select("web")   // web and what it depends on
//	for _, name := range web.Graph.Order() { ... }
//
// Options mirror docker compose's global flags and environment: -f (or
// COMPOSE_FILE, or compose.yaml found walking up), --project-directory, -p
// (or COMPOSE_PROJECT_NAME, name:, the directory's name), --env-file (or
// COMPOSE_ENV_FILES, or .env), --profile (or COMPOSE_PROFILES). Load returns
// the compose-go project alone; Open returns it with its Graph, built once.
//
// Errors are one line. A problem inside a compose file is a *FileError
// ("compose.yaml:4: services.web.ports: must be a list", errors.Is
// ErrInvalid); the others wrap ErrNotFound, ErrNoConfig, ErrProjectName,
// ErrNoService, ErrCycle or ErrUnknownService.
package project
