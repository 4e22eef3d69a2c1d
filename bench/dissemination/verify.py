#!/usr/bin/env python3
"""Checks and figures of one dissemination run (called by run.sh).

    verify.py OUT_DIR N

Reads OUT_DIR/ledger.tsv (the gateway's), subscribers.csv, events.tsv,
db-states.tsv and anchor.json; prints a Markdown summary; exits 1 if a check
fails: accepted unique keys == N, no key accepted twice, every re-send of a
key carried the same phone, the accepted phones == the subscribers' phones,
every key answered 500 was accepted later, no malformed request, and in
yingji's database N delivered with N distinct keys, nothing pending or dead.
"""
import csv
import json
import sys
from collections import Counter


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    accepted, a_ms, dup_keys, failed_keys, d_ms = {}, [], Counter(), set(), []
    kinds = Counter()
    twice = mismatch = 0
    with open(f"{out}/ledger.tsv", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            kinds[parts[0]] += 1
            if parts[0] == "A":
                key, phone = parts[2], parts[3]
                if key in accepted:
                    twice += 1
                accepted[key] = phone
                a_ms.append(int(parts[1]))
            elif parts[0] == "D":
                dup_keys[parts[2]] += 1
                d_ms.append(int(parts[1]))
                if accepted.get(parts[2]) != parts[3]:
                    mismatch += 1
            elif parts[0] == "F":
                failed_keys.add(parts[2])
    with open(f"{out}/subscribers.csv", encoding="utf-8") as f:
        r = csv.reader(f)
        head = next(r)
        i = head.index("联系电话")
        phones = {row[i] for row in r}
    # The demo's own subscribers of the county (run.sh writes them).
    try:
        with open(f"{out}/demo-phones.txt", encoding="utf-8") as f:
            phones |= {line.strip() for line in f if line.strip()}
    except FileNotFoundError:
        pass
    ev = {}
    with open(f"{out}/events.tsv") as f:
        for line in f:
            p = line.split("\t")
            ev[p[0]] = int(p[1])
    db = {}
    with open(f"{out}/db-states.tsv") as f:
        for line in f:
            _, state, count, attempts, max_attempts, keys = line.rstrip("\n").split("\t")
            db[state] = dict(count=int(count), attempts=int(attempts), max=int(max_attempts), keys=int(keys))
    anchor = json.load(open(f"{out}/anchor.json"))

    a_ms.sort()
    last = a_ms[-1]
    checks = [
        ("gateway accepted unique keys == N", len(accepted) == n, f"{len(accepted):,}"),
        ("no key accepted twice", twice == 0, f"{twice}"),
        ("re-sends carried the same phone", mismatch == 0, f"{mismatch} differ"),
        ("accepted phones == subscribers' phones", set(accepted.values()) == phones and len(phones) == n,
         f"{len(set(accepted.values())):,} phones, {len(phones):,} subscribers"),
        ("every key answered 500 accepted later", failed_keys <= accepted.keys(), f"{len(failed_keys):,} keys"),
        ("no malformed request", kinds["X"] == 0, f"{kinds['X']}"),
        ("yingji: N delivered, distinct keys", db.get("delivered", {}).get("count") == n
         and db["delivered"]["keys"] == n, f"{db.get('delivered', {}).get('count', 0):,}"),
        ("yingji: nothing pending or dead", set(db) == {"delivered"}, ", ".join(f"{k} {v['count']}" for k, v in db.items())),
    ]

    def between(t0, t1):
        k = sum(1 for t in a_ms if t0 < t <= t1)
        return k, (t1 - t0) / 1000

    def rate(k, s):
        return f"{k / s:,.0f}" if s > 0 else "–"

    # The row in flight when yingji was killed stays leased (lease_until) and
    # is sent again only when the lease runs out: a lone accept after a long
    # gap at the end. The rates of the last phase stop before that tail.
    after = [t for t in a_ms if t > ev["yingji_restarted"]]
    gaps = [(after[i] - after[i - 1], i) for i in range(1, len(after))]
    tail_gap, tail_i = max(gaps, default=(0, 0))
    main_end, tail_n = last, 0
    if tail_gap > 10_000:
        main_end, tail_n = after[tail_i - 1], len(after) - tail_i
    total_s = (last - ev["publish"]) / 1000
    send_s = (last - ev["published"]) / 1000
    phases = [
        ("published → gateway killed", ev["published"], ev["gateway_killed"]),
        ("gateway restarted → yingji killed", ev["gateway_restarted"], ev["yingji_killed"]),
        ("yingji restarted → last accepted" + (" before the lease tail" if tail_n else ""),
         ev["yingji_restarted"], main_end),
    ]
    resume_gw = next(t for t in a_ms if t > ev["gateway_restarted"])
    resume_yj = next(t for t in a_ms if t > ev["yingji_killed"])
    d = db["delivered"]
    print(f"N = {n:,} SMS deliveries, one warning, gateway failing {kinds['F'] / max(1, sum(kinds.values())):.1%} of requests\n")
    print("| figure | value |\n|---|---:|")
    print(f"| publish answered (planning in the background) | {(ev['published'] - ev['publish']) / 1000:.2f} s |")
    print(f"| publish → first accepted by the gateway | {(a_ms[0] - ev['publish']) / 1000:.2f} s |")
    if "planned" in ev:
        print(f"| publish → every delivery planned (polled each second) | {(ev['planned'] - ev['publish']) / 1000:.1f} s |")
    print(f"| yingji memory high-water (VmHWM): first process / after its restart | "
          f"{ev.get('hwm_kb_1', 0) / 1024:,.0f} MB / {ev.get('hwm_kb_2', 0) / 1024:,.0f} MB |")
    print(f"| publish → last accepted (total) | {total_s:.1f} s |")
    print(f"| deliveries/s overall (from publish) | {n / total_s:,.0f} |")
    print(f"| deliveries/s after publish answered | {n / send_s:,.0f} |")
    for label, t0, t1 in phases:
        k, s = between(t0, t1)
        print(f"| deliveries/s {label} | {rate(k, s)} ({k:,} in {s:.1f} s) |")
    print(f"| gateway down (SIGKILL → restarted) → first accept after | {(ev['gateway_restarted'] - ev['gateway_killed']) / 1000:.1f} s → +{(resume_gw - ev['gateway_restarted']) / 1000:.1f} s |")
    print(f"| yingji SIGKILL → first accept after restart | {(resume_yj - ev['yingji_killed']) / 1000:.1f} s (restart ready after {(ev['yingji_restarted'] - ev['yingji_killed']) / 1000:.1f} s) |")
    if tail_n:
        print(f"| lease tail: {tail_n} delivery(ies) accepted {tail_gap / 1000:.1f} s after the one before, "
              f"{(last - ev['yingji_killed']) / 1000:.1f} s after the SIGKILL | "
              f"{(main_end - ev['publish']) / 1000:.1f} s, {(n - tail_n) / ((main_end - ev['publish']) / 1000):,.0f}/s without it |")
    print(f"| publish → every delivery recorded delivered in yingji | {(ev['all_delivered'] - ev['publish']) / 1000:.1f} s (polled each second) |")
    if d_ms:
        print(f"| re-sends after yingji's SIGKILL: first / last, after the kill | {(min(d_ms) - ev['yingji_killed']) / 1000:.1f} s / {(max(d_ms) - ev['yingji_killed']) / 1000:.1f} s |")
    print(f"| requests to the gateway | {sum(kinds.values()):,} |")
    print(f"| answered 500 (the 5 %), retried | {kinds['F']:,} ({len(failed_keys):,} keys) |")
    print(f"| re-sends of an accepted key (duplicates, dropped by the key) | {kinds['D']:,} ({len(dup_keys):,} keys) |")
    print(f"| attempts recorded by yingji (sum / max per delivery) | {d['attempts']:,} / {d['max']} |")
    print(f"| anchor: Node client → same gateway, {anchor['accepted']:,} requests, same concurrency | {anchor['per_s']:,.0f}/s |")
    k1, s1 = between(*phases[0][1:])
    print(f"| ratio yingji ÷ anchor (overall; without the lease tail; phase 1) | {n / total_s / anchor['per_s']:.3f}; "
          f"{(n - tail_n) / ((main_end - ev['publish']) / 1000) / anchor['per_s']:.3f}; {k1 / s1 / anchor['per_s']:.3f} |")
    print("\n| check | result | |\n|---|---|---|")
    ok = True
    for label, good, detail in checks:
        ok &= good
        print(f"| {label} | {'ok' if good else 'FAILED'} | {detail} |")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
