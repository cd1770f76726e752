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
	"syscall"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// RunPlugin starts a plugin written in Python: a policy pack (`--policy-pack DIR`,
// kind "analyzer") or a resource/converter plugin. The plugin's own manifest
// (PulumiPolicy.yaml, PulumiPlugin.yaml) chooses its virtualenv; a plugin without one
// uses `venv` in its directory, a policy pack without one the ambient python3.
func (h *languageHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	if req.GetAttachDebugger() {
		return errUnimplemented("RunPlugin with a debugger", "this language host does not attach debuggers")
	}
	isPolicyPack := req.GetKind() == string(apitype.AnalyzerPlugin)
	opts, err := pythonOptions(req.GetInfo(), !isPolicyPack)
	if err != nil {
		return err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	if err := tc.ValidateVenv(server.Context()); err != nil {
		return err
	}
	ctx := server.Context()
	cmd, err := pluginCommand(ctx, tc, req, isPolicyPack)
	if err != nil {
		return err
	}
	if cmd.Env == nil { // the ambient Python: the toolchain left the environment to be inherited
		cmd.Env = os.Environ()
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd.Stderr = stderr

	var proxy *sdk.PolicyProxy
	if isPolicyPack {
		// pulumi-policy reads the stack (name, config, dry run) from its environment at
		// start-up, while the engine sends it over RPC after start-up. The SDK's proxy
		// answers the engine first, then starts the pack with that environment.
		proxy, stdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("starting the policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("waiting for the stack configuration: %w", err)
		}
		if cmd.Env, err = withStackEnv(cmd.Env, stack); err != nil {
			return err
		}
	}
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout = stdout

	if err := startAndWait(ctx, cmd, proxy); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				return server.Send(&pulumirpc.RunPluginResponse{
					Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(ws.ExitStatus())},
				})
			}
		}
		return fmt.Errorf("running plugin %s: %w", req.GetName(), err)
	}
	return closer.Close()
}

// pluginCommand picks how to start the plugin:
//   - a policy pack: `python -u -m pulumi.policy ARGS DIR`, in DIR (pulumi-policy's entry point);
//   - a directory with __main__.py: `python DIR ARGS`, in the user's working directory;
//   - a Python package (pyproject.toml with a build system): `python -m pulumi.run.plugin NAME ARGS`.
func pluginCommand(
	ctx context.Context, tc toolchain.Toolchain, req *pulumirpc.RunPluginRequest, isPolicyPack bool,
) (*exec.Cmd, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if isPolicyPack {
		args := append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...)
		cmd, err := tc.Command(ctx, append(args, dir)...)
		if err == nil {
			cmd.Dir = dir
		}
		return cmd, err
	}
	root := req.GetInfo().GetRootDirectory()
	var cmd *exec.Cmd
	var err error
	if _, statErr := os.Stat(filepath.Join(root, "__main__.py")); statErr == nil {
		cmd, err = tc.Command(ctx, append([]string{dir}, req.GetArgs()...)...)
	} else {
		cmd, err = packagedPluginCommand(ctx, tc, root, req.GetArgs())
	}
	if err == nil {
		cmd.Dir = req.GetPwd()
	}
	return cmd, err
}

func packagedPluginCommand(ctx context.Context, tc toolchain.Toolchain, root string, args []string) (*exec.Cmd, error) {
	buildable, err := toolchain.IsBuildablePackage(root)
	if err != nil {
		return nil, err
	}
	if !buildable {
		return nil, fmt.Errorf("the plugin in %s has neither a __main__.py nor a pyproject.toml with a build system", root)
	}
	project, err := toolchain.LoadPyproject(root)
	if err != nil {
		return nil, err
	}
	return tc.ModuleCommand(ctx, "pulumi.run.plugin", append([]string{project.Project.Name}, args...)...)
}

// withStackEnv adds the variables pulumi-policy reads to learn which stack it checks.
func withStackEnv(env []string, stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil {
		return env, nil
	}
	add := func(key, value string) {
		if value != "" {
			env = append(env, key+"="+value)
		}
	}
	add("PULUMI_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_PROJECT", stack.GetProject())
	add("PULUMI_STACK", stack.GetStack())
	add("PULUMI_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	if stack.GetConfig() != nil {
		config, err := json.Marshal(stack.GetConfig())
		if err != nil {
			return nil, fmt.Errorf("serialising the stack configuration: %w", err)
		}
		add("PULUMI_CONFIG", string(config))
	}
	return env, nil
}

// startAndWait runs the plugin until it exits; a policy pack is first attached to
// the proxy, which from then on forwards the engine's calls to it.
func startAndWait(ctx context.Context, cmd *exec.Cmd, proxy *sdk.PolicyProxy) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	if proxy != nil {
		return proxy.Attach(ctx, cmd)
	}
	return cmd.Wait()
}
