#!/usr/bin/env python3
"""Generate N realistic warning subscribers (预警订阅) for Datong as a yingji
registry import CSV.

    gen.py SETTLEMENTS.csv OUT.csv [N=1000000] [SEED=2026]

SETTLEMENTS.csv is the `settlement` registry exported from a `yingji demo`
database (every village-level unit of Datong with a point inside its
county). Rows per county are proportional to the 2020 census populations of
`crates/yingji/src/demo/mod.rs` (COUNTY_POPULATION_2020); inside a county,
to the settlements' population. Each row: a Chinese person's name (or, one
row in 40, a village organisation), an 11-digit mobile number 1[3-9]x…,
about one in six with an e-mail, organisations half with a DingTalk-style
webhook, home village code, a point within ~300 m of the village point, and
an address. Names are unique within a village (the registry key is
division + name). Deterministic for a given seed.
"""
import csv
import random
import sys

# demo/mod.rs COUNTY_POPULATION_2020 (keep in step).
COUNTY_POPULATION_2020 = {
    "140212": 88_664,
    "140213": 1_105_699,
    "140214": 684_753,
    "140215": 151_087,
    "140221": 191_981,
    "140222": 163_086,
    "140223": 135_236,
    "140224": 212_771,
    "140225": 254_371,
    "140226": 117_943,
}

# The most common surnames of Shanxi/North China, roughly by frequency.
SURNAMES = (
    "王李张刘赵杨陈郭吴孙高马武胡周徐朱任韩梁宋贾冯郝薛范董曹田许白侯程史"
    "段申牛乔秦崔石康常杜孟安魏苏郑卢谢闫阎贺尹侯温霍岳潘吕袁樊邢葛姚彭翟"
)
SURNAME_WEIGHTS = [max(1.0, 60.0 / (i + 1)) for i in range(len(SURNAMES))]
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红梅鑫波斌宇浩"
    "凯俊峰建国建华建军志强志明海燕春梅晓东晓红丽娟文斌文静永刚永红国庆国强"
    "淑珍淑英凤兰桂兰秀兰玉兰翠花金花丽华丽萍亮鹏飞慧琳欣怡子涵梓轩浩然雨桐"
)
GIVEN_CHARS = sorted(set(GIVEN))
ORG_KINDS = ["村民委员会", "小学", "卫生室", "农业合作社", "养殖场", "煤矿", "加油站",
             "超市", "幼儿园", "敬老院", "砖厂", "物流站"]
MOBILE_PREFIXES = ["130", "131", "132", "133", "134", "135", "136", "137", "138",
                   "139", "150", "151", "152", "153", "155", "156", "157", "158",
                   "159", "166", "173", "175", "176", "177", "178", "180", "181",
                   "182", "183", "184", "185", "186", "187", "188", "189", "191",
                   "193", "195", "198", "199"]
MAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def read_settlements(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    col = {h: i for i, h in enumerate(head)}
    out = []
    for r in rows[1:]:
        out.append({
            "code": r[col["行政区划"]],
            "name": r[col["名称"]],
            "lon": float(r[col["经度"]]),
            "lat": float(r[col["纬度"]]),
            "pop": int(r[col["常住人口"]] or 0),
        })
    return out


def apportion(total, weights):
    s = sum(weights)
    exact = [total * w / s for w in weights]
    whole = [int(x) for x in exact]
    rest = total - sum(whole)
    order = sorted(range(len(weights)), key=lambda i: exact[i] - whole[i], reverse=True)
    for i in order[:rest]:
        whole[i] += 1
    return whole


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 2026)
    settlements = read_settlements(src)
    counties = sorted(COUNTY_POPULATION_2020)
    per_county = apportion(n, [COUNTY_POPULATION_2020[c] for c in counties])
    plan = []  # (settlement, count)
    for county, k in zip(counties, per_county):
        vs = [s for s in settlements if s["code"].startswith(county)]
        if not vs:
            sys.exit(f"no settlements of county {county} in {src}")
        for s, m in zip(vs, apportion(k, [max(1, s["pop"]) for s in vs])):
            plan.append((s, m))
    written = 0
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["名称", "行政区划", "经度", "纬度", "地址", "联系电话",
                     "订阅者类型", "电子邮箱", "接收地址(Webhook)"])
        for s, m in plan:
            used = set()
            village = s["name"]
            for _ in range(m):
                org = rnd.random() < 0.025
                for attempt in range(1000):
                    if org:
                        name = village + rnd.choice(ORG_KINDS)
                        if attempt > 0 or name in used:
                            name = f"{village}第{rnd.randint(1, 99)}{rnd.choice(ORG_KINDS)}"
                    else:
                        sur = rnd.choices(SURNAMES, SURNAME_WEIGHTS)[0]
                        given = "".join(rnd.choice(GIVEN_CHARS)
                                        for _ in range(1 if rnd.random() < 0.3 else 2))
                        name = sur + given
                        if attempt > 20:  # a crowded village: a third given character
                            name += rnd.choice(GIVEN_CHARS)
                    if name not in used:
                        break
                else:
                    sys.exit(f"cannot find a unique name in {village}")
                used.add(name)
                phone = rnd.choice(MOBILE_PREFIXES) + f"{rnd.randrange(10**8):08d}"
                email = ""
                if rnd.random() < 0.17:
                    user = "".join(rnd.choice(LETTERS) for _ in range(rnd.randint(3, 8)))
                    email = f"{user}{rnd.randint(1, 9999)}@{rnd.choice(MAIL_DOMAINS)}"
                hook = ""
                if org and rnd.random() < 0.5:
                    token = "%032x" % rnd.getrandbits(128)
                    hook = f"https://oapi.dingtalk.com/robot/send?access_token={token}"
                lon = s["lon"] + rnd.uniform(-0.003, 0.003)
                lat = s["lat"] + rnd.uniform(-0.0025, 0.0025)
                addr = f"{village}{rnd.randint(1, 300)}号"
                w.writerow([name, s["code"], f"{lon:.6f}", f"{lat:.6f}", addr, phone,
                            "单位" if org else "个人", email, hook])
                written += 1
    print(f"gen.py: {written} subscribers in {len(plan)} villages → {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
