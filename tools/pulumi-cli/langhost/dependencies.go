package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// InstallDependencies serves `pulumi install` (and the CLI's install of a policy pack
// or plugin that has no virtualenv yet): create the virtualenv the manifest names,
// then `pip install -r requirements.txt` (or poetry/uv), streaming the tool's own
// output to the user as it runs.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	opts, err := pythonOptions(req.GetInfo(), req.GetIsPlugin())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	ctx, dir := server.Context(), opts.ProgramDir
	fmt.Fprintf(stdout, "Installing dependencies...\n\n")
	if req.GetIsPlugin() {
		if err := installPluginPackage(ctx, tc, dir, req.GetUseLanguageVersionTools(), stdout, stderr); err != nil {
			return err
		}
	}
	if err := tc.InstallDependencies(ctx, dir, req.GetUseLanguageVersionTools(), true, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

// installPluginPackage installs a plugin that is itself a Python package (a
// pyproject.toml with a build system) into its virtualenv, so that
// `python -m pulumi.run.plugin NAME` can import it.
func installPluginPackage(
	ctx context.Context, tc toolchain.Toolchain, dir string, languageVersionTools bool, stdout, stderr io.Writer,
) error {
	buildable, err := toolchain.IsBuildablePackage(dir)
	if err != nil || !buildable {
		return err
	}
	if err := tc.EnsureVenv(ctx, dir, languageVersionTools, true, stdout, stderr); err != nil {
		return fmt.Errorf("creating the plugin's virtualenv: %w", err)
	}
	cmd, err := tc.ModuleCommand(ctx, "pip", "install", dir)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pip install %s: %w", dir, err)
	}
	return nil
}

// About serves `pulumi about`: the interpreter, its version and the toolchain.
func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Pip}
	if req.GetInfo() != nil {
		var err error
		if opts, err = pythonOptions(req.GetInfo(), false); err != nil {
			return nil, err
		}
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
		Metadata: map[string]string{
			"toolchain":        toolchain.Name(opts.Toolchain),
			"toolchainVersion": info.ToolchainVersion.String(),
			"typechecker":      toolchain.TypeCheckerName(opts.Typechecker),
		},
	}, nil
}

// GetProgramDependencies serves the "Dependencies" table of `pulumi about`: the
// packages installed in the program's virtualenv (top-level ones unless the CLI
// asks for transitive dependencies).
func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := pythonOptions(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}
	packages, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, fmt.Errorf("listing the program's Python packages: %w", err)
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(packages))
	for _, pkg := range packages {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: pkg.Name, Version: pkg.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// GetRequiredPlugins is the engine's older question; like upstream's Python host we
// answer only the newer GetRequiredPackages, which the engine asks first.
func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return nil, errUnimplemented("GetRequiredPlugins", "the engine uses GetRequiredPackages")
}

// GetRequiredPackages tells the engine which resource plugins the program's Python
// packages need (a `pulumi-plugin.json` with `"resource": true`, or a `pulumi-*`
// package without one), so that it can load or install them before the program runs.
// Like upstream, it first creates the virtualenv when it does not exist yet.
func (h *languageHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	opts, err := pythonOptions(req.GetInfo(), false)
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	// The engine shows a plugin's stderr in its log; stdout is our RPC port channel.
	if err := tc.EnsureVenv(ctx, opts.ProgramDir, false, true, os.Stderr, os.Stderr); err != nil {
		return nil, err
	}
	installed, err := installedPulumiPackages(ctx, tc)
	if err != nil {
		return nil, err
	}
	packages := []*pulumirpc.PackageDependency{}
	for _, pkg := range installed {
		if dep := pkg.dependency(); dep != nil {
			packages = append(packages, dep)
		}
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

// listPulumiPackagesScript prints, for every installed distribution, its name,
// version and the text of a pulumi-plugin.json inside one of its top-level packages.
const listPulumiPackagesScript = `
import importlib.metadata as md, json
out = []
for dist in md.distributions():
    plugin = None
    for f in dist.files or ():
        if f.name == "pulumi-plugin.json" and len(f.parts) == 2:
            plugin = f.locate().read_text(encoding="utf-8")
            break
    out.append({"name": dist.metadata["Name"], "version": dist.version, "plugin": plugin})
print(json.dumps(out))
`

func installedPulumiPackages(ctx context.Context, tc toolchain.Toolchain) ([]pythonPackage, error) {
	cmd, err := tc.Command(ctx, "-c", listPulumiPackagesScript)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the virtualenv's packages with %s: %w", cmd.Path, err)
	}
	var packages []pythonPackage
	if err := json.Unmarshal(out, &packages); err != nil {
		return nil, fmt.Errorf("reading the virtualenv's package list: %w", err)
	}
	return packages, nil
}
