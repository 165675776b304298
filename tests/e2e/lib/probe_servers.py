#!/usr/bin/python3
"""Real local servers for squashd's probe tests: HTTP answering 200, HTTP answering 500,
a TCP listener that accepts and never answers, and a WebSocket echo server.

Usage: probe_servers.py PORTS_FILE HEADERS_FILE
Writes "ok=PORT fail=PORT hang=PORT ws=PORT" to PORTS_FILE once every server listens;
appends the Authorization header of every request to the 200 server to HEADERS_FILE.
The 200 server echoes that header in its body, so a probe's reply holds the secret."""
import asyncio
import http.server
import socket
import sys
import threading

import websockets

ports_file, headers_file = sys.argv[1], sys.argv[2]


class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        with open(headers_file, "a") as f:
            f.write(auth + "\n")
        body = ("ok; you sent: " + auth).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Fail(Ok):
    def do_GET(self):
        body = b"database connection pool exhausted"
        self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(handler):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def hang():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []

    def accept():
        while True:
            conn, _ = listener.accept()
            held.append(conn)  # read nothing, answer nothing, never close

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


async def main():
    ok, fail, hung = serve(Ok), serve(Fail), hang()
    async with websockets.serve(echo, "127.0.0.1", 0) as server:
        ws = server.sockets[0].getsockname()[1]
        with open(ports_file + ".tmp", "w") as f:
            f.write(f"ok={ok} fail={fail} hang={hung} ws={ws}\n")
        import os
        os.rename(ports_file + ".tmp", ports_file)
        await asyncio.Future()


asyncio.run(main())
