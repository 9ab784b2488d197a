#!/usr/bin/env python3
"""Two real `jixiao serve` processes on one fresh PostgreSQL database (127.0.0.1:5432, user
postgres, trust auth; the database DBNAME is dropped and created), loaded with the demo; the same
request ids fired at both at once: 140 payment ids x 3 copies (420 requests), then refunds,
releases, reservations and payments x 4 copies (192). Prints the status counts. Not run by CI
(crates/web/tests/http/two_servers.rs is, in-process); see docs/benchmarks.md.
Usage: .ci/race-two-servers.py target/debug/jixiao DBNAME"""
import json, os, subprocess, sys, tempfile, threading, time, urllib.request, collections

binary, dbname = sys.argv[1], sys.argv[2]
url = f"postgres://postgres@127.0.0.1:5432/{dbname}"
subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {dbname}"], check=True)
subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {dbname}"], check=True)
env = dict(os.environ, JIXIAO_DATABASE=url, JIXIAO_LOG="warn")
procs = []

def start(port, demo):
    d = tempfile.mkdtemp()
    args = [binary, "serve", "--listen", f"127.0.0.1:{port}"] + (["--demo"] if demo else [])
    p = subprocess.Popen(args, cwd=d, env=env, stdout=subprocess.DEVNULL, stderr=open(f"{d}/err.log", "w"))
    procs.append((p, d))
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if urllib.request.urlopen(base + "/healthz", timeout=1).status == 200:
                return base
        except Exception:
            time.sleep(0.5)
    raise SystemExit("server did not start")

def call(base, method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except Exception:
            return e.code, raw.decode(errors="replace")

try:
    a = start(18081, True)
    b = start(18082, False)
    servers = [a, b]
    _, login = call(a, "POST", "/api/v1/session", body={"username": "finance", "password": "jixiao-demo"})
    token = login["token"]
    _, lst = call(a, "GET", "/api/v1/projects?year=2019&per_page=100", token)
    allot = []
    for p in lst["projects"]:
        s, al = call(a, "GET", f"/api/v1/projects/{p['id']}/allotment", token)
        if s == 200 and not al["suspended"] and al["available_fen"] > 10000:
            allot.append((p["id"], al["available_fen"]))
        if len(allot) == 8:
            break

    def fire(requests):
        barrier = threading.Barrier(len(requests))
        out = [None] * len(requests)
        def go(i, base, path, body):
            barrier.wait()
            out[i] = call(base, "POST", path, token, body)
        ts = [threading.Thread(target=go, args=(i, *r)) for i, r in enumerate(requests)]
        for t in ts: t.start()
        for t in ts: t.join()
        return out

    # Race 1: 140 payment keys x 3 copies = 420 requests over both servers.
    keys = 140
    pays = []
    for k in range(keys):
        pid, avail = allot[k % 4]
        pays.append({"request_id": f"GK-R1-{k:04}", "project_id": pid, "amount_fen": avail // 23,
                     "payee": "乐陵市财政局", "purpose": "两台服务器", "paid_on": "2019-12-20"})
    reqs = [(servers[(k + c) % 2], "/api/v1/payments", pays[k]) for c in range(3) for k in range(keys)]
    t0 = time.time()
    out = fire(reqs)
    dt = time.time() - t0
    st = collections.Counter(s for s, _ in out)
    per_key = collections.defaultdict(list)
    for i, (s, _) in enumerate(out):
        per_key[i % keys].append(s)
    twice = sum(1 for v in per_key.values() if v.count(201) > 1)
    print(f"payments race: {len(reqs)} requests in {dt:.1f}s, statuses {dict(sorted(st.items()))}, keys paid twice: {twice}")

    # Race 2: refunds, releases, reservations, payments, each key 4 copies over both servers.
    allot = allot[4:]
    for n in range(12):
        pid = allot[n % 4][0]
        call(a, "POST", "/api/v1/payments", token, {"request_id": f"GK-P-{n}", "project_id": pid, "amount_fen": 5000, "payee": "某公司", "purpose": "先行"})
        call(a, "POST", "/api/v1/reservations", token, {"request_id": f"GK-R-{n}", "project_id": pid, "amount_fen": 3000, "purpose": "用款计划"})
    bodies = []
    for n in range(12):
        pid = allot[n % 4][0]
        bodies += [("/api/v1/refunds", {"request_id": f"GK-F-{n}", "payment_request_id": f"GK-P-{n}", "amount_fen": 1000, "purpose": "退回"}),
                   ("/api/v1/reservations/release", {"request_id": f"GK-L-{n}", "reservation_request_id": f"GK-R-{n}"}),
                   ("/api/v1/reservations", {"request_id": f"GK-N-{n}", "project_id": pid, "amount_fen": 2000, "purpose": "新计划"}),
                   ("/api/v1/payments", {"request_id": f"GK-Q-{n}", "project_id": allot[(n + 1) % 4][0], "amount_fen": 700, "payee": "某公司", "purpose": "另一笔"})]
    reqs = [(servers[c % 2], path, body) for c in range(4) for path, body in bodies]
    out = fire(reqs)
    st = collections.Counter(s for s, _ in out)
    per_key = collections.defaultdict(list)
    for i, (s, _) in enumerate(out):
        per_key[i % len(bodies)].append(s)
    not_once = sum(1 for v in per_key.values() if v.count(201) != 1)
    print(f"mixed race: {len(reqs)} requests, statuses {dict(sorted(st.items()))}, keys not accepted exactly once: {not_once}")
finally:
    for p, d in procs:
        p.terminate()
    for p, d in procs:
        p.wait(timeout=30)
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {dbname}"])
