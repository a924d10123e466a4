"""Breaking and additive changes between two versions of the OpenAPI spec.

    python scripts/api_diff.py --base <git ref> [--spec openapi/datlake.yaml]

compares the spec as committed at <git ref> with the working copy and prints what breaks
apart from what is only added. Exit status: 1 when anything breaks, 0 otherwise, 2 for a
usage error (unknown ref, unreadable spec).

"Breaking" means: a client or SDK built against the old spec can fail against the new one
(its call no longer exists or is rejected, a field it reads is gone, a value it parses is
new to it), or code using the regenerated client must change. Importable for tests:
``diff_specs(old, new) -> Report``. Only local ``$ref``s (``#/...``) are followed; YAML
anchors are resolved by ``yaml.safe_load``. ``allOf``/``oneOf``/``anyOf`` are not compared.

Compared: operations, paths, parameters, request bodies, status codes, media types, response
headers, security requirements, and in every schema its types and formats, fields, enums
and constraints (bounds, lengths, item and property counts, patterns). A constraint breaks
where it refuses what the old spec allowed: tighter on what clients send, looser on what
they receive (a value outside what old clients were promised). ``multipleOf`` and
``uniqueItems`` are not compared.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Json = Mapping[str, Any]

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# breaking kinds
REMOVED_OPERATION = "removed-operation"
CHANGED_PATH = "changed-path"
REMOVED_PARAMETER = "removed-parameter"
NEW_REQUIRED_PARAMETER = "new-required-parameter"
NEW_REQUIRED_FIELD = "new-required-field"
REMOVED_REQUEST_FIELD = "removed-request-field"
REMOVED_RESPONSE_FIELD = "removed-response-field"
RESPONSE_FIELD_OPTIONAL = "response-field-now-optional"
NARROWED_ENUM = "narrowed-enum"
WIDENED_RESPONSE_ENUM = "widened-response-enum"
CHANGED_TYPE = "changed-type"
REMOVED_STATUS_CODE = "removed-status-code"
REMOVED_MEDIA_TYPE = "removed-media-type"
REMOVED_REQUEST_BODY = "removed-request-body"
REMOVED_RESPONSE_HEADER = "removed-response-header"
TIGHTER_REQUEST_CONSTRAINT = "tighter-request-constraint"
LOOSER_RESPONSE_CONSTRAINT = "looser-response-constraint"
CHANGED_PATTERN = "changed-pattern"
NEW_SECURITY_REQUIREMENT = "new-security-requirement"
# additive kinds
NEW_OPERATION = "new-operation"
NEW_OPTIONAL_PARAMETER = "new-optional-parameter"
NEW_OPTIONAL_FIELD = "new-optional-field"
NEW_RESPONSE_FIELD = "new-response-field"
NEW_STATUS_CODE = "new-status-code"
WIDENED_ENUM = "widened-enum"
NEW_MEDIA_TYPE = "new-media-type"
NEW_RESPONSE_HEADER = "new-response-header"
LOOSER_REQUEST_CONSTRAINT = "looser-request-constraint"
TIGHTER_RESPONSE_CONSTRAINT = "tighter-response-constraint"
REMOVED_SECURITY_REQUIREMENT = "removed-security-requirement"

# bounds whose lower value is tighter, and whose higher value is
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")


class SpecError(Exception):
    """The spec cannot be read or compared (bad `$ref`, unreadable file, unknown git ref)."""


@dataclass(frozen=True)
class Change:
    kind: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.location}: {self.message}"


@dataclass
class Report:
    breaking: list[Change] = field(default_factory=list)
    additive: list[Change] = field(default_factory=list)

    @property
    def is_breaking(self) -> bool:
        return bool(self.breaking)


def diff_specs(old: Json, new: Json) -> Report:
    """Compare two parsed specs; `old` is what clients were built against."""
    differ = _Differ(old, new)
    differ.operations()
    return differ.report


def resolve(spec: Json, node: Any) -> tuple[Any, str | None]:
    """Follow local `$ref`s from `node`; returns the target and the first ref followed."""
    first: str | None = None
    seen: set[str] = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise SpecError(f"only local $refs are supported, not {ref!r}")
        if ref in seen:
            raise SpecError(f"$ref cycle at {ref}")
        seen.add(ref)
        first = first or ref
        node = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                raise SpecError(f"unresolvable $ref {ref}")
            node = node[part]
    return node, first


@dataclass(frozen=True)
class _Op:
    method: str
    path: str
    node: Json
    path_item: Json

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def operation_id(self) -> str | None:
        op_id = self.node.get("operationId")
        return op_id if isinstance(op_id, str) else None


def _operations(spec: Json) -> dict[tuple[str, str], _Op]:
    ops: dict[tuple[str, str], _Op] = {}
    for path, item in (spec.get("paths") or {}).items():
        item, _ = resolve(spec, item)
        for method in METHODS:
            if isinstance(item.get(method), Mapping):
                ops[(method, path)] = _Op(method, path, item[method], item)
    return ops


def _types(schema: Json) -> tuple[frozenset[str], bool]:
    """The schema's non-null types and whether it admits null (OAS 3.0 and 3.1 styles)."""
    declared = schema.get("type")
    types = set(declared if isinstance(declared, list) else [declared] if declared else [])
    nullable = bool(schema.get("nullable")) or "null" in types
    types.discard("null")
    return frozenset(types), nullable


