// Command pulumi-language-python is the Python language host for the Pulumi
// engine, written for this project.
//
// Why it exists: upstream's host lives in the nested Go module
// github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3, which has no
// release tags and which the Go module proxy reachable from our build machines
// does not serve (see README, "The Pulumi CLI"). The Python side of running a
// program is done by the SDK's own `pulumi-language-python-exec` shim, and the
// virtualenv and pip handling by the SDK's public `python/toolchain` package, both
// from github.com/pulumi/pulumi/sdk/v3 at the pinned version.
//
// Where each RPC lives, and which CLI commands call it (README, "The Pulumi CLI",
// has the table with the test of each):
//
//   - run.go          Run: up, preview, refresh, destroy
//   - plugins.go      RunPlugin: --policy-pack and Python plugins
//   - dependencies.go InstallDependencies (pulumi install), About and
//     GetProgramDependencies (pulumi about), GetRequiredPackages (every operation;
//     packages.go reads the installed packages' pulumi-plugin.json)
//   - pack.go         Pack (pulumi package pack-sdk)
//   - main.go         the server, GetPluginInfo, Handshake, Cancel
//   - options.go      the runtime options of Pulumi.yaml / PulumiPolicy.yaml / PulumiPlugin.yaml
//
// Code generation (GenerateProgram/Project/Package, Link, Template) answers
// Unimplemented: it is for `pulumi convert`/`package gen-sdk`, which do not apply
// to a project of YAML files.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// execShim is the SDK's Python entry point, installed beside this binary.
const execShim = "pulumi-language-python-exec"

// exitAfterUserMessage is the exit code the exec shim uses after it has already
// printed an actionable message; the engine should then not add its own error.
const exitAfterUserMessage = 32

func main() {
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	flag.String("tracing", "", "accepted for compatibility; tracing is not supported")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	self, err := os.Executable()
	if err != nil {
		fail("cannot locate this executable: %v", err)
	}
	shim := filepath.Join(filepath.Dir(self), execShim)
	if _, err := os.Stat(shim); err != nil {
		fail("missing %s beside the language host (run `make bootstrap`): %v", execShim, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	host := &languageHost{shim: shim}
	if engine := flag.Arg(0); engine != "" {
		host.engineAddress = engine
		if err := rpcutil.Healthcheck(ctx, engine, 5*time.Minute, stop); err != nil {
			fail("cannot start the engine health check: %v", err)
		}
	}

	cancel := make(chan bool)
	go func() { <-ctx.Done(); close(cancel) }()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fail("cannot start the language host RPC server: %v", err)
	}
	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fail("language host RPC server stopped: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python: "+format+"\n", args...)
	os.Exit(1)
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	shim          string
	engineAddress string

	mu      sync.Mutex
	running []*exec.Cmd
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, cmd := range h.running {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(os.Interrupt)
		}
	}
	return &emptypb.Empty{}, nil
}

func (h *languageHost) track(cmd *exec.Cmd, add bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if add {
		h.running = append(h.running, cmd)
		return
	}
	for i, c := range h.running {
		if c == cmd {
			h.running = append(h.running[:i], h.running[i+1:]...)
			return
		}
	}
}

func errUnimplemented(method, why string) error {
	return status.Errorf(codes.Unimplemented, "method %s not implemented: %s", method, why)
}
