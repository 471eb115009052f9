"""The fake's dashboard (``GET /_mock/``): its state and recent calls as one HTML page.

Pages are built from the snapshot ``GET /_mock/state`` answers and from the call log, and from
nothing else. They need no external asset (the style and the small script are inline): the
script refreshes the page's live part while it is open and sends the control forms (reset,
faults, latency) as JSON to the control routes. Every value is escaped; tenant codes and
tokens (the ``redact`` strings) are masked wherever they occur, header values are never
rendered and query strings of URLs (presigned signatures) are masked.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "RECENT_CALLS",
    "REFRESH_MS",
    "ROWS_PER_TABLE",
    "CallEntry",
    "CallFilter",
    "render_dashboard",
    "render_unit",
]

RECENT_CALLS = 200
"""How many calls (the newest, after filtering) the page lists."""
ROWS_PER_TABLE = 50
"""How many rows (the newest) a table of files, units, tasks or objects lists."""
REFRESH_MS = 2000
"""How often an open page refreshes its live part."""
MASK = "•••"
_URL_QUERY = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#\"'<>]*)\?[^\s#\"'<>]*")


class CallEntry(Protocol):
    """What the page reads of a call-log entry (:class:`mockserver.Call`)."""

    @property
    def operation_id(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def fault(self) -> str | None: ...
    @property
    def body_bytes(self) -> int: ...
    @property
    def response_bytes(self) -> int | None: ...
    @property
    def duration_ms(self) -> float: ...
    @property
    def contract(self) -> str: ...


@dataclass(frozen=True)
class CallFilter:
    """Which calls the page lists: ``path`` a substring of the path, ``status`` a status
    (``404``), a class (``2xx`` … ``5xx``), ``none`` (no answer) or empty (any)."""

    path: str = ""
    status: str = ""

    def matches(self, call: CallEntry) -> bool:
        """Whether ``call`` passes the filter."""
        if self.path and self.path not in call.path:
            return False
        wanted = self.status.strip().lower()
        if not wanted:
            return True
        if wanted == "none":
            return call.status is None
        if call.status is None:
            return False
        if len(wanted) == 3 and wanted.endswith("xx"):
            return str(call.status)[0] == wanted[0]
        return str(call.status) == wanted


class _Text:
    """Turns any value into safe HTML text: secrets and URL queries masked, then escaped."""

    def __init__(self, redact: Iterable[str]) -> None:
        words = sorted({w for w in redact if w}, key=len, reverse=True)
        alternatives = "|".join(re.escape(w) for w in words)
        self._secret = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])") if words else None

    def plain(self, value: Any) -> str:
        text = "" if value is None else str(value)
        text = _URL_QUERY.sub(rf"\1?{MASK}", text)
        if self._secret is not None:
            text = self._secret.sub(MASK, text)
        return text

    def __call__(self, value: Any) -> str:
        return html.escape(self.plain(value), quote=True)


def _size(count: int | None) -> str:
    if count is None:
        return "-"
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"  # pragma: no cover - the loop always returns


def _newest(rows: Sequence[dict[str, Any]], key: str = "id") -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: row.get(key) or 0, reverse=True)


def _table(
    t: _Text,
    name: str,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    total: int | None = None,
) -> str:
    """A table of already-rendered cells; ``total`` > rows says how many were left out."""
    head = "".join(f"<th>{t(h)}</th>" for h in headings)
    if not rows:
        return f'<p class="empty" data-table="{t(name)}">none</p>'
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    more = ""
    if total is not None and total > len(rows):
        more = f'<p class="more">the newest {len(rows)} of {total}</p>'
    return (
        f'<table data-table="{t(name)}" data-rows="{len(rows)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>{more}"
    )


def _count(t: _Text, name: str, label: str, value: int) -> str:
    return f'<div class="count"><dt>{t(label)}</dt><dd data-count="{t(name)}">{value}</dd></div>'


class _Page:
    """One rendering: the snapshot, the call log and how to address the control routes."""

    def __init__(
        self,
        state: dict[str, Any],
        calls: Sequence[CallEntry],
        *,
        root: str,
        redact: Iterable[str],
        live: bool,
    ) -> None:
        self.state = state
        self.calls = calls
        self.root = root if root.endswith("/") else root + "/"
        self.t = _Text(redact)
        self.live = live
        units = state.get("data_units", [])
        self.unit_collection = {u["id"]: u.get("data_collection") for u in units}

    # -- pieces ------------------------------------------------------------------------------
    def unit_link(self, unit_id: Any) -> str:
        t = self.t
        if not self.live:
            return t(unit_id)
        return f'<a href="{t(self.root)}units/{t(unit_id)}">{t(unit_id)}</a>'

    def summary(self) -> str:
        t, state = self.t, self.state
        counts = state.get("counts", {})
        storage = state.get("storage") or {}
        items = [
            ("data_collections", "collections", counts.get("data_collections", 0)),
            ("data_files", "data files", counts.get("data_files", 0)),
            ("data_units", "data units", counts.get("data_units", 0)),
            ("tasks", "tasks", counts.get("tasks", 0)),
            ("chunked_uploads", "chunked uploads", counts.get("chunked_uploads", 0)),
            ("presigned_uploads", "presigned uploads", counts.get("presigned_uploads", 0)),
            ("objects", "stored objects", len(storage.get("objects", {}))),
            ("multipart_uploads", "multipart in progress", len(storage.get("uploads", {}))),
            ("calls", "calls", len(self.calls)),
        ]
        cells = "".join(_count(t, name, label, value) for name, label, value in items)
        received = counts.get("bytes_received", 0)
        cells += (
            f'<div class="count"><dt>received</dt><dd data-count="bytes_received" '
            f'data-value="{received}">{t(_size(received))}</dd></div>'
        )
        return f'<dl class="summary">{cells}</dl>'

    def faults(self) -> str:
        t = self.t
        faults = self.state.get("faults", {})
        pending = faults.get("pending", [])
        rows = [
            [t(f.get("operation")), t(f.get("kind")), t(f.get("status")), t(f.get("remaining"))]
            for f in pending
        ]
        latency = faults.get("latency_ms", 0)
        return (
            f'<section id="faults"><h2>Faults</h2><p>latency: <b data-latency-ms="{latency}">'
            f"{t(latency)} ms</b> added to every answer</p>"
            + _table(t, "faults", ["operation", "kind", "status", "remaining"], rows)
            + "</section>"
        )

    def collections(self) -> str:
        t, state = self.t, self.state
        files = state.get("data_files", [])
        units = state.get("data_units", [])
        tasks = state.get("tasks", [])
        parts = ['<section id="collections"><h2>Collections</h2>']
        for collection in sorted(state.get("data_collections", []), key=lambda c: c["id"]):
            cid = collection["id"]
            c_files = _newest([f for f in files if cid in f.get("data_collections", [])])
            c_units = _newest([u for u in units if u.get("data_collection") == cid])
            c_tasks = _newest(
                [x for x in tasks if self.unit_collection.get(x.get("data_unit")) == cid]
            )
            specs = ", ".join(t(s) for s in collection.get("file_specifications", []))
            counts = (
                _count(t, "data_files", "data files", len(c_files))
                + _count(t, "data_units", "data units", len(c_units))
                + _count(t, "tasks", "tasks", len(c_tasks))
            )
            file_rows = [
                [
                    t(f["id"]),
                    t(f.get("filename")),
                    t(_size(f.get("size"))),
                    f"<code>{t(str(f.get('checksum', ''))[:12])}</code>",
                    t(f.get("created_at", "")),
                ]
                for f in c_files[:ROWS_PER_TABLE]
            ]
            unit_rows = [
                [
                    self.unit_link(u["id"]),
                    t(", ".join(f"{spec}: {fid}" for spec, fid in u.get("files", {}).items())),
                    t(len(u.get("groups", []))),
                    t(", ".join(sorted(map(str, (u.get("meta") or {}).keys())))),
                ]
                for u in c_units[:ROWS_PER_TABLE]
            ]
            task_rows = [
                [t(x["id"]), t(x.get("project")), self.unit_link(x.get("data_unit"))]
                for x in c_tasks[:ROWS_PER_TABLE]
            ]
            parts.append(
                f'<article class="collection" data-collection="{t(cid)}">'
                f"<h3>#{t(cid)} {t(collection.get('name'))}</h3>"
                f'<p class="specs">file specifications: {specs or "none"}</p>'
                f'<dl class="summary">{counts}</dl>'
                "<h4>Data files</h4>"
                + _table(
                    t,
                    "data_files",
                    ["id", "filename", "size", "checksum", "created"],
                    file_rows,
                    len(c_files),
                )
                + "<h4>Data units</h4>"
                + _table(
                    t, "data_units", ["id", "files", "groups", "meta"], unit_rows, len(c_units)
                )
                + "<h4>Tasks</h4>"
                + _table(t, "tasks", ["id", "project", "data unit"], task_rows, len(c_tasks))
                + "</article>"
            )
        parts.append("</section>")
        return "".join(parts)

    def storage(self) -> str:
        t, state = self.t, self.state
        storage = state.get("storage")
        parts = ['<section id="storage"><h2>Object storage</h2>']
        if storage is None:
            parts.append("<p>a remote S3 endpoint: its objects are not listed here</p>")
        else:
            objects = list(storage.get("objects", {}).items())[::-1]
            rows = [
                [
                    f"<code>{t(key)}</code>",
                    t(_size(o.get("size"))),
                    t(o.get("etag")),
                    t(o.get("segments")),
                ]
                for key, o in objects[:ROWS_PER_TABLE]
            ]
            parts.append("<h4>Objects</h4>")
            parts.append(
                _table(t, "objects", ["key", "size", "etag", "segments"], rows, len(objects))
            )
            uploads = list(storage.get("uploads", {}).items())[::-1]
            rows = [
                [
                    f"<code>{t(uid)}</code>",
                    f"<code>{t(u.get('key'))}</code>",
                    t(", ".join(map(str, u.get("parts", []))) or "none yet"),
                ]
                for uid, u in uploads[:ROWS_PER_TABLE]
            ]
            parts.append("<h4>Multipart uploads in progress</h4>")
            parts.append(
                _table(t, "multipart_uploads", ["upload id", "key", "parts"], rows, len(uploads))
            )
        presigned = state.get("presigned_uploads", [])[::-1]
        rows = [
            [
                f"<code>{t(p.get('file_key'))}</code>",
                t(p.get("filename")),
                t(_size(p.get("size"))),
                t("multipart" if p.get("multipart") else "single"),
                t(p.get("data_collection")),
                t(p.get("data_file_id") or "-"),
            ]
            for p in presigned[:ROWS_PER_TABLE]
        ]
        parts.append("<h4>Presigned uploads (issued file keys)</h4>")
        parts.append(
            _table(
                t,
                "presigned_uploads",
                ["file key", "filename", "size", "kind", "collection", "data file"],
                rows,
                len(presigned),
            )
        )
        chunked = _newest(state.get("chunked_uploads", []))
        rows = [
            [t(u["id"]), t(u.get("filename")), t(_size(u.get("offset"))), t(u.get("status"))]
            for u in chunked[:ROWS_PER_TABLE]
        ]
        parts.append("<h4>Chunked uploads</h4>")
        parts.append(
            _table(t, "chunked_uploads", ["id", "filename", "offset", "status"], rows, len(chunked))
        )
        parts.append("</section>")
        return "".join(parts)

    def call_log(self, call_filter: CallFilter) -> str:
        t = self.t
        numbered = [(n, c) for n, c in enumerate(self.calls, 1) if call_filter.matches(c)]
        shown = numbered[::-1][:RECENT_CALLS]
        rows = [
            [
                t(n),
                t(c.method),
                f"<code>{t(c.path)}</code>",
                t(c.operation_id),
                f'<span class="status s{t(str(c.status)[0] if c.status else "x")}">'
                f"{t(c.status if c.status is not None else 'none')}</span>",
                t(c.fault or ""),
                t(f"{c.duration_ms:.1f} ms"),
                f'<span class="contract {t(c.contract)}">{t(c.contract)}</span>',
                t(_size(c.body_bytes)),
                t(_size(c.response_bytes)),
            ]
            for n, c in shown
        ]
        return (
            f'<section id="calls"><h2>Recent calls</h2><p class="more" data-calls-matching='
            f'"{len(numbered)}">the newest {len(shown)} of {len(numbered)} matching '
            f"({len(self.calls)} in the log)</p>"
            + _table(
                t,
                "calls",
                [
                    "#",
                    "method",
                    "path",
                    "operation",
                    "status",
                    "fault",
                    "duration",
                    "contract",
                    "sent",
                    "answered",
                ],
                rows,
            )
            + "</section>"
        )

    def filter_form(self, call_filter: CallFilter) -> str:
        t = self.t
        return (
            '<form id="call-filter" method="get"><label>path contains '
            f'<input name="path" value="{t(call_filter.path)}"></label> '
            '<label>status <input name="status" size="6" placeholder="4xx, 404, none" '
            f'value="{t(call_filter.status)}"></label> <button>filter</button></form>'
        )

    def controls(self) -> str:
        if not self.live:
            return (
                '<p class="note">A copy of the page written to a file: it does not refresh, and '
                "its controls are on the live page (<code>GET /_mock/</code>).</p>"
            )
        root = self.t(self.root)
        kinds = "".join(
            f"<option>{k}</option>" for k in ("status", "refuse", "drop", "lose_response", "slow")
        )
        return f"""<section id="controls"><h2>Controls</h2>
