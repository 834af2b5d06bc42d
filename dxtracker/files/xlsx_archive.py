"""An untrusted .xlsx file as the zip archive it is, opened within bounds.

Every xlsx reader falls for a zip bomb (FACTS.md: 1 GiB of whitespace in a 1 MB file cost
openpyxl 1–2 GB). So, working on the bytes already in memory:

1. the file must be a zip with the parts of a workbook, of bounded member count, total size and
   compression ratio (as the zip's directory declares them, checked before inflating anything),
   and no two members of the same name (readers differ on which one they take);
2. every member is inflated by us, in chunks of bounded size, never past its declared size, and
   must match its declared size and CRC (a lying header cannot smuggle more data past step 1).

What the parts say (sheets, styles, cells) is `xlsx_scan`'s and `xlsx_bounds`' business; this
module only hands out the members' bytes, or refuses the file with `UnsafeWorkbook`.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator

from dxtracker.errors import DxTrackerError

MAX_TOTAL_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 1000
MAX_RATIO = 100  # genuine parts compress 6–8 : 1 (FACTS.md); a bomb 1000 : 1
RATIO_FLOOR = 256 * 1024  # smaller parts cannot hurt, whatever their ratio
CHUNK = 256 * 1024

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50


class UnsafeWorkbook(DxTrackerError):
    """A file refused before parsing: not an xlsx, damaged, or built to exhaust the reader."""


def open_archive(data: bytes) -> list[zipfile.ZipInfo]:
    """The members of the zip in `data` (a whole .xlsx file), its directory checked; raises
    UnsafeWorkbook with the reason."""
    if not data.startswith(b"PK\x03\x04"):
        raise _not_a_zip(data)
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError,
            EOFError, IndexError, KeyError, struct.error) as exc:  # all seen on damaged files
        raise UnsafeWorkbook(
            "xlsxファイルが壊れています（途中で切れているか、保存に失敗した可能性があります）。"
            "Excelで開けるか確かめ、保存し直してください。",
            f"The xlsx file is damaged (truncated or incompletely saved): {exc}") from exc
    _check_declared(infos)
    names = [info.filename for info in infos]
    if "[Content_Types].xml" not in names:
        if _is_opendocument(data, infos):
            raise UnsafeWorkbook(  # LibreOffice's own format, chosen by mistake when saving
                "ODS形式（LibreOffice・OpenOfficeの形式）のファイルです。LibreOffice Calcで開き、"
                "「ファイル > 名前を付けて保存」で「Excel 2007-365 (.xlsx)」を選んで保存し直して"
                "ください。",
                "An ODS file (LibreOffice's own format). Open it in LibreOffice Calc and save it "
                "as .xlsx (File > Save As > Excel 2007-365).")
        raise UnsafeWorkbook(
            "xlsxファイルではありません（Excelのブックの構成になっていないZIPファイルです）。",
            "Not an xlsx file: a zip archive without the parts of a workbook.")
    if len(set(names)) != len(names):
        raise UnsafeWorkbook(
            "xlsxファイルが壊れています（同じ名前の構成要素が二つあります）。Excelで保存し直してください。",
            "The xlsx file is damaged: two of its parts have the same name.")
    return [info for info in infos if not info.is_dir()]


def _is_opendocument(data: bytes, infos: list[zipfile.ZipInfo]) -> bool:
    """An OpenDocument file (.ods) names its kind in a first, tiny member "mimetype"."""
    mimetype = next((i for i in infos if i.filename == "mimetype" and i.file_size < 100), None)
    return mimetype is not None and b"opendocument" in read_member(data, mimetype)


def read_member(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes, whole (inflated within bounds and checked)."""
    return b"".join(inflate(data, info))


def _not_a_zip(data: bytes) -> UnsafeWorkbook:
    head = data[:4096]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return UnsafeWorkbook(
            "xlsxファイルではありません（古い形式の .xls か、パスワード付きのブックです）。"
            "Excelで「Excelブック（*.xlsx）」として、パスワードなしで保存し直してください。",
            "Not an xlsx file: an old .xls workbook or a password-protected one. Save it as an "
            "Excel workbook (*.xlsx) without a password.")
    if _looks_like_text(head):
        return UnsafeWorkbook(
            "xlsxファイルではありません（CSVなどのテキストファイルの拡張子を .xlsx に変えたもののようです）。"
            "DX Trackerで出力した回答様式に入力してください。",
            "Not an xlsx file: it looks like a CSV or other text file renamed to .xlsx.")
    return UnsafeWorkbook("xlsxファイルではありません。DX Trackerで出力した回答様式を使ってください。",
                          "Not an xlsx file. Use the return workbook exported by DX Tracker.")


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8-sig", "cp932", "utf-16"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text and sum(ch.isprintable() or ch in "\r\n\t" for ch in text) / len(text) > 0.95:
            return True
    return False


