// A local SMS gateway for the dissemination benchmark (Node 20, no dependencies).
//
//   node gateway.mjs PORT LEDGER [FAIL_RATE=0.05] [SEED]
//
// Answers yingji's JSON body {phone, content, key} with {"code":"0"}, except a
// random FAIL_RATE of requests answered {"code":"500"} (transient: yingji is
// configured to retry that value). Every request is appended to LEDGER with
// appendFileSync before it is answered, so a SIGKILL loses nothing that was
// answered:
//   A <ms> <key> <phone>   accepted (first time this key is accepted)
//   D <ms> <key> <phone>   a key already accepted, answered success again (a re-send)
//   F <ms> <key> <phone>   answered code 500 (the 5 %; nothing accepted)
//   X <ms> <why>           a request that is not {phone, content, key} (answered HTTP 400)
// On start the ledger is read back, so keys accepted before a restart stay
// accepted. GET /stats → {accepted, duplicates, failed, bad, phone_mismatch,
// content_chars (of the last message), unique} (counts since the ledger began).
import { createServer } from 'node:http';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

const [port, ledger, failArg] = process.argv.slice(2);
if (!port || !ledger) {
  console.error('usage: node gateway.mjs PORT LEDGER [FAIL_RATE]');
  process.exit(2);
}
const failRate = Number(failArg ?? '0.05');
const accepted = new Map(); // key → phone
const stats = { accepted: 0, duplicates: 0, failed: 0, bad: 0, phone_mismatch: 0, content_chars: 0 };
if (existsSync(ledger)) {
  for (const line of readFileSync(ledger, 'utf8').split('\n')) {
    const [kind, , key, phone] = line.split('\t');
    if (kind === 'A') {
      accepted.set(key, phone);
      stats.accepted++;
    } else if (kind === 'D') stats.duplicates++;
    else if (kind === 'F') stats.failed++;
    else if (kind === 'X') stats.bad++;
  }
}

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') return answer(res, 200, { ...stats, unique: accepted.size });
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = null;
    }
    const now = Date.now();
    const ok = body && typeof body.phone === 'string' && typeof body.key === 'string' && typeof body.content === 'string'
      && body.key.length > 0 && body.content.length > 0;
    if (!ok) {
      stats.bad++;
      appendFileSync(ledger, `X\t${now}\tnot {phone, content, key}\n`);
      return answer(res, 400, { code: '400', msg: 'bad request' });
    }
    const { key, phone } = body;
    stats.content_chars = [...body.content].length;
    if (Math.random() < failRate) {
      stats.failed++;
      appendFileSync(ledger, `F\t${now}\t${key}\t${phone}\n`);
      return answer(res, 200, { code: '500', msg: 'busy, try again' });
    }
    const before = accepted.get(key);
    if (before !== undefined) {
      stats.duplicates++;
      if (before !== phone) stats.phone_mismatch++;
      appendFileSync(ledger, `D\t${now}\t${key}\t${phone}\n`);
      return answer(res, 200, { code: '0', msg: 'OK (duplicate, not sent again)' });
    }
    accepted.set(key, phone);
    stats.accepted++;
    appendFileSync(ledger, `A\t${now}\t${key}\t${phone}\n`);
    return answer(res, 200, { code: '0', msg: 'OK' });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => {
  console.log(`gateway: 127.0.0.1:${port}, ledger ${ledger}, fail rate ${failRate}, ${accepted.size} keys already accepted`);
});
