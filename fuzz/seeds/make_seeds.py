#!/usr/bin/env python3
"""Writes the fuzz seed corpora from the repository's test vectors.

Run from anywhere: python3 fuzz/seeds/make_seeds.py. Each target's seeds
follow the input format its source file documents. The vectors and their
sources are described in crates/wxdecrypt/tests/vectors/README.md.
"""
import base64
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = HERE.parent.parent / "crates" / "wxdecrypt" / "tests" / "vectors"


def load(name):
    return json.loads((VECTORS / name).read_text())


def write(target, name, data):
    folder = HERE / target
    folder.mkdir(exist_ok=True)
    (folder / name.replace("/", "-")).write_bytes(data if isinstance(data, bytes) else data.encode())


def damaged(text):
    """Ways base64 is damaged in transit (the causes crates/wxdecrypt/tests/vectors/README.md lists)."""
    yield "space", text.replace("+", " ")
    yield "percent", text.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    yield "urlsafe", text.replace("+", "-").replace("/", "_")
    yield "wrapped", "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))
    yield "unpadded", text.rstrip("=")


def main():
    real = load("real-world.json")
    generated = load("generated.json")
    official = load("official-sample.json")
    decrypts = real["decrypts"] + generated["decrypts"]

    # entry_points: the CLI's --input file, and newline-separated fields.
    write("entry_points", "official-sample.json", json.dumps(official))
    for v in decrypts + real["does_not_decrypt"]:
        appid = v.get("appid") or "wx4f4bc4dec97d474b"
        for flags in ("\x00", "\x01"):
            fields = [flags, v["session_key"], v["iv"], v["encrypted_data"], appid]
            write("entry_points", f"{v['id']}-{ord(flags)}", "\n".join(fields))
    for v in real["decrypts"][:2]:
        for how, text in damaged(v["encrypted_data"]):
            fields = ["\x01", v["session_key"], v["iv"], text, v["appid"]]
            write("entry_points", f"{v['id']}-{how}", "\n".join(fields))

    # round_trip: key, iv, mode byte, payload.
    for v in decrypts:
        key = base64.b64decode(v["session_key"])
        iv = base64.b64decode(v["iv"])
        if len(key) != 16 or len(iv) != 16:
            continue
        write("round_trip", f"{v['id']}-raw", key + iv + b"\x00" + v["plaintext"].encode())
        if v.get("kind") == "phone":
            p = json.loads(v["plaintext"])
            fields = "\x01".join([p["phoneNumber"], p["purePhoneNumber"], str(p["countryCode"])])
            write("round_trip", f"{v['id']}-phone", key + iv + b"\x03" + fields.encode())

    # plaintext: appid, now, plaintext.
    for v in decrypts:
        stamp = v.get("watermark_timestamp") or 1_600_000_000
        text = f"{v['appid'] or 'wx4f4bc4dec97d474b'}\n{stamp + 60}\n{v['plaintext']}"
        write("plaintext", v["id"], text)

    # diagnose: mode byte, then texts (even) or appid, now, plaintext (odd).
    for v in decrypts + real["does_not_decrypt"]:
        appid = v.get("appid") or "wx4f4bc4dec97d474b"
        fields = [v["session_key"], v["iv"], v["encrypted_data"], appid]
        write("diagnose", f"{v['id']}-texts", "\x00" + "\n".join(fields))
    for v in real["decrypts"]:
        for how, text in damaged(v["encrypted_data"]):
            fields = [v["session_key"], v["iv"], text, v["appid"] or ""]
            write("diagnose", f"{v['id']}-{how}", "\x00" + "\n".join(fields))
    for v in decrypts:
        stamp = v.get("watermark_timestamp") or 1_600_000_000
        appid = v["appid"] or "wx4f4bc4dec97d474b"
        write("diagnose", f"{v['id']}-plaintext", f"\x01{appid}\n{stamp + 60}\n{v['plaintext']}")

    # base64: selector byte (0 key, 1 iv, 2 data) and text, clean and damaged.
    for v in real["decrypts"] + real["does_not_decrypt"]:
        for selector, field in ((0, "session_key"), (1, "iv"), (2, "encrypted_data")):
            write("base64", f"{v['id']}-{field}", bytes([selector]) + v[field].encode())
            for how, text in damaged(v[field]):
                write("base64", f"{v['id']}-{field}-{how}", bytes([selector]) + text.encode())


if __name__ == "__main__":
    main()
