"""Uploaded OFD invoices (GB/T 33190 packages): read safely, check every SM3 check value, the seal.

An OFD file is a zip. ``read_package`` refuses what is not one, zip bombs (declared or actual size
beyond the limits, extreme compression ratios), path traversal (absolute names, ``..``, backslashes,
drive letters), encrypted and duplicate entries — nothing is ever extracted to disk.

``check_signatures`` follows ``OFD.xml`` → ``Signatures.xml`` → each ``Signature.xml`` and:

* recomputes the SM3 digest of every file the signature references and compares it with its
  ``CheckValue`` (base64);
* reads ``SignedValue.dat`` as a GM/T 0031-2014 electronic seal signature (``SES_Signature``,
  version 4): checks that its ``dataHash`` is the SM3 digest of ``Signature.xml``, verifies the
  signer's SM2 signature over ``TBS_Sign`` with the public key of the signer certificate it carries,
  verifies the seal maker's SM2 signature over the seal (``SES_SealInfo``) with the maker
  certificate, and checks that the signing time lies within both certificates' and the seal's
  validity.

What cannot be checked offline is said, not passed: that the certificates chain to the tax
authority's CA (its root certificate is not in the package) and that they were not revoked.
"""

from __future__ import annotations

import base64
import io
import posixpath
import zipfile
from datetime import UTC, datetime

from zhishui.core.crypto import sm2_verify, sm3_hex
from zhishui.core.errors import ValidationFailure

from . import der
from .report import Report
from .xmldoc import ParsedInvoice, load

MAX_ENTRIES = 2000
MAX_ENTRY_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for entries above 1 MB
SM3_OIDS = {"1.2.156.10197.1.401", "sm3", "SM3"}
SM2_SIGN_OIDS = {"1.2.156.10197.1.501", "1.2.156.10197.1.301.1"}


def _bad(message_zh: str, message_en: str) -> ValidationFailure:
    return ValidationFailure("file", message_zh, message_en, code="bad_file")


def _safe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return False
    parts = name.split("/")
    return not any(p in ("..", ".") for p in parts)


