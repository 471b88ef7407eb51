package service

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Labels Docker Compose puts on the containers it makes; stack uses the same
// so that tools reading them keep working.
const (
	LabelProject         = "com.docker.compose.project"
	LabelService         = "com.docker.compose.service"
	LabelContainerNumber = "com.docker.compose.container-number"
	LabelConfigHash      = "com.docker.compose.config-hash"
	LabelOneOff          = "com.docker.compose.oneoff" // "True" or "False"
	LabelSlug            = "com.docker.compose.slug"   // one-off containers only
	LabelWorkingDir      = "com.docker.compose.project.working_dir"
	LabelConfigFiles     = "com.docker.compose.project.config_files"
	LabelEnvironmentFile = "com.docker.compose.project.environment_file"
	LabelDependsOn       = "com.docker.compose.depends_on"
	LabelImage           = "com.docker.compose.image" // digest of the image, set by the caller
	LabelVersion         = "com.docker.compose.version"
	LabelReplace         = "com.docker.compose.replace" // set by the caller on a recreated container
	LabelVolume          = "com.docker.compose.volume"
	LabelNetwork         = "com.docker.compose.network"
)

// labels returns the labels of one container of svc: the service's own,
// then svc.CustomLabels (how a caller adds LabelImage or LabelReplace), then
// Compose's, which win. number is 0 for a one-off container.
func labels(p *types.Project, svc types.ServiceConfig, number int, slug string, o Options) (map[string]string, error) {
	hash, err := Hash(svc)
	if err != nil {
		return nil, err
	}
	l := make(map[string]string, len(svc.Labels)+len(svc.CustomLabels)+12)
	for k, v := range svc.Labels {
		l[k] = v
	}
	for k, v := range svc.CustomLabels {
		l[k] = v
	}
	l[LabelProject] = p.Name
	l[LabelService] = svc.Name
	l[LabelConfigHash] = hash
	l[LabelWorkingDir] = p.WorkingDir
	l[LabelConfigFiles] = strings.Join(p.ComposeFiles, ",")
	l[LabelDependsOn] = dependsOnLabel(svc.DependsOn)
	l[LabelOneOff] = "False"
	if number > 0 {
		l[LabelContainerNumber] = strconv.Itoa(number)
	} else {
		l[LabelOneOff] = "True"
		l[LabelSlug] = slug
	}
	if o.Version != "" {
		l[LabelVersion] = o.Version
	}
	if len(o.EnvFiles) > 0 {
		l[LabelEnvironmentFile] = strings.Join(o.EnvFiles, ",")
	}
	return l, nil
}

// dependsOnLabel renders depends_on as Docker Compose does,
// service:condition:restart joined by commas, sorted so it is stable.
func dependsOnLabel(deps types.DependsOnConfig) string {
	l := make([]string, 0, len(deps))
	for name, d := range deps {
		l = append(l, fmt.Sprintf("%s:%s:%t", name, d.Condition, d.Restart))
	}
	sort.Strings(l)
	return strings.Join(l, ",")
}
