"""Keeps a test process on the loopback interface: any connection or name lookup for a host
other than 127.0.0.1 / ::1 / localhost fails at once and is recorded in ``BLOCKED``."""

import socket

ALLOWED = {"127.0.0.1", "::1", "localhost"}
BLOCKED = []

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _allowed(sock, address):
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True
    host = address[0] if isinstance(address, tuple) else address
    return host in ALLOWED


def _guarded_connect(self, address):
    if not _allowed(self, address):
        BLOCKED.append(repr(address))
        raise OSError(f"network access outside 127.0.0.1 is blocked in this test: {address!r}")
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not _allowed(self, address):
        BLOCKED.append(repr(address))
        return 111  # ECONNREFUSED
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name not in ALLOWED:
        BLOCKED.append(f"lookup {name}")
        raise socket.gaierror(socket.EAI_NONAME, f"name lookup of {name} is blocked in this test")
    return _getaddrinfo(host, *args, **kwargs)


def install():
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo
