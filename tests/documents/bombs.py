"""Small files that are expensive to preview, as an attacker would upload them."""

import functools
import struct
import zlib

BOMB_SIDE = 13_000


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def png_bomb(side: int = BOMB_SIDE) -> bytes:
    """A flat green palette PNG of side x side pixels: 164 KB for 169 MP.

    Written row by row, so that making it never holds the decoded picture.
    """
    compressor = zlib.compressobj(9)
    row = b"\0" * (side + 1)  # filter type 0, then palette index 0 for every pixel
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 3, 0, 0, 0)  # 8 bits, palette
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"PLTE", b"\x20\x80\x20")
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def spin_pdf(*, depth: int = 9, copies: int = 4) -> bytes:
    """A 2 KB PDF whose page draws a form that draws the next one `copies` times, `depth` deep.

    copies ** depth fills of the whole page: pdftoppm spends minutes on it.
    """
    first_form = 4

    def form(level: int) -> bytes:
        if level == depth - 1:
            content, resources = b"0 0 1 1 re f", b""
        else:
            content = b" ".join([b"q /F Do Q"] * copies)
            resources = b"/Resources << /XObject << /F %d 0 R >> >>" % (first_form + level + 1)
        return b"<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] %s /Length %d >>\nstream\n%s\nendstream" % (
            resources,
            len(content),
            content,
        )

    page_content = b"q 600 0 0 800 0 0 cm /F Do Q"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources << /XObject << /F %d 0 R >> >>"
        b" /Contents %d 0 R >>" % (first_form, first_form + depth),
        *(form(level) for level in range(depth)),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(page_content), page_content),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(pdf)
