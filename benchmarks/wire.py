"""What one home rerun sends, by element type: the ForwardMsg bytes, each element's own bytes and the envelope.

A real server (`streamlit run app.py`, or `--base DIR`'s), one websocket session, warmed; then one
rerun that changes the seed (a full rerun: sidebar and body) is captured frame by frame and grouped:
per element type (markdown, dataframe, plotly_chart, number_input…, "block" for containers and
columns, and the non-delta messages) the count, the frame bytes, and how much of them is the
element itself (the rest is the envelope: delta path, message hash, script hash). Dataframes are
split into Arrow bytes, of which pandas' schema metadata, and column config; the plotly figure
into its JSON and the template inside it.

    python -m benchmarks.wire                        # default config
    python -m benchmarks.wire --n 12 --heads 2
    python -m benchmarks.wire --base /tmp/base       # the same for a baseline checkout
    python -m benchmarks.wire --dump /tmp/after.json # every element of the rerun, normalised, for a diff:
    python -m benchmarks.wire --diff /tmp/before.json /tmp/after.json [--loose]

`--dump` decodes each Arrow table (schema metadata parsed, fields, values as lists) and parses each
plotly spec, so that two dumps compare what is shown, not how it was serialised; widget ids stay as
sent. `--diff` compares the last element at each delta path; `--loose` also ignores the pandas
metadata, plotly's template and the chart's id.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from google.protobuf.json_format import MessageToDict
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from . import common
from .load import Session, running, warm


@dataclass
class Kind:
    count: int = 0
    frame: int = 0  # bytes on the wire
    element: int = 0  # of which the element (or block) itself
    parts: dict[str, int] = field(default_factory=dict)  # named parts of the element (arrow, pandas metadata…)


def capture(port: int, query: dict[str, str], widgets: dict[str, int | str], fragment: bool = False) -> list[bytes]:
    """The frames of one rerun of a warmed session that changes `widgets`."""
    s = Session(port, query)
    try:
        s.rerun()
        s.rerun({"seed": 7})
        s.record = []
        r = s.rerun(widgets, fragment=fragment)
        if not r.ok or r.exceptions:
            raise RuntimeError(f"the captured rerun failed: {r.status}, {r.exceptions} exceptions")
        return s.record
    finally:
        s.close()


def _arrow(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def breakdown(frames: Sequence[bytes]) -> dict[str, Kind]:
    out: dict[str, Kind] = {}
    for data in frames:
        fm = ForwardMsg()
        fm.ParseFromString(data)
        kind = fm.WhichOneof("type") or "?"
        size = 0
        parts: dict[str, int] = {}
        if kind == "delta":
            dk = fm.delta.WhichOneof("type")
            if dk == "new_element":
                el = fm.delta.new_element
                kind = el.WhichOneof("type") or "?"
                size = el.ByteSize()
                if kind == "dataframe":
                    df = el.dataframe
                    meta = _arrow(df.arrow_data.data).schema.metadata or {}
                    parts = {
                        "arrow": len(df.arrow_data.data),
                        "pandas metadata": len(meta.get(b"pandas", b"")),
                        "column config": len(df.columns),
                    }
                elif kind == "plotly_chart":
                    spec = json.loads(el.plotly_chart.spec)
                    template = spec.get("layout", {}).get("template")
                    parts = {
                        "spec": len(el.plotly_chart.spec),
                        "template": len(json.dumps(template, separators=(",", ":"))) if template else 0,
                    }
            elif dk == "add_block":
                kind, size = "block", fm.delta.add_block.ByteSize()
            else:
                kind = f"delta.{dk}"
        k = out.setdefault(kind, Kind())
        k.count += 1
        k.frame += len(data)
        k.element += size
        for name, v in parts.items():
            k.parts[name] = k.parts.get(name, 0) + v
    return out


def report(kinds: dict[str, Kind]) -> str:
    total = sum(k.frame for k in kinds.values())
    rows = []
    for name, k in sorted(kinds.items(), key=lambda kv: -kv[1].frame):
        parts = ", ".join(f"{p} {v / 1024:.1f}" for p, v in k.parts.items())
        rows.append(
            (name, k.count, f"{k.frame / 1024:.1f}", f"{100 * k.frame / total:.0f} %", f"{k.element / 1024:.1f}", parts)
        )
    n = sum(k.count for k in kinds.values())
    elements = sum(k.element for k in kinds.values())
    rows.append(("**total**", n, f"**{total / 1024:.1f}**", "100 %", f"{elements / 1024:.1f}", ""))
    return common.table(("type", "messages", "KiB on the wire", "share", "KiB element", "of which (KiB)"), rows)


def _normal(el: Any) -> dict[str, Any]:
    """An element as comparable data: Arrow decoded, plotly JSON parsed."""
    d = MessageToDict(el, preserving_proto_field_name=True)
    kind = el.WhichOneof("type")
    if kind == "dataframe":
        t = _arrow(el.dataframe.arrow_data.data)
        meta = {k.decode(): v.decode() for k, v in (t.schema.metadata or {}).items()}
        if "pandas" in meta:
            meta["pandas"] = json.loads(meta["pandas"])
        d["dataframe"]["arrow_data"] = {
            "metadata": meta,
            "schema": [(f.name, str(f.type)) for f in t.schema],
            "values": t.to_pydict(),
        }
        d["dataframe"]["columns"] = json.loads(el.dataframe.columns or "{}")
    elif kind == "plotly_chart":
        d["plotly_chart"]["spec"] = json.loads(el.plotly_chart.spec)
    return d


def dump(frames: Sequence[bytes]) -> list[dict[str, Any]]:
    out = []
    for data in frames:
        fm = ForwardMsg()
        fm.ParseFromString(data)
        if fm.WhichOneof("type") != "delta":
            continue
        path = list(fm.metadata.delta_path)
        dk = fm.delta.WhichOneof("type")
        if dk == "new_element":
            out.append({"path": path, "element": _normal(fm.delta.new_element)})
        else:
            out.append({"path": path, dk: MessageToDict(getattr(fm.delta, dk), preserving_proto_field_name=True)})
    return out


def _loose(entry: dict[str, Any]) -> dict[str, Any]:
    """An element without what is serialisation rather than content: the pandas schema metadata, plotly's
    template and the chart's id (a hash of its spec)."""
    entry = json.loads(json.dumps(entry))
    el = entry.get("element", {})
    if "dataframe" in el:
        el["dataframe"]["arrow_data"]["metadata"].pop("pandas", None)
    if "plotly_chart" in el:
        el["plotly_chart"]["spec"].get("layout", {}).pop("template", None)
        el["plotly_chart"].pop("id", None)
    return entry


