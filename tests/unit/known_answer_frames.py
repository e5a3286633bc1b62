#!/usr/bin/env python3
"""Computes the probes' known-answer frames of echo_probe_test.cpp and trace_probe_test.cpp apart
from the engine: AES-128 from the `cryptography` package (OpenSSL), SipHash-1-3, the flow
multiplier and the RFC 1071 checksums written here from their definitions. Run it after changing a
probe's layout (change the layout here to match the drawing) and paste the bytes into the test's
known-answer struct. Not run by the test suite.
"""
import struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
M64 = (1 << 64) - 1
def rotl(x, b): return ((x << b) | (x >> (64 - b))) & M64
def siphash13(k0, k1, m0, m1):
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]
    def rnd():
        v[0] = (v[0] + v[1]) & M64; v[1] = rotl(v[1], 13) ^ v[0]; v[0] = rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M64; v[3] = rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M64; v[3] = rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M64; v[1] = rotl(v[1], 17) ^ v[2]; v[2] = rotl(v[2], 32)
    for m in (m0, m1, 16 << 56):
        v[3] ^= m; rnd(); v[0] ^= m
    v[2] ^= 0xff
    for _ in range(3): rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]
def aes_words(k0, k1, m0, m1):
    key = struct.pack("<QQ", k0, k1)
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    out = enc.update(struct.pack("<QQ", m0, m1)) + enc.finalize()
    return struct.unpack("<4I", out)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack(f"!{len(b)//2}H", b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return s
def mix64(x):
    x ^= x >> 30; x = (x * 0xbf58476d1ce4e5b9) & M64
    x ^= x >> 27; x = (x * 0x94d049bb133111eb) & M64
    x ^= x >> 31; return x
K0, K1 = 0x1111111111111111, 0x2222222222222222
ETH = bytes([2,0,0,0,0,0xfe, 2,0,0,0,0,1, 8,0])
def ip_header(total, ipid, ttl, src, dst):
    h = bytearray(struct.pack("!BBHHHBBHII", 0x45, 0, total, ipid, 0x4000, ttl, 1, 0, src, dst))
    struct.pack_into("!H", h, 10, (~csum(bytes(h))) & 0xffff)
    return bytes(h)
def show(name, frame):
    print(name, len(frame))
    print(", ".join(f"0x{b:02x}" for b in frame))

def echo(alg, src, dst, send_us, round_, ttl=255):
    s = (round_ & 0xff) << 24 | (send_us & 0xffffff)  # the stamp S: round mod 2^8 | send_us mod 2^24
    m0, m1 = src << 32 | dst, s << 32 | ttl << 8 | 1
    mac = aes_words(K0, K1, m0, m1)[0] if alg == "aes" else siphash13(K0, K1, m0, m1) >> 32
    icmp = bytearray(struct.pack("!BBHIIHH", 8, 0, s & 0xffff, mac, s, 0, 0))
    fix = (~csum(bytes(icmp))) & 0xffff
    struct.pack_into("!H", icmp, 12, fix)
    if csum(bytes(icmp)) != 0xffff:
        raise SystemExit(f"echo {alg}: the ICMP checksum does not verify ({csum(bytes(icmp)):#06x})")
    print(f"echo {alg}: S {s:#010x} mac {mac:#010x} fixup {fix:#06x}")
    return ETH + ip_header(20 + 16, s >> 16, ttl, src, dst) + bytes(icmp)

def trace(alg, src, dst, ttl, send_us):
    m0, m1 = src << 32 | 0x54, (ttl >> 2) << 24 | (send_us & 0xffffff)
    lane = ttl & 3
    if alg == "aes":
        mac = aes_words(K0, K1, m0, m1)[lane]
    else:
        h = siphash13(K0, K1, m0, m1 | (1 << 63) if lane & 2 else m1)
        mac = (h >> (lane & 1) * 32) & 0xffffffff
    mac &= (1 << 18) - 1
    w = ttl << 42 | (send_us & 0xffffff) << 18 | mac
    flow_mult = mix64(K0 ^ mix64(K1)) | 1
    flow = ((dst * flow_mult) & M64) >> 32 & 0xffff
    icmp = bytearray(struct.pack("!BBHHHHH", 8, 0, flow, (w >> 16) & 0xffff, w & 0xffff, w >> 32, 0))
    fix = (~csum(bytes(icmp))) & 0xffff
    struct.pack_into("!H", icmp, 10, fix)
    print(f"trace {alg}: mac {mac:#07x} W {w:#014x} flow {flow:#06x} fixup {fix:#06x} mult {flow_mult:#018x}")
    return ETH + ip_header(20 + 12, w >> 32, ttl, src, dst) + bytes(icmp)

for alg in ("aes", "siphash"):
    show(f"echo {alg}", echo(alg, 0xc613ff01, 0xc6120005, 0x3a5c9e17, 0x2b))
    show(f"trace {alg}", trace(alg, 0xc613ff01, 0xc6127c09, 13, 0x7fabcdef))
