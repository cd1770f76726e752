package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// Pack serves `pulumi package pack-sdk python DIR`: build a wheel of the Python
// package in DIR into the destination directory. It uses `pip wheel` (pip ships
// with every Python), so packing needs no extra build tool installed first.
func (h *languageHost) Pack(ctx context.Context, req *pulumirpc.PackRequest) (*pulumirpc.PackResponse, error) {
	tmp, err := os.MkdirTemp("", "pulumi-python-pack-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	cmd, err := toolchain.Command(ctx, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", tmp, req.GetPackageDirectory())
	if err != nil {
		return nil, err
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pip wheel %s: %w\n%s", req.GetPackageDirectory(), err, out)
	}
	wheels, err := filepath.Glob(filepath.Join(tmp, "*.whl"))
	if err != nil || len(wheels) != 1 {
		return nil, fmt.Errorf("pip wheel built %d wheels in %s, expected one", len(wheels), tmp)
	}
	artifact := filepath.Join(req.GetDestinationDirectory(), filepath.Base(wheels[0]))
	data, err := os.ReadFile(wheels[0])
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(artifact, data, 0o644); err != nil {
		return nil, err
	}
	return &pulumirpc.PackResponse{ArtifactPath: artifact}, nil
}
