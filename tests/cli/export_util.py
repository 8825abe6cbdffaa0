#!/usr/bin/env python3
"""Helpers for t_export.sh, independent of libtotp (standard library only).

  mig-decode      stdin: otpauth-migration URIs, one a line.  Decodes the
                  protobuf (FORMATS.md section 5) with its own parser and
                  prints "batch ..." then one line per account.
  mig-expect      stdin: otpauth URIs.  Prints, in the same form, the
                  accounts a transfer code can carry (after a "batch" line
                  giving the expected code count), then "other" lines.
  term2png IN OUT draws a half-block terminal rendering (ANSI colour codes
                  and CRs ignored) as a PNG; --invert when blocks are light.
  json-sort       stdin: 'totp list --json'; prints it sorted by label.
  cell FILE L C   the character at line L, column C (1-based) of a
                  rendering, escape codes ignored; "." for a space.
  backup-header   stdin: encrypted backup payloads (totp-backup(5)), one a
                  line.  Decodes the Base41 text with its own decoder and
                  prints "version kdf id part count ops memKiB bytes" of each.
  svg2png HTML P  draws each inline <svg> of a sheet (totp's path shape) as
                  P1.png, P2.png, ...; prints how many.
"""
import base64
import json
import re
import struct
import sys
import urllib.parse
import zlib

ALGOS = {0: "SHA1", 1: "SHA1", 2: "SHA256", 3: "SHA512", 4: "MD5"}
DIGITS = {0: 6, 1: 6, 2: 8}
TYPES = {0: "totp", 1: "hotp", 2: "totp"}