def read_package(data: bytes) -> dict[str, bytes]:
    """The files of an OFD package by name, after every safety check."""
    if not data.startswith(b"PK\x03\x04"):
        raise _bad("文件内容不是OFD（ZIP）格式", "the file content is not an OFD (zip) package")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _bad(f"OFD包已损坏：{exc}", f"the OFD package is damaged: {exc}") from exc
    if len(infos) > MAX_ENTRIES:
        raise _bad(f"OFD包文件数超过{MAX_ENTRIES}", f"the OFD package has more than {MAX_ENTRIES} entries")
    declared = 0
    for info in infos:
        if not _safe_name(info.filename):
            raise _bad(f"OFD包含不安全的路径“{info.filename[:80]}”", f"unsafe path in the OFD package: "
                       f"{info.filename[:80]!r}")
        if info.flag_bits & 0x1:
            raise _bad("OFD包含加密文件", "the OFD package contains encrypted entries")
        declared += info.file_size
        if info.file_size > MAX_ENTRY_BYTES or declared > MAX_TOTAL_BYTES:
            raise _bad("OFD包解压后过大（疑似压缩炸弹）", "the OFD package expands too much (zip bomb)")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _bad("OFD包压缩比异常（疑似压缩炸弹）", "abnormal compression ratio in the OFD package (zip bomb)")
    files: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        if info.filename in files:
            raise _bad(f"OFD包含重复文件“{info.filename[:80]}”", "duplicate entry in the OFD package")
        try:
            with archive.open(info) as fh:
                body = fh.read(MAX_ENTRY_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise _bad(f"OFD包文件无法读取：{info.filename[:80]}", f"cannot read {info.filename[:80]!r}") from exc
        total += len(body)
        if len(body) > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES:
            raise _bad("OFD包解压后过大（疑似压缩炸弹）", "the OFD package expands too much (zip bomb)")
        files[info.filename] = body
    if "OFD.xml" not in files:
        raise _bad("OFD包缺少入口文件 OFD.xml", "the OFD package lacks OFD.xml")
    return files


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _iter(node, name: str):
    return (n for n in node.iter() if _local(n.tag) == name)


def _first_text(node, name: str) -> str:
    found = next(_iter(node, name), None)
    return (found.text or "").strip() if found is not None else ""


def _resolve(base_dir: str, ref: str) -> str:
    ref = ref.strip()
    path = ref.lstrip("/") if ref.startswith("/") else posixpath.join(base_dir, ref)
    return posixpath.normpath(path)


def _ses_checks(report: Report, files: dict[str, bytes], signature_path: str, value: bytes, signed_at_text: str):
    """GM/T 0031-2014 SES_Signature (version 4)."""
    try:
        ses = der.parse(value)
        tbs = ses.child(0, der.SEQUENCE)
        signer_cert = der.certificate(ses.child(1, der.OCTET_STRING).content)
        signature = ses.child(3, der.BIT_STRING).bits()
        tbs_kids = tbs.children()
        version = int.from_bytes(tbs_kids[0].content, "big")
        seal = tbs_kids[1]
        time_info = tbs_kids[2].time() if tbs_kids[2].tag in (der.UTC_TIME, der.GENERALIZED_TIME) else None
        data_hash = tbs_kids[3].bits()
        property_info = tbs_kids[4].text() if len(tbs_kids) > 4 else ""
        seal_kids = seal.children()
        seal_info = seal_kids[0]
        maker_cert = der.certificate(seal_kids[1].content)
        maker_sig = seal_kids[3].bits()
        seal_name = seal_info.child(2).child(1).text()
        seal_validity = [n.time() for n in seal_info.child(2).children() if n.tag in (der.UTC_TIME,
                                                                                      der.GENERALIZED_TIME)]
    except (der.DerError, IndexError, ValueError) as exc:
        report.add("ofd_seal_format", False, "电子签章结构（GM/T 0031）", "electronic seal structure (GM/T 0031)",
                   f"SignedValue 无法解析 / cannot be parsed: {exc}")
        return
    report.add("ofd_seal_format", version == 4, "电子签章结构（GM/T 0031-2014，版本4）",
               "electronic seal structure (GM/T 0031-2014, version 4)", f"version {version}; {seal_name}")
    expected = sm3_hex(files[signature_path])
    report.add("ofd_signature_digest", data_hash.hex() == expected, "签名文件摘要（SM3，Signature.xml）",
               "digest of the signature file (SM3 of Signature.xml)",
               f"{property_info or signature_path}: {data_hash.hex()[:16]}…")
    report.add("ofd_signer_signature", sm2_verify(signer_cert.public_key, tbs.raw, signature),
               "签章人SM2签名", "signer's SM2 signature", f"{signer_cert.subject}")
    report.add("ofd_seal_signature", sm2_verify(maker_cert.public_key, seal_info.raw, maker_sig),
               "印章制作方SM2签名", "seal maker's SM2 signature over the seal", f"{maker_cert.subject}")
    when = time_info
    if when is None and signed_at_text:
        try:
            when = datetime.strptime(signed_at_text[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            when = None
    if when is not None:
        in_certs = all(c.not_before <= when <= c.not_after for c in (signer_cert, maker_cert))
        in_seal = len(seal_validity) < 3 or seal_validity[1] <= when <= seal_validity[2]
        report.add("ofd_validity", in_certs and in_seal, "签章时间在证书和印章有效期内",
                   "signed within the certificates' and the seal's validity",
                   f"{when:%Y-%m-%d %H:%M:%S}Z; "
                   f"signer {signer_cert.not_before:%Y-%m-%d}–{signer_cert.not_after:%Y-%m-%d}; "
                   f"maker {maker_cert.not_before:%Y-%m-%d}–{maker_cert.not_after:%Y-%m-%d}")
    report.notes.append(
        f"证书链未核验：签章证书由“{signer_cert.issuer}”签发，其根证书不在文件中，离线无法核验；"
        "证书吊销状态亦无法离线核验 / "
        f"certificate chain not verified: the certificates were issued by {signer_cert.issuer!r}, whose root "
        "certificate is not in the file; revocation cannot be checked offline")


def check_signatures(report: Report, files: dict[str, bytes]) -> None:
    root = load(files["OFD.xml"])
    sig_ref = _first_text(root, "Signatures")
    if not sig_ref:
        report.add("ofd_signed", False, "OFD包含电子签名", "the OFD carries a signature", "OFD.xml 未引用签名 / none")
        return
    sigs_path = _resolve("", sig_ref)
    if sigs_path not in files:
        report.add("ofd_signed", False, "OFD包含电子签名", "the OFD carries a signature", f"{sigs_path} 缺失 / missing")
        return
    sigs_root = load(files[sigs_path])
    entries = list(_iter(sigs_root, "Signature"))
    report.add("ofd_signed", bool(entries), "OFD包含电子签名", "the OFD carries a signature", f"{len(entries)}")
    for entry in entries:
        sig_path = _resolve(posixpath.dirname(sigs_path), entry.get("BaseLoc", ""))
        if sig_path not in files:
            report.add("ofd_signature_file", False, "签名描述文件", "signature description file",
                       f"{sig_path} 缺失 / missing")
            continue
        sig_root = load(files[sig_path])
        refs = next(_iter(sig_root, "References"), None)
        method = (refs.get("CheckMethod", "") if refs is not None else "").strip()
        if method and method not in SM3_OIDS:
            report.add("ofd_check_method", False, "校验算法为SM3", "check values use SM3", method)
            continue
        for ref in _iter(sig_root, "Reference"):
            target = _resolve("", ref.get("FileRef", ""))
            expected = _first_text(ref, "CheckValue")
            body = files.get(target)
            if body is None:
                report.add("ofd_check_value", False, f"校验值 {target}", f"check value of {target}",
                           "文件缺失 / missing")
                continue
            actual = base64.b64encode(bytes.fromhex(sm3_hex(body))).decode()
            report.add("ofd_check_value", actual == expected, f"SM3校验值 {target}", f"SM3 check value of {target}",
                       actual if actual == expected else f"expected {expected}, got {actual}")
        method = _first_text(sig_root, "SignatureMethod")
        value_path = _resolve(posixpath.dirname(sig_path), _first_text(sig_root, "SignedValue"))
        value = files.get(value_path)
        if value is None:
            report.add("ofd_signed_value", False, "签名值文件", "signed value file", f"{value_path} 缺失 / missing")
            continue
        if method and method not in SM2_SIGN_OIDS:
            report.add("ofd_signature_method", False, "签名算法为SM2", "signature method is SM2", method)
            continue
        _ses_checks(report, files, sig_path, value, _first_text(sig_root, "SignatureDateTime"))


def invoice_xml(files: dict[str, bytes]) -> tuple[str, bytes] | None:
    """The invoice XML embedded in the package (its attachment ``original_invoice``, else any invoice XML)."""
    candidates = [n for n in files if n.lower().endswith(".xml") and "/attachs/" in n.lower()]
    candidates += [n for n in files if n.lower().endswith("invoice.xml") and n not in candidates]
    for name in candidates:
        head = files[name][:4096]
        if b"EInvoice" in head or b"eInvoice" in head:
            return name, files[name]
    return None


def parse_embedded(files: dict[str, bytes]) -> tuple[str, ParsedInvoice] | None:
    from .xmldoc import parse

    found = invoice_xml(files)
    if found is None:
        return None
    return found[0], parse(found[1])
