"""Command line: `python -m sandbox --port N --db FILE --api-key KEY [switches]`."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .config import AMBIGUOUS_MODES, DEFAULT_PATH_PREFIX, ConfigError, Faults, Settings


def _methods(text: str) -> list[str]:
    return [m.strip().upper() for m in text.split(",") if m.strip()]


def _statuses(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def _json_list(text: str) -> list[Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from exc
    if not isinstance(value, list):
        raise argparse.ArgumentTypeError("must be a JSON list")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m sandbox",
        description="Local Tavus-compatible persona API. See docs/sandbox.md.",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="bind address (default 127.0.0.1; admin API has no auth)"
    )
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free port)")
    p.add_argument("--db", required=True, type=Path, help="SQLite file (created if missing)")
    p.add_argument(
        "--api-key", action="append", required=True, dest="api_keys", help="accepted key (repeatable)"
    )
    p.add_argument(
        "--path-prefix", default=DEFAULT_PATH_PREFIX, help=f"API prefix (default {DEFAULT_PATH_PREFIX})"
    )
    p.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])

    r = p.add_argument_group("realism switches")
    r.add_argument(
        "--get-shape",
        choices=["object", "data"],
        default="object",
        help='GET one returns the persona object (default) or {"data": [persona]}',
    )
    r.add_argument("--unknown-id-status", type=int, choices=[400, 404], default=400)
    r.add_argument(
        "--validate-before-auth", action="store_true", help="POST: 400 for a bad body even with a bad key"
    )
    r.add_argument("--no-mask-secrets", dest="mask_secrets", action="store_false")
    r.add_argument("--no-server-defaults", dest="server_defaults", action="store_false")
    r.add_argument("--no-null-fields", dest="null_fields", action="store_false")
    r.add_argument("--no-system-personas", dest="system_personas", action="store_false")
    r.add_argument(
        "--string-booleans", action="store_true", help='tts_emotion_control read back as "true"/"false"'
    )

    f = p.add_argument_group("fault switches (also settable at run time: PUT /_sandbox/faults)")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--latency-ms", type=int, default=0)
    f.add_argument("--latency-jitter-ms", type=int, default=0)
    f.add_argument("--rate-limit", type=int, default=0, help="requests per window per key (0 = off)")
    f.add_argument("--rate-limit-window", type=float, default=1.0, dest="rate_limit_window_s", help="seconds")
    f.add_argument("--error-rate", type=float, default=0.0, help="fraction of requests answered with a 5xx")
    f.add_argument("--error-methods", type=_methods, default=[], help="comma list, default all")
    f.add_argument("--error-statuses", type=_statuses, default=[500, 502, 503], help="comma list")
    f.add_argument("--ambiguous-create-mode", choices=list(AMBIGUOUS_MODES), default="504")
    f.add_argument("--ambiguous-create-count", type=int, default=0)
    f.add_argument("--ambiguous-create-rate", type=float, default=0.0)
    f.add_argument("--slow-ms", type=int, default=0, help="delay after the request took effect")
    f.add_argument("--slow-methods", type=_methods, default=[], help="comma list, default all")
    d = p.add_argument_group("documents (also settable at run time: PUT /_sandbox/faults)")
    d.add_argument("--document-ready-ms", type=int, default=300, help="create to ready (default 300)")
    d.add_argument(
        "--document-rules",
        type=_json_list,
        default=[],
        help='JSON list of {"url_contains": str, "ready_ms"?: int, "error"?: str}; the first match decides',
    )
    d.add_argument(
        "--recrawl-cooldown", type=float, default=3600.0, dest="recrawl_cooldown_s", help="seconds"
    )
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    fault_keys = [
        "seed", "latency_ms", "latency_jitter_ms", "rate_limit", "rate_limit_window_s", "error_rate",
        "error_methods", "error_statuses", "ambiguous_create_mode", "ambiguous_create_count",
        "ambiguous_create_rate", "slow_ms", "slow_methods", "document_ready_ms", "document_rules",
        "recrawl_cooldown_s",
    ]  # fmt: skip
    fault_values: dict[str, Any] = {key: getattr(args, key) for key in fault_keys}
    return Settings(
        db_path=args.db,
        api_keys=tuple(args.api_keys),
        path_prefix=args.path_prefix,
        get_shape=args.get_shape,
        unknown_id_status=args.unknown_id_status,
        validate_before_auth=args.validate_before_auth,
        mask_secrets=args.mask_secrets,
        server_defaults=args.server_defaults,
        null_fields=args.null_fields,
        system_personas=args.system_personas,
        string_booleans=args.string_booleans,
        faults=Faults.from_dict(fault_values),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = settings_from_args(args)
    except (ConfigError, ValueError) as exc:
        parser.error(str(exc))
    if not _is_loopback(args.host):
        print(
            f"warning: binding to {args.host}: the /_sandbox admin API has no authentication",
            file=sys.stderr,
            flush=True,
        )
    from ._server import serve
    from .app import create_app

    serve(create_app(settings), args.host, args.port, args.log_level)
    return 0
