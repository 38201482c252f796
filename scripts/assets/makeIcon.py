"""Draws media/icon.png (128x128): five heat bars over a dark tile. Standard library only."""
import struct, zlib, pathlib

W = H = 128
colors = [(0xF5, 0xC2, 0x6B), (0xF2, 0x9E, 0x4C), (0xEE, 0x7B, 0x3A), (0xE4, 0x57, 0x2E), (0xC8, 0x1D, 0x25)]
widths = [46, 70, 96, 58, 30]
rows = []
for y in range(H):
    row = bytearray([0])
    for x in range(W):
        r, g, b, a = 0x1E, 0x1E, 0x24, 255
        # rounded tile corners
        cx, cy = min(x, W - 1 - x), min(y, H - 1 - y)
        if cx < 16 and cy < 16 and (16 - cx) ** 2 + (16 - cy) ** 2 > 256:
            a = 0
        band = (y - 14) // 20
        if 0 <= band < 5 and (y - 14) % 20 < 16 and 16 <= x < 16 + widths[band]:
            r, g, b = colors[band]
        row += bytes([r, g, b, a])
    rows.append(bytes(row))
raw = b''.join(rows)
def chunk(t, d):
    c = struct.pack('>I', len(d)) + t + d
    return c + struct.pack('>I', zlib.crc32(t + d) & 0xFFFFFFFF)
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
out = pathlib.Path(__file__).resolve().parents[2] / 'media' / 'icon.png'
out.write_bytes(png)
print(out, len(png), 'bytes')
