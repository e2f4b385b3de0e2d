#!/usr/bin/env python3
"""The front door under a flood, against a running `herald serve` on loopback.

1. Half-open connections: opens N connections (half send half a request head, half send nothing), measures
   /healthz p50/p99 before, while they are held, and after; waits until the server has closed every one
   (its header-read timeout) and reports when the last one closed.
2. Token guessing: sends 2,000 random bearer tokens on one connection and counts 401 (asked the database)
   and 429 (refused before it); then, with --token, a valid token from another loopback address (127.0.0.2)
   100 times: every answer must be 200.

Prints the figures, then one JSON line {"bench": "front_door", ...}.

    herald serve --port 18481 --no-worker &
    python3 bench/front_door.py --port 18481 --token "$(herald tokens create --role viewer)"
"""
import argparse, collections, http.client, json, resource, secrets, select, socket, time


def healthz(port, count):
    times = []
    for _ in range(count):
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"/healthz answered {response.status}")
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2], times[max(0, int(len(times) * 0.99) - 1)]


def half_open(port, count):
    figures = {"baseline_p50_ms": 0, "baseline_p99_ms": 0}
    figures["baseline_p50_ms"], figures["baseline_p99_ms"] = healthz(port, 200)
    start = time.perf_counter()
    held = []
    for index in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        if index % 2 == 0:
            connection.send(b"GET /healthz HTTP/1.1\r\nHost: herald\r\n")
        held.append(connection)
    figures["open_s"] = time.perf_counter() - start
    figures["held_p50_ms"], figures["held_p99_ms"] = healthz(port, 200)
    remaining = {connection.fileno(): connection for connection in held}
    poller = select.poll()
    for fd in remaining:
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    last = 0.0
    while remaining and time.perf_counter() - start < 300:
        for fd, _ in poller.poll(500):
            connection = remaining.get(fd)
            if connection is None:
                continue
            try:
                data = connection.recv(1)
            except ConnectionResetError:
                data = b""
            if data == b"":
                del remaining[fd]
                poller.unregister(fd)
                connection.close()
                last = time.perf_counter() - start
    figures["closed_by_server"] = count - len(remaining)
    figures["last_closed_s"] = last
    figures["after_p50_ms"], figures["after_p99_ms"] = healthz(port, 200)
    return figures


class FromSecondAddress(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.create_connection((self.host, self.port), source_address=("127.0.0.2", 0))


def guessing(port, token):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    statuses = collections.Counter()
    start = time.perf_counter()
    for _ in range(2000):
        connection.request("GET", "/v1/workspace", headers={"Authorization": "Bearer hrld_" + secrets.token_urlsafe(32)})
        response = connection.getresponse()
        response.read()
        statuses[response.status] += 1
    figures = {"guesses": 2000, "guess_s": time.perf_counter() - start, "answered_401": statuses[401], "answered_429": statuses[429]}
    if token:
        times = []
        for _ in range(100):
            valid = FromSecondAddress("127.0.0.1", port, timeout=30)
            begin = time.perf_counter()
            valid.request("GET", "/v1/workspace", headers={"Authorization": "Bearer " + token})
            response = valid.getresponse()
            response.read()
            valid.close()
            if response.status != 200:
                raise SystemExit(f"a valid token from 127.0.0.2 answered {response.status}")
            times.append((time.perf_counter() - begin) * 1000)
        times.sort()
        figures["valid_elsewhere_p50_ms"], figures["valid_elsewhere_p99_ms"] = times[49], times[98]
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True, help="the port herald serve listens on (127.0.0.1)")
    parser.add_argument("--connections", type=int, default=2000, help="half-open connections to hold")
    parser.add_argument("--token", help="a valid token, used from 127.0.0.2 after the guessing")
    arguments = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, arguments.connections + 256)), hard))
    figures = half_open(arguments.port, arguments.connections)
    figures.update(guessing(arguments.port, arguments.token))
    for name, value in figures.items():
        print(f"{name:>26}  {value:.1f}" if isinstance(value, float) else f"{name:>26}  {value}")
    print(json.dumps({"bench": "front_door", **{k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()}}))


if __name__ == "__main__":
    main()
