package main

import (
	"errors"
	"fmt"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// defaultPluginVirtualenv is where a plugin's (not a policy pack's) dependencies live
// when its manifest names no virtualenv: plugins never run on the ambient Python,
// because a plugin directory is shared by every project that uses it.
const defaultPluginVirtualenv = "venv"

// pythonOptions reads the `runtime.options` of a Pulumi.yaml, PulumiPolicy.yaml or
// PulumiPlugin.yaml the way the Python runtime documents them: `virtualenv` (relative
// to the manifest's directory), `toolchain` (pip, poetry, uv) and `typechecker`.
func pythonOptions(info *pulumirpc.ProgramInfo, isPlugin bool) (toolchain.PythonOptions, error) {
	if info == nil {
		return toolchain.PythonOptions{}, errors.New("the engine sent no program info; this CLI is older than the language host supports")
	}
	opts := toolchain.PythonOptions{Root: info.GetRootDirectory(), ProgramDir: info.GetProgramDirectory()}
	raw := info.GetOptions().AsMap()
	var err error
	if opts.Virtualenv, err = stringOption(raw, "virtualenv"); err != nil {
		return opts, err
	}
	if err = setToolchain(&opts, raw); err != nil {
		return opts, err
	}
	if err = setTypechecker(&opts, raw); err != nil {
		return opts, err
	}
	if isPlugin && opts.Virtualenv == "" && (opts.Toolchain == toolchain.Pip || opts.Toolchain == toolchain.Auto) {
		opts.Virtualenv = defaultPluginVirtualenv
	}
	return opts, nil
}

func stringOption(raw map[string]any, key string) (string, error) {
	value, present := raw[key]
	if !present {
		return "", nil
	}
	text, ok := value.(string)
	if !ok {
		return "", fmt.Errorf("runtime option %q must be a string, got %v", key, value)
	}
	return text, nil
}

// setToolchain and setTypechecker assign through the options struct: the SDK keeps
// the enum types unexported, only their values are public.
func setToolchain(opts *toolchain.PythonOptions, raw map[string]any) error {
	name, err := stringOption(raw, "toolchain")
	switch {
	case err != nil:
		return err
	case name == "":
		opts.Toolchain = toolchain.Auto
	case name == "pip":
		opts.Toolchain = toolchain.Pip
	case name == "poetry":
		opts.Toolchain = toolchain.Poetry
	case name == "uv":
		opts.Toolchain = toolchain.Uv
	default:
		return fmt.Errorf("runtime option toolchain: %q is not one of pip, poetry, uv", name)
	}
	return nil
}

func setTypechecker(opts *toolchain.PythonOptions, raw map[string]any) error {
	name, err := stringOption(raw, "typechecker")
	switch {
	case err != nil:
		return err
	case name == "":
		opts.Typechecker = toolchain.TypeCheckerNone
	case name == "mypy":
		opts.Typechecker = toolchain.TypeCheckerMypy
	case name == "pyright":
		opts.Typechecker = toolchain.TypeCheckerPyright
	default:
		return fmt.Errorf("runtime option typechecker: %q is not one of mypy, pyright", name)
	}
	return nil
}
