#!/usr/bin/env python3
"""Attack-suite helper: N clients that each ask for a file and then never read a byte.

usage: stalled-readers.py PORT COUNT PATH ADDRESSES

Connection i comes from 127.0.0.(2 + i % ADDRESSES) (Linux routes all of 127/8 to lo), so
a per-address connection cap does not refuse them. Each socket gets a 4 KiB receive buffer
and a 1 KiB maximum segment size BEFORE connecting: that keeps what the kernels hold for a
stalled connection to ~100 KiB (a default paused socket lets the server's kernel take ~4 MiB
per connection, and 2,000 of them would exhaust the machine's TCP memory). Python because
Node cannot set either option on a TCP socket. Prints `READY <n>` once every request is sent,
then holds the sockets without reading until stdin closes.
"""
import socket
import sys

port, count, path, addresses = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
request = f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode("latin-1")
held = []
for i in range(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1024)
    s.bind((f"127.0.0.{2 + i % addresses}", 0))
    s.connect(("127.0.0.1", port))
    s.sendall(request)
    held.append(s)
print(f"READY {len(held)}", flush=True)
sys.stdin.read()
