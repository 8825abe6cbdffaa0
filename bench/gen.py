#!/usr/bin/python3
"""Test data for bench/run.sh: otpauth URI lists, a Google Authenticator
migration payload and QR images (a phone screenshot, a photo, a dense
migration code).  Deterministic: the same seed gives the same files.

    gen.py uris N OUT [PREFIX]    N otpauth URIs, one per line
    gen.py migration N OUT        one otpauth-migration:// URI with N accounts
    gen.py screenshot URI OUT     1170x2532 PNG, app chrome around one QR
    gen.py photo URI OUT          4000x3000 JPEG, noisy, slightly rotated QR
    gen.py qrimage TEXT OUT       the QR of TEXT alone, 4 px modules, PNG

Images need python3-pil and the qrencode program.
"""

import base64
import random
import subprocess
import sys
import urllib.parse


def secret(rng):
    return base64.b32encode(rng.randbytes(20)).decode().rstrip("=")


def uris(n, out, prefix="acct"):
    rng = random.Random(7 + n)
    with open(out, "w") as f:
        for i in range(n):
            f.write(
                f"otpauth://totp/Issuer{i}:{prefix}{i}%40example.com"
                f"?secret={secret(rng)}&issuer=Issuer{i}\n"
            )


def varint(v):
    b = bytearray()
    while True:
        byte = v & 0x7F
        v >>= 7
        if v:
            b.append(byte | 0x80)
        else:
            b.append(byte)
            return bytes(b)


def field(num, wire, payload):
    key = varint(num << 3 | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def migration(n, out):
    """MigrationPayload: repeated OtpParameters (1), version (2),
    batch_size (3), batch_index (4), batch_id (5)."""
    rng = random.Random(11)
    body = b""
    for i in range(n):
        p = (
            field(1, 2, rng.randbytes(20))
            + field(2, 2, f"user{i}@example.com".encode())
            + field(3, 2, f"Service{i}".encode())
            + field(4, 0, 1)  # SHA1
            + field(5, 0, 1)  # six digits
            + field(6, 0, 2)  # TOTP
        )
        body += field(1, 2, p)
    body += field(2, 0, 1) + field(3, 0, 1) + field(4, 0, 0) + field(5, 0, 123456789)
    data = urllib.parse.quote(base64.b64encode(body).decode(), safe="")
    with open(out, "w") as f:
        f.write(f"otpauth-migration://offline?data={data}\n")


def qr(text, scale):
    """The QR of text as a PIL image, `scale` pixels a module, 4-module quiet zone."""
    from PIL import Image
    import io

    png = subprocess.run(
        ["qrencode", "-l", "M", "-s", "1", "-m", "4", "-t", "PNG", "-o", "-", text],
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    img = Image.open(io.BytesIO(png)).convert("RGBA").convert("L")
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST)


def screenshot(uri, out):
    from PIL import Image, ImageDraw

    w, h = 1170, 2532
    img = Image.new("RGB", (w, h), (242, 242, 247))
    d = ImageDraw.Draw(img)
    rng = random.Random(3)
    d.rectangle([0, 0, w, 140], fill=(255, 255, 255))  # status bar
    d.text((60, 60), "9:41", fill=(0, 0, 0))
    d.rectangle([0, 140, w, 330], fill=(250, 250, 250))  # title bar
    d.text((60, 230), "Set up two-factor authentication", fill=(20, 20, 20))
    for y in range(380, 900, 60):  # paragraphs of "text"
        x = 60
        while x < w - 120:
            word = rng.randint(40, 160)
            d.rectangle([x, y, x + word, y + 22], fill=(60, 60, 67))
            x += word + 18
    code = qr(uri, 8)
    card = (w - code.width) // 2
    d.rounded_rectangle([card - 40, 960, card + code.width + 40, 1000 + code.height + 40],
                        radius=30, fill=(255, 255, 255))
    img.paste(code.convert("RGB"), (card, 1000))
    y = 1000 + code.height + 120
    d.text((60, y), "Can't scan it? Enter this key instead:", fill=(20, 20, 20))
    d.rounded_rectangle([60, h - 260, w - 60, h - 140], radius=40, fill=(0, 122, 255))
    d.text((w // 2 - 40, h - 210), "Continue", fill=(255, 255, 255))
    img.save(out, optimize=False)


def photo(uri, out):
    from PIL import Image, ImageFilter

    w, h = 4000, 3000
    # Uneven lighting: a smooth gradient, then sensor noise over everything.
    grad = Image.linear_gradient("L").resize((w, h)).rotate(35, expand=False, fillcolor=128)
    base = Image.merge(
        "RGB",
        (
            grad.point(lambda v: 120 + v // 3),
            grad.point(lambda v: 110 + v // 3),
            grad.point(lambda v: 95 + v // 3),
        ),
    )
    paper = Image.new("RGB", (1900, 2300), (236, 234, 228))
    code = qr(uri, 14).convert("RGB")
    paper.paste(code, ((paper.width - code.width) // 2, 300))
    paper = paper.rotate(4, resample=Image.BICUBIC, expand=True, fillcolor=(0, 0, 0, 0))
    mask = Image.new("L", (1900, 2300), 255).rotate(4, resample=Image.BICUBIC, expand=True)
    base.paste(paper, (1000, 350), mask)
    noise = Image.effect_noise((w, h), 18).convert("RGB")
    img = Image.blend(base, noise, 0.12).filter(ImageFilter.GaussianBlur(1.2))
    img.save(out, quality=88)


def qrimage(text, out):
    qr(text, 4).save(out)


def main(argv):
    cmd = argv[1]
    if cmd == "uris":
        uris(int(argv[2]), argv[3], *(argv[4:5]))
    elif cmd == "migration":
        migration(int(argv[2]), argv[3])
    elif cmd == "screenshot":
        screenshot(argv[2], argv[3])
    elif cmd == "photo":
        photo(argv[2], argv[3])
    elif cmd == "qrimage":
        qrimage(argv[2], argv[3])
    else:
        sys.exit(f"gen.py: unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