def _security(spec: Json, op: Json) -> set[frozenset[str]]:
    requirements = op.get("security", spec.get("security")) or [{}]
    return {frozenset(requirement) for requirement in requirements}


def _tighter(keyword: str, was: Any, now: Any) -> bool | None:
    """Whether the bound `keyword` went from `was` to a tighter `now` (None: unchanged).

    OAS 3.0 writes `exclusiveMaximum: true` beside `maximum`: a flag that tightens when set.
    """
    if was == now:
        return None
    if isinstance(was, bool) or isinstance(now, bool):
        return bool(now)
    if was is None or now is None:
        return was is None
    return now < was if keyword in UPPER_BOUNDS else now > was


def _shown(value: Any) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else str(value)


def _fmt_types(types: frozenset[str], fmt: Any) -> str:
    text = "|".join(sorted(types)) or "any"
    return f"{text} ({fmt})" if fmt else text


class _Differ:
    def __init__(self, old: Json, new: Json) -> None:
        self.old = old
        self.new = new
        self.report = Report()

    def breaking(self, kind: str, location: str, message: str) -> None:
        self.report.breaking.append(Change(kind, location, message))

    def additive(self, kind: str, location: str, message: str) -> None:
        self.report.additive.append(Change(kind, location, message))

    # operations ---------------------------------------------------------------------------

    def operations(self) -> None:
        old_ops, new_ops = _operations(self.old), _operations(self.new)
        new_by_id = {op.operation_id: op for op in new_ops.values() if op.operation_id}
        old_ids = {op.operation_id for op in old_ops.values() if op.operation_id}
        paired: set[tuple[str, str]] = set()
        for key, old_op in old_ops.items():
            op_id = old_op.operation_id
            new_op = new_by_id.get(op_id) if op_id else None
            if new_op is not None and (new_op.method, new_op.path) != key:
                self.breaking(
                    CHANGED_PATH,
                    f"operation {op_id}",
                    f"moved from {old_op.label} to {new_op.label}",
                )
            elif new_op is None and key in new_ops and new_ops[key].operation_id not in old_ids:
                new_op = new_ops[key]
                if op_id:  # same method and path, but the operationId is gone
                    self.breaking(
                        REMOVED_OPERATION,
                        old_op.label,
                        f"operationId {op_id} is gone (now {new_op.operation_id or 'none'})",
                    )
            if new_op is None or (new_op.method, new_op.path) in paired:
                self.breaking(REMOVED_OPERATION, old_op.label, f"operation {op_id or ''} removed")
                continue
            paired.add((new_op.method, new_op.path))
            self.operation(old_op, new_op)
        for key, new_op in new_ops.items():
            if key not in paired:
                name = new_op.operation_id or ""
                self.additive(NEW_OPERATION, new_op.label, f"new operation {name}".rstrip())

    def operation(self, old: _Op, new: _Op) -> None:
        where = new.label
        self.security(old, new, where)
        self.parameters(old, new, where)
        self.request_body(old.node.get("requestBody"), new.node.get("requestBody"), where)
        self.responses(old.node.get("responses") or {}, new.node.get("responses") or {}, where)

    def security(self, old: _Op, new: _Op, where: str) -> None:
        """Each spec's effective requirement: the operation's `security`, else the spec's. A
        requirement is a set of alternatives, each a set of schemes; `{}` means none."""
        was, now = _security(self.old, old.node), _security(self.new, new.node)
        loc = f"{where} security"
        dropped = was - now
        if frozenset() in was and frozenset() not in now:
            self.breaking(NEW_SECURITY_REQUIREMENT, loc, "now requires authentication")
        elif dropped and frozenset() not in now:
            names = sorted(" and ".join(sorted(a)) for a in dropped)
            self.breaking(NEW_SECURITY_REQUIREMENT, loc, f"no longer accepts {', '.join(names)}")
        if frozenset() in now and frozenset() not in was:
            self.additive(REMOVED_SECURITY_REQUIREMENT, loc, "no longer requires authentication")
        elif now - was and frozenset() not in now:
            names = sorted(" and ".join(sorted(a)) for a in now - was)
            self.additive(REMOVED_SECURITY_REQUIREMENT, loc, f"also accepts {', '.join(names)}")

    # parameters ---------------------------------------------------------------------------

    def _params(self, spec: Json, op: _Op) -> dict[tuple[str, str], Json]:
        params: dict[tuple[str, str], Json] = {}
        for raw in [*op.path_item.get("parameters", []), *op.node.get("parameters", [])]:
            param, _ = resolve(spec, raw)
            name = str(param["name"])
            where = str(param["in"])
            params[(where, name.lower() if where == "header" else name)] = param
        return params

    def parameters(self, old_op: _Op, new_op: _Op, where: str) -> None:
        old, new = self._params(self.old, old_op), self._params(self.new, new_op)
        for key, param in new.items():
            loc = f"{where} {key[0]} parameter {param['name']}"
            required = bool(param.get("required"))
            if key not in old:
                if required:
                    self.breaking(NEW_REQUIRED_PARAMETER, loc, "new required parameter")
                else:
                    self.additive(NEW_OPTIONAL_PARAMETER, loc, "new optional parameter")
                continue
            if required and not old[key].get("required"):
                self.breaking(NEW_REQUIRED_PARAMETER, loc, "parameter is now required")
            self.schema(old[key].get("schema"), param.get("schema"), loc, "", request=True)
        for key, param in old.items():
            if key not in new:
                loc = f"{where} {key[0]} parameter {param['name']}"
                self.breaking(REMOVED_PARAMETER, loc, "parameter removed")

    # bodies -------------------------------------------------------------------------------

    def request_body(self, old_raw: Any, new_raw: Any, where: str) -> None:
        loc = f"{where} request body"
        old = resolve(self.old, old_raw)[0] if old_raw is not None else None
        new = resolve(self.new, new_raw)[0] if new_raw is not None else None
        if new is None:
            if old is not None:
                self.breaking(REMOVED_REQUEST_BODY, loc, "the request body is gone")
            return
        if old is None:
            if new.get("required"):
                self.breaking(NEW_REQUIRED_FIELD, loc, "new required request body")
            else:
                self.additive(NEW_OPTIONAL_FIELD, loc, "new optional request body")
            return
        if new.get("required") and not old.get("required"):
            self.breaking(NEW_REQUIRED_FIELD, loc, "the request body is now required")
        self.content(old.get("content") or {}, new.get("content") or {}, loc, request=True)

    def responses(self, old: Json, new: Json, where: str) -> None:
        old = {str(k): v for k, v in old.items()}
        new = {str(k): v for k, v in new.items()}
        for status in sorted(old.keys() - new.keys()):
            self.breaking(REMOVED_STATUS_CODE, f"{where} response {status}", "status removed")
        for status in sorted(new.keys() - old.keys()):
            self.additive(NEW_STATUS_CODE, f"{where} response {status}", "new status")
        for status in sorted(old.keys() & new.keys()):
            old_resp, _ = resolve(self.old, old[status])
            new_resp, _ = resolve(self.new, new[status])
            loc = f"{where} response {status}"
            self.headers(old_resp.get("headers") or {}, new_resp.get("headers") or {}, loc)
            self.content(old_resp.get("content") or {}, new_resp.get("content") or {}, loc)

    def headers(self, old_raw: Json, new_raw: Json, loc: str) -> None:
        old = {name.lower(): (name, value) for name, value in old_raw.items()}
        new = {name.lower(): (name, value) for name, value in new_raw.items()}
        for key in sorted(old.keys() - new.keys()):
            self.breaking(REMOVED_RESPONSE_HEADER, f"{loc} header {old[key][0]}", "header removed")
        for key in sorted(new.keys() - old.keys()):
            self.additive(NEW_RESPONSE_HEADER, f"{loc} header {new[key][0]}", "new header")
        for key in sorted(old.keys() & new.keys()):
            old_header, _ = resolve(self.old, old[key][1])
            new_header, _ = resolve(self.new, new[key][1])
            here = f"{loc} header {new[key][0]}"
            self.schema(old_header.get("schema"), new_header.get("schema"), here, "", request=False)

    def content(self, old: Json, new: Json, loc: str, *, request: bool = False) -> None:
        for media in sorted(old.keys() - new.keys()):
            self.breaking(REMOVED_MEDIA_TYPE, f"{loc} ({media})", "media type removed")
        for media in sorted(new.keys() - old.keys()):
            self.additive(NEW_MEDIA_TYPE, f"{loc} ({media})", "new media type")
        for media in sorted(old.keys() & new.keys()):
            media_loc = loc if media == "application/json" else f"{loc} ({media})"
            old_schema = (old[media] or {}).get("schema")
            new_schema = (new[media] or {}).get("schema")
            self.schema(old_schema, new_schema, media_loc, "", request=request)

    # schemas ------------------------------------------------------------------------------

    def schema(
        self,
        old_raw: Any,
        new_raw: Any,
        loc: str,
        path: str,
        *,
        request: bool,
        refs: frozenset[str] = frozenset(),
    ) -> None:
        """Compare two schemas at field `path` (`items[].status`) of `loc`."""
        if old_raw is None or new_raw is None:
            return
        old, old_ref = resolve(self.old, old_raw)
        new, _ = resolve(self.new, new_raw)
        if old_ref in refs:  # a recursive schema: this branch was compared already
            return
        refs = refs | {old_ref} if old_ref else refs
        here = f"{loc} field {path}" if path else loc

        old_types, old_null = _types(old)
        new_types, new_null = _types(new)
        if old_types != new_types or old.get("format") != new.get("format"):
            was = _fmt_types(old_types, old.get("format"))
            now = _fmt_types(new_types, new.get("format"))
            self.breaking(CHANGED_TYPE, here, f"type changed from {was} to {now}")
            return
        if request and old_null and not new_null:
            self.breaking(CHANGED_TYPE, here, "null is no longer accepted")
        if not request and new_null and not old_null:
            self.breaking(CHANGED_TYPE, here, "may now be null")

        self.enum(old.get("enum"), new.get("enum"), here, request=request)
        self.constraints(old, new, here, request=request)
        self.properties(old, new, loc, path, request=request, refs=refs)
        if "items" in old and "items" in new:
            self.schema(old["items"], new["items"], loc, f"{path}[]", request=request, refs=refs)

    def enum(self, old: Any, new: Any, here: str, *, request: bool) -> None:
        if old is None and new is None:
            return
        if new is not None and old is None:
            self.breaking(NARROWED_ENUM, here, f"now limited to {list(new)}")
            return
        if new is None and not request:
            self.breaking(
                WIDENED_RESPONSE_ENUM,
                here,
                f"no longer limited to {list(old)} (older generated clients reject other values)",
            )
            return
        if new is None:
            self.additive(WIDENED_ENUM, here, "no longer limited to an enum")
            return
        removed = [v for v in old if v not in new]
        added = [v for v in new if v not in old]
        if removed:
            self.breaking(NARROWED_ENUM, here, f"enum values removed: {removed}")
        if added and request:
            self.additive(WIDENED_ENUM, here, f"enum values added: {added}")
        elif added:
            self.breaking(
                WIDENED_RESPONSE_ENUM,
                here,
                f"enum values added to a response: {added} (older generated clients reject "
                "values they do not know)",
            )

    def constraints(self, old: Json, new: Json, here: str, *, request: bool) -> None:
        """Bounds and patterns: tighter breaks what clients send, looser what they read."""
        for keyword in (*UPPER_BOUNDS, *LOWER_BOUNDS):
            was, now = old.get(keyword), new.get(keyword)
            tighter = _tighter(keyword, was, now)
            if tighter is None:
                continue
            change = f"{keyword} {_shown(was)} -> {_shown(now)}"
            if tighter and request:
                self.breaking(TIGHTER_REQUEST_CONSTRAINT, here, f"{change}: may refuse old values")
            elif tighter:
                self.additive(TIGHTER_RESPONSE_CONSTRAINT, here, change)
            elif request:
                self.additive(LOOSER_REQUEST_CONSTRAINT, here, change)
            else:
                self.breaking(
                    LOOSER_RESPONSE_CONSTRAINT, here, f"{change}: may return unexpected values"
                )
        was, now = old.get("pattern"), new.get("pattern")
        if was == now:
            return
        change = f"pattern {_shown(was)} -> {_shown(now)}"
        # a pattern's reach cannot be compared: any change may refuse what it took before
        if request and now is None:
            self.additive(LOOSER_REQUEST_CONSTRAINT, here, change)
        elif not request and was is None:
            self.additive(TIGHTER_RESPONSE_CONSTRAINT, here, change)
        else:
            self.breaking(CHANGED_PATTERN, here, change)

    def properties(
        self, old: Json, new: Json, loc: str, path: str, *, request: bool, refs: frozenset[str]
    ) -> None:
        old_props: Json = old.get("properties") or {}
        new_props: Json = new.get("properties") or {}
        old_req, new_req = set(old.get("required") or []), set(new.get("required") or [])
        for name in old_props:
            here = f"{loc} field {path}.{name}" if path else f"{loc} field {name}"
            if name not in new_props:
                if request:
                    self.breaking(REMOVED_REQUEST_FIELD, here, "request field removed")
                else:
                    self.breaking(REMOVED_RESPONSE_FIELD, here, "response field removed")
                continue
            if request and name in new_req and name not in old_req:
                self.breaking(NEW_REQUIRED_FIELD, here, "field is now required")
            if not request and name in old_req and name not in new_req:
                self.breaking(RESPONSE_FIELD_OPTIONAL, here, "field may now be absent")
            sub = f"{path}.{name}" if path else name
            self.schema(old_props[name], new_props[name], loc, sub, request=request, refs=refs)
        for name in new_props:
            if name in old_props:
                continue
            here = f"{loc} field {path}.{name}" if path else f"{loc} field {name}"
            if not request:
                self.additive(NEW_RESPONSE_FIELD, here, "new response field")
            elif name in new_req:
                self.breaking(NEW_REQUIRED_FIELD, here, "new required field")
            else:
                self.additive(NEW_OPTIONAL_FIELD, here, "new optional field")