def _check_declared(infos: list[zipfile.ZipInfo]) -> None:
    """Sizes as the zip's directory declares them: cheap, and enough to stop a plain bomb."""
    if len(infos) > MAX_MEMBERS:
        raise UnsafeWorkbook(f"xlsxファイルの構成要素が多すぎます（{len(infos)}個）。",
                             f"The xlsx file has too many parts ({len(infos)}).")
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise UnsafeWorkbook(
                "暗号化されたxlsxファイルは読めません。パスワードなしで保存し直してください。",
                "Encrypted xlsx parts cannot be read. Save without a password.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeWorkbook(
                "xlsxファイルが想定外の方式で圧縮されています。Excelで保存し直してください。",
                "The xlsx file uses an unexpected compression method.")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise _bomb(f"{info.filename} の圧縮率が異常です（{ratio:,.0f}:1）",
                        f"{info.filename} has an abnormal compression ratio ({ratio:,.0f}:1)")
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise _bomb(f"展開後の大きさが {total / 1e6:,.0f} MB になります",
                    f"it would expand to {total / 1e6:,.0f} MB")


def _bomb(detail_ja: str, detail_en: str) -> UnsafeWorkbook:
    return UnsafeWorkbook(
        f"xlsxファイルとして異常なため読み込みません（{detail_ja}）。"
        "Excelで開いて内容を確かめ、回答様式に入力し直してください。",
        f"Refused an abnormal xlsx file ({detail_en}).")


def inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks of at most CHUNK, never more than declared; size and CRC
    checked at the end (a caller that stops early has read only what it asked for)."""
    compressed = _compressed(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        for position in range(0, len(compressed), CHUNK):
            yield _counted(info, bytes(compressed[position: position + CHUNK]), position)
        _check_total(info, len(compressed), zlib.crc32(compressed))
        return
    inflater = zlib.decompressobj(-15)
    produced, crc = 0, 0
    piece: bytes | memoryview = b""
    position = 0
    while True:
        if not piece and position < len(compressed):
            piece, position = compressed[position: position + CHUNK], position + CHUNK
        try:  # at most one byte past the declared size: enough to catch a liar
            out = inflater.decompress(piece, min(CHUNK, info.file_size - produced + 1))
        except zlib.error as exc:
            raise _damaged(info.filename) from exc
        piece = inflater.unconsumed_tail
        if out:
            produced += len(_counted(info, out, produced))
            crc = zlib.crc32(out, crc)
            yield out
        elif not piece and position >= len(compressed):
            break  # all input given and no output left
    if not inflater.eof:
        raise _damaged(info.filename)
    _check_total(info, produced, crc)


def _counted(info: zipfile.ZipInfo, out: bytes, before: int) -> bytes:
    if before + len(out) > info.file_size:
        raise _bomb(f"{info.filename} が申告より大きく展開されます",
                    f"{info.filename} inflates beyond its declared size")
    return out


def _check_total(info: zipfile.ZipInfo, produced: int, crc: int) -> None:
    if produced != info.file_size or crc != info.CRC:
        raise _damaged(info.filename)


def _compressed(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The member's compressed bytes, found through its local header."""
    offset = info.header_offset
    header = data[offset: offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or _LOCAL_HEADER.unpack(header)[0] != _LOCAL_SIGNATURE:
        raise _damaged(info.filename)
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[9:11]
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    compressed = memoryview(data)[start: start + info.compress_size]
    if len(compressed) < info.compress_size:
        raise _damaged(info.filename)
    return compressed


def _damaged(member: str) -> UnsafeWorkbook:
    return UnsafeWorkbook(
        f"xlsxファイルが壊れています（{member} が読めません）。Excelで開けるか確かめ、保存し直してください。",
        f"The xlsx file is damaged ({member} cannot be read).")
