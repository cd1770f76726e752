"""tavus-personas: Tavus personas, and the objectives and guardrails they use, as Pulumi dynamic resources.

Where things are (each module's docstring says more):

- `spec`       load YAML files, validate them offline (README: The persona file, The persona's graph),
               resolve references; `spec.graph` loads objectives/guardrails and checks `{ref:}`
- `canonical`  the one canonical form shared by check, read, diff and export; JSON Patch; fingerprints
- `kind`       `Kind`: what distinguishes one kind of Tavus item (folder, type, collection, canonical form)
- `facts`      Tavus facts, one module per kind (`facts/persona.py`, `facts/objectives.py`, ...), with
               each kind's `KIND`; `facts.KINDS` lists the kinds a persona references
- `endpoints`  `Endpoint`: one Tavus collection (path, id field, name field), for the client
- `client`     the Tavus HTTP client (retries, ambiguous-create recovery, sanitised errors);
               its plumbing (retry policy, response reading, redaction) is the `_http` subpackage
- `errors`     every exception this project raises, in one documented hierarchy
- `item_provider`  `ItemProvider`: the dynamic provider behaviour every kind shares (check, diff,
               create, read, update, delete); objectives and guardrails are its small subclasses
- `provider`   `PersonaProvider`: ItemProvider plus what only personas have (secrets, PAL path, drafts)
- `persona`, `graph`  the resource types (`tavus:Persona`; `tavus:Objectives`, `tavus:Guardrails`)
- `program`    the Pulumi program's side: files to resources, `{ref:}` to dependencies
- `settings`   where credentials and the endpoint come from (stack config, then environment);
               `client.TavusClient.from_settings` is the one way from settings to a client
- `state`      how a persona's inputs and outputs are laid out in Pulumi state
- `cli`        `python -m providers COMMAND`: one module per command; `cli/preflight/` is a subpackage;
               `cli/_stack.py` is the one reader of a stack's config for every command

To add a kind: its facts and `KIND` in `facts/<kind>.py` (registered in `facts.KINDS`), its JSON
Schema in `schema/`, a three-line provider subclass in `item_provider.py`, a resource type in
`graph.py` (registered in `RESOURCE_TYPES`), its rules in `spec/graph.py`, and a lifecycle test.
"""
