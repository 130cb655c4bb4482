#!/usr/bin/env python3
"""shapes_report.py OUT: the table of bench/shapes.sh from the load driver's outputs in OUT
(files SERVER.SHAPE.ROUND.txt), averaged over rounds."""
import glob, os, re, sys
from collections import defaultdict

runs = defaultdict(list)
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.txt"))):
    server, shape, rnd = os.path.basename(path)[:-4].rsplit(".", 2)
    text = open(path).read()
    num = lambda pat: float(m.group(1)) if (m := re.search(pat, text)) else None
    runs[(server, shape)].append({
        "rps": num(r"req/s ([\d.]+)"), "cpu": num(r"server CPU \S+\s+per request ([\d.]+) ms"),
        "pg": num(r"PostgreSQL CPU \S+\s+per request ([\d.]+) ms"), "objects": num(r"objects per response (\d+)"),
        "errors": num(r"errors (\d+)")})

def avg(rows, k):
    vals = [r[k] for r in rows if r[k] is not None]
    return sum(vals) / len(vals) if vals else None

servers = sorted({s for s, _ in runs})
for server in servers:
    if server == "bare":
        continue
    dash = runs.get((server, "a"))
    dash_us = avg(dash, "cpu") * 1000 / avg(dash, "objects") if dash and avg(dash, "objects") else None
    print(f"\n{server}\n")
    print("| shape | objects | req/s | server µs / object | × dashboard | server ms / request | PG ms / request | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (s, shape), rows in sorted(runs.items()):
        if s != server:
            continue
        objects, cpu = avg(rows, "objects"), avg(rows, "cpu")
        per_obj = cpu * 1000 / objects if objects and cpu is not None and shape != "g" else None
        ratio = f"{per_obj / dash_us:.2f}" if per_obj and dash_us else "—"
        rps = " / ".join(f"{r['rps']:.0f}" for r in rows if r["rps"])
        print(f"| {shape} | {objects:.0f} | {rps} | {per_obj:.1f} | {ratio} | {cpu:.2f} | {avg(rows, 'pg'):.2f} | {sum(r['errors'] or 0 for r in rows):.0f} |"
              if per_obj else f"| {shape} | {objects or 0:.0f} | {rps} | — | — | {cpu:.2f} | {avg(rows, 'pg'):.2f} | {sum(r['errors'] or 0 for r in rows):.0f} |")
    bare, mine = runs.get(("bare", "g")), runs.get((server, "g"))
    if bare and mine:
        pairs = [f"{m['rps'] / b['rps']:.2f}" for m, b in zip(mine, bare) if m["rps"] and b["rps"]]
        print(f"\nwrites: {avg(mine, 'rps'):.0f} req/s vs bare pgx {avg(bare, 'rps'):.0f} = {avg(mine, 'rps') / avg(bare, 'rps'):.2f}× "
              f"(rounds {', '.join(pairs)}); server CPU {avg(mine, 'cpu'):.2f} vs {avg(bare, 'cpu'):.2f} ms, "
              f"PG {avg(mine, 'pg'):.2f} vs {avg(bare, 'pg'):.2f} ms per mutation")
