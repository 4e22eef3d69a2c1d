#!/usr/bin/env python3
"""Writes the generated seeds of the fuzz targets (run from the repo root:
`python3 fuzz/seeds/make.py`). The real files (CAP samples, the OSM extract)
are copied by hand; see README.md beside this file."""
import io, zipfile, zlib, pathlib

root = pathlib.Path(__file__).resolve().parent

# --- osm_import: the coarse Datong extract with every blob stored raw (no
# zlib), so that mutations reach the protobuf decoder instead of failing the
# zlib checksum.
def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1; v |= (c & 0x7F) << s; s += 7
        if c < 0x80:
            return v, i

def enc_varint(v):
    out = bytearray()
    while True:
        c = v & 0x7F; v >>= 7
        if v:
            out.append(c | 0x80)
        else:
            out.append(c); return bytes(out)

def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i); v = b[i:i + n]; i += n
        else:
            raise ValueError(wt)
        yield num, wt, v

def ld(num, data):
    return enc_varint(num << 3 | 2) + enc_varint(len(data)) + data

src = (root / "../../data/datong/roads/datong-highways-coarse.osm.pbf").read_bytes()
out, i = bytearray(), 0
while i < len(src):
    hl = int.from_bytes(src[i:i + 4], "big"); i += 4
    header = src[i:i + hl]; i += hl
    hf = {n: v for n, _, v in fields(header)}
    blob = src[i:i + hf[3]]; i += hf[3]
    bf = {n: v for n, _, v in fields(blob)}
    raw = bf[1] if 1 in bf else zlib.decompress(bf[3])
    new_blob = ld(1, raw)
    new_header = ld(1, hf[1]) + enc_varint(3 << 3) + enc_varint(len(new_blob))
    out += len(new_header).to_bytes(4, "big") + new_header + new_blob
(root / "osm_import/datong-highways-coarse-raw.osm.pbf").write_bytes(out)

# --- registry_import: first byte = kind index in resources::KINDS (0 team,
# 4 shelter, 9 subscriber; +0x80 = enterprise user), then the file.
team = ("名称,行政区划,经度,纬度,联系电话,队伍类型,人数,专长\n"
        "平城区综合消防救援队,140213,113.3,40.1,13912345678,综合消防,45,高空救援；水域救援\n"
        "云州区矿山救护队,云州区,113.6,40.1,0352-1234567,矿山救护,30,\n")
shelter = ("名称,行政区划,经度,纬度,场所类别,可安置天数,有效面积(平方米),容纳人数\n"
           "S1,140213,113.3,40.1,Ⅰ类,10,3000,100\n"
           "S2,140213,113.3,40.1,Ⅲ类,3,3000,2001\n")
subscriber = ("名称,行政区划,经度,纬度,联系电话,订阅者类型,电子邮箱,接收地址(Webhook)\n"
              "张三,140213,113.3,40.1,13912345678,个人,a@example.org,\n"
              "\"李, 四\",140215,113.6,40.1,13912345679,个人,,\n")
reg = root / "registry_import"
(reg / "team-utf8-bom.csv").write_bytes(b"\x00\xEF\xBB\xBF" + team.encode())
(reg / "team-gbk.csv").write_bytes(b"\x00" + team.encode("gb18030"))
(reg / "shelter.csv").write_bytes(b"\x04" + shelter.encode())
(reg / "subscriber.csv").write_bytes(b"\x09" + subscriber.encode())

def xlsx(rows, shared):
    """A minimal workbook (entries stored, not deflated, so that mutations reach
    the XML): shared strings or inline strings, numbers as numbers."""
    strings, cells_xml = [], []
    for r, row in enumerate(rows, 1):
        cs = []
        for c, v in enumerate(row):
            ref = chr(65 + c) + str(r)
            try:
                float(v); cs.append(f'<c r="{ref}"><v>{v}</v></c>'); continue
            except ValueError:
                pass
            esc = v.replace("&", "&amp;").replace("<", "&lt;")
            if shared:
                strings.append(esc)
                cs.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cs.append(f'<c r="{ref}" t="inlineStr"><is><t>{esc}</t></is></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cs)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="救援队伍" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{"".join(cells_xml)}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">{"".join(f"<si><t>{s}</t></si>" for s in strings)}</sst>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, text in files.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text.encode(), zipfile.ZIP_STORED)
    return buf.getvalue()

rows = lambda text: [line.split(",") for line in text.strip().split("\n")]
(reg / "team.xlsx").write_bytes(b"\x00" + xlsx(rows(team), shared=True))
(reg / "shelter-inline.xlsx").write_bytes(b"\x04" + xlsx(rows(shelter), shared=False))
