package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/compose-spec/compose-go/v2/types"
)

// Hash is the config hash of svc, recorded in LabelConfigHash: a container
// whose label differs from its service's Hash is out of date and is
// recreated.
//
// As Docker Compose's ServiceHash, it covers the service's whole
// configuration except what does not shape its containers: build and
// pull_policy (the image is tracked by LabelImage), scale and
// deploy.replicas (the number of containers), depends_on and profiles. One
// refinement: a deploy: holding nothing but replicas counts as absent, so
// adding deploy.replicas to a service does not recreate its containers.
// Fields compose-go keeps out of JSON (the service's name, x-* extensions,
// CustomLabels) are outside it too.
//
// The hash is of canonical JSON: every object's keys sorted at every depth,
// so it depends on the configuration's values only, never on map iteration
// order or on the order compose-go declares its struct fields in.
func Hash(svc types.ServiceConfig) (string, error) {
	svc.Build = nil
	svc.PullPolicy = ""
	svc.Scale = nil
	if svc.Deploy != nil {
		deploy := *svc.Deploy // a copy: the caller's service is left alone
		deploy.Replicas = nil
		svc.Deploy = &deploy
		if reflect.DeepEqual(deploy, types.DeployConfig{}) {
			svc.Deploy = nil // deploy: held replicas only
		}
	}
	svc.DependsOn = nil
	svc.Profiles = nil

	raw, err := json.Marshal(svc)
	if err != nil {
		return "", fmt.Errorf("hash service %q: %w", svc.Name, err)
	}
	canon, err := canonicalJSON(raw)
	if err != nil {
		return "", fmt.Errorf("hash service %q: %w", svc.Name, err)
	}
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:]), nil
}

// canonicalJSON re-encodes a JSON document with the keys of every object
// sorted (encoding/json sorts map keys) and numbers kept verbatim.
func canonicalJSON(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
