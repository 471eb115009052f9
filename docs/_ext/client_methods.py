"""Griffe extensions of the API reference (used by mkdocs.yml, tested in tests/foundation).

``ClientMethods`` shows the typed clients' methods the way the worlds create them.

``SynapseClient`` and ``AsyncSynapseClient`` get one method per ``@operation``/``@pages`` flow of
``synapse_ext.client._api.ClientApi`` when their class is created (``client/_worlds.py``), so
static analysis sees only the flows, returning ``Flow[T]`` / ``Pages[T]``. This extension copies
each flow onto both client classes with the return type of that world: ``T`` (sync), ``async``
and ``T`` (async); ``Iterator[T]`` / ``AsyncIterator[T]`` for paging flows. The former names
(``x = y.renamed_from("x")``) become deprecated aliases. Module-level functions made the same
way (``upload_data_collection = blocking_function(ingestion, ..., SynapseClient)``) become
functions with the flow's signature, the client type first and the flow's result.

``AttrsSignatures`` gives attrs classes the constructor signature attrs generates. ``RestRoles``
renders the Sphinx roles some docstrings use (``:class:`~x.Y` ``) as code, ``Y``,
and a paragraph's reST literal-block marker (``Quick start::``) as a colon.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

API = "client._api.ClientApi"
API_BASES = ("client._api_v2.ClientApiV2",)
"""Bases of ``ClientApi`` whose flows are client methods too (the v2 methods)."""
WORLD_FUNCTIONS = {"blocking_function": False, "awaitable_function": True}
ROLE = re.compile(r":(?:class|meth|func|mod|attr|exc|data|obj):`~?([^`]+)`")
LITERAL_MARKER = re.compile(r"(?<=\S)::$", re.MULTILINE)
CLIENTS = {"client._clients.SynapseClient": False, "client._clients.AsyncSynapseClient": True}


def _flows(api: griffe.Class) -> dict[str, tuple[griffe.Function, bool]]:
    """Flow name -> (flow, paging?) for each ``@operation``/``@pages`` method of ``api``."""
    found = {}
    for name, member in api.members.items():
        if isinstance(member, griffe.Function):
            kinds = {str(d.value) for d in member.decorators}
            if kinds & {"operation", "pages"}:
                found[name] = (member, "pages" in kinds)
    return found


def _aliases(api: griffe.Class, flows: dict[str, Any]) -> dict[str, str]:
    """Former name -> flow name, for ``old = flow.renamed_from("old")`` attributes."""
    aliases = {}
    for name, member in api.members.items():
        value = getattr(member, "value", None)
        if isinstance(value, griffe.ExprCall) and str(value.function).endswith(".renamed_from"):
            target = str(value.function).rsplit(".", 1)[0]
            if target in flows:
                aliases[name] = target
    return aliases


def _method(
    cls: griffe.Class | griffe.Module,
    name: str,
    flow: griffe.Function,
    paging: bool,
    is_async: bool,
    doc: str,
) -> griffe.Function:
    item = flow.returns.slice if isinstance(flow.returns, griffe.ExprSubscript) else flow.returns
    returns: Any = item
    if paging:
        iterator = griffe.ExprName(
            "AsyncIterator" if is_async else "Iterator", parent="collections.abc"
        )
        returns = griffe.ExprSubscript(iterator, item)
    method = griffe.Function(
        name,
        lineno=flow.lineno,
        endlineno=flow.endlineno,
        parameters=griffe.Parameters(
            *(
                griffe.Parameter(p.name, annotation=p.annotation, kind=p.kind, default=p.default)
                for p in flow.parameters
            )
        ),
        returns=returns,
    )
    if is_async and not paging:
        method.labels.add("async")
    assert flow.docstring is not None
    method.docstring = griffe.Docstring(
        doc,
        lineno=flow.docstring.lineno,
        endlineno=flow.docstring.endlineno,
        parent=method,
        parser=flow.docstring.parser,
        parser_options=flow.docstring.parser_options,
    )
    method.parent = cls
    return method


def _world_functions(module: griffe.Module) -> None:
    """Replace ``f = blocking_function(flow, "f", Client)`` attributes by functions."""
    for name, member in list(module.members.items()):
        value = member.value if isinstance(member, griffe.Attribute) else None
        if not isinstance(value, griffe.ExprCall) or str(value.function) not in WORLD_FUNCTIONS:
            continue
        flow_name, client = str(value.arguments[0]), value.arguments[2]
        flow = module.members[flow_name]
        assert isinstance(flow, griffe.Function) and flow.docstring is not None
        is_async = WORLD_FUNCTIONS[str(value.function)]
        function = _method(module, name, flow, False, is_async, flow.docstring.value)
        first = function.parameters[0]
        first.annotation = client
        first.kind = griffe.ParameterKind.positional_only
        module.set_member(name, function)


class ClientMethods(griffe.Extension):
    """Copy ``ClientApi``'s flows onto the clients; world functions of ``ingest.run`` too."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "synapse_ext":
            return
        api = pkg[API]
        flows = {}
        for base in API_BASES:
            flows.update(_flows(pkg[base]))
        flows.update(_flows(api))
        if not flows:
            raise RuntimeError(f"no @operation flows found on {api.path}")
        aliases = _aliases(api, flows)
        for path, is_async in CLIENTS.items():
            cls = pkg[path]
            for name, (flow, paging) in flows.items():
                if flow.docstring is None:
                    raise RuntimeError(f"{flow.path} has no docstring")
                doc = flow.docstring.value
                cls.set_member(name, _method(cls, name, flow, paging, is_async, doc))
            for old, new in aliases.items():
                flow, paging = flows[new]
                doc = f"Deprecated alias of `{new}` (warns when called)."
                cls.set_member(old, _method(cls, old, flow, paging, is_async, doc))
        _world_functions(pkg["ingest.run"])


