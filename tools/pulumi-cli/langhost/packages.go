package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Pulumi's own Python libraries that ship no resource plugin even though their
// names start with "pulumi-".
var librariesWithoutPlugin = map[string]bool{"pulumi-policy": true, "pulumi-esc-sdk": true}

// pythonPackage is one installed distribution, with its pulumi-plugin.json if any.
type pythonPackage struct {
	Name    string  `json:"name"`
	Version string  `json:"version"`
	Plugin  *string `json:"plugin"`
}

// pluginManifest is the part of pulumi-plugin.json the engine needs.
type pluginManifest struct {
	Resource         bool                    `json:"resource"`
	Name             string                  `json:"name"`
	Version          string                  `json:"version"`
	Server           string                  `json:"server"`
	Parameterization *parameterizationFields `json:"parameterization"`
}

type parameterizationFields struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Value   []byte `json:"value"`
}

// dependency is the resource plugin this package needs, or nil: a package is a
// Pulumi package when it ships a pulumi-plugin.json or is named pulumi-*, and it
// needs a plugin unless its manifest says `"resource": false`. A missing name or
// version comes from the package's own; a version that has no plugin equivalent
// (an epoch, a local label) is skipped rather than guessed.
func (p pythonPackage) dependency() *pulumirpc.PackageDependency {
	name := normalisedName(p.Name)
	if librariesWithoutPlugin[name] {
		return nil
	}
	manifest := pluginManifest{Resource: true}
	if p.Plugin == nil && !strings.HasPrefix(name, "pulumi-") {
		return nil
	}
	if p.Plugin != nil {
		manifest.Resource = false // an explicit manifest must say so
		if err := json.Unmarshal([]byte(*p.Plugin), &manifest); err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-language-python: ignoring the unreadable pulumi-plugin.json of %s: %v\n", p.Name, err)
			return nil
		}
	}
	if !manifest.Resource {
		return nil
	}
	dep := &pulumirpc.PackageDependency{Kind: "resource", Name: manifest.Name, Version: manifest.Version, Server: manifest.Server}
	if dep.Name == "" {
		dep.Name = strings.TrimPrefix(name, "pulumi-")
	}
	if dep.Version == "" {
		version, ok := semverFromPEP440(p.Version)
		if !ok {
			return nil
		}
		dep.Version = version
	}
	if !strings.HasPrefix(dep.Version, "v") {
		dep.Version = "v" + dep.Version
	}
	if param := manifest.Parameterization; param != nil {
		dep.Parameterization = &pulumirpc.PackageParameterization{Name: param.Name, Version: param.Version, Value: param.Value}
	}
	return dep
}

// normalisedName is the PEP 503 form of a distribution name (lower case, runs of
// "-", "_" and "." as one "-").
func normalisedName(name string) string {
	return strings.ToLower(separatorRuns.ReplaceAllString(name, "-"))
}

var separatorRuns = regexp.MustCompile(`[-_.]+`)

// pep440 covers the release forms Pulumi publishes: N(.N)*[{a|b|rc}N][.postN][.devN].
var pep440 = regexp.MustCompile(`^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?$`)

// semverFromPEP440 maps a Python package version to its plugin's semver:
// 1.2 -> 1.2.0, 1.2.3a4 -> 1.2.3-alpha.4, 1.2.3rc1 -> 1.2.3-rc.1,
// 1.2.3.post4 -> 1.2.3+post4, 1.2.3.post4.dev5 -> 1.2.3+post4dev5.
func semverFromPEP440(version string) (string, bool) {
	m := pep440.FindStringSubmatch(version)
	if m == nil {
		return "", false
	}
	release := strings.Split(m[1], ".")
	for len(release) < 3 {
		release = append(release, "0")
	}
	out := strings.Join(release, ".")
	if m[2] != "" {
		out += "-" + map[string]string{"a": "alpha", "b": "beta", "rc": "rc"}[m[2]] + "." + m[3]
	}
	build := ""
	if m[4] != "" {
		build += "post" + m[4]
	}
	if m[5] != "" {
		build += "dev" + m[5]
	}
	if build != "" {
		out += "+" + build
	}
	return out, true
}
