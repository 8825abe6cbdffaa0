#!/usr/bin/python3
"""Helpers of bench/run.sh (standard library only).

    bench.py loop [--runs N] [--warmup N] [--prepare CMD] [--shell]
                  --export-json FILE -n NAME CMD [-n NAME CMD]...
        An interleaved timing loop for machines without hyperfine: every
        repetition runs each command once, in turn; the JSON has the shape
        of hyperfine's --export-json.
    bench.py median ID FILE...
        Pool the samples of every command over hyperfine JSON files and
        print "ID NAME MEDIAN_SECONDS SAMPLES CPU_SECONDS" lines, then
        "ID NAME-ref ..." lines: the median of its paired differences
        with the command named ref.
    bench.py cmp KIND WHAT MEDIANS ID ...   one row of the comparison table
    bench.py growth SCALING.tsv             the scaling table's growth check
    bench.py render TEMPLATE ROWS SCALING MACHINE OUT
"""

import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import time


def loop(argv):
    runs, warmup, prepare, shell, out, cmds = 10, 1, None, False, None, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--runs":
            runs = int(argv[i + 1]); i += 2
        elif a == "--warmup":
            warmup = int(argv[i + 1]); i += 2
        elif a == "--prepare":
            prepare = argv[i + 1]; i += 2
        elif a == "--shell":
            shell = True; i += 1
        elif a == "--export-json":
            out = argv[i + 1]; i += 2
        elif a == "-n":
            cmds.append((argv[i + 1], argv[i + 2])); i += 3
        else:
            sys.exit(f"bench.py loop: unknown argument {a}")
    times = {name: [] for name, _ in cmds}
    cpu = {name: [] for name, _ in cmds}
    devnull = os.open(os.devnull, os.O_RDWR)
    for rep in range(warmup + runs):
        for name, cmd in cmds:
            if prepare:
                subprocess.run(prepare, shell=True, check=True)
            args = ["/bin/sh", "-c", cmd] if shell else shlex.split(cmd)
            t0 = time.perf_counter()
            pid = os.posix_spawnp(args[0], args, os.environ,
                                  file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                                                (os.POSIX_SPAWN_DUP2, devnull, 1),
                                                (os.POSIX_SPAWN_DUP2, devnull, 2)])
            _, _, ru = os.wait4(pid, 0)
            t1 = time.perf_counter()
            if rep >= warmup:
                times[name].append(t1 - t0)
                cpu[name].append(ru.ru_utime + ru.ru_stime)
    res = [{"command": n, "times": times[n], "user": statistics.mean(cpu[n]), "system": 0.0}
           for n, _ in cmds]
    with open(out, "w") as f:
        json.dump({"results": res}, f)


def median(argv):
    """Pooled medians of every command, then its paired differences with
    "ref": the i-th run of a command against the i-th run of ref in the
    same file (round), as "NAME-ref" lines.  A slow spell of the machine
    that spans a round then cancels out."""
    ident, files = argv[0], argv[1:]
    pooled, cpu, diffs, cdiffs = {}, {}, {}, {}
    for path in files:
        with open(path) as f:
            res = {r["command"]: r for r in json.load(f)["results"]}
        # hyperfine keeps only the mean CPU time of each run set
        mean_cpu = {n: r.get("user", 0.0) + r.get("system", 0.0) for n, r in res.items()}
        for name, r in res.items():
            pooled.setdefault(name, []).extend(r["times"])
            cpu[name] = cpu.get(name, 0.0) + mean_cpu[name] * len(r["times"])
            if name != "ref" and "ref" in res:
                diffs.setdefault(name, []).extend(
                    a - b for a, b in zip(r["times"], res["ref"]["times"]))
                cdiffs.setdefault(name, []).append(mean_cpu[name] - mean_cpu["ref"])
    for name, ts in pooled.items():
        print(f"{ident}\t{name}\t{statistics.median(ts):.6f}\t{len(ts)}"
              f"\t{cpu[name] / len(ts):.6f}")
    for name, ds in diffs.items():
        print(f"{ident}\t{name}-ref\t{statistics.median(ds):.6f}\t{len(ds)}"
              f"\t{statistics.median(cdiffs[name]):.6f}")


def load_medians(path):
    m = {}
    with open(path) as f:
        for line in f:
            ident, name, med, _, cpu = line.rstrip("\n").split("\t")
            m[(ident, name)] = float(med)
            m[(ident, name, "cpu")] = float(cpu)
    return m


def ms(s):
    return f"{s * 1000:.3f} ms" if s < 0.01 else f"{s * 1000:.1f} ms"


def verdict(ok):
    return "PASS" if ok else "MISS"