# command line ---------------------------------------------------------------------------


def load_spec(text: str, source: str) -> Json:
    try:
        spec = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(spec, Mapping) or "paths" not in spec:
        raise SpecError(f"{source}: not an OpenAPI document")
    return spec


def spec_at_ref(ref: str, spec_path: Path) -> str:
    """The text of `spec_path` as committed at git `ref` (in the repository holding it)."""
    git = shutil.which("git")
    if git is None:
        raise SpecError("git is not installed")
    folder = spec_path.resolve().parent

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        # fixed argv, no shell: the ref is a single argument
        return subprocess.run(  # noqa: S603
            [git, "-C", str(folder), *args], capture_output=True, text=True, check=False
        )

    if run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise SpecError(f"unknown git ref {ref!r} (in {folder})")
    shown = run("show", f"{ref}:./{spec_path.name}")
    if shown.returncode != 0:
        raise SpecError(f"{spec_path.name} does not exist at {ref}: {shown.stderr.strip()}")
    return shown.stdout


def format_report(report: Report, base: str) -> str:
    lines: list[str] = []
    for title, changes in (("Breaking", report.breaking), ("Additive", report.additive)):
        lines.append(f"{title} changes since {base}: {len(changes)}")
        lines.extend(f"  {c.kind:<28} {c.location}\n  {'':<28} {c.message}" for c in changes)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--base", required=True, help="git ref of the old spec (main, v1.0.0)")
    parser.add_argument(
        "--spec", type=Path, default=Path("openapi/datlake.yaml"), help="the working spec"
    )
    args = parser.parse_args(argv)
    try:
        new_text = args.spec.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"api_diff: cannot read {args.spec}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        old = load_spec(spec_at_ref(args.base, args.spec), f"{args.base}:{args.spec.name}")
        new = load_spec(new_text, str(args.spec))
        report = diff_specs(old, new)
    except SpecError as exc:
        print(f"api_diff: {exc}", file=sys.stderr)
        return 2
    print(format_report(report, args.base))
    return 1 if report.is_breaking else 0


if __name__ == "__main__":
    sys.exit(main())
