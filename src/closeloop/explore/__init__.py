"""``closeloop explore``: a local, offline page that puts the model in a reader's hands.

``create_app`` builds the FastAPI application; ``serve`` runs it on uvicorn, bound to loopback
unless told otherwise. Educational model, not a diagnosis or treatment; in a crisis in the US,
call or text 988.
"""

from __future__ import annotations

import threading
import webbrowser

from closeloop.errors import bad_value


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> None:
    """Serve the explorer until interrupted."""
    import uvicorn

    from closeloop.explore.app import create_app

    if not (0 < port < 65536):
        raise bad_value("port", port, "an integer in [1, 65535]", "explore")
    hosts = () if host in ("127.0.0.1", "localhost", "::1") else (host,)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    if open_browser:
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    print(f"closeloop explorer: compiling the engine, then serving {url} (Ctrl+C to stop)")
    # Every other program the page can ask for (other horizons, interventions, the person
    # scenarios) compiles in the background, so a first visit there need not wait for it.
    app = create_app(hosts=hosts, warm_all=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


__all__ = ["serve"]
