"""A minimal, bounds-checked DER reader — just enough for OFD electronic seals (GM/T 0031) and the
X.509 certificates inside them (SM2 keys, which the ``cryptography`` package does not load)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

SEQUENCE, SET, INTEGER, BIT_STRING, OCTET_STRING, OID = 0x30, 0x31, 0x02, 0x03, 0x04, 0x06
UTC_TIME, GENERALIZED_TIME, UTF8, PRINTABLE, IA5 = 0x17, 0x18, 0x0C, 0x13, 0x16


class DerError(ValueError):
    """The bytes are not the DER structure expected."""


@dataclass(frozen=True)
class Node:
    data: bytes
    tag: int
    start: int  # offset of the tag byte
    body: int  # offset of the content
    length: int

    @property
    def end(self) -> int:
        return self.body + self.length

    @property
    def raw(self) -> bytes:
        """The whole TLV, as it was signed."""
        return self.data[self.start:self.end]

    @property
    def content(self) -> bytes:
        return self.data[self.body:self.end]

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)

    def children(self) -> list[Node]:
        if not self.constructed:
            raise DerError(f"tag {self.tag:#x} is not constructed")
        out, pos = [], self.body
        while pos < self.end:
            node = read(self.data, pos, self.end)
            out.append(node)
            pos = node.end
        return out

    def child(self, index: int, tag: int | None = None) -> Node:
        kids = self.children()
        if index >= len(kids):
            raise DerError(f"missing element {index}")
        if tag is not None and kids[index].tag != tag:
            raise DerError(f"element {index} has tag {kids[index].tag:#x}, expected {tag:#x}")
        return kids[index]

    def bits(self) -> bytes:
        if self.tag != BIT_STRING or self.length < 1:
            raise DerError("not a BIT STRING")
        return self.content[1:]

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def time(self) -> datetime:
        text = self.content.decode("ascii", errors="replace")
        fmt = "%y%m%d%H%M%SZ" if self.tag == UTC_TIME else "%Y%m%d%H%M%SZ"
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError as exc:
            raise DerError(f"bad time {text!r}") from exc


def read(data: bytes, pos: int = 0, limit: int | None = None) -> Node:
    limit = len(data) if limit is None else limit
    if pos + 2 > limit:
        raise DerError("truncated")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte tags are not supported")
    first = data[pos + 1]
    body = pos + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or body + count > limit:
            raise DerError("bad length")
        length = int.from_bytes(data[body:body + count], "big")
        body += count
    if body + length > limit:
        raise DerError("length beyond the end")
    return Node(data, tag, pos, body, length)


def parse(data: bytes) -> Node:
    node = read(data)
    if node.end != len(data):
        raise DerError("trailing bytes")
    return node


def oid_text(node: Node) -> str:
    if node.tag != OID or not node.length:
        raise DerError("not an OBJECT IDENTIFIER")
    raw = node.content
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for byte in raw[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


@dataclass(frozen=True)
class Certificate:
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    public_key: bytes  # SM2: x ‖ y, 64 bytes


def _common_name(name: Node) -> str:
    for rdn in name.children():
        for attr in rdn.children():
            kids = attr.children()
            if len(kids) == 2 and kids[0].tag == OID and oid_text(kids[0]) == "2.5.4.3":
                return kids[1].text()
    return ""


def certificate(data: bytes) -> Certificate:
    cert = parse(data)
    tbs = cert.child(0, SEQUENCE)
    kids = tbs.children()
    i = 1 if kids and kids[0].tag == 0xA0 else 0  # [0] version is optional
    serial, issuer, validity, subject, spki = kids[i], kids[i + 2], kids[i + 3], kids[i + 4], kids[i + 5]
    key = spki.child(1, BIT_STRING).bits()
    if len(key) == 65 and key[0] == 4:
        key = key[1:]
    times = validity.children()
    return Certificate(subject=_common_name(subject), issuer=_common_name(issuer), serial=serial.content.hex(),
                       not_before=times[0].time(), not_after=times[1].time(), public_key=key)