def cmp(argv):
    """KIND WHAT MEDIANS ID ARGS; prints one tab-separated row:
    what, totp, reference, ratio, target, verdict."""
    kind, what, medfile, ident = argv[:4]
    rest = argv[4:]
    if kind == "mem":  # totp KiB, reference KiB or -, limit KiB, target text
        kib, ref, limit, target = int(rest[0]), rest[1], float(rest[2]), rest[3]
        refcell = f"{int(ref) / 1024:.1f} MiB ({rest[4]})" if ref != "-" else rest[4]
        ratio = f"{kib / int(ref):.2f}x" if ref != "-" else "-"
        print(f"{what}\t{kib / 1024:.2f} MiB\t{refcell}\t{ratio}\t{target}"
              f"\t{verdict(kib <= limit)}")
        return
    m = load_medians(medfile)
    a, b = m[(ident, "totp")], m[(ident, "ref")]
    ca, cb = m[(ident, "totp", "cpu")], m[(ident, "ref", "cpu")]
    refname = rest[-1]
    if kind == "ratio":  # LIMIT TARGET REFNAME: totp/ref <= LIMIT
        limit, target = float(rest[0]), rest[1]
        r = a / b
        print(f"{what}\t{ms(a)}\t{ms(b)} ({refname})\t{r:.2f}x (CPU {ca / cb:.2f}x)\t{target}"
              f"\t{verdict(r <= limit)}")
    elif kind == "per":  # DIVISOR LIMIT TARGET REFNAME: (totp/DIVISOR)/ref
        div, limit, target = float(rest[0]), float(rest[1]), rest[2]
        r = a / div / b
        print(f"{what}\t{ms(a / div)} per account ({ms(a)} total)\t{ms(b)} ({refname})"
              f"\t{r:.2f}x (CPU {ca / div / cb:.2f}x)\t{target}\t{verdict(r <= limit)}")
    elif kind == "plus":  # MS TARGET REFNAME: totp - ref <= MS
        # Judged on the median of the paired differences (run i of totp
        # against run i of ref in the same round), which a slow spell of
        # the machine moves far less than it moves either median.
        limit, target = float(rest[0]), rest[1]
        d = m[(ident, "totp-ref")] * 1000
        ratio = (f"{d:+.1f} ms ({a / b:.3f}x; CPU "
                 f"{m[(ident, 'totp-ref', 'cpu')] * 1000:+.1f} ms")
        result = verdict(d <= limit)
        if (ident, "aa-ref") in m:
            # The reference timed against itself: what the same
            # measurement gives for no difference at all.
            noise = abs(m[(ident, "aa-ref")]) * 1000
            ratio += f"; A/A {noise:.1f} ms"
            if limit < d <= limit + noise:
                result = f"within noise (A/A {noise:.1f} ms)"
        print(f"{what}\t{ms(a)}\t{ms(b)} ({refname})\t{ratio})\t{target}\t{result}")
    else:
        sys.exit(f"bench.py cmp: unknown kind {kind}")


def growth_rows(path):
    """SCALING.tsv lines: op, size, median seconds.  The local exponent
    between consecutive sizes, log(t2/t1)/log(n2/n1), is 1 for linear cost
    and below 1 while start-up dominates; above 1.15 is worse than linear."""
    data = {}
    with open(path) as f:
        for line in f:
            op, n, s = line.split("\t")
            data.setdefault(op, []).append((int(n), float(s)))
    rows = []
    for op, pts in data.items():
        pts.sort()
        exps = [math.log(t2 / t1) / math.log(n2 / n1)
                for (n1, t1), (n2, t2) in zip(pts, pts[1:])]
        worst = max(exps) if exps else 0.0
        rows.append((op, pts, exps, worst <= 1.15))
    return rows


def growth(argv):
    for op, pts, exps, ok in growth_rows(argv[0]):
        print(op, " ".join(f"{n}:{ms(t)}" for n, t in pts),
              "exponents", " ".join(f"{e:.2f}" for e in exps), verdict(ok))


def render(argv):
    template, rowsfile, scalingfile, machinefile, out = argv
    head = ["what", "totp", "reference", "ratio", "target", "result"]
    rows = []
    with open(rowsfile) as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(r) + " |" for r in rows]

    sc = growth_rows(scalingfile) if os.path.exists(scalingfile) else []
    sizes = sorted({n for _, pts, _, _ in sc for n, _ in pts})
    smd = ["| operation | " + " | ".join(f"{n:,} accounts" for n in sizes)
           + " | local exponents | growth |",
           "|---|" + "---|" * len(sizes) + "---|---|"]
    for op, pts, exps, ok in sc:
        t = dict(pts)
        cells = [ms(t[n]) if n in t else "-" for n in sizes]
        smd.append(f"| {op} | " + " | ".join(cells) + " | "
                   + ", ".join(f"{e:.2f}" for e in exps)
                   + f" | {'linear or better: PASS' if ok else 'worse than linear: MISS'} |")
    with open(machinefile) as f:
        machine = f.read().rstrip("\n")
    with open(template) as f:
        text = f.read()
    text = (text.replace("@MACHINE@", machine).replace("@TABLE@", "\n".join(md))
            .replace("@SCALING@", "\n".join(smd)))
    with open(out, "w") as f:
        f.write(text)

    # The same on the terminal, as aligned columns.
    allrows = [head] + rows
    widths = [max(len(r[i]) for r in allrows) for i in range(len(head))]
    for r in allrows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print()
    for line in smd[:1] + smd[2:]:
        print(line.replace("|", " ").strip())


def main():
    cmd, argv = sys.argv[1], sys.argv[2:]
    {"loop": loop, "median": median, "cmp": cmp, "growth": growth, "render": render}[cmd](argv)


if __name__ == "__main__":
    main()