def varint(buf, i):
    shift = value = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def fields(buf):
    """Yield (number, wire type, value) of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = varint(buf, i)
        elif wt == 2:
            n, i = varint(buf, i)
            if i + n > len(buf):
                raise ValueError("truncated field")
            val, i = buf[i:i + n], i + n
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("bad wire type %d" % wt)
        yield num, wt, val


def int32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def account_line(secret, name, issuer, algo, digits, typ, counter):
    b32 = base64.b32encode(secret).decode().rstrip("=")
    return "\t".join([b32, name, issuer, algo, str(digits), typ, str(counter)])


def mig_decode():
    batches, lines, per_code = set(), [], []
    sizes, indices, versions = set(), [], set()
    for uri in sys.stdin.read().split():
        u = urllib.parse.urlsplit(uri)
        if u.scheme != "otpauth-migration" or u.netloc != "offline":
            raise SystemExit("not a migration URI: " + uri[:40])
        data = urllib.parse.parse_qs(u.query)["data"][0].replace(" ", "+")
        pb = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
        head = {2: 0, 3: 0, 4: 0, 5: 0}
        n = 0
        for num, wt, val in fields(pb):
            if num == 1 and wt == 2:
                o = {1: b"", 2: b"", 3: b"", 4: 0, 5: 0, 6: 0, 7: 0}
                for fn, _, fv in fields(val):
                    o[fn] = fv
                lines.append(account_line(o[1], o[2].decode(), o[3].decode(), ALGOS[o[4]],
                                          DIGITS[o[5]], TYPES[o[6]], o[7] if o[6] == 1 else 0))
                n += 1
            elif wt == 0:
                head[num] = val
        per_code.append(n)
        versions.add(head[2])
        sizes.add(head[3])
        indices.append(head[4])
        batches.add(int32(head[5]))
    ok = (len(batches) == 1 and sizes == {len(per_code)} and versions == {1}
          and sorted(indices) == list(range(len(per_code))) and max(per_code) <= 10)
    print("batch %s codes=%d" % ("consistent" if ok else "INCONSISTENT", len(per_code)))
    for line in lines:
        print(line)


def mig_expect():
    carried, others = [], []
    for uri in sys.stdin.read().split():
        u = urllib.parse.urlsplit(uri)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        label = urllib.parse.unquote(u.path[1:])
        issuer = q.get("issuer", "")
        account = label.split(":", 1)[1] if ":" in label and issuer else label
        secret = base64.b32decode(q["secret"] + "=" * (-len(q["secret"]) % 8))
        typ, algo = u.netloc, q.get("algorithm", "SHA1").upper()
        digits, period = int(q.get("digits", 6)), int(q.get("period", 30))
        name = issuer + ":" + account if issuer else account
        if typ in ("totp", "hotp") and digits in (6, 8) and (typ == "hotp" or period == 30):
            carried.append(account_line(secret, name, issuer, algo, digits, typ,
                                        int(q.get("counter", 0)) if typ == "hotp" else 0))
        else:
            others.append("other\t" + name)
    print("batch consistent codes=%d" % ((len(carried) + 9) // 10))
    for line in carried + others:
        print(line)


def png(path, rows):
    """Write an 8-bit greyscale PNG of rows (lists of 0..255)."""
    h, w = len(rows), len(rows[0])
    raw = b"".join(b"\0" + bytes(r) for r in rows)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def term2png(src, dst, invert):
    text = open(src, encoding="utf-8").read()
    text = re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\r", "")
    cells = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
    lines = [l for l in text.split("\n") if l and set(l) <= set(cells)]
    width = max(len(l) for l in lines)
    scale, border = 6, 4
    modules = []
    for l in lines:
        top, bottom = [], []
        for ch in l.ljust(width):
            t, b = cells[ch]
            if invert:
                t, b = 1 - t, 1 - b
            top.append(t)
            bottom.append(b)
        modules += [top, bottom]
    rows = []
    blank = [255] * ((width + 2 * border) * scale)
    rows += [blank] * (border * scale)
    for m in modules:
        row = [255] * (border * scale)
        for dark in m:
            row += [0 if dark else 255] * scale
        row += [255] * (border * scale)
        rows += [row] * scale
    rows += [blank] * (border * scale)
    png(dst, rows)


def cell(path, line, col):
    text = re.sub(r"\x1b\[[0-9;]*m", "", open(path, encoding="utf-8").read()).replace("\r", "")
    lines = text.split("\n")
    ch = lines[line - 1][col - 1] if line <= len(lines) and col <= len(lines[line - 1]) else "?"
    print("." if ch == " " else ch)


def json_sort():
    items = json.load(sys.stdin)
    items.sort(key=lambda e: (e["issuer"], e["account"]))
    for e in items:
        print(json.dumps(e, sort_keys=True, ensure_ascii=False))


B41 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+-./:"


def base41_decode(text):
    vals = [B41.index(c) for c in text.upper()]
    if len(vals) % 3 == 1:
        raise ValueError("bad length")
    out = bytearray()
    for i in range(0, len(vals), 3):
        chunk = vals[i:i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 41 + chunk[2] * 1681
            if n > 0xFFFF:
                raise ValueError("bad triple")
            out += bytes([n >> 8, n & 0xFF])
        else:
            n = chunk[0] + chunk[1] * 41
            if n > 0xFF:
                raise ValueError("bad pair")
            out.append(n)
    return bytes(out)


def backup_header():
    for line in sys.stdin.read().split():
        if not line.startswith("TOTPBACKUP1:"):
            raise SystemExit("not a backup payload: " + line[:20])
        raw = base41_decode(line[12:])
        ver, kdf = raw[0], raw[1]
        bid = raw[2:10].hex().upper()
        part, count = raw[10], raw[11]
        ops, mem = struct.unpack(">II", raw[12:20])
        print(ver, kdf, bid, part, count, ops, mem, len(raw))


def svg2png(html, prefix):
    text = open(html, encoding="utf-8").read()
    n = 0
    for m in re.finditer(r'<svg[^>]*viewBox="0 0 (\d+) \d+"[^>]*>.*?<path[^>]* d="([^"]*)"',
                         text, re.S):
        size, path = int(m.group(1)), m.group(2)
        grid = [[255] * size for _ in range(size)]
        for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path):
            for i in range(int(x), int(x) + int(run)):
                grid[int(y)][i] = 0
        scale = 4
        rows = []
        for r in grid:
            row = []
            for v in r:
                row += [v] * scale
            rows += [row] * scale
        n += 1
        png("%s%d.png" % (prefix, n), rows)
    print(n)


def main():
    cmd = sys.argv[1]
    if cmd == "mig-decode":
        mig_decode()
    elif cmd == "mig-expect":
        mig_expect()
    elif cmd == "term2png":
        term2png(sys.argv[2], sys.argv[3], "--invert" in sys.argv[4:])
    elif cmd == "cell":
        cell(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "json-sort":
        json_sort()
    elif cmd == "backup-header":
        backup_header()
    elif cmd == "svg2png":
        svg2png(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
