"""The test server serves like a static host and prints only real errors."""

import functools
import socket
import threading

from harness.site_build import QuietServer, StaticHandler


def test_a_connection_closed_early_prints_nothing(tmp_path, capfd):
    (tmp_path / "big.bin").write_bytes(b"x" * (32 << 20))
    server = QuietServer(("127.0.0.1", 0), functools.partial(StaticHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for _ in range(3):  # a browser dropping a download it no longer needs
            client = socket.create_connection(server.server_address)
            client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(1024)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            client.close()  # with a zero linger: a reset, as a closed browser tab sends
        client = socket.create_connection(server.server_address)
        client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        while client.recv(1 << 20):
            pass  # the server is still healthy and serves a whole file
        client.close()
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in capfd.readouterr().err
