"""The HTTP plumbing behind `providers.client.TavusClient`: retry policy, response reading, redaction.

Private to the client: import what you need from `providers.client`, which re-exports the public names.
"""
