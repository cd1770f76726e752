"""Facts about Tavus resources that several parts of the project need, one module per resource kind.

A fact lives here when more than one of canonical form, validation, export, preflight and redaction
would otherwise state it: then they cannot disagree (as `validate` and `export` once did about the
config key to suggest for a secret).
"""