class RestRoles(griffe.Extension):
    """Show ``:class:`~pkg.Name` `` as ``Name`` in code font; ``Example::`` as ``Example:``."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = ROLE.sub(_as_code, obj.docstring.value)
            obj.docstring.value = LITERAL_MARKER.sub(":", text)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self.on_object(obj=pkg)  # on_object sees only the members of a package


def _as_code(match: re.Match[str]) -> str:
    target = match.group(1)
    return f"`{target.rsplit('.', 1)[-1] if '~' in match.group(0) else target}`"


FIELD_CALLS = {"field", "ib", "attrib"}
ATTRS_DECORATORS = {"attrs.define", "attrs.frozen", "attrs.mutable", "attr.s", "attr.attrs"}


class AttrsSignatures(griffe.Extension):
    """Give attrs classes the ``__init__`` attrs generates, so their signature is shown.

    Fields are the annotated class attributes (own and attrs bases'), in order; ``field(...)``
    is read for ``default``/``factory``, ``init=False``, ``kw_only=True`` and ``alias``; a
    leading underscore is dropped from the argument name, as attrs does.
    """

    def on_class(self, *, cls: griffe.Class, **kwargs: Any) -> None:
        if not _is_attrs(cls) or "__init__" in cls.members:
            return
        positional, keyword = [], []
        for field in _attrs_fields(cls):
            (keyword if field.kind is griffe.ParameterKind.keyword_only else positional).append(
                field
            )
        self_ = griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)
        init = griffe.Function(
            "__init__",
            lineno=cls.lineno,
            endlineno=cls.lineno,
            parameters=griffe.Parameters(self_, *positional, *keyword),
            returns="None",
        )
        cls.set_member("__init__", init)


def _is_attrs(cls: griffe.Class) -> bool:
    for decorator in cls.decorators:
        try:
            path = decorator.callable_path
        except Exception:  # an unresolvable decorator is not attrs'
            continue
        if path in ATTRS_DECORATORS:
            return True
    return False


def _attrs_fields(cls: griffe.Class) -> list[griffe.Parameter]:
    fields: dict[str, griffe.Parameter] = {}
    for base in reversed(cls.resolved_bases):
        if isinstance(base, griffe.Class) and _is_attrs(base):
            fields.update((f.name, f) for f in _attrs_fields(base))
    for name, member in cls.members.items():
        if not isinstance(member, griffe.Attribute) or member.annotation is None:
            continue
        if "property" in member.labels:
            continue
        if str(member.annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        field = _attrs_field(name, member)
        if field is not None:
            fields[field.name] = field
    return list(fields.values())


def _attrs_field(name: str, member: griffe.Attribute) -> griffe.Parameter | None:
    default: Any = member.value
    kind = griffe.ParameterKind.positional_or_keyword
    argument = name.lstrip("_")
    value = member.value
    function = str(value.function).split(".")[-1] if isinstance(value, griffe.ExprCall) else ""
    if isinstance(value, griffe.ExprCall) and function.removeprefix("_attrs_") in FIELD_CALLS:
        options = {a.name: a.value for a in value.arguments if isinstance(a, griffe.ExprKeyword)}
        if str(options.get("init", "True")) == "False":
            return None
        if str(options.get("kw_only", "False")) == "True":
            kind = griffe.ParameterKind.keyword_only
        if "alias" in options:
            argument = str(options["alias"]).strip("'\"")
        default = options.get("default")
        if "factory" in options:
            default = f"{options['factory']}()"
    return griffe.Parameter(argument, annotation=member.annotation, kind=kind, default=default)
