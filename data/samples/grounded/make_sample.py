# Builds data/samples/grounded/ (GT jsonl + a sample prediction) from the two COCO panoptic
# example images: python3 make_sample.py SHARED/fixtures/panoptic/source data/samples/grounded
# Pure python (no numpy/PIL): PNG decoding and COCO RLE encoding (pycocotools rleToString) by hand.
import json, re, struct, zlib, sys, os

SRC = sys.argv[1]  # shared/fixtures/panoptic/source (panoptic_examples.json + PNGs)
OUT = sys.argv[2]

def read_png_ids(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n'
    pos, idat = 8, b''
    while pos < len(data):
        n, = struct.unpack('>I', data[pos:pos+4]); typ = data[pos+4:pos+8]; body = data[pos+8:pos+8+n]
        if typ == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10]); assert depth == 8 and ctype in (2, 6)
            bpp = 3 if ctype == 2 else 4
        elif typ == b'IDAT': idat += body
        pos += 12 + n
    raw = zlib.decompress(idat); stride = w * bpp; rows = []; prev = bytearray(stride); i = 0
    for y in range(h):
        f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
        for x in range(stride):
            a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([line[x*bpp] + 256*line[x*bpp+1] + 65536*line[x*bpp+2] for x in range(w)]); prev = line
    return h, w, rows

def rle_string(mask, h, w):  # mask: set of (y, x); pycocotools rleEncode + rleToString
    counts, cur, run = [], 0, 0
    for x in range(w):
        for y in range(h):
            v = 1 if (y, x) in mask else 0
            if v != cur: counts.append(run); run = 0; cur = v
            run += 1
    counts.append(run)
    s = ''
    for i, c in enumerate(counts):
        x = c - counts[i-2] if i > 2 else c
        more = True
        while more:
            ch = x & 0x1f; x >>= 5
            more = (x != -1) if (ch & 0x10) else (x != 0)
            if more: ch |= 0x20
            s += chr(ch + 48)
    return s

def parse_markup(text):  # canonical <ids: phrase> only
    plain, spans, pos = '', [], 0
    for m in re.finditer(r'<([\d, ]+):\s*([^<>]*)>', text):
        plain += text[pos:m.start()]
        start = len(plain); plain += m.group(2); pos = m.end()
        spans.append({'start': start, 'end': len(plain), 'segment_ids': [int(t) for t in m.group(1).split(',')], 'warnings': []})
    return plain + text[pos:], spans

GT_CAPTIONS = {
 142238: "<4325578: One player> chases <16757838: the ball> across <10025880: a wide grass field> while "
         "<3476419,4260062: two other players> follow. <3153362: A crowd of spectators> stands along the far "
         "side under <2330219: tall green trees> and <11829830: a pale sky>.",
 439180: "<16758454,16306338,15444403: Several horses> and <3937500,5119213: their riders> gather on "
         "<11881084: a gravel track> next to <10025880: a grassy field>. <6094848: A truck> is parked on the "
         "left beside <4587520: a second truck>, and <5120499: a crowd of people> watches in front of "
         "<2330219: a row of trees> under <11829830: a bright sky>.",
}
# Sample system: (caption, [(phrase, segment ids to union, dx shift, category_id)]); None = no mask.
PRED = {
 142238: ("A man kicks a ball on a grass field while two players run behind him. Many people watch near the trees under the sky.",
          [("A man", [4325578], 3, 1), ("a ball", [16757838], 0, 37), ("a grass field", [10025880], 0, 193),
           ("two players", [3476419, 4260062], -2, 1), ("Many people", [3153362], 0, 1),
           ("the trees", [2330219], 0, 184), ("the sky", [11829830], 0, 187)]),
 439180: ("Horses and riders stand on a dirt track beside a field, with a truck on the left and trees in the background.",
          [("Horses", [16758454, 16306338, 15444403], 0, 19), ("riders", [3937500], 2, 1),
           ("a dirt track", [11881084], 0, 125), ("a field", [10025880], 0, 193), ("a truck", [6094848], -3, 8),
           ("trees", [2330219], 0, 184), ("the background", None, 0, None)]),
}

src = json.load(open(os.path.join(SRC, 'panoptic_examples.json')))
images = {im['id']: im for im in src['images']}
os.makedirs(os.path.join(OUT, 'gt_panoptic'), exist_ok=True)
gt_lines, pred_lines = [], []
for ann in src['annotations']:
    iid = ann['image_id']; im = images[iid]
    png = os.path.join(SRC, 'panoptic_examples', ann['file_name'])
    open(os.path.join(OUT, 'gt_panoptic', ann['file_name']), 'wb').write(open(png, 'rb').read())
    h, w, ids = read_png_ids(png)
    assert (h, w) == (im['height'], im['width'])
    caption, spans = parse_markup(GT_CAPTIONS[iid])
    gt_lines.append(json.dumps({'image_id': iid, 'height': h, 'width': w, 'caption': caption, 'spans': spans,
                                'panoptic_png': 'gt_panoptic/' + ann['file_name'],
                                'segments_info': ann['segments_info']}))
    pix = {}
    for y in range(h):
        for x in range(w): pix.setdefault(ids[y][x], set()).add((y, x))
    pcap, phrases = PRED[iid]; out = []; cursor = 0
    for text, segs, dx, cat in phrases:
        start = pcap.index(text, cursor); cursor = start + len(text)
        p = {'start': start, 'end': start + len(text), 'text': text}
        if segs is None: p['mask'] = None
        else:
            m = set()
            for s in segs: m |= {(y, x + dx) for (y, x) in pix[s] if 0 <= x + dx < w}
            p['mask'] = {'size': [h, w], 'counts': rle_string(m, h, w)}
            p['category_id'] = cat
        out.append(p)
    pred_lines.append(json.dumps({'image_id': iid, 'caption': pcap, 'phrases': out}))
open(os.path.join(OUT, 'gt.jsonl'), 'w').write('\n'.join(gt_lines) + '\n')
open(os.path.join(OUT, 'sample_system.pred.jsonl'), 'w').write('\n'.join(pred_lines) + '\n')
