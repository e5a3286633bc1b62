"""The Internet checksum (RFC 1071), shared by the test helpers that build or check packets."""
import struct


def ones_sum(data: bytes) -> int:
    """16-bit ones' complement sum of big-endian words (an odd last byte padded with 0)."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def checksum(data: bytes) -> int:
    """The value for a checksum field."""
    return ~ones_sum(data) & 0xFFFF
