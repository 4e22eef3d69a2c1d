#!/usr/bin/env python3
"""Generate N SMS subscribers (预警订阅) of one county for the dissemination
benchmark, as a yingji registry import CSV.

    gen.py SETTLEMENTS.csv OUT.csv N [COUNTY=140213] [SEED=2026]

SETTLEMENTS.csv is the `settlement` registry exported from a `yingji demo`
database (as bench/subscribers/gen.py reads it). Rows are spread over the
county's villages in proportion to their population; each has a unique
name within its village, a point within ~100 m of the village point, and a
unique 11-digit mobile number 139xxxxxxxx (an affine permutation of
0..10^8, so no two rows share a phone). No e-mail and no webhook: every
subscriber gets exactly one delivery, an SMS. Deterministic for a seed.
"""
import csv
import random
import sys


def apportion(total, weights):
    s = sum(weights)
    exact = [total * w / s for w in weights]
    whole = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - whole[i], reverse=True)
    for i in order[: total - sum(whole)]:
        whole[i] += 1
    return whole


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    county = sys.argv[4] if len(sys.argv) > 4 else "140213"
    rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 2026)
    if n > 10**8:
        sys.exit("at most 10^8 unique phones")
    with open(src, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    col = {h: i for i, h in enumerate(rows[0])}
    villages = [
        (r[col["行政区划"]], r[col["名称"]], float(r[col["经度"]]), float(r[col["纬度"]]),
         int(r[col["常住人口"]] or 0))
        for r in rows[1:] if r[col["行政区划"]].startswith(county)
    ]
    if not villages:
        sys.exit(f"no settlements of county {county} in {src}")
    a, b = 48_271_013, rnd.randrange(10**8)  # a is odd and not a multiple of 5
    i = 0
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["名称", "行政区划", "经度", "纬度", "地址", "联系电话",
                    "订阅者类型", "电子邮箱", "接收地址(Webhook)"])
        for (code, name, lon, lat, _), m in zip(villages, apportion(n, [max(1, v[4]) for v in villages])):
            for k in range(m):
                phone = f"139{(a * i + b) % 10**8:08d}"
                w.writerow([f"{name}订户{k + 1:06d}", code,
                            f"{lon + rnd.uniform(-0.001, 0.001):.6f}",
                            f"{lat + rnd.uniform(-0.0008, 0.0008):.6f}",
                            f"{name}{rnd.randint(1, 300)}号", phone, "个人", "", ""])
                i += 1
    print(f"gen.py: {i} subscribers in {len(villages)} villages of {county} → {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