<form data-control="reset" method="post" action="{root}reset"><button>reset the fake</button></form>
<form data-control="clear-faults" data-method="DELETE" action="{root}faults">
<button>clear faults</button></form>
<form data-control="fault" method="post" action="{root}faults">
<label>operation <input name="operation" value="*" size="22"></label>
<label>kind <select name="kind">{kinds}</select></label>
<label>status <input name="status" type="number" value="503" min="100" max="599"></label>
<label>times <input name="times" type="number" value="1" min="1"></label>
<label>delay ms <input name="delay_ms" type="number" value="500" min="0"></label>
<button>add fault</button></form>
<form data-control="latency" method="post" action="{root}faults">
<label>latency ms <input name="latency_ms" type="number" value="0" min="0"></label>
<button>set latency</button></form>
<output id="control-result"></output></section>"""

    def document(self, title: str, body: str, *, filter_form: str = "") -> str:
        t = self.t
        script = f"<script>{_SCRIPT}</script>" if self.live else ""
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{t(title)}</title><style>{_STYLE}</style></head>"
            f'<body data-root="{t(self.root)}" data-live="{int(self.live)}" '
            f'data-refresh-ms="{REFRESH_MS}" data-refreshes="0">'
            f'<header><h1>{t(title)}</h1><span id="refresh-status">'
            f"{'live' if self.live else 'static copy'}</span></header>"
            f"{self.controls() if filter_form else ''}{filter_form if self.live else ''}"
            f'<main id="live">{body}</main>{script}</body></html>'
        )


def render_dashboard(
    state: dict[str, Any],
    calls: Sequence[CallEntry],
    *,
    root: str = "/_mock/",
    redact: Iterable[str] = (),
    call_filter: CallFilter | None = None,
    live: bool = True,
) -> str:
    """The dashboard page of ``state`` (``GET /_mock/state``'s snapshot) and ``calls``.

    ``root``: where the control routes are (``/_mock/`` after the fake's base path);
    ``redact``: strings never to show (tokens, tenant codes); ``live``: with the refreshing
    script and the control forms (False: a static copy, for a file).
    """
    page = _Page(state, calls, root=root, redact=redact, live=live)
    chosen = call_filter or CallFilter()
    body = (
        page.summary() + page.collections() + page.storage() + page.faults() + page.call_log(chosen)
    )
    return page.document("Synapse mock", body, filter_form=page.filter_form(chosen))


def render_unit(
    state: dict[str, Any],
    unit_id: int,
    *,
    root: str = "/_mock/",
    redact: Iterable[str] = (),
    live: bool = True,
) -> str | None:
    """The page of one data unit (its files and meta), or None when there is no such unit."""
    unit = next((u for u in state.get("data_units", []) if u.get("id") == unit_id), None)
    if unit is None:
        return None
    page = _Page(state, (), root=root, redact=redact, live=live)
    t = page.t
    files = {f["id"]: f for f in state.get("data_files", [])}
    rows = []
    for spec, file_id in unit.get("files", {}).items():
        data_file = files.get(file_id, {})
        rows.append(
            [
                t(spec),
                t(file_id),
                t(data_file.get("filename", "")),
                t(_size(data_file.get("size"))),
                f"<code>{t(data_file.get('checksum', ''))}</code>",
            ]
        )
    collection: dict[str, Any] = next(
        (c for c in state.get("data_collections", []) if c["id"] == unit.get("data_collection")),
        {},
    )
    tasks = [x for x in state.get("tasks", []) if x.get("data_unit") == unit_id]
    meta = json.dumps(unit.get("meta") or {}, indent=2, sort_keys=True, ensure_ascii=False)
    body = (
        f'<section id="unit" data-unit="{t(unit_id)}"><p><a href="{t(page.root)}">'
        "← the dashboard</a></p>"
        f"<p>collection #{t(unit.get('data_collection'))} {t(collection.get('name', ''))}; "
        f"checksum <code>{t(unit.get('checksum', ''))}</code>; "
        f"{len(unit.get('groups', []))} group(s); tasks: "
        f"{t(', '.join(str(x['id']) for x in tasks) or 'none')}</p>"
        "<h2>Files</h2>"
        + _table(
            t, "unit_files", ["specification", "data file", "filename", "size", "checksum"], rows
        )
        + f'<h2>Meta</h2><pre id="meta">{t(meta)}</pre></section>'
    )
    return page.document(f"Data unit {unit_id}", body)


_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5em 2em;color:#1d2330;background:#f7f8fa}
header{display:flex;align-items:baseline;gap:1em}h1{font-size:1.5em;margin:.6em 0}
h2{font-size:1.2em;margin:1.2em 0 .4em;border-bottom:1px solid #d5d9e0}
h3{margin:.8em 0 .2em}h4{margin:.8em 0 .2em;color:#555}
#refresh-status{color:#2a7a3a;font-size:.9em}
dl.summary{display:flex;flex-wrap:wrap;gap:.5em;margin:.4em 0}
.count{background:#fff;border:1px solid #d5d9e0;border-radius:6px;padding:.3em .7em}
.count dt{font-size:.8em;color:#666}.count dd{margin:0;font-size:1.3em;font-weight:600}
table{border-collapse:collapse;background:#fff;margin:.2em 0;font-size:.92em}
th,td{border:1px solid #dde1e7;padding:.15em .5em;text-align:left;vertical-align:top}
th{background:#eef0f4}code{font-size:.92em}.empty,.more,.note{color:#777;margin:.2em 0}
article.collection{background:#fcfcfd;border:1px solid #e2e5ea;border-radius:8px;
padding:.2em 1em .8em;margin:.6em 0}
form{display:inline-block;margin:.2em .6em .2em 0}label{margin-right:.4em}
input[type=number]{width:5.5em}.status.s2{color:#2a7a3a}.status.s4{color:#b26b00}
.status.s5,.status.sx{color:#c0392b}.contract.violated{color:#c0392b;font-weight:600}
.contract.passed{color:#2a7a3a}.contract.tolerated{color:#b26b00}
#control-result{display:block;color:#555;font-size:.9em}
pre{background:#fff;border:1px solid #dde1e7;padding:.6em;overflow:auto}
"""

_SCRIPT = """
(function () {
  "use strict";
  var body = document.body;
  var status = document.getElementById("refresh-status");
  var busy = false;
  function refresh() {
    if (busy) { return Promise.resolve(); }
    busy = true;
    return fetch(location.href, {cache: "no-store"}).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.text();
    }).then(function (text) {
      var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("live");
      var current = document.getElementById("live");
      if (fresh && current) {
        current.replaceWith(document.importNode(fresh, true));
        body.dataset.refreshes = String(Number(body.dataset.refreshes) + 1);
        status.textContent = "live · updated " + new Date().toLocaleTimeString();
      }
    }).catch(function (e) {
      status.textContent = "not reachable: " + e.message;
    }).then(function () { busy = false; });
  }
  function payload(form) {
    var kind = form.dataset.control;
    var field = function (name) { return form.elements[name].value; };
    if (kind === "latency") { return {latency_ms: Number(field("latency_ms"))}; }
    if (kind !== "fault") { return null; }
    var fault = {operation: field("operation") || "*", times: Number(field("times"))};
    var chosen = field("kind");
    if (chosen === "status") { fault.status = Number(field("status")); }
    else { fault.kind = chosen; }
    if (chosen === "slow") { fault.delay_ms = Number(field("delay_ms")); }
    return fault;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset.control) { return; }
    event.preventDefault();
    var data = payload(form);
    var init = {method: form.dataset.method || "POST"};
    if (data !== null) {
      init.headers = {"content-type": "application/json"};
      init.body = JSON.stringify(data);
    }
    var out = document.getElementById("control-result");
    fetch(form.action, init).then(function (r) {
      return r.text().then(function (text) {
        out.textContent = form.dataset.control + ": " + r.status + " " + text;
      });
    }).catch(function (e) { out.textContent = form.dataset.control + ": " + e.message; })
      .then(refresh);
  });
  setInterval(refresh, Number(body.dataset.refreshMs));
})();
"""
