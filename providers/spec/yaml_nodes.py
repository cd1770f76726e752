"""YAML text -> persona value (with Ref objects), a line for every field path, and YAML-level errors.

The file is composed to a node graph first (never constructed blindly), so that:
- every field path gets the line of its key;
- alias bombs are refused by counting the alias-expanded size on the graph, with memoisation,
  before anything is expanded;
- duplicate keys, malformed references and non-JSON values are reported with their line.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final, cast

import yaml

try:
    from yaml._yaml import CParser as _CParser

    _WITH_LIBYAML = True
except ImportError:  # PyYAML built without libyaml: every file takes the pure-Python path
    _CParser = object  # type: ignore[misc,assignment]
    _WITH_LIBYAML = False

from providers.spec.model import FieldPath, Ref
from providers.spec.report import FileReport

MAX_FILE_BYTES: Final = 1024 * 1024
MAX_NODES: Final = 10_000
MAX_DEPTH: Final = 32
REF_KEY: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")
# `{ref: guardrails/compliance}`: another resource of the stack, by its resource name.
RESOURCE_REF: Final = re.compile(r"^[a-z]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
REF_EXAMPLES: Final = {"secret": "openaiApiKey", "config": "replicaId", "ref": "guardrails/compliance"}

_MERGE_TAG: Final = "tag:yaml.org,2002:merge"
_BOOL_TAG: Final = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"
_PLAIN_COLLECTION_TAGS: Final = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _DepthLimit(yaml.composer.Composer):
    """Refuses deep nesting while composing, before Python's stack does."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # The composer recurses once per nesting level.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                event: Any = self.peek_event()  # type: ignore[attr-defined]
                raise YamlProblem(_too_deep_message(), event.start_mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _PersonaLoader(_DepthLimit, yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and without timestamps.

    YAML 1.1 reads `off`, `on`, `yes`, `no` as booleans, which would turn the documented Tavus value
    `perception_model: off` into False; editors (yaml-language-server) use YAML 1.2 too. Dates stay
    strings because the body is JSON.
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML's per-class resolver registry)
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_PersonaLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _FastPersonaLoader(
    _DepthLimit, yaml.constructor.SafeConstructor, yaml.resolver.Resolver, _CParser
):
    """The same loader with libyaml's C scanner and parser under the same Python composer.

    Scanning in pure Python is most of the cost of loading a persona file (~10 ms for a
    5 KB prompt; 500 files delay every preview by seconds). Only the event stream comes
    from C: composing, tag resolution and construction are the Python code above, so the
    node graph is the same. Any problem sends the file back through `_PersonaLoader`,
    whose messages are the ones users see.
    """

    yaml_implicit_resolvers = _PersonaLoader.yaml_implicit_resolvers

    def __init__(self, stream: str) -> None:
        _CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


_Loader = _PersonaLoader | _FastPersonaLoader


def _too_deep_message() -> str:
    return f"nested deeper than {MAX_DEPTH} levels; a persona file is never that deep: flatten it"


def parse(text: str, report: FileReport) -> dict[str, Any] | None:
    """The top-level mapping of `text`, or None after reporting why there is none."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        report.error((), f"file is larger than {MAX_FILE_BYTES // 1024} KiB; a persona file is far smaller")
        return None
    fast = _fast_parse(text, report)
    if fast is not _INVALID:
        return cast(dict[str, Any], fast)
    try:
        loader = _PersonaLoader(text)
    except yaml.reader.ReaderError as exc:  # the reader refuses control characters up front
        line = text[: exc.position].count("\n") + 1
        report.error((), f"invalid YAML: character #x{exc.character:04x} is not allowed in YAML text", line)
        return None
    try:
        return _convert(loader, report)
    except YamlProblem as problem:
        report.error((), problem.message, problem.line)
        return None
    finally:
        loader.dispose()


def _fast_parse(text: str, report: FileReport) -> Any:
    """The top-level mapping of a well-formed file via libyaml, or _INVALID to take the slow path."""
    if not _WITH_LIBYAML or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return _INVALID
    loader = _FastPersonaLoader(text)
    quiet = FileReport(report.file)
    try:
        value = _convert(loader, quiet)
    except (yaml.YAMLError, YamlProblem, RecursionError):
        return _INVALID
    finally:
        loader.dispose()
    if value is None or quiet.diagnostics:  # a file with problems: let the slow path report them
        return _INVALID
    for path, line in quiet.lines.items():
        report.record_line(path, line)
    return value


def _convert(loader: _Loader, report: FileReport) -> dict[str, Any] | None:
    root = _compose(loader)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.value == ""):
        report.error((), "empty file: write at least `persona_name:` and `system_prompt:`")
        return None
    _measure(root)
    if not isinstance(root, yaml.MappingNode):
        report.error((), _not_a_mapping(root), root.start_mark.line + 1)
        return None
    return _Converter(loader, report).mapping(root, ())


def _compose(loader: _Loader) -> yaml.Node | None:
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _yaml_problem(exc) from exc
    except RecursionError as exc:  # belt and braces: compose_node stops at MAX_DEPTH first
        raise YamlProblem(_too_deep_message(), None) from exc


def _yaml_problem(exc: yaml.MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = None if mark is None else mark.line + 1
    if exc.context == "expected a single document in the stream":
        return YamlProblem("more than one YAML document (`---`): put each persona in its own file", line)
    parts = [(exc.context, exc.context_mark), (exc.problem, exc.problem_mark)]
    what = "; ".join(f"{text}{_at(part_mark)}" for text, part_mark in parts if text)
    return YamlProblem(f"invalid YAML: {what}", line)


def _at(mark: Any) -> str:
    return "" if mark is None else f" (line {mark.line + 1}, column {mark.column + 1})"


def _not_a_mapping(node: yaml.Node) -> str:
    found = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
    return f"a persona file must be a mapping of fields (`persona_name: ...`), but this one is {found}"


def _measure(root: yaml.Node) -> None:
    """Refuse alias bombs, alias cycles and deep nesting, counting on the graph without expanding it.

    Aliases share node objects, so memoising (expanded size, height) per node keeps this linear in
    the size of the text even when the expanded document would have billions of nodes.
    """
    measured: dict[int, tuple[int, int]] = {}
    visiting: set[int] = set()

    def visit(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in visiting:
            raise YamlProblem("an alias refers to its own anchor (a cycle); JSON cannot hold it", _line(node))
        if key not in measured:
            visiting.add(key)
            size, height = 1, 0
            for child in _children(node):
                child_size, child_height = visit(child, depth + 1)
                size, height = size + child_size, max(height, child_height + 1)
                if size > MAX_NODES:
                    raise YamlProblem(
                        f"the document expands to more than {MAX_NODES:,} nodes (anchors and aliases "
                        "included); refused without expanding it: remove the repeated aliases",
                        _line(node),
                    )
            visiting.discard(key)
            measured[key] = (size, height)
        if depth + measured[key][1] > MAX_DEPTH:
            raise YamlProblem(_too_deep_message(), _line(node))
        return measured[key]

    visit(root, 0)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Converter:
    """Builds the Python value of a measured node graph, recording lines and YAML-level errors."""

    def __init__(self, loader: _Loader, report: FileReport) -> None:
        self._loader = loader
        self._report = report

    def value(self, node: yaml.Node, path: FieldPath) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping_or_ref(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._check_collection_tag(node, path)
            return [self._item(child, (*path, index)) for index, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _item(self, node: yaml.Node, path: FieldPath) -> Any:
        self._report.record_line(path, _line(node))
        value = self.value(node, path)
        # Keep the positions of later items (and their lines) right; the error is already reported.
        return None if value is _INVALID else value

    def mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        self._report.record_line(path, _line(node))
        self._check_collection_tag(node, path)
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            key = self._key(key_node, path)
            if key is None:
                continue
            if key in first_line:
                self._report.error(
                    (*path, key), f"duplicate key `{key}` (first at line {first_line[key]}): keep one",
                    _line(key_node),
                )
                continue
            first_line[key] = _line(key_node)
            self._report.record_line((*path, key), _line(key_node))
            value = self.value(value_node, (*path, key))
            if value is not _INVALID:
                result[key] = value
        for source in merges:
            self._merge(source, result, path)
        return result

    def _merge(self, source: yaml.Node, target: dict[str, Any], path: FieldPath) -> None:
        """YAML merge keys: explicit keys win, and earlier merged mappings win over later ones."""
        sources = source.value if isinstance(source, yaml.SequenceNode) else [source]
        for mapping_node in sources:
            if not isinstance(mapping_node, yaml.MappingNode):
                message = "`<<` must merge a mapping or a list of mappings"
                self._report.error(path, message, _line(mapping_node))
                continue
            for key, value in self.mapping(mapping_node, path).items():
                target.setdefault(key, value)

    def _mapping_or_ref(self, node: yaml.MappingNode, path: FieldPath) -> Any:
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        if "secret" in keys or "config" in keys or "ref" in keys:
            return self._reference(node, path)
        return self.mapping(node, path)

    def _reference(self, node: yaml.MappingNode, path: FieldPath) -> Any:
        kind = next(k.value for k, _ in node.value if k.value in REF_EXAMPLES)
        example = f"{{{kind}: {REF_EXAMPLES[kind]}}}"
        if len(node.value) != 1:
            others = sorted(str(k.value) for k, _ in node.value if k.value != kind)
            self._report.error(
                path,
                f"a reference must be the only key of its mapping, like {example}; found also "
                + ", ".join(f"`{o}`" for o in others),
                _line(node),
            )
            return _INVALID
        key_node = node.value[0][1]
        key = self._loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
        pattern = RESOURCE_REF if kind == "ref" else REF_KEY
        if not isinstance(key, str) or not pattern.match(key):
            what = "a resource name `<folder>/<file name>`" if kind == "ref" else "a config key name"
            self._report.error(
                path, f"the {kind} key must be {what} matching {pattern.pattern}, like {example}", _line(node)
            )
            return _INVALID
        return Ref(kind, key)

    def _key(self, node: yaml.Node, path: FieldPath) -> str | None:
        key = self._scalar(node, path) if isinstance(node, yaml.ScalarNode) else _INVALID
        if isinstance(key, str):
            return key
        shown = "a mapping or list" if key is _INVALID else f"`{node.value}`"
        self._report.error(path, f"key {shown} must be a string: quote it", _line(node))
        return None

    def _scalar(self, node: yaml.Node, path: FieldPath) -> Any:
        try:
            value = self._loader.construct_object(node)
        except yaml.MarkedYAMLError as exc:
            self._report.error(path, f"{exc.problem}: remove the tag or quote the value", _line(node))
            return _INVALID
        if isinstance(value, float) and not math.isfinite(value):
            self._report.error(path, "NaN and infinity are not valid JSON numbers", _line(node))
            return _INVALID
        if isinstance(value, str):
            value = _join_surrogate_pairs(value)
        if isinstance(value, str) and not _encodable(value):
            self._report.error(
                path,
                "contains an unpaired UTF-16 surrogate escape (such as `\\ud83d`), which cannot be sent as "
                "UTF-8 JSON: write the character itself, or escape it whole as `\\U0001F600`",
                _line(node),
            )
            return _INVALID
        if value is None or isinstance(value, str | int | float | bool):
            return value
        self._report.error(
            path, f"a {type(value).__name__} value cannot be sent as JSON: quote it as a string", _line(node)
        )
        return _INVALID

    def _check_collection_tag(self, node: yaml.Node, path: FieldPath) -> None:
        if node.tag not in _PLAIN_COLLECTION_TAGS:
            self._report.error(path, f"unsupported YAML tag `{node.tag}`: remove it", _line(node))


_INVALID: Final[Any] = object()
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _join_surrogate_pairs(text: str) -> str:
    """`"\\ud83d\\ude00"` (JSON's spelling of 😀) becomes 😀: PyYAML would leave the two halves."""
    if not _SURROGATE.search(text):  # a regex: prompts run to kilobytes, a Python loop is slow
        return text
    try:
        return text.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeDecodeError:
        return text  # an unpaired half stays, and is reported by the caller


def _encodable(text: str) -> bool:
    # YAML's `\uD800`-style escapes yield lone surrogates; JSON, gRPC and HTTP need valid UTF-8.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
