"""API-change report: the working tree against a base git ref, on three levels.

    python scripts/api_diff.py                 # against the default base (see --help)
    python scripts/api_diff.py --base v0.1.0   # against any git ref
    python scripts/api_diff.py --json          # the machine-readable list

Levels
  http       openapi.yaml: operations, parameters, request/response schemas ($refs resolved),
             status codes, security.
  generated  the generated client (generated/synapse_client): modules, functions and their
             signatures, attrs model fields (name, annotation, required or defaulted), literal
             enum values. Read statically (ast), never imported.
  public     the hand-written public API: the ``__all__`` of synapse_ext, synapse_ext.client,
             .upload, .dataset, .ingest and mockserver, with signatures (griffe). Methods of the
             typed clients come from ClientApi's flows, so inherited members count as the
             clients' own: a changed ClientApi flow shows as ``SynapseClient.<name>`` and
             ``AsyncSynapseClient.<name>``.

Classification (direction matters: who holds the old code that stops working)
  breaking for clients   existing client code or a client generated from the old spec stops
                         working against a server implementing the new spec:
                         - an operation, parameter, status code's body, request media type,
                           security alternative or security scheme removed or changed;
                         - a required parameter or required request-body field added; an
                           optional parameter/field made required; a request body made required;
                         - a response field removed, or made optional (was required);
                         - any type or format change (request or response);
                         - an enum value ADDED to a response (the generated client raises on
                           unknown literal values) or REMOVED from a request;
                         - a response made nullable, a request made non-nullable;
                         - a new 2xx status (the old client cannot parse it);
                         - Python levels: a module, function, class, field, parameter, export
                           or deprecated alias removed; a parameter or attrs field added without
                           a default; a default removed; positional parameters reordered or made
                           keyword-only; on the generated level also any annotation or return
                           annotation change (they are the spec's types), and a literal enum
                           value removed. On the public level griffe's find_breaking_changes
                           (run over both packages) decides for functions, its explanation
                           being the detail; our rules add what it misses (e.g. **kwargs
                           removed); annotation changes and changed defaults are compatible.
  breaking for servers   a server (or the fake, mockserver) that satisfied the old spec no
                         longer does: a required response field added, an optional response
                         field made required, an enum value REMOVED from a response or ADDED to
                         a request, a request field/parameter made nullable, a status code
                         removed (the server may still send it).
  compatible             everything else: additions of operations, optional parameters,
                         optional request fields, optional response fields, non-2xx status
                         codes, media types of responses, security alternatives, a new
                         operationId for the same method and path (the generated level reports
                         the renamed module); Python additions, a literal enum value added
                         (the HTTP level says what it means on the wire), a name turned into a
                         deprecated alias (it still imports, and warns).

Announcement rule (exit status; 2 for an unknown --base)
  Exit 1 when a breaking change (either kind) is not announced, 0 otherwise. A change is
  announced when a line under ``## Unreleased`` -> ``### Breaking`` of CHANGELOG.md (or under
  ``### Breaking`` of a release newer than the base's pyproject version, so that a report
  against older history is explained by the releases since) contains the change's *name* as a
  whole word (case-sensitive): the last dotted component of its item
  (``SynapseClient.get_unit`` -> ``get_unit``; ``DataUnit.meta`` -> ``meta``), except for the
  generated endpoint functions, reported once per endpoint module
  (``api.data_units.get_data_unit`` -> ``get_data_unit``). Mentioning a name announces
  every breaking change of that name.

Base (--base)
  default: the merge base with ``main`` (or ``origin/main``); on ``main`` itself the latest
  tag; without a tag (or without a ``main`` ref) ``HEAD``, in which case the report says so
  and compares the working tree with the last commit. The base's generated client is read from
  the base commit (``git archive``); when the base has no generated/ it is regenerated from the
  base's spec with scripts/generate.py.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BREAK_CLIENTS = "breaking for clients"
BREAK_SERVERS = "breaking for servers"
COMPATIBLE = "compatible"
LEVELS = ("http", "generated", "public")
LEVEL_TITLES = {
    "http": "HTTP contract (openapi.yaml)",
    "generated": "Generated Python API (synapse_client)",
    "public": "Hand-written public API (synapse_ext, mockserver)",
}
PUBLIC_PACKAGES = (
    "synapse_ext",
    "synapse_ext.client",
    "synapse_ext.upload",
    "synapse_ext.dataset",
    "synapse_ext.ingest",
    "mockserver",
)
TREE_PATHS = ("openapi.yaml", "generated", "synapse_ext", "mockserver", "pyproject.toml")
ENDPOINT_FUNCTIONS = {"sync", "sync_detailed", "asyncio", "asyncio_detailed"}
MAX_DETAIL = 90  # human output keeps lines short; --json has the whole detail
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class Change:
    level: str
    kind: str
    item: str
    detail: str
    classification: str
    announced: bool = False
    name: str = field(default="", repr=False)

    @property
    def breaking(self) -> bool:
        return self.classification != COMPATIBLE

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("name")
        return data


def _name_of(item: str) -> str:
    parts = item.split(".")
    if len(parts) >= 2 and parts[-1] in ENDPOINT_FUNCTIONS and item.startswith("api."):
        return parts[-2]
    return parts[-1].split(" ")[-1]


def _change(level: str, kind: str, item: str, detail: str, cls: str) -> Change:
    return Change(level, kind, item, detail, cls, name=_name_of(item))


# --------------------------------------------------------------------------------------------
# Level 1: the HTTP contract


class _Spec:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc

    def resolve(self, node: Any) -> tuple[Any, str | None]:
        """Follow $refs; return the target and the component name of the last ref."""
        name = None
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = str(node["$ref"])
            if ref in seen or not ref.startswith("#/"):
                break
            seen.add(ref)
            name = ref.rsplit("/", 1)[-1]
            target: Any = self.doc
            for part in ref[2:].split("/"):
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            node = target
        return node, name

    def operations(self) -> dict[str, tuple[str, dict[str, Any], dict[str, Any]]]:
        out: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}
        for path, item in (self.doc.get("paths") or {}).items():
            item, _ = self.resolve(item)
            for method in HTTP_METHODS:
                if method in item:
                    op = item[method]
                    label = f"{method.upper()} {path}"
                    out[label] = (str(op.get("operationId") or label), op, item)
        return out

    def security(self, op: Mapping[str, Any]) -> set[frozenset[str]]:
        reqs = op.get("security", self.doc.get("security", []))
        if not reqs:
            return {frozenset()}
        return {frozenset(r) for r in reqs}


def _type_of(schema: Mapping[str, Any]) -> str:
    t = schema.get("type")
    if t is None:
        for key in ("oneOf", "anyOf", "allOf"):
            if key in schema:
                return key
        return "any"
    return "|".join(t) if isinstance(t, list) else str(t)


def _nullable(schema: Mapping[str, Any]) -> bool:
    t = schema.get("type")
    return bool(schema.get("nullable")) or (isinstance(t, list) and "null" in t)


class _SchemaDiff:
    """Compares schemas in one direction (request or response), components once each."""

    def __init__(self, old: _Spec, new: _Spec, out: list[Change]) -> None:
        self.old, self.new, self.out = old, new, out
        self.done: set[tuple[str, str]] = set()

    def add(self, kind: str, item: str, detail: str, cls: str) -> None:
        self.out.append(_change("http", kind, item, detail, cls))

    def compare(self, o: Any, n: Any, item: str, direction: str, depth: int = 0) -> None:
        if depth > 30:
            return
        o_ref = o.get("$ref") if isinstance(o, Mapping) else None
        n_ref = n.get("$ref") if isinstance(n, Mapping) else None
        o, o_name = self.old.resolve(o)
        n, n_name = self.new.resolve(n)
        if o_ref and n_ref and o_name == n_name and o_name is not None:
            key = (o_name, direction)
            if key in self.done:
                return
            self.done.add(key)
            item = o_name
        self._compare_node(o, n, item, direction, depth)

    def _compare_node(self, o: Any, n: Any, item: str, direction: str, depth: int) -> None:
        if not isinstance(o, Mapping) or not isinstance(n, Mapping):
            return
        resp = direction == "response"
        where = f"(in {direction}s)"
        ot, nt = _type_of(o), _type_of(n)
        if ot != nt:
            self.add("type-changed", item, f"type {ot} -> {nt} {where}", BREAK_CLIENTS)
            return
        if o.get("format") != n.get("format"):
            self.add(
                "format-changed",
                item,
                f"format {o.get('format')} -> {n.get('format')} {where}",
                BREAK_CLIENTS,
            )
        if _nullable(o) != _nullable(n):
            now = _nullable(n)
            if resp:
                cls = BREAK_CLIENTS if now else COMPATIBLE
            else:
                cls = BREAK_SERVERS if now else BREAK_CLIENTS
            state = "nullable" if now else "not nullable"
            self.add("nullable-changed", item, f"now {state} {where}", cls)
        o_enum, n_enum = o.get("enum"), n.get("enum")
        if o_enum is not None or n_enum is not None:
            o_vals = [v for v in (o_enum or []) if v is not None]
            n_vals = [v for v in (n_enum or []) if v is not None]
            for v in [v for v in n_vals if v not in o_vals]:
                cls = BREAK_CLIENTS if resp else BREAK_SERVERS
                self.add("enum-value-added", item, f"enum value {v!r} added {where}", cls)
            for v in [v for v in o_vals if v not in n_vals]:
                cls = BREAK_SERVERS if resp else BREAK_CLIENTS
                self.add("enum-value-removed", item, f"enum value {v!r} removed {where}", cls)
        o_props, n_props = self._properties(o, self.old), self._properties(n, self.new)
        o_req, n_req = self._required(o, self.old), self._required(n, self.new)
        for name in sorted(set(o_props) - set(n_props)):
            self.add("field-removed", f"{item}.{name}", f"field removed {where}", BREAK_CLIENTS)
        for name in sorted(set(n_props) - set(o_props)):
            required = name in n_req
            if resp:
                cls = BREAK_SERVERS if required else COMPATIBLE
            else:
                cls = BREAK_CLIENTS if required else COMPATIBLE
            what = "required" if required else "optional"
            self.add("field-added", f"{item}.{name}", f"{what} field added {where}", cls)
        for name in sorted(set(o_props) & set(n_props)):
            was, now = name in o_req, name in n_req
            if was != now:
                if resp:
                    cls = BREAK_SERVERS if now else BREAK_CLIENTS
                else:
                    cls = BREAK_CLIENTS if now else COMPATIBLE
                what = "now required" if now else "now optional"
                self.add("required-changed", f"{item}.{name}", f"{what} {where}", cls)
            self.compare(o_props[name], n_props[name], f"{item}.{name}", direction, depth + 1)
        if "items" in o or "items" in n:
            self.compare(o.get("items", {}), n.get("items", {}), f"{item}[]", direction, depth + 1)
        o_add, n_add = o.get("additionalProperties"), n.get("additionalProperties")
        if isinstance(o_add, Mapping) and isinstance(n_add, Mapping):
            self.compare(o_add, n_add, f"{item}{{}}", direction, depth + 1)
        for key in ("oneOf", "anyOf"):
            o_alt, n_alt = o.get(key) or [], n.get(key) or []
            for i, (oa, na) in enumerate(zip(o_alt, n_alt, strict=False)):
                self.compare(oa, na, f"{item}<{key}{i}>", direction, depth + 1)
            if len(n_alt) > len(o_alt):
                cls = BREAK_CLIENTS if resp else COMPATIBLE
                self.add("alternative-added", item, f"{key} alternative added {where}", cls)
            elif len(n_alt) < len(o_alt):
                cls = COMPATIBLE if resp else BREAK_CLIENTS
                self.add("alternative-removed", item, f"{key} alternative removed {where}", cls)

    def _merged(self, schema: Mapping[str, Any], spec: _Spec) -> list[Mapping[str, Any]]:
        parts = [schema]
        for sub in schema.get("allOf") or []:
            resolved, _ = spec.resolve(sub)
            if isinstance(resolved, Mapping):
                parts.extend(self._merged(resolved, spec))
        return parts

    def _properties(self, schema: Mapping[str, Any], spec: _Spec) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for part in self._merged(schema, spec):
            props.update(part.get("properties") or {})
        return props

    def _required(self, schema: Mapping[str, Any], spec: _Spec) -> set[str]:
        req: set[str] = set()
        for part in self._merged(schema, spec):
            req |= set(part.get("required") or [])
        return req


def _params(spec: _Spec, op: Mapping[str, Any], path_item: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for raw in list(path_item.get("parameters") or []) + list(op.get("parameters") or []):
        p, _ = spec.resolve(raw)
        if isinstance(p, Mapping):
            out[f"{p.get('in')}:{p.get('name')}"] = p
    return out


def _media(spec: _Spec, node: Any) -> tuple[dict[str, Any], bool]:
    node, _ = spec.resolve(node)
    if not isinstance(node, Mapping):
        return {}, False
    content = node.get("content") or {}
    return {k: (v or {}).get("schema", {}) for k, v in content.items()}, bool(node.get("required"))


def diff_http(old_doc: Mapping[str, Any], new_doc: Mapping[str, Any]) -> list[Change]:
    """Changes between two OpenAPI documents."""
    old, new = _Spec(old_doc), _Spec(new_doc)
    out: list[Change] = []
    schemas = _SchemaDiff(old, new, out)

    def add(kind: str, item: str, detail: str, cls: str) -> None:
        out.append(_change("http", kind, item, detail, cls))

    o_ops, n_ops = old.operations(), new.operations()
    for label in sorted(set(o_ops) - set(n_ops)):
        add("operation-removed", o_ops[label][0], f"{label} removed", BREAK_CLIENTS)
    for label in sorted(set(n_ops) - set(o_ops)):
        add("operation-added", n_ops[label][0], f"{label} added", COMPATIBLE)
    for label in sorted(set(o_ops) & set(n_ops)):
        o_id, o_op, o_item = o_ops[label]
        n_id, n_op, n_item = n_ops[label]
        opid = n_id
        if o_id != n_id:
            add("operation-id-changed", opid, f"{label}: operationId {o_id} -> {n_id}", COMPATIBLE)
        # parameters
        o_p, n_p = _params(old, o_op, o_item), _params(new, n_op, n_item)
        for key in sorted(set(o_p) - set(n_p)):
            where, name = key.split(":", 1)
            detail = f"{where} parameter removed"
            add("parameter-removed", f"{opid}.{name}", detail, BREAK_CLIENTS)
        for key in sorted(set(n_p) - set(o_p)):
            where, name = key.split(":", 1)
            required = bool(n_p[key].get("required"))
            cls = BREAK_CLIENTS if required else COMPATIBLE
            what = "required" if required else "optional"
            add("parameter-added", f"{opid}.{name}", f"{what} {where} parameter added", cls)
        for key in sorted(set(o_p) & set(n_p)):
            where, name = key.split(":", 1)
            was, now = bool(o_p[key].get("required")), bool(n_p[key].get("required"))
            if was != now:
                cls = BREAK_CLIENTS if now else COMPATIBLE
                what = "now required" if now else "now optional"
                add(
                    "parameter-required-changed", f"{opid}.{name}", f"{where} parameter {what}", cls
                )
            schemas.compare(
                o_p[key].get("schema", {}),
                n_p[key].get("schema", {}),
                f"{opid}.{name}",
                "request",
            )
        # request body
        o_body, o_req = _media(old, o_op.get("requestBody"))
        n_body, n_req = _media(new, n_op.get("requestBody"))
        body = f"{opid}.requestBody"
        if o_body and not n_body:
            add("request-body-removed", body, "request body removed", BREAK_CLIENTS)
        elif n_body and not o_body:
            cls = BREAK_CLIENTS if n_req else COMPATIBLE
            add("request-body-added", body, "request body added", cls)
        elif o_req != n_req:
            cls = BREAK_CLIENTS if n_req else COMPATIBLE
            add("request-body-required-changed", body, f"required {o_req} -> {n_req}", cls)
        if o_body and n_body:
            for media in sorted(set(o_body) - set(n_body)):
                add("media-type-removed", body, f"{media} no longer accepted", BREAK_CLIENTS)
            for media in sorted(set(n_body) - set(o_body)):
                add("media-type-added", body, f"{media} now accepted", COMPATIBLE)
            for media in sorted(set(o_body) & set(n_body)):
                schemas.compare(o_body[media], n_body[media], body, "request")
        # responses
        o_resp, n_resp = o_op.get("responses") or {}, n_op.get("responses") or {}
        for code in sorted(set(map(str, o_resp)) - set(map(str, n_resp))):
            add("status-removed", f"{opid}.{code}", f"status {code} removed", BREAK_SERVERS)
        for code in sorted(set(map(str, n_resp)) - set(map(str, o_resp))):
            cls = BREAK_CLIENTS if code.startswith("2") else COMPATIBLE
            add("status-added", f"{opid}.{code}", f"status {code} added", cls)
        o_by = {str(k): v for k, v in o_resp.items()}
        n_by = {str(k): v for k, v in n_resp.items()}
        for code in sorted(set(o_by) & set(n_by)):
            o_m, _ = _media(old, o_by[code])
            n_m, _ = _media(new, n_by[code])
            item = f"{opid}.{code}"
            for media in sorted(set(o_m) - set(n_m)):
                add("media-type-removed", item, f"{media} response removed", BREAK_CLIENTS)
            for media in sorted(set(n_m) - set(o_m)):
                add("media-type-added", item, f"{media} response added", COMPATIBLE)
            for media in sorted(set(o_m) & set(n_m)):
                schemas.compare(o_m[media], n_m[media], item, "response")
        # security
        o_sec, n_sec = old.security(o_op), new.security(n_op)
        for alt in sorted(o_sec - n_sec, key=sorted):
            what = " + ".join(sorted(alt)) or "no authentication"
            add("security-removed", f"{opid}.security", f"{what} no longer accepted", BREAK_CLIENTS)
        for alt in sorted(n_sec - o_sec, key=sorted):
            what = " + ".join(sorted(alt)) or "no authentication"
            add("security-added", f"{opid}.security", f"{what} now accepted", COMPATIBLE)
    o_schemes = (old_doc.get("components") or {}).get("securitySchemes") or {}
    n_schemes = (new_doc.get("components") or {}).get("securitySchemes") or {}
    for name in sorted(set(o_schemes) - set(n_schemes)):
        add("security-scheme-removed", name, "security scheme removed", BREAK_CLIENTS)
    for name in sorted(set(n_schemes) - set(o_schemes)):
        add("security-scheme-added", name, "security scheme added", COMPATIBLE)
    for name in sorted(set(o_schemes) & set(n_schemes)):
        o_s, n_s = o_schemes[name], n_schemes[name]
        for key in ("type", "in", "name", "scheme", "bearerFormat"):
            if o_s.get(key) != n_s.get(key):
                detail = f"{key} {o_s.get(key)} -> {n_s.get(key)}"
                add("security-scheme-changed", name, detail, BREAK_CLIENTS)
    return out


# --------------------------------------------------------------------------------------------
# Signatures, shared by both Python levels

Param = tuple[str, str, str | None, str | None]  # name, kind, annotation, default


@dataclass(frozen=True)
class Signature:
    params: tuple[Param, ...]
    returns: str | None

    def render(self) -> str:
        parts = []
        star = any(p[1] == "var_positional" for p in self.params)
        for i, (name, kind, ann, default) in enumerate(self.params):
            if kind == "keyword_only" and not star:
                parts.append("*")
                star = True
            before = self.params[i - 1][1] if i else None
            if before == "positional_only" and kind != "positional_only":
                parts.append("/")
            text = {"var_positional": "*", "var_keyword": "**"}.get(kind, "") + name
            if ann:
                text += f": {ann}"
            if default is not None:
                text += f" = {default}"
            parts.append(text)
        return f"({', '.join(parts)})" + (f" -> {self.returns}" if self.returns else "")


def signature_changes(
    old: Signature, new: Signature, *, annotations_breaking: bool = True
) -> list[tuple[str, str, bool]]:
    """(kind, detail, breaking) for each difference between two signatures."""
    out: list[tuple[str, str, bool]] = []
    o = {p[0]: p for p in old.params}
    n = {p[0]: p for p in new.params}
    new_var_kw = any(p[1] == "var_keyword" for p in new.params)
    for name in sorted(o.keys() - n.keys()):
        if o[name][1] not in ("var_positional", "var_keyword"):
            # a keyword that moved into **kwargs still binds
            absorbed = new_var_kw and o[name][1] in ("keyword_only", "positional_or_keyword")
            detail = f"parameter {name} removed" + (" (now in **kwargs)" if absorbed else "")
            out.append(("parameter-removed", detail, not absorbed))
        else:
            star = "*" if o[name][1] == "var_positional" else "**"
            out.append(("parameter-removed", f"{star}{name} removed", True))
    has_var_kw = any(p[1] == "var_keyword" for p in old.params)
    for name in sorted(n.keys() - o.keys()):
        kind, default = n[name][1], n[name][3]
        required = default is None and kind not in ("var_positional", "var_keyword")
        detail = f"{'required' if required else 'optional'} parameter {name} added"
        out.append(("parameter-added", detail, required and not has_var_kw))
    o_pos = [p[0] for p in old.params if p[1] in ("positional_only", "positional_or_keyword")]
    n_pos = [p[0] for p in new.params if p[1] in ("positional_only", "positional_or_keyword")]
    common = [x for x in o_pos if x in n_pos]
    if common != [x for x in n_pos if x in o_pos]:
        out.append(("parameter-moved", "positional parameters reordered", True))
    for name in sorted(o.keys() & n.keys()):
        _, ok, oa, od = o[name]
        _, nk, na, nd = n[name]
        if ok != nk:
            breaking = not (ok == "keyword_only" and nk == "positional_or_keyword")
            out.append(("parameter-kind-changed", f"{name}: {ok} -> {nk}", breaking))
        if oa != na:
            out.append(("parameter-type-changed", f"{name}: {oa} -> {na}", annotations_breaking))
        if od != nd:
            if nd is None:
                out.append(("parameter-default-removed", f"{name}: default {od} removed", True))
            else:
                out.append(("parameter-default-changed", f"{name}: default {od} -> {nd}", False))
    if old.returns != new.returns:
        detail = f"returns {old.returns} -> {new.returns}"
        out.append(("return-type-changed", detail, annotations_breaking))
    return out


@dataclass
class Surface:
    """What a level exposes: item -> description."""

    functions: dict[str, Signature] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    # item -> (annotation, default or None = required)
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)


def diff_surfaces(level: str, old: Surface, new: Surface) -> list[Change]:
    out: list[Change] = []

    def add(kind: str, item: str, detail: str, breaking: bool) -> None:
        out.append(_change(level, kind, item, detail, BREAK_CLIENTS if breaking else COMPATIBLE))

    for label, o_set, n_set in (
        ("module", old.modules, new.modules),
        ("class", old.classes, new.classes),
    ):
        for item in sorted(o_set - n_set):
            add(f"{label}-removed", item, f"{label} removed", True)
        for item in sorted(n_set - o_set):
            add(f"{label}-added", item, f"{label} added", False)
    for item in sorted(old.functions.keys() - new.functions.keys()):
        add("function-removed", item, f"removed {old.functions[item].render()}", True)
    for item in sorted(new.functions.keys() - old.functions.keys()):
        add("function-added", item, f"added {new.functions[item].render()}", False)
    for item in sorted(old.functions.keys() & new.functions.keys()):
        for kind, detail, breaking in signature_changes(old.functions[item], new.functions[item]):
            add(kind, item, detail, breaking)
    for item in sorted(old.fields.keys() - new.fields.keys()):
        add("field-removed", item, f"field removed ({old.fields[item][0]})", True)
    for item in sorted(new.fields.keys() - old.fields.keys()):
        ann, default = new.fields[item]
        required = default is None
        what = "required" if required else "optional"
        # A field of a class that is itself new breaks no existing code.
        owner = item.rpartition(".")[0]
        new_class = owner in new.classes and owner not in old.classes
        add("field-added", item, f"{what} field added ({ann})", required and not new_class)
    for item in sorted(old.fields.keys() & new.fields.keys()):
        (oa, od), (na, nd) = old.fields[item], new.fields[item]
        if oa != na:
            add("field-type-changed", item, f"type {oa} -> {na}", True)
        if (od is None) != (nd is None):
            required = nd is None
            what = "now required" if required else "now optional"
            add("field-required-changed", item, what, required)
        elif od != nd:
            add("field-default-changed", item, f"default {od} -> {nd}", False)
    for item in sorted(old.enums.keys() - new.enums.keys()):
        add("enum-removed", item, "literal enum removed", True)
    for item in sorted(new.enums.keys() - old.enums.keys()):
        add("enum-added", item, "literal enum added", False)
    for item in sorted(old.enums.keys() & new.enums.keys()):
        o_vals, n_vals = old.enums[item], new.enums[item]
        for v in [v for v in n_vals if v not in o_vals]:
            add("enum-value-added", item, f"value {v} added", False)
        for v in [v for v in o_vals if v not in n_vals]:
            add("enum-value-removed", item, f"value {v} removed", True)
    return _collapse_endpoints(out)


def _collapse_endpoints(changes: list[Change]) -> list[Change]:
    """One line per endpoint module for what its sync/asyncio functions share."""
    out: list[Change] = []
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for c in changes:
        module, _, fn = c.item.rpartition(".")
        if c.item.startswith("api.") and fn in ENDPOINT_FUNCTIONS:
            key = (module, c.kind, c.detail, c.classification)
            if key not in groups:
                groups[key] = []
                out.append(_change(c.level, c.kind, module, c.detail, c.classification))
            groups[key].append(fn)
        else:
            out.append(c)
    for c in out:
        fns = groups.get((c.item, c.kind, c.detail, c.classification))
        if fns is not None and set(fns) != ENDPOINT_FUNCTIONS:
            c.detail = f"{', '.join(sorted(fns))}: {c.detail}"
    return out


# --------------------------------------------------------------------------------------------
# Level 2: the generated client, read with ast


def _ast_signature(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Signature:
    a = fn.args
    params: list[Param] = []

    def ann(node: ast.expr | None) -> str | None:
        return ast.unparse(node) if node is not None else None

    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
    defaults += list(a.defaults)
    for i, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = "positional_only" if i < len(a.posonlyargs) else "positional_or_keyword"
        params.append((arg.arg, kind, ann(arg.annotation), ann(default)))
    if a.vararg:
        params.append((a.vararg.arg, "var_positional", ann(a.vararg.annotation), None))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        params.append((arg.arg, "keyword_only", ann(arg.annotation), ann(default)))
    if a.kwarg:
        params.append((a.kwarg.arg, "var_keyword", ann(a.kwarg.annotation), None))
    return Signature(tuple(params), ann(fn.returns))


def _is_attrs(cls: ast.ClassDef) -> bool:
    for dec in cls.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = ast.unparse(target)
        if name in {"_attrs_define", "define", "attrs.define", "attr.s", "frozen", "attrs.frozen"}:
            return True
    return False


def _literal_values(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) in {"Literal", "typing.Literal"}:
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return tuple(repr(e.value) for e in elts if isinstance(e, ast.Constant))
    return None


def generated_surface(package_dir: Path) -> Surface:
    """The public surface of a generated package (``.../synapse_client``), statically."""
    surface = Surface()
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        if any(p.startswith("_") for p in parts):
            continue
        module = ".".join(parts)
        if module:
            surface.modules.add(module)
        # models are re-exported from synapse_client.models: name them by class
        prefix = "models" if parts[:1] == ["models"] else module
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if not node.name.startswith("_"):
                    surface.functions[f"{module}.{node.name}"] = _ast_signature(node)
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                cls = f"{prefix}.{node.name}"
                surface.classes.add(cls)
                attrs_class = _is_attrs(node)
                for member in node.body:
                    if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                        if not member.name.startswith("_") or member.name == "__init__":
                            surface.functions[f"{cls}.{member.name}"] = _ast_signature(member)
                    elif (
                        attrs_class
                        and isinstance(member, ast.AnnAssign)
                        and isinstance(member.target, ast.Name)
                    ):
                        ann = ast.unparse(member.annotation)
                        if ann.startswith("ClassVar"):
                            continue
                        default = None
                        if member.value is not None:
                            default = ast.unparse(member.value)
                        surface.fields[f"{cls}.{member.target.id}"] = (ann, default)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                values = _literal_values(node.value)
                if isinstance(target, ast.Name) and values is not None:
                    surface.enums[f"{prefix}.{target.id}"] = values
    return surface


# --------------------------------------------------------------------------------------------
# Level 3: the hand-written public API, with griffe


def _griffe_signature(fn: Any) -> Signature:
    params: list[Param] = []
    for p in fn.parameters:
        if p.name in ("self", "cls"):
            continue
        ann = str(p.annotation) if p.annotation is not None else None
        default = str(p.default) if p.default is not None else None
        params.append((p.name, p.kind.name, ann, default))
    return Signature(tuple(params), str(fn.returns) if fn.returns is not None else None)


def _target(obj: Any) -> Any:
    try:
        return obj.final_target if obj.is_alias else obj
    except Exception:  # an alias to something not loaded (e.g. synapse_client, httpx)
        return None


@dataclass(frozen=True)
class Deprecated:
    """A name still importable through a module ``__getattr__`` (``_DEPRECATED``), warning."""

    target: str


_WORLD_RETURNS = {"SynapseClient": "Iterator", "AsyncSynapseClient": "AsyncIterator"}


def _deprecated_names(module: Any) -> dict[str, Deprecated]:
    member = module.members.get("_DEPRECATED")
    if member is None or getattr(member, "value", None) is None:
        return {}
    try:
        tree = ast.parse(str(member.value), mode="eval").body
    except SyntaxError:
        return {}
    out: dict[str, Deprecated] = {}
    if isinstance(tree, ast.Dict):
        for key, value in zip(tree.keys, tree.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                out[key.value] = Deprecated(ast.unparse(value))
    return out


def _renamed_target(cls: Any, attr: Any) -> Any:
    """For ``old = new.renamed_from("old")`` on a class, the function ``new``."""
    value = str(getattr(attr, "value", "") or "")
    match = re.fullmatch(r"(\w+)\.renamed_from\(.*\)", value)
    if match and match.group(1) in cls.all_members:
        return _target(cls.all_members[match.group(1)])
    return None


def _world_function(obj: Any) -> Any:
    """``f = blocking_function(flow, ...)`` (or ``awaitable_function``): the flow ``flow``."""
    if obj is None or not obj.is_attribute:
        return None
    match = re.match(r"(blocking|awaitable)_function\((\w+),", str(obj.value or ""))
    if not match or match.group(2) not in obj.parent.members:
        return None
    flow = _target(obj.parent.members[match.group(2)])
    if flow is None or not flow.is_function:
        return None
    return ("world", flow, "Iterator" if match.group(1) == "blocking" else "AsyncIterator")


def public_objects(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """item -> griffe object for every public name (exports, and members of exported classes).

    Members are listed once per class (under the first package exporting it); flows of
    ``ClientApi`` appear as the typed clients' methods, deprecated method aliases
    (``old = new.renamed_from("old")``) with the signature of the method they call.
    """
    import griffe

    loader = griffe.GriffeLoader(search_paths=[str(root), str(root / "generated")])
    packages: dict[str, Any] = {}
    for top in ("synapse_ext", "mockserver"):
        if (root / top).is_dir():
            packages[top] = loader.load(root / top)
    objects: dict[str, Any] = {}
    expanded: set[str] = set()
    for pkg_name in PUBLIC_PACKAGES:
        top, _, rest = pkg_name.partition(".")
        if top not in packages:
            continue
        try:
            pkg = packages[top][rest] if rest else packages[top]
        except KeyError:
            continue
        pkg = _target(pkg)
        for name, dep in _deprecated_names(pkg).items():
            objects[f"{pkg_name}.{name}"] = dep
        for name in pkg.exports or []:
            name = str(name)
            item = f"{pkg_name}.{name}"
            obj = _target(pkg.members[name]) if name in pkg.members else None
            objects[item] = _world_function(obj) or obj
            if obj is None or not obj.is_class or obj.path in expanded:
                continue
            expanded.add(obj.path)
            for member_name, member in sorted(obj.all_members.items()):
                if member_name.startswith("_") and member_name != "__init__":
                    continue
                target = _target(member)
                renamed = _renamed_target(obj, target) if target is not None else None
                world = _WORLD_RETURNS.get(name)
                if renamed is not None:
                    target = ("renamed", renamed, world)
                elif target is not None and target.is_function and world:
                    target = ("world", target, world)
                objects[f"{item}.{member_name}"] = target
    return objects, packages


def _function_of(obj: Any) -> Any:
    if isinstance(obj, tuple):
        return obj[1]
    return obj if obj is not None and not isinstance(obj, Deprecated) and obj.is_function else None


def _public_signature(obj: Any) -> Signature:
    sig = _griffe_signature(_function_of(obj))
    if isinstance(obj, tuple) and obj[2] and sig.returns:
        ret = re.sub(r"^Flow\[(.*)\]$", r"\1", sig.returns)
        ret = re.sub(r"^Pages\[(.*)\]$", rf"{obj[2]}[\1]", ret)
        sig = Signature(sig.params, ret)
    return sig


def _describe(obj: Any) -> tuple[str, str]:
    if obj is None:
        return "name", "(external)"
    if isinstance(obj, Deprecated):
        target = re.sub(r"^\((.*?), .*\)$", r"\1", obj.target)
        return "deprecated", f"deprecated alias of {target}"
    if isinstance(obj, tuple):
        prefix = "deprecated alias " if obj[0] == "renamed" else ""
        return "function", prefix + _public_signature(obj).render()
    if obj.is_function:
        return "function", _public_signature(obj).render()
    if obj.is_class:
        return "class", f"class({', '.join(str(b) for b in obj.bases)})"
    if obj.is_attribute:
        ann = f": {obj.annotation}" if obj.annotation is not None else ""
        value = f" = {obj.value}" if obj.value is not None else ""
        return "attribute", f"{ann}{value}".strip()
    return str(obj.kind.value), ""


def _griffe_ignored() -> set[Any]:
    import griffe

    kinds = griffe.BreakageKind
    return {kinds.OBJECT_REMOVED, kinds.PARAMETER_CHANGED_DEFAULT}


def diff_public(old_root: Path, new_root: Path) -> list[Change]:
    import griffe

    (old, old_pkgs), (new, new_pkgs) = public_objects(old_root), public_objects(new_root)
    out: list[Change] = []
    # griffe walks whole packages; its breakages are keyed by the object's canonical path
    by_path: dict[str, list[str]] = {}
    ignored = _griffe_ignored()
    for top in old_pkgs.keys() & new_pkgs.keys():
        for breakage in griffe.find_breaking_changes(old_pkgs[top], new_pkgs[top]):
            # removals are judged by the exports; a changed default is compatible (our rule)
            if breakage.kind in ignored:
                continue
            by_path.setdefault(breakage.obj.path, []).append(_explain(breakage))

    def add(kind: str, item: str, detail: str, breaking: bool) -> None:
        out.append(_change("public", kind, item, detail, BREAK_CLIENTS if breaking else COMPATIBLE))

    def owner_gone(item: str, keys: Mapping[str, Any]) -> bool:
        owner = item.rsplit(".", 1)[0]
        return owner not in keys or isinstance(keys[owner], Deprecated)

    for item in sorted(old.keys() - new.keys()):
        if owner_gone(item, new) and item.rsplit(".", 1)[0] in old:
            continue  # its class is reported
        what, desc = _describe(old[item])
        add(f"{what}-removed", item, f"removed: {desc}", True)
    for item in sorted(new.keys() - old.keys()):
        if owner_gone(item, old) and item.rsplit(".", 1)[0] in new:
            continue
        what, desc = _describe(new[item])
        add(f"{what}-added", item, f"added: {desc}", False)
    for item in sorted(old.keys() & new.keys()):
        o, n = old[item], new[item]
        (o_what, o_desc), (n_what, n_desc) = _describe(o), _describe(n)
        if o_desc == n_desc:
            continue
        if o_what != n_what:
            # a class or function turned into a deprecated alias still imports (and warns)
            breaking = n_what != "deprecated"
            add("kind-changed", item, f"{o_desc} -> {n_desc}", breaking)
            continue
        if o_what == "function":
            o_fn, n_fn = _function_of(o), _function_of(n)
            sig = signature_changes(
                _public_signature(o), _public_signature(n), annotations_breaking=False
            )
            explained = sorted(set(by_path.get(o_fn.path, []) + by_path.get(n_fn.path, [])))
            for text in explained:
                add(_kind_of(text), item, text, True)
            for kind, detail, breaking in sig:
                # what griffe already explained is not said twice
                found = re.search(r"parameter (\w+)", detail) or re.match(r"\**(\w+)", detail)
                name = found.group(1) if found else ""
                if breaking and any(f"({name}" in t or f" {name})" in t for t in explained):
                    continue
                if breaking and explained and kind == "parameter-moved":
                    continue
                add(kind, item, detail, breaking)
            if o_desc.startswith("deprecated") != n_desc.startswith("deprecated"):
                add("deprecated-changed", item, n_desc.split(" (")[0], False)
        elif o_what == "class":
            add("class-bases-changed", item, f"{o_desc} -> {n_desc}", False)
        else:
            add(f"{o_what}-changed", item, f"{o_desc} -> {n_desc}", False)
    return out


def _kind_of(text: str) -> str:
    reason = text.removeprefix("griffe: ").split(" (")[0].lower()
    return re.sub(r"[^a-z]+", "-", reason).strip("-")[:40] or "breakage"


def _explain(breakage: Any) -> str:
    """griffe's reason, with the parameter or value it is about (no colours, no file:line)."""
    text = str(breakage.kind.value)
    names = {getattr(v, "name", None) for v in (breakage.old_value, breakage.new_value)}
    names.discard(None)
    if names and all(isinstance(n, str) for n in names):
        text += f" ({', '.join(sorted(str(n) for n in names))})"
    return f"griffe: {text}"


