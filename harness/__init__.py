"""Hermetic Pulumi runs for tests, `make demo` and `make bench`.

Everything that drives the real Pulumi CLI goes through `harness.pulumi.PulumiStack`,
so every run gets the same isolated settings (README: The Pulumi CLI): a temporary
PULUMI_HOME, a `file://` backend, passphrase secrets, no update checks and no plugin
downloads. Nothing here is used by the product at run time.
"""
