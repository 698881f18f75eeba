#!/usr/bin/env python3
"""Local receivers for the demo's alerts: a webhook on 127.0.0.1:WEBHOOK_PORT/hntt and an SMTP
server (aiosmtpd) on 127.0.0.1:SMTP_PORT; prints one line per alert received on either."""
import email
import email.policy
import http.server
import sys
import threading
import time

from aiosmtpd.controller import Controller

webhook_port, smtp_port = int(sys.argv[1]), int(sys.argv[2])


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        print(f"webhook: {body}", flush=True)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class Mail:
    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        print(f"e-mail to {', '.join(envelope.rcpt_tos)}: {message['subject']}", flush=True)
        return "250 OK"


controller = Controller(Mail(), hostname="127.0.0.1", port=smtp_port)
controller.start()
server = http.server.ThreadingHTTPServer(("127.0.0.1", webhook_port), Hook)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"alert receivers: webhook http://127.0.0.1:{webhook_port}/hntt, smtp 127.0.0.1:{smtp_port}", flush=True)
while True:
    time.sleep(3600)
