"""The churn prediction service: the trained model over HTTP, with nothing but the standard library.

    python3 -m service.server [--port 8080] [--model model.pkl] [--metrics metrics.json]

    GET  /health    {"status": "ok", "model": {...metrics}}
    POST /predict   {"customers": [{...features}, ...]}  ->  {"predictions": [{"churn", "probability"}]}

Bad requests are a 400 with {"error": "..."}; the service never answers with a traceback.
"""
import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import joblib

from churn import predict

MAX_BODY = 1 << 20  # 1 MiB: thousands of customers per request, and no more


class Handler(BaseHTTPRequestHandler):
    server_version = "churn-service/1"
    model = None      # set by serve()
    model_info = {}

    def _send(self, status, body):
        payload = (json.dumps(body, sort_keys=True) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        if self.path == "/health":
            self._send(200, {"status": "ok", "model": self.model_info})
        else:
            self._send(404, {"error": f"no route GET {self.path}; try GET /health or POST /predict"})

    def do_POST(self):
        if self.path != "/predict":
            self._send(404, {"error": f"no route POST {self.path}; try POST /predict"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._send(413 if length > MAX_BODY else 400,
                       {"error": f"body must have a Content-Length of at most {MAX_BODY} bytes"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            self._send(400, {"error": f"body is not JSON: {e}"})
            return
        if not isinstance(body, dict) or "customers" not in body:
            self._send(400, {"error": 'body must be an object {"customers": [...]}'})
            return
        try:
            self._send(200, {"predictions": predict.predict(self.model, body["customers"])})
        except predict.InputError as e:
            self._send(400, {"error": str(e)})
        except Exception as e:  # a bug in the model code: say so, without a traceback for the client
            self.log_error("prediction failed: %r", e)
            self._send(500, {"error": "prediction failed; the service's log has the details"})

    def log_message(self, fmt, *args):
        sys.stderr.write(f"churn-service: {self.address_string()} {fmt % args}\n")


def serve(model_path, metrics_path=None, host="0.0.0.0", port=8080):
    """A started-but-not-serving server; call serve_forever() on it (tests use port 0)."""
    Handler.model = joblib.load(model_path)
    info = {"file": str(model_path)}
    if metrics_path and Path(metrics_path).is_file():
        info.update(json.loads(Path(metrics_path).read_text()))
    Handler.model_info = info
    return ThreadingHTTPServer((host, port), Handler)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="service.server", description="Serve the churn model.")
    parser.add_argument("--model", default="model.pkl")
    parser.add_argument("--metrics", default="metrics.json")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--max-seconds", type=float, default=float(os.environ.get("CHURN_SERVICE_MAX_SECONDS", "0")),
                        help="stop after this long (0: never); a test instance ends even if nobody stops it")
    args = parser.parse_args(argv)
    server = serve(args.model, args.metrics, args.host, args.port)
    accuracy = Handler.model_info.get("accuracy", "?")
    print(f"churn-service: serving {args.model} (held-out accuracy {accuracy}) on "
          f"http://{args.host}:{server.server_address[1]}", flush=True)
    # As a container's PID 1, Python would ignore SIGTERM and `docker stop` would wait 10 s.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.max_seconds > 0:
        timer = threading.Timer(args.max_seconds, server.shutdown)
        timer.daemon = True  # never keeps a stopped service alive
        timer.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    print("churn-service: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