def diff(a: Path, b: Path, loose: bool = False) -> int:
    """Print which delta paths differ between two dumps (each path's last element: a placeholder filled
    later counts as what it was filled with); returns how many differ."""

    def final(path: Path) -> dict[tuple[int, ...], Any]:
        out = {tuple(e["path"]): e for e in json.loads(path.read_text())}
        return {k: _loose(v) if loose else v for k, v in out.items()}

    da, db = final(a), final(b)
    differ = sorted(p for p in set(da) | set(db) if da.get(p) != db.get(p))
    for p in differ:
        print(f"{list(p)}:\n  {json.dumps(da.get(p))[:300]}\n  {json.dumps(db.get(p))[:300]}")
    print(f"{len(differ)} of {len(set(da) | set(db))} delta paths differ")
    return len(differ)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", type=Path, default=None, help="serve this checkout instead of the current one")
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--d-model", type=int, default=4)
    ap.add_argument("--heads", type=int, default=None)
    ap.add_argument("--set", action="append", default=[], help="further URL parameter KEY=VALUE (causal=true…)")
    ap.add_argument("--dump", type=Path, default=None, help="write the rerun's elements, normalised, to this file")
    ap.add_argument("--diff", type=Path, nargs=2, default=None, help="compare two dumps and exit")
    ap.add_argument("--loose", action="store_true", help="--diff ignores pandas metadata, plotly template, chart id")
    args = ap.parse_args(argv)
    if args.diff:
        raise SystemExit(1 if diff(*args.diff, loose=args.loose) else 0)
    query = common.params(args.n, args.d_model)
    if args.heads:
        query["n_heads"] = str(args.heads)
    query.update(dict(o.split("=", 1) for o in args.set))
    cwd = args.base.resolve() if args.base else common.REPO
    with running("app.py", cwd=cwd) as server:
        warm(server, query)
        frames = capture(server.port, query, {"seed": 3001})
    if args.dump:
        args.dump.write_text(json.dumps(dump(frames), indent=1, sort_keys=True))
    print(f"{cwd}: n={args.n} d_model={args.d_model} heads={query['n_heads']} {args.set}, a rerun changing the seed")
    print(report(breakdown(frames)))


if __name__ == "__main__":
    main()
