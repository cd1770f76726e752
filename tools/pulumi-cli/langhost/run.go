package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	python, env, err := interpreter(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("serialising config: %w", err)
	}
	secretKeys, err := json.Marshal(nonNil(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, fmt.Errorf("serialising secret config keys: %w", err)
	}
	env = append(env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))

	cmd := exec.CommandContext(ctx, python, append([]string{"-u", h.shim}, h.shimArguments(req)...)...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// On cancellation, give the program a chance to flush before killing it.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second

	h.track(cmd, true)
	defer h.track(cmd, false)
	err = cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	return runResponse(err), nil
}

func runResponse(err error) *pulumirpc.RunResponse {
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run the Python program: %v", err)}
	}
	if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.ExitStatus() == exitAfterUserMessage {
		return &pulumirpc.RunResponse{Bail: true}
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode())}
}

func (h *languageHost) shimArguments(req *pulumirpc.RunRequest) []string {
	var args []string
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("organization", req.GetOrganization())
	args = append(args, req.GetInfo().GetEntryPoint())
	return append(args, req.GetArgs()...)
}

// interpreter returns the Python to run and the environment to run it in. With a
// `virtualenv` runtime option the venv must exist (we never fall back silently to
// another interpreter: that is how programs end up running against the wrong SDK).
func interpreter(info *pulumirpc.ProgramInfo) (string, []string, error) {
	env := os.Environ()
	venv, _ := info.GetOptions().AsMap()["virtualenv"].(string)
	if venv == "" {
		python := os.Getenv("PULUMI_PYTHON_CMD")
		if python == "" {
			python = "python3"
		}
		return python, env, nil
	}
	if !filepath.IsAbs(venv) {
		venv = filepath.Join(info.GetRootDirectory(), venv)
	}
	python := filepath.Join(venv, "bin", "python")
	if _, err := os.Stat(python); err != nil {
		return "", nil, fmt.Errorf("the virtualenv %s has no bin/python; run `make bootstrap` to create it", venv)
	}
	return python, activate(env, venv), nil
}

// activate mirrors `source venv/bin/activate`: venv first on PATH, VIRTUAL_ENV
// set, PYTHONHOME removed (it would point the interpreter at another stdlib).
func activate(env []string, venv string) []string {
	out := make([]string, 0, len(env)+2)
	path := filepath.Join(venv, "bin")
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, "PYTHONHOME="), strings.HasPrefix(kv, "VIRTUAL_ENV="):
		case strings.HasPrefix(kv, "PATH="):
			path += string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
		default:
			out = append(out, kv)
		}
	}
	return append(out, "PATH="+path, "VIRTUAL_ENV="+venv)
}

func nonNil(keys []string) []string {
	if keys == nil {
		return []string{}
	}
	return keys
}
