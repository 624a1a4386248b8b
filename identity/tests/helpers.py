"""What a person does with an authenticator app: compute the code from the shown key."""

import base64
import hashlib
import hmac
import re
import struct
import time


def totp(secret: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238, as authenticator apps compute it from the base32 key (spaces allowed)."""
    key = base64.b32decode(secret.replace(" ", "").upper())
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def secret_on_page(html: str) -> str:
    match = re.search(r'<code[^>]*id="sleutel"[^>]*>([A-Z2-7 ]+)</code>', html)
    assert match, "the set-up page shows no key to type in"
    return match.group(1)


def recovery_codes_on_page(html: str) -> list[str]:
    block = re.search(r"<ul[^>]*recovery-codes[^>]*>(.*?)</ul>", html, re.S)
    assert block, "no recovery codes on the page"
    return re.findall(r"<li[^>]*>\s*([a-z2-7]+)\s*</li>", block.group(1))
