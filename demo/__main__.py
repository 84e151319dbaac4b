"""``python -m demo serve|build``: run the demo sites, or just build their documents.

serve  --port N (sites on N, N+1, …; 0 = ephemeral) --faults --registry-out DIR --truth-out FILE
       prints one JSON line {"ports": …, "registry": …} once serving, then serves until killed.
build  renders every attachment into the cache (data/cache/demo-sites/) and exits.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import threading
from pathlib import Path

from demo.server import DemoServer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m demo")
    sub = ap.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="serve the demo sites on 127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="first port (sites on consecutive ports); 0: ephemeral")
    serve.add_argument("--faults", action="store_true", help="also serve the fault sites")
    serve.add_argument("--registry-out", help="write the registry for these ports here")
    serve.add_argument("--truth-out", help="write the truth (every report and document) as JSON here")
    sub.add_parser("build", help="build the attachments into the cache and exit")
    args = ap.parse_args(argv)

    if args.cmd == "build":
        with DemoServer(faults=True) as demo:
            n = sum(len(s.files) for s in demo.sites.values())
        print(json.dumps({"built": n}))
        return 0

    demo = DemoServer(faults=args.faults, base_port=args.port).start()
    registry = demo.write_registry(args.registry_out or tempfile.mkdtemp(prefix="ogi-demo-registry-"))
    if args.truth_out:
        Path(args.truth_out).write_text(json.dumps(demo.truth(), ensure_ascii=False, indent=1), "utf-8")
    print(json.dumps({"ports": demo.ports, "registry": str(registry)}), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
