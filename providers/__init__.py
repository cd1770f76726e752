"""tavus-personas: Tavus personas as Pulumi dynamic resources.

Where things are (each module's docstring says more):

- `spec`       load persona YAML files, validate them offline (README: The persona file), resolve references
- `canonical`  the one canonical form shared by check, read, diff and export; JSON Patch; fingerprints
- `client`     the Tavus HTTP client (retries, ambiguous-create recovery, sanitised errors);
               its plumbing (retry policy, response reading, redaction) is the `_http` subpackage
- `errors`     every exception this project raises, in one documented hierarchy
- `facts`      Tavus facts several modules need, one module per resource kind (e.g. secret key names)
- `persona`    the `tavus:Persona` resource type (inputs and outputs)
- `provider`   the dynamic provider behind it (check, diff, create, read, update, delete)
- `program`    the Pulumi program's side: persona files to resources
- `settings`   where credentials and the endpoint come from (stack config, then environment);
               `client.TavusClient.from_settings` is the one way from settings to a client
- `state`      how inputs and outputs are laid out in Pulumi state
- `cli`        `python -m providers COMMAND`: one module per command; `cli/preflight/` is a subpackage;
               `cli/_stack.py` is the one reader of a stack's config for every command
"""