# --------------------------------------------------------------------------------------------
# Trees, base selection, CHANGELOG


def _git(*args: str, cwd: Path = ROOT) -> str | None:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def default_base(cwd: Path = ROOT) -> tuple[str, str]:
    """(ref, why) for the default base."""
    branch = _git("rev-parse", "--abbrev-ref", "HEAD", cwd=cwd)
    if branch != "main":
        for main in ("main", "origin/main"):
            if _git("rev-parse", "--verify", "--quiet", main, cwd=cwd):
                base = _git("merge-base", "HEAD", main, cwd=cwd)
                if base:
                    return base, f"merge base with {main} ({base[:10]})"
    tag = _git("describe", "--tags", "--abbrev=0", cwd=cwd)
    if tag:
        return tag, f"latest tag {tag}"
    why = "on main" if branch == "main" else "no main ref"
    return "HEAD", f"HEAD ({why}, no tag: comparing the working tree with the last commit)"


def extract_tree(ref: str, dest: Path, cwd: Path = ROOT) -> None:
    """Write `ref`'s copy of the compared paths into `dest` (missing paths are skipped)."""
    listed = _git("ls-tree", "--name-only", ref, cwd=cwd)
    if listed is None:
        raise SystemExit(f"api-diff: unknown git ref {ref!r}")
    present = [p for p in TREE_PATHS if p in listed.splitlines()]
    data = subprocess.run(
        ["git", "archive", "--format=tar", ref, *present], cwd=cwd, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    if (dest / "openapi.yaml").exists() and not (dest / "generated" / "synapse_client").is_dir():
        sys.path.insert(0, str(ROOT / "scripts"))
        from generate import generate

        generate(dest / "openapi.yaml", dest / "generated")


def _version(text: str) -> tuple[int, ...] | None:
    match = re.match(r"\[?v?(\d+(?:\.\d+)*)", text.strip())
    return tuple(int(x) for x in match.group(1).split(".")) if match else None


def project_version(root: Path) -> tuple[int, ...] | None:
    """``[project] version`` of the tree's pyproject.toml (None without one)."""
    path = root / "pyproject.toml"
    if not path.exists():
        return None
    match = re.search(r'^version\s*=\s*"([^"]+)"', path.read_text(encoding="utf-8"), re.M)
    return _version(match.group(1)) if match else None


def announced_names(changelog: Path, since: tuple[int, ...] | None = None) -> list[str]:
    """The lines under ``### Breaking`` of ``## Unreleased`` (and of releases after `since`)."""
    if not changelog.exists():
        return []
    lines: list[str] = []
    counted = False
    sub = None
    for line in changelog.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            title, sub = line[3:].strip(), None
            version = _version(title)
            counted = title.lower().startswith("unreleased") or (
                since is not None and version is not None and version > since
            )
        elif line.startswith("### "):
            sub = line[4:].strip().lower()
        elif counted and sub == "breaking" and line.strip():
            lines.append(line)
    return lines


def mark_announced(changes: list[Change], lines: list[str]) -> None:
    for change in changes:
        if change.breaking:
            pattern = re.compile(rf"(?<![\w]){re.escape(change.name)}(?![\w])")
            change.announced = any(pattern.search(line) for line in lines)


def compare_trees(old_root: Path, new_root: Path) -> list[Change]:
    """All changes from `old_root` to `new_root` (each holds openapi.yaml, generated/, ...)."""
    changes: list[Change] = []
    o_spec, n_spec = old_root / "openapi.yaml", new_root / "openapi.yaml"
    if o_spec.exists() and n_spec.exists():
        changes += diff_http(
            yaml.safe_load(o_spec.read_text(encoding="utf-8")),
            yaml.safe_load(n_spec.read_text(encoding="utf-8")),
        )
    o_gen, n_gen = old_root / "generated/synapse_client", new_root / "generated/synapse_client"
    if o_gen.is_dir() and n_gen.is_dir():
        changes += diff_surfaces("generated", generated_surface(o_gen), generated_surface(n_gen))
    changes += diff_public(old_root, new_root)
    return changes


def render(changes: list[Change], base_note: str) -> str:
    out = [f"API changes against {base_note}"]
    if not changes:
        out.append("  no change")
    order = {BREAK_CLIENTS: 0, BREAK_SERVERS: 1, COMPATIBLE: 2}
    for level in LEVELS:
        mine = [c for c in changes if c.level == level]
        if not mine:
            continue
        out.append(f"{LEVEL_TITLES[level]}:")
        for c in sorted(mine, key=lambda c: (order[c.classification], c.item, c.kind)):
            mark = ""
            if c.breaking:
                mark = " [announced]" if c.announced else " [NOT ANNOUNCED]"
            detail = c.detail if len(c.detail) <= MAX_DETAIL else c.detail[: MAX_DETAIL - 1] + "…"
            out.append(f"  {c.classification}: {c.item}: {detail}{mark}")
    missing = [c for c in changes if c.breaking and not c.announced]
    breaking = [c for c in changes if c.breaking]
    out.append(
        f"{len(changes)} change(s), {len(breaking)} breaking, {len(missing)} not announced"
        + (" in CHANGELOG.md (## Unreleased / ### Breaking)" if missing else "")
    )
    return "\n".join(out)


def run(
    base_root: Path, head_root: Path, base_note: str, as_json: bool, changelog: Path
) -> tuple[int, str]:
    changes = compare_trees(base_root, head_root)
    mark_announced(changes, announced_names(changelog, since=project_version(base_root)))
    status = 1 if any(c.breaking and not c.announced for c in changes) else 0
    notes = []
    shaped = [c for c in changes if c.level == "http" and not c.kind.startswith("security")]
    if shaped and not any(c.level == "generated" for c in changes):
        notes.append("openapi.yaml changed but generated/ did not: run `make generate`?")
    if as_json:
        data = {"base": base_note, "changes": [c.as_json() for c in changes], "exit": status}
        text = json.dumps(data | {"notes": notes}, indent=2)
    else:
        text = "\n".join([render(changes, base_note), *(f"note: {n}" for n in notes)])
    return status, text


def main(argv: list[str] | None = None) -> int:
    try:
        ref, why = default_base()
    except OSError:
        ref, why = "HEAD", "HEAD (git unavailable)"
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=f"Default base here: {why}. Rules: see the module docstring and docs/api-diff.md.",
    )
    parser.add_argument("--base", help=f"git ref to compare with (default: {why})")
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")
    parser.add_argument("--head-dir", type=Path, help=argparse.SUPPRESS)  # tests: a prepared tree
    parser.add_argument("--base-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.base:
        ref, why = args.base, args.base
    start = time.perf_counter()
    head_root = args.head_dir or ROOT
    if not args.base_dir and _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
        if args.base:
            print(f"api-diff: unknown git ref {ref!r}", file=sys.stderr)
            return 2
        print("api-diff: no git history here (no HEAD): nothing to compare with; exit 0")
        return 0
    with tempfile.TemporaryDirectory(prefix="api-diff-") as tmp:
        if args.base_dir:
            base_root, why = args.base_dir, str(args.base_dir)
        else:
            base_root = Path(tmp)
            extract_tree(ref, base_root)
        status, text = run(base_root, head_root, why, args.json, head_root / "CHANGELOG.md")
    print(text)
    if not args.json:
        print(f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
