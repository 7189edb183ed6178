#!/usr/bin/python3
"""A real RTSP server on loopback for Retina's tests and demo: GStreamer's rtsp-server (GI).

Serves H.264 MP4 files without re-encoding, paced in real time as a camera would send them.
Each client gets its own pipeline from the start of the file; at the end of the file the session
ends (the client sees end of stream and reconnects).

    /usr/bin/python3 scripts/rtsp-server.py --port 8554 --mount cam=Streams/pets-walk.mp4 [--auth user:pass]

Prints `READY rtsp://ADDR:PORT` once listening. Debian's GI bindings belong to Debian's own
/usr/bin/python3, which may not be the first python3 on PATH.
"""
import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8554)
    parser.add_argument("--mount", action="append", default=[], metavar="NAME=FILE",
                        help="serve FILE (MP4 with H.264) at rtsp://ADDR:PORT/NAME (repeatable)")
    parser.add_argument("--auth", metavar="USER:PASS", help="require RTSP Basic auth on every mount")
    args = parser.parse_args()
    if not args.mount:
        parser.error("give at least one --mount NAME=FILE")

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    mounts = server.get_mount_points()

    if args.auth:
        user, _, password = args.auth.partition(":")
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
        server.set_auth(auth)

    for spec in args.mount:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            parser.error(f"--mount expects NAME=FILE, got {spec!r}")
        if not os.path.isfile(path):
            parser.error(f"--mount {name}: no such file {path!r}")
        factory = GstRtspServer.RTSPMediaFactory()
        # No re-encode: demux, parse, packetise; SPS/PPS with every key frame as cameras do.
        location = '"' + os.path.abspath(path).replace("\\", "\\\\").replace('"', '\\"') + '"'
        factory.set_launch(
            f"( filesrc location={location} ! qtdemux ! h264parse config-interval=-1 "
            f"! rtph264pay name=pay0 pt=96 config-interval=1 )"
        )
        factory.set_shared(False)
        if args.auth:
            factory.add_role_from_structure(Gst.Structure.from_string(
                "viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
        mounts.add_factory("/" + name, factory)

    if server.attach(None) == 0:
        print(f"rtsp-server: cannot listen on {args.address}:{args.port} (port in use?)", file=sys.stderr)
        sys.exit(2)

    loop = GLib.MainLoop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY rtsp://{args.address}:{args.port}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
