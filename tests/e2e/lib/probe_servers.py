#!/usr/bin/python3
"""Real local servers for squashd's probe tests: HTTP answering 200, HTTP answering 500,
a TCP listener that accepts and never answers, and a WebSocket echo server.

Usage: probe_servers.py PORTS_FILE HEADERS_FILE CERT KEY
Writes "ok=PORT fail=PORT hang=PORT ws=PORT tls=PORT wss=PORT" to PORTS_FILE once every
server listens (tls and wss: the 200 server and the echo server over TLS with CERT/KEY);
appends the Authorization header of every request to the 200 server to HEADERS_FILE.
The 200 server echoes that header in its body, so a probe's reply holds the secret."""
import asyncio
import http.server
import os
import socket
import ssl
import sys
import threading

import websockets

ports_file, headers_file, cert, key = sys.argv[1:5]
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(cert, key)


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


def serve(handler, context=None):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if context:
        server.socket = context.wrap_socket(server.socket, server_side=True)
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
    ok, fail, hung, ok_tls = serve(Ok), serve(Fail), hang(), serve(Ok, tls)
    async with websockets.serve(echo, "127.0.0.1", 0) as plain, \
            websockets.serve(echo, "127.0.0.1", 0, ssl=tls) as secure:
        ws = plain.sockets[0].getsockname()[1]
        wss = secure.sockets[0].getsockname()[1]
        with open(ports_file + ".tmp", "w") as f:
            f.write(f"ok={ok} fail={fail} hang={hung} ws={ws} tls={ok_tls} wss={wss}\n")
        os.rename(ports_file + ".tmp", ports_file)
        await asyncio.Future()


asyncio.run(main())
